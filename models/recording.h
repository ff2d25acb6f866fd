#pragma once

// Recording: what a viewer plays back — the run's time series for every part of the system, every
// state change, and the full paths of a sample of requests. Made by the Recorder
// (models/recorder.h) from the run's events; written and read by run/recording_file.h.
//
// Series. Time is cut into windows of `windowNs`; a window counts what *ended* in it (a request
// answered, a call decided, a response sent), as monitoring systems count, so a window is final as
// soon as simulated time has passed it. Summed over all windows, the counts are the totals of
// results.json for a run without warmup. Latency percentiles are those of Histogram (the same
// quantile definition as results.json), of what ended in the window. Gauges are time-averaged
// over the window (queue, busy workers) or taken at its end (node CPU utilisation).
//
// Requests. A sample of client requests is recorded hop by hop (HopKind, models/sim_events.h):
// hops form a tree per request (hops[0] is the request; every other hop names its parent). The
// sample is chosen by a hash of (seed, request id), never by a model's random stream, so
// recording never changes a run; its share halves whenever the recording would outgrow its
// memory budget, and the requests whose key falls out of the sample are dropped.
//
// Plain data; ids are those of the SystemLayout (components), of results.json (routes, edges by
// their (from, to) components) and of the platform (nodes).

#include "models/outcome.h"
#include "models/sim_events.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::models {

// The latencies of a window, as counts in log-linear buckets: values below 32 ns have a bucket
// each; above, 32 buckets per power of two, up to 2^40 ns (longer ones count in the last). A
// quantile is the middle of the bucket of the ceil(q x count)-th smallest value (nearest rank, as
// models::Histogram), within 1.6% of it. The windows' p50/p95/p99 are these quantiles; counts of
// several windows add up, so a range of windows has exact quantiles in the same definition.
struct LatencyBucket
{
    std::uint16_t bucket = 0;
    std::uint32_t count = 0;
    bool operator==(const LatencyBucket&) const = default;
};
inline constexpr std::uint32_t kLatencyBuckets = 32 * (40 - 4);
std::uint32_t latencyBucketOf(std::uint64_t ns);
std::uint64_t latencyBucketLower(std::uint32_t bucket);
// The q-quantile of dense bucket counts (kLatencyBuckets of them) holding `total` values.
std::int64_t
latencyQuantile(const std::vector<std::uint64_t>& counts, std::uint64_t total, double q);

// What ended in a window: outcomes, and the latency of those with one.
struct WindowOutcomes
{
    std::array<std::uint32_t, kOutcomeCount> outcomes{};
    std::uint32_t timed = 0;   // how many of them have a latency
    double latencySumNs = 0.0; // of those
    std::int64_t p50 = 0;      // ns
    std::int64_t p95 = 0;
    std::int64_t p99 = 0;
    // The latencies' buckets, in increasing order (routes, tiers and edges; not instances). Empty
    // in recordings made before they were kept.
    std::vector<LatencyBucket> latency;

    std::uint64_t total() const;
    std::uint64_t ok() const { return outcomes[0]; }
    std::uint64_t errors() const { return total() - ok(); }
};

// A route, as its clients saw it.
struct RouteWindow
{
    std::uint32_t sent = 0;
    WindowOutcomes answered;
};

// A tier (service, gateway, ingress) or one of its instances.
struct TierWindow
{
    std::uint32_t arrivals = 0;
    WindowOutcomes responses; // served (with their latency) and rejected
    std::uint32_t queueMax = 0;
    float queueMean = 0.0F;       // time-average of the queue length
    float busyMean = 0.0F;        // time-average of the workers busy
    float cpuSeconds = 0.0F;      // CPU work finished, at the reference speed
    std::uint16_t ejectedMax = 0; // instance: callers ejecting it; tier: instances ejected by any
};

// A call edge from one component to another.
struct EdgeWindow
{
    WindowOutcomes calls;
    std::uint32_t attempts = 0;     // tries of the calls decided in the window
    std::uint16_t breakersOpen = 0; // most library breakers of the callers open at once
    std::uint16_t ejections = 0;    // most (caller, host) outlier ejections at once
};

