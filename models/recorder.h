#pragma once

// Recorder: the second sink of a run (models/sim_events.h), beside Metrics. It turns the run's
// events into a Recording (models/recording.h): per-window series of every route, tier, instance,
// edge, proxy kind and node; every state change; the hops of a sample of requests.
//
// Memory stays within a budget (64 MiB by default): the series are sized before the run (their
// window widened to a multiple of the scenario's when a long run of a large system would not
// fit); the rest holds the sampled requests. A request is sampled when a hash of (seed, request
// id) falls below a threshold that starts at "all" and halves whenever the recording would
// outgrow the budget, dropping the requests that leave the sample — so the sample is the same
// whatever the slicing of the run, and never draws from a model's random stream.
//
// A request is complete when its hop 0 (the request) has ended and none of its hops is under
// way. Owned by the run; reads time (and the nodes' CPU accounting) from the platform. Not
// thread-safe.

#include "engine/core/platform.h"
#include "models/metrics.h"
#include "models/recording.h"
#include "models/sim_events.h"

#include <cstdint>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace meshsim::models {

struct SystemLayout;

class Recorder final : public SimEventSink
{
public:
    static constexpr std::uint64_t kDefaultBudget = std::uint64_t{64} * 1024 * 1024;

    struct Options
    {
        std::uint64_t budgetBytes = kDefaultBudget;
        std::uint64_t seed = 1;
        SimDuration window{1'000'000'000};
        SimDuration horizon{0};  // the longest the run may last (duration + drain)
        SimDuration arrivals{0}; // when requests stop arriving (the run's duration)
    };

    Recorder(const Options& options, const engine::Platform& platform);

    // Once the cluster has registered its call edges, before the run starts. `load`: where the
    // instances' queues and busy workers are read at the end of each window.
    void begin(const Metrics& metrics, const SystemLayout& layout, LoadSource& load);
    // Where the open window ends. A run stops before it (every event before it has run, none
    // after) and calls advanceTo() with it, so that the nodes' CPU is read at the window's end.
    engine::SimTime windowEnd() const { return engine::atNanos(m_windowEnd); }
    // Simulated time has reached `t` (every event before it has run): the windows that end by
    // then are closed.
    void advanceTo(engine::SimTime t);
    // The run is over at `t`: the last window is closed, requests still under way are kept as
    // they are (incomplete).
    void finish(engine::SimTime t);

    const Recording& recording() const { return m_rec; }
    // The recording, once finished (the recorder is spent).
    Recording takeRecording() { return std::move(m_rec); }
    // The sample key of a request id: in the sample while below recording().sampleThreshold.
    static std::uint64_t sampleKey(std::uint64_t seed, std::uint64_t request);
    // Bytes the recording holds (series, states, requests).
    std::uint64_t bytes() const;

    // --- SimEventSink ------------------------------------------------------------------------
    void requestSent(engine::SimTime) override {}
    void requestAnswered(std::uint32_t route,
                         engine::SimTime sentAt,
                         engine::SimDuration latency,
                         Outcome outcome) override;
    void instanceArrival(std::uint32_t tier,
                         std::uint32_t instance,
                         engine::SimTime at,
                         std::uint32_t queueLength) override;
    void instanceRejected(std::uint32_t tier,
                          std::uint32_t instance,
                          engine::SimTime at,
                          Outcome outcome) override;
    // A named operation answered (EventSinks; not a SimEventSink event: Metrics has its own).
    void operationAnswered(std::uint32_t tier,
                           OperationIndex operation,
                           engine::SimTime arrivedAt,
                           engine::SimDuration latency,
                           Outcome outcome,
                           bool served);
    void instanceServed(std::uint32_t tier,
                        std::uint32_t instance,
                        engine::SimTime arrivedAt,
                        engine::SimDuration latency,
                        Outcome outcome,
                        bool dependencyFailure,
                        engine::SimDuration cpu) override;
    void callEnded(std::uint32_t edge,
                   engine::SimTime sentAt,
                   Outcome outcome,
                   std::uint16_t flags,
                   std::uint32_t attempts) override;
    void proxyPassed(ProxyKind kind,
                     engine::SimTime entered,
                     engine::SimDuration cpu,
                     engine::SimDuration added) override;
    void cacheLookup(engine::SimTime, bool) override {}
    void stateChanged(const StateChange& change) override;
    void traceFinished(TraceRecord) override {}
    std::uint32_t recordRequest(std::uint64_t request,
                                std::uint32_t route,
                                const Place& client,
                                engine::SimTime at) override;
    std::int32_t hopStarted(std::uint32_t handle,
                            std::int32_t parent,
                            HopKind kind,
                            engine::SimTime at,
                            const Place& where,
                            const Place& from) override;
    void hopEnded(std::uint32_t handle,
                  std::int32_t hop,
                  engine::SimTime at,
                  Outcome outcome,
                  std::uint16_t flags,
                  std::uint64_t detail) override;

private:
    // The latencies of one window: log-linear buckets, 32 per power of two (a bucket is at most
    // 1/32 of its lower bound wide; a quantile is reported as its bucket's middle, within 1.6%),
    // cheap to count into and to clear — a run counts every request into a few of them.
    class WindowLatency
    {
    public:
        // Buckets for values up to 2^40 ns (18 minutes); longer ones count in the last.
        static constexpr std::uint32_t kBuckets = 32 * (40 - 4);
        static_assert(kBuckets == kLatencyBuckets, "the recording's bucket scheme");
        WindowLatency()
            : m_counts(kBuckets, 0)
        {}
        void record(std::int64_t ns)
        {
            const std::uint32_t b = std::min(
                bucketOf(static_cast<std::uint64_t>(std::max<std::int64_t>(0, ns))), kBuckets - 1);
            ++m_counts[b];
            ++m_count;
            m_first = std::min(m_first, b);
            m_last = std::max(m_last, b);
        }
        std::int64_t quantile(double q) const;
        void merge(const WindowLatency& other);
        void clear();
        // Its non-empty buckets, in order (the recording keeps them).
        std::vector<LatencyBucket> buckets() const;

