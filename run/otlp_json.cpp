#include "run/otlp_json.h"

#include "engine/core/random.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>

namespace meshsim::run {

using Json = nlohmann::ordered_json;

namespace {

// Span.SpanKind and Status.StatusCode of trace.proto: OTLP/JSON writes enums as integers only.
constexpr int kKindInternal = 1;
constexpr int kKindServer = 2;
constexpr int kKindClient = 3;
constexpr int kStatusError = 2;

constexpr std::string_view kRootPrefix = "client ";
constexpr std::string_view kCallPrefix = "call ";
constexpr std::string_view kArrow = " -> ";

std::uint64_t splitmix64(std::uint64_t& state)
{
    return engine::RandomStream::splitmix64(state);
}

struct TraceKey
{
    std::uint64_t high = 0;
    std::uint64_t low = 0;
};

TraceKey traceKey(std::uint64_t seed, std::uint64_t request)
{
    // splitmix64 returns mix(state + gamma), gamma = 0x9e3779b97f4a7c15, with mix a bijection:
    // distinct requests of a run give distinct states, hence distinct high words; high and low are
    // never both zero.
    std::uint64_t state = seed;
    state = splitmix64(state) ^ request;
    TraceKey key;
    key.high = splitmix64(state);
    key.low = splitmix64(state);
    return key;
}

std::uint64_t spanKey(const TraceKey& trace, std::uint64_t span)
{
    // base + span + gamma stays in (0, 2^64) for base <= 2^62 and any 32-bit span id, so mix() of
    // it is never zero and differs between the spans of a trace.
    std::uint64_t state = (trace.low >> 2) + 1 + span;
    return splitmix64(state);
}

std::string hex(std::uint64_t value)
{
    constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out(16, '0');
    for (std::size_t i = out.size(); i-- > 0; value >>= 4)
        out[i] = kDigits[value & 0xf];
    return out;
}

std::string hex(const TraceKey& key)
{
    return hex(key.high) + hex(key.low);
}

Json attribute(std::string_view key, Json value)
{
    return {{"key", key}, {"value", std::move(value)}};
}

Json stringValue(std::string_view value)
{
    return {{"stringValue", value}};
}

Json intValue(std::int64_t value)
{
    return {{"intValue", std::to_string(value)}}; // int64: a decimal string
}

// Integer nanoseconds of `value` (in seconds or milliseconds: `nanosPerUnit`). results.json
// rounds times to the nanosecond, so rounding recovers the simulator's exact nanoseconds.
std::int64_t nanos(const Json& value, double nanosPerUnit)
{
    return std::llround(value.get<double>() * nanosPerUnit);
}

// What a span of results.json is, from its name (docs/results-format.md, "traces").
struct SpanShape
{
    std::string service;
    std::string name;
    int kind = kKindInternal;
    Json attributes = Json::array();
};

SpanShape shapeOf(const std::string& name, const Json& span)
{
    const std::string_view text = name;
    if (text.starts_with(kRootPrefix)) {
        const std::string path(text.substr(kRootPrefix.size()));
        return {
            "client", path, kKindClient, Json::array({attribute("http.route", stringValue(path))})};
    }
    if (const auto arrow = text.find(kArrow);
        text.starts_with(kCallPrefix) && arrow != std::string_view::npos) {
        const std::string caller(text.substr(kCallPrefix.size(), arrow - kCallPrefix.size()));
        const std::string callee(text.substr(arrow + kArrow.size()));
        return {caller,
                "call " + callee,
                kKindClient,
                Json::array({attribute("peer.service", stringValue(callee)),
                             attribute("meshsim.attempts",
                                       intValue(span.at("attempts").get<std::int64_t>()))})};
    }
    if (const auto slash = text.rfind('/'); slash != std::string_view::npos && slash > 0) {
        const std::string_view digits = text.substr(slash + 1);
        std::int64_t instance = 0;
        const auto [end, error]
            = std::from_chars(digits.data(), digits.data() + digits.size(), instance);
        if (error == std::errc() && end == digits.data() + digits.size() && !digits.empty()) {
            const std::string service(text.substr(0, slash));
            return {service,
                    "serve " + service,
                    kKindServer,
                    Json::array({attribute("meshsim.instance", intValue(instance))})};
        }
    }
    return {"unknown_service", name, kKindInternal, Json::array()};
}

Json resourceAttributes(const std::string& service, const Json& results, const OtlpOptions& options)
{
    Json attributes
        = Json::array({attribute("service.name", stringValue(service)),
                       attribute("service.namespace", stringValue(options.serviceNamespace))});
    if (results.contains("scenario") && results["scenario"].contains("name"))
        attributes.push_back(attribute(
            "meshsim.scenario", stringValue(results["scenario"]["name"].get<std::string>())));
    if (results.contains("seed")) {
        // An int64 attribute; a seed above 2^63 - 1 (possible: seeds are unsigned) as a string.
        const auto seed = results["seed"].get<std::uint64_t>();
        attributes.push_back(
            attribute("meshsim.seed",
                      seed <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                          ? intValue(static_cast<std::int64_t>(seed))
                          : stringValue(std::to_string(seed))));
    }
    if (results.contains("engine"))
        attributes.push_back(
            attribute("meshsim.engine", stringValue(results["engine"].get<std::string>())));
    return attributes;
}

} // namespace

std::string otlpTraceId(std::uint64_t seed, std::uint64_t request)
{
    return hex(traceKey(seed, request));
}

std::string otlpSpanId(std::uint64_t seed, std::uint64_t request, std::uint64_t span)
{
    return hex(spanKey(traceKey(seed, request), span));
}

Json tracesToOtlp(const Json& results, const OtlpOptions& options)
{
    const std::uint64_t seed = results.contains("seed") ? results["seed"].get<std::uint64_t>() : 0;
    std::map<std::string, Json> spansByService; // sorted by service name
    if (results.contains("traces")) {
        for (const Json& trace : results["traces"]) {
            const auto request = trace.at("request").get<std::uint64_t>();
            const TraceKey key = traceKey(seed, request);
            const std::string traceId = hex(key);
            const std::int64_t traceStart
                = options.epochUnixNanos + nanos(trace.at("start_seconds"), 1e9);
            for (const Json& span : trace.at("spans")) {
                SpanShape shape = shapeOf(span.at("name").get<std::string>(), span);
                const auto parent = span.at("parent").get<std::int64_t>();
                const std::int64_t start = traceStart + nanos(span.at("start_ms"), 1e6);
                const Json& duration = span.at("duration_ms");
                const std::int64_t end = duration.is_null() ? start : start + nanos(duration, 1e6);
                const auto outcome = span.at("outcome").get<std::string>();
                const auto flags = span.at("flags").get<std::string>();

                Json& attributes = shape.attributes;
                if (parent < 0) {
                    attributes.push_back(attribute(
                        "meshsim.route", stringValue(trace.at("route").get<std::string>())));
                    attributes.push_back(
                        attribute("meshsim.request", intValue(static_cast<std::int64_t>(request))));
                }
                if (!flags.empty() && flags != "-") // models::flagsText writes "-" for none
                    attributes.push_back(attribute("envoy.response_flags", stringValue(flags)));
                if (outcome != "ok")
                    attributes.push_back(attribute("meshsim.outcome", stringValue(outcome)));
                if (duration.is_null())
                    attributes.push_back(attribute("meshsim.incomplete", {{"boolValue", true}}));

                // Fields in trace.proto's order; the ones at their default left out.
                Json out;
                out["traceId"] = traceId;
                out["spanId"] = hex(spanKey(key, span.at("id").get<std::uint64_t>()));
                if (parent >= 0)
                    out["parentSpanId"] = hex(spanKey(key, static_cast<std::uint64_t>(parent)));
                out["name"] = shape.name;
                out["kind"] = shape.kind;
                out["startTimeUnixNano"] = std::to_string(start);
                out["endTimeUnixNano"] = std::to_string(end);
                if (!attributes.empty())
                    out["attributes"] = std::move(attributes);
                if (outcome != "ok")
                    out["status"] = {{"message", outcome}, {"code", kStatusError}};
                Json& spans = spansByService[shape.service];
                if (spans.is_null())
                    spans = Json::array();
                spans.push_back(std::move(out));
            }
        }
    }

    Json scope{{"name", "meshsim"}};
    if (!options.scopeVersion.empty())
        scope["version"] = options.scopeVersion;
    Json resourceSpans = Json::array();
    for (auto& [service, spans] : spansByService) {
        Json scopeSpans;
        scopeSpans["scope"] = scope;
        scopeSpans["spans"] = std::move(spans);
        Json entry;
        entry["resource"]["attributes"] = resourceAttributes(service, results, options);
        entry["scopeSpans"] = Json::array({std::move(scopeSpans)});
        resourceSpans.push_back(std::move(entry));
    }
    Json request;
    request["resourceSpans"] = std::move(resourceSpans);
    return request;
}

} // namespace meshsim::run
