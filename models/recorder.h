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
#include "models/histogram.h"
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
        SimDuration horizon{0}; // the longest the run may last (duration + drain)
    };

    Recorder(const Options& options, const engine::Platform& platform);

    // Once the cluster has registered its call edges, before the run starts.
    void begin(const Metrics& metrics, const SystemLayout& layout);
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
    void instanceServed(std::uint32_t tier,
                        std::uint32_t instance,
                        engine::SimTime arrivedAt,
                        engine::SimDuration latency,
                        Outcome outcome,
                        bool dependencyFailure) override;
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
    void instanceLoad(std::uint32_t tier,
                      std::uint32_t instance,
                      engine::SimTime at,
                      std::uint32_t queued,
                      std::uint32_t busy) override;
    void cpuUsed(std::uint32_t tier,
                 std::uint32_t instance,
                 engine::SimTime at,
                 engine::SimDuration work) override;

private:
    struct Outcomes
    {
        WindowOutcomes counts;
        Histogram latency;
        void add(Outcome outcome) { ++counts.outcomes[static_cast<std::size_t>(outcome)]; }
        void addTimed(Outcome outcome, std::int64_t ns);
        WindowOutcomes take();
    };
    struct TierState // a tier or an instance, in the open window
    {
        Outcomes responses;
        std::uint32_t arrivals = 0;
        double cpuSeconds = 0.0;
        // gauges (instances): the current values and their integrals over the window
        std::uint32_t queued = 0;
        std::uint32_t busy = 0;
        std::uint32_t queueMax = 0;
        std::int64_t lastChange = 0;
        double queueArea = 0.0;
        double busyArea = 0.0;
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
        Histogram added;
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
    void roll(engine::SimTime t)
    {
        if (engine::toNanos(t) >= m_windowEnd)
            closeWindowsBefore(engine::toNanos(t));
    }
    void closeWindowsBefore(std::int64_t t);
    void integrate(TierState& s, std::int64_t until);
    TierState& instance(std::uint32_t tier, std::uint32_t i)
    {
        return m_instances[m_firstInstance[tier] + i];
    }
    void complete(Live& live);
    void enforceBudget();
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
    std::vector<TierState> m_tiers;
    std::vector<TierState> m_instances;
    std::vector<EdgeState> m_edges;
    std::vector<ProxyState> m_proxies;
    std::unordered_map<std::uint64_t, std::uint32_t> m_edgeOf; // (from << 32 | to) -> edge
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, bool> m_breakerOpen;
    // sampled requests: live ones by handle - 1; their records in m_requests until complete
    std::vector<Live> m_live;
    std::vector<RecordedRequest> m_requests;
    std::vector<std::uint32_t> m_freeRequests;
    std::uint64_t m_seriesBytes = 0;  // projected, for the whole run
    std::uint64_t m_requestBytes = 0; // held by sampled requests, live and complete
    std::uint64_t m_completed = 0;
    bool m_finished = false;
};

} // namespace meshsim::models