    private:
        static std::uint32_t bucketOf(std::uint64_t v)
        {
            // Values below 32 have a bucket each; above, 32 buckets per power of two.
            if (v < 32)
                return static_cast<std::uint32_t>(v);
            const int top = 63 - __builtin_clzll(v); // >= 5
            return static_cast<std::uint32_t>(
                (std::uint64_t{32} * static_cast<std::uint64_t>(top - 4))
                + ((v >> (top - 5)) & 31U));
        }
        static std::uint64_t lowerOf(std::uint32_t bucket);
        std::vector<std::uint32_t> m_counts;
        std::uint32_t m_count = 0;
        std::uint32_t m_first = ~0U; // buckets touched since the last clear
        std::uint32_t m_last = 0;
    };
    struct Outcomes
    {
        WindowOutcomes counts;
        WindowLatency latency;
        void add(Outcome outcome) { ++counts.outcomes[static_cast<std::size_t>(outcome)]; }
        void addTimed(Outcome outcome, std::int64_t ns);
        WindowOutcomes take();
    };
    struct TierState // a tier or an instance, in the open window
    {
        Outcomes responses;
        double cpuSeconds = 0.0;
        std::uint16_t ejected = 0; // instance: callers ejecting it now; tier: instances ejected
        std::uint16_t ejectedMax = 0;
    };
    struct EdgeState
    {
        Outcomes calls;
        std::uint32_t attempts = 0;
        std::uint16_t breakersOpen = 0;
        std::uint16_t breakersOpenMax = 0;
        std::uint16_t ejections = 0;
        std::uint16_t ejectionsMax = 0;
    };
    struct ProxyState
    {
        std::uint32_t traversals = 0;
        double cpuSeconds = 0.0;
        WindowLatency added;
    };
    struct Live // a sampled request
    {
        std::uint32_t index = 0; // in m_requests
        std::uint32_t open = 0;  // hops under way
        bool rootEnded = false;
        bool done = false;    // complete (moved to the recording) or dropped
        bool dropped = false; // left the sample
    };

    void closeWindow();
    // How much the sample will have grown by the end of the arrivals, seen at time `t` (ns).
    double growthAt(std::int64_t t) const;
    void roll(engine::SimTime t)
    {
        if (engine::toNanos(t) >= m_windowEnd)
            closeWindowsBefore(engine::toNanos(t));
    }
    void closeWindowsBefore(std::int64_t t);
    TierState& instance(std::uint32_t tier, std::uint32_t i)
    {
        return m_instances[m_firstInstance[tier] + i];
    }
    void complete(Live& live, std::int64_t at); // `at`: now, in ns
    // `growth`: how much more the sampled requests will take by the end of the arrivals.
    void enforceBudget(double growth = 1.0);
    std::uint64_t requestBytes(const RecordedRequest& r) const;

    Options m_options;
    const engine::Platform& m_platform;
    Recording m_rec;
    std::int64_t m_windowNs = 0;
    std::int64_t m_windowEnd = 0;
    std::uint32_t m_firstTierComponent = 0;
    std::vector<std::uint32_t> m_firstInstance;
    std::vector<std::uint32_t> m_nodeCores;
    std::vector<double> m_nodeBusyAtStart;
    std::vector<RouteWindow> m_routeSent; // sent counts of the open window
    std::vector<Outcomes> m_routes;
    std::vector<TierState> m_tiers; // ejections only: the rest is the instances'
    WindowLatency m_merged;         // a tier's latencies, merged at the end of a window
    LoadSource* m_loadSource = nullptr;
    std::vector<InstanceLoad> m_loads;
    std::vector<TierState> m_instances;
    std::vector<Outcomes> m_operations;
    std::vector<std::uint32_t> m_firstOperation;
    std::vector<EdgeState> m_edges;
    std::vector<ProxyState> m_proxies;
    std::unordered_map<std::uint64_t, std::uint32_t> m_edgeOf; // (from << 32 | to) -> edge
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, bool> m_breakerOpen;
    // sampled requests: live ones by handle - 1; their records in m_requests until complete
    std::vector<Live> m_live;
    std::vector<RecordedRequest> m_requests;
    std::vector<std::uint32_t> m_freeRequests;
    // Per route, the hops of its last completed request: what the next one reserves, so that a
    // sampled request's hops are allocated once rather than grown and shrunk.
    std::vector<std::uint32_t> m_hopsHint;
    std::uint64_t m_seriesBytes = 0;  // projected, for the whole run
    std::uint64_t m_requestBytes = 0; // held by sampled requests, live and complete
    // Held by the complete ones: what grows with time (those under way are about as many at any
    // time, rate times latency), so what a projection multiplies.
    std::uint64_t m_completedBytes = 0;
    std::uint64_t m_completed = 0;
    std::uint64_t m_nextProjection = 256; // completions at which the budget is projected
    bool m_finished = false;
};

} // namespace meshsim::models
