#pragma once

// Validated configuration of discovery, trace sampling and service-level objectives.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/common.h"

#include <cstdint>
#include <vector>

namespace meshsim::models {

// How instances enter and leave the endpoints callers see (reference/semantics.md §7.1):
// Kubernetes readiness probes every `readinessPeriod`; `failureThreshold` failed probes make an
// instance NotReady, `successThreshold` successful ones Ready; the change reaches callers and
// proxies `propagation` later (EndpointSlice -> istiod debounce -> xDS push, or kube-proxy).
struct DiscoveryConfig
{
    SimDuration readinessPeriod{10'000'000'000};
    std::uint32_t failureThreshold = 3;
    std::uint32_t successThreshold = 1;
    SimDuration propagation{1'000'000'000};
};

struct TraceConfig
{
    double sampleFraction = 0.001; // of client requests after the warmup
    std::uint32_t maxTraces = 50;
};

struct SloConfig
{
    enum class Metric { Mean, P50, P90, P95, P99, P999, ErrorRate };
    struct Objective
    {
        Metric metric;
        double limit; // nanoseconds for latencies, a fraction for error_rate
    };
    std::vector<Objective> objectives;
};

// The metric's name in scenarios and results.json ("p99", "p999", "error_rate", ...).
constexpr const char* sloMetricName(SloConfig::Metric metric)
{
    switch (metric) {
    case SloConfig::Metric::Mean:
        return "mean";
    case SloConfig::Metric::P50:
        return "p50";
    case SloConfig::Metric::P90:
        return "p90";
    case SloConfig::Metric::P95:
        return "p95";
    case SloConfig::Metric::P99:
        return "p99";
    case SloConfig::Metric::P999:
        return "p999";
    case SloConfig::Metric::ErrorRate:
        return "error_rate";
    }
    return "?";
}

} // namespace meshsim::models
