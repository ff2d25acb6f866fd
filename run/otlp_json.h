#pragma once

// The sampled traces of a results.json as OTLP/JSON: an ExportTraceServiceRequest
// ({"resourceSpans": [...]}) that Jaeger and Grafana Tempo load, and that an OpenTelemetry
// Collector accepts on POST /v1/traces.
//
// Encoding (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"): the proto3 JSON
// mapping with lowerCamelCase keys, 64-bit integers (the *UnixNano times, intValue) as decimal
// strings, enums as integers, and traceId/spanId/parentSpanId as lowercase hex (32 and 16
// characters), not protobuf's base64. Messages and field names: trace/v1/trace.proto
// (ResourceSpans, ScopeSpans, Span, Span.SpanKind, Status), common/v1/common.proto (KeyValue,
// AnyValue, InstrumentationScope), collector/trace/v1/trace_service.proto
// (ExportTraceServiceRequest); checked against opentelemetry-proto's docs/specification.md,
// docs/generated/trace.proto.md and common.proto.md, and examples/trace.json. Fields at their
// proto3 default (an empty parentSpanId, an UNSET status, an empty version, no attributes) are left
// out, as a proto3 JSON printer does.
//
// Mapping of a trace (docs/results-format.md, "traces"):
//   - one resourceSpans entry per service, sorted by name, with resource attributes service.name,
//     service.namespace and the run's meshsim.scenario, meshsim.seed and meshsim.engine; one
//     scopeSpans with scope {"name": "meshsim", "version": scopeVersion};
//   - `client <path>` (the root): service "client" (results.json does not name the workload),
//     kind CLIENT, name <path>, attributes http.route, meshsim.route and meshsim.request;
//   - `call A -> B`: service A, kind CLIENT, name "call B", attributes peer.service = B,
//     meshsim.attempts (tries, retries and hedges included);
//   - `<service>/<instance>`: service <service>, kind SERVER, name "serve <service>", attribute
//     meshsim.instance (the replica's index); any other name: service "unknown_service", kind
//     INTERNAL, the name unchanged;
//   - every span: envoy.response_flags (e.g. "UT,URX") when it has flags; an outcome other than
//     "ok" gives status ERROR with the outcome as message and attribute meshsim.outcome; "ok"
//     leaves the status UNSET: instrumentation libraries leave it unset unless there is an error,
//     OK is an operator's override (opentelemetry-specification trace/api.md, "Set Status"); a
//     span that had not ended (duration_ms null) ends where it starts, with meshsim.incomplete.
//   - times: epochUnixNanos + start_seconds (the trace's start) + start_ms (the span's offset),
//     each rounded to the nanosecond, so the simulator's integer nanoseconds come back exactly
//     (while the simulated time stays below about 50 days, the limit of a double's 53 bits).
//   - ids: traceId from (seed, request), spanId from (seed, request, span id) through splitmix64:
//     the same run gives the same ids, a re-run with another seed other ones, and the ids of the
//     spans of one trace are distinct and never zero (otlpTraceId, otlpSpanId).
//
// Qt-free and deterministic: the same input gives the same bytes.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace meshsim::run {

struct OtlpOptions
{
    // The Unix time of simulated time 0, in nanoseconds: 2026-01-01T00:00:00Z.
    std::int64_t epochUnixNanos = 1'767'225'600'000'000'000;
    std::string serviceNamespace = "meshsim"; // resource attribute service.namespace
    std::string scopeVersion;                 // InstrumentationScope.version; empty: left out
};

// The traces of a results.json document (its "traces" list; none: no resourceSpans) as an OTLP/JSON
// ExportTraceServiceRequest. Throws nlohmann::json::exception when a trace misses a field of
// docs/results-format.md or has one of the wrong type.
nlohmann::ordered_json tracesToOtlp(const nlohmann::ordered_json& results,
                                    const OtlpOptions& options = {});

// The traceId of the trace of client request `request` in a run with `seed` (32 lowercase hex
// digits) and the spanId of its span `span` (16 digits): links a request of a recording or of
// results.json to the trace a tracing UI shows.
std::string otlpTraceId(std::uint64_t seed, std::uint64_t request);
std::string otlpSpanId(std::uint64_t seed, std::uint64_t request, std::uint64_t span);

} // namespace meshsim::run