// A kind of proxy (ProxyKind).
struct ProxyWindow
{
    std::uint32_t traversals = 0;
    float cpuSeconds = 0.0F;
    std::int64_t p50 = 0; // added latency, ns
    std::int64_t p95 = 0;
    std::int64_t p99 = 0;
};

struct NodeWindow
{
    float utilisation = 0.0F; // busy core-seconds / (cores x window)
};

struct RecordedHop
{
    std::int64_t start = 0;
    std::int64_t end = -1; // -1: still under way when the recording ended
    std::int32_t parent = -1;
    HopKind kind = HopKind::Request;
    Outcome outcome = Outcome::Ok;
    std::uint16_t flags = kFlagNone;
    std::uint64_t detail = 0;
    Place at;
    Place from;
};

struct RecordedRequest
{
    std::uint64_t id = 0;        // the client request's id (traces in results.json name it too)
    std::uint64_t sampleKey = 0; // hash of (seed, id): in the sample while below the threshold
    std::uint32_t route = 0;
    bool complete = true; // false: some hops were still under way when the run ended
    // Its place in the order requests were completed, counting those dropped since (from 1; a
    // recording read back from a file has 0s: the order of `requests` is what counts).
    std::uint64_t sequence = 0;
    std::vector<RecordedHop> hops;
};

struct SeriesLayout
{
    std::int64_t windowNs = 1'000'000'000;
    std::uint32_t routes = 0;
    std::vector<std::uint32_t> tierReplicas; // instances per tier
    // Named operations per tier (0 for a plain service and the proxies); empty in recordings made
    // before operations were recorded.
    std::vector<std::uint32_t> tierOperations;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges; // (from, to) components
    std::uint32_t nodes = 0;

    std::uint32_t instanceCount() const;
    std::uint32_t firstInstance(std::uint32_t tier) const;
    std::uint32_t operationCount() const;
    std::uint32_t firstOperation(std::uint32_t tier) const;
};

struct Recording
{
    SeriesLayout layout;
    std::uint32_t windows = 0; // closed windows; every series has this many entries
    std::vector<std::vector<RouteWindow>> routes;
    std::vector<std::vector<TierWindow>> tiers;
    std::vector<std::vector<TierWindow>> instances; // tier by tier (SeriesLayout::firstInstance)
    std::vector<std::vector<EdgeWindow>> edges;
    std::vector<std::vector<ProxyWindow>> proxies; // by ProxyKind
    std::vector<std::vector<NodeWindow>> nodes;
    // What a service's named operations answered (as results.json's operation blocks), tier by
    // tier (SeriesLayout::firstOperation).
    std::vector<std::vector<WindowOutcomes>> operations;

    std::vector<StateChange> states;
    std::vector<RecordedRequest> requests; // in the order they were completed

    // The sample: a request is in it while its key is below the threshold.
    std::uint64_t sampleThreshold = ~std::uint64_t{0};
    std::uint64_t budgetBytes = 0;
    std::uint64_t requestsSeen = 0; // client requests sent during the run
    // When the recording ends, once the run has (its last event, or the start of the last window
    // when the run went past its last event): the last window ends there, partial.
    std::int64_t endNs = -1;
    std::uint64_t lateHops = 0; // hops reported after their request was complete (a bug)

    double sampleShare() const;
    // The simulated time window `w` covers: windowNs, less for the partial last one.
    std::int64_t windowSpanNs(std::uint32_t w) const;
};

// A request's critical path: the hops that decided its latency, from its end back to its start.
// At every instant of a span, the child that ended last (or is still under way when the span
// ended, clipped to the span) is on the path; leaves (hops without children) contribute their
// clipped durations. `coveredNs` is their sum, equal to the request's latency when every instant
// of it is covered by its hops. Returns the leaves, latest first, with what each contributes.
// O(n log n) in the request's hops.
struct CriticalPath
{
    std::vector<std::int32_t> leaves;
    std::vector<std::int64_t> leafNs; // beside `leaves`: the part of each on the path, ns
    std::int64_t coveredNs = 0;
    bool complete = false; // no gap anywhere along the path
};
CriticalPath criticalPath(const RecordedRequest& request);

} // namespace meshsim::models
