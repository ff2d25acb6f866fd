#pragma once

// The numbers the GUI shows, read from a run's recording (models/recording.h) and from nothing
// else: every view (node labels, edge labels, charts, the timeline, tests) asks here, so the same
// number is computed once, one way.
//
// A range is a span of closed windows [first, last). Counts, sums and latency buckets add up
// exactly over a range, so its percentiles are those of its windows' latencies together, in the
// windows' own definition (models/recording.h). Instances keep no buckets: an instance's range of
// several windows has its mean latency only (as has a recording made before windows kept them).

#include "models/recording.h"
#include "topologies/system_view.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace meshsim::ui {

struct WindowRange
{
    std::uint32_t first = 0;
    std::uint32_t last = 0; // one past the last window

    std::uint32_t count() const { return last > first ? last - first : 0; }
    bool empty() const { return count() == 0; }
    bool operator==(const WindowRange&) const = default;
};

// The outcome classes the GUI tells apart by colour and shape.
enum class OutcomeClass : std::uint8_t {
    Ok,
    ServerError, // 5xx: server error, queue full, connection failure, no healthy upstream, abort
    Timeout,
    Refused, // a proxy's circuit breaker overflowed, or a library breaker was open
    RateLimited,
    Denied, // 401 / 403
};
inline constexpr std::size_t kOutcomeClassCount = 6;
OutcomeClass outcomeClass(models::Outcome outcome);
const char* outcomeClassName(OutcomeClass c);

struct Aggregate
{
    double seconds = 0.0; // simulated time the range covers
    std::uint64_t arrivals = 0;
    std::array<std::uint64_t, kOutcomeClassCount> classes{};
    std::uint64_t total = 0; // ended in the range
    std::uint64_t timed = 0;
    double latencySumNs = 0.0;
    std::optional<std::int64_t> p50, p95, p99; // from the buckets (or a window's own)
    std::vector<std::uint64_t> latencyBuckets; // summed, models::kLatencyBuckets of them
    bool bucketsMissing = false;               // some window had latencies but no buckets
    std::uint64_t attempts = 0;                // edges: tries
    double queueMean = 0.0;                    // tiers: time average over the range
    double busyMean = 0.0;
    std::uint32_t queueMax = 0;
    std::uint32_t ejectedMax = 0;
    std::uint32_t breakersOpenMax = 0;

    std::uint64_t errors() const { return total - classes[0]; }
    double errorShare() const { return total ? double(errors()) / double(total) : 0.0; }
    double rate() const { return seconds > 0 ? double(total) / seconds : 0.0; }
    double arrivalRate() const { return seconds > 0 ? double(arrivals) / seconds : 0.0; }
    double attemptRate() const { return seconds > 0 ? double(attempts) / seconds : 0.0; }
    double meanLatencyMs() const { return timed ? latencySumNs / double(timed) / 1e6 : 0.0; }
};

// Two aggregates of the same range together (counts and sums add; percentiles do not).
Aggregate merged(const Aggregate& a, const Aggregate& b);

// The window that holds `timeNs`, as a one-window range, clipped to the closed windows (empty
// when no window is closed yet).
WindowRange windowAt(const models::Recording& recording, std::int64_t timeNs);
WindowRange wholeRun(const models::Recording& recording);
// The windows [fromNs, toNs) touches.
WindowRange
windowsBetween(const models::Recording& recording, std::int64_t fromNs, std::int64_t toNs);

Aggregate tierAggregate(const models::Recording& recording, std::uint32_t tier, WindowRange range);
// One instance: `instance` is its index among the tier's instances.
Aggregate instanceAggregate(const models::Recording& recording,
                            std::uint32_t tier,
                            std::uint32_t instance,
                            WindowRange range);
// One version of a service (its instances together): `component` is the service's.
Aggregate versionAggregate(const models::Recording& recording,
                           const topologies::SystemView& view,
                           std::uint32_t component,
                           std::uint32_t version,
                           WindowRange range);
Aggregate edgeAggregate(const models::Recording& recording, std::uint32_t edge, WindowRange range);
Aggregate
routeAggregate(const models::Recording& recording, std::uint32_t route, WindowRange range);
// A named operation of a service (`operation`: its index among the tier's operations): what it
// answered. Empty for a recording made before operations were recorded.
Aggregate operationAggregate(const models::Recording& recording,
                             std::uint32_t tier,
                             std::uint32_t operation,
                             WindowRange range);
// One workload (a client component): the calls it made, on its edges to the gateway, the ingress
// or the services (the recording has no per-workload route series).
Aggregate workloadAggregate(const models::Recording& recording,
                            const topologies::SystemView& view,
                            std::uint32_t component,
                            WindowRange range);
// Every route together: what the clients saw (no percentiles: they are per route).
Aggregate clientAggregate(const models::Recording& recording, WindowRange range);
double nodeUtilisation(const models::Recording& recording, std::uint32_t node, WindowRange range);

// The edge index of (from, to) components in the recording's layout, if the run had that edge.
std::optional<std::uint32_t>
edgeIndex(const models::Recording& recording, std::uint32_t from, std::uint32_t to);

} // namespace meshsim::ui
