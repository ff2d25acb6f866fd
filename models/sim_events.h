#pragma once

// What a running system reports: typed events, through one sink interface.
//
// The models report every event once, to EventSinks, which hands it to the run's Metrics (always:
// the statistics of results.json) and to a recorder when the run has one (the recording a viewer
// plays: models/recorder.h). Metrics is final and called directly, so a run without a recorder
// pays one null test per event. Times are simulated times; components, tiers, instances, edges and
// routes are the indices of the SystemLayout and of Metrics.
//
// Three families:
// * statistics: client requests, requests at instances, calls per edge, proxy traversals, cache
//   lookups — what results.json aggregates;
// * state changes: breakers, outlier ejections, readiness, health, faults (StateChange);
// * for the recorder only: the hops of sampled requests (see models/recording.h for what a hop
//   is). Gauges (queues, busy workers) are not events: a recorder reads them, at the end of each
//   window, from a LoadSource.

#include "engine/core/sim_time.h"
#include "models/circuit_breaker.h"
#include "models/outcome.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::models {

struct TraceRecord;
enum class ProxyKind : std::uint8_t;

inline constexpr std::uint32_t kNoIndex = ~std::uint32_t{0};

// Why outlier detection ejected or returned a host (reference/semantics.md §2.2), or Linkerd's
// failure accrual shut or opened it.
enum class EjectionReason : std::uint8_t {
    Consecutive5xx,
    ConsecutiveGatewayFailure,
    SuccessRate,
    FailurePercentage,
    EjectionTimeElapsed,
    ActiveHealthCheck,
    FailureAccrual,  // shut after consecutive failures
    ProbationPassed, // its probe succeeded
};
const char* ejectionReasonName(EjectionReason reason);
EjectionReason ejectionReasonFromName(const std::string& name);

// A state change worth a timeline. Who saw it: an instance (`component` is its tier's component,
// `instance` its index) for readiness, health and faults; a caller's view of a target tier
// (`component`/`instance`: the caller, `instance` kNoIndex for clients; `target`: the callee's
// component) for breakers and ejections, with the ejected or returned `host` index.
struct StateChange
{
    enum class Kind : std::uint8_t {
        Breaker,   // a library circuit breaker changed state (`breaker`)
        Ejection,  // outlier detection ejected `host` (`reason`)
        Return,    // ... and returned it
        NotReady,  // the readiness probe failed failureThreshold times
        Ready,     // ... passed successThreshold times
        Unhealthy, // active health checking marked the instance unhealthy
        Healthy,   // ... healthy
        Killed,    // a `kill` fault
        NodeDown,  // a `node_down` fault took the instance down with its node
        Restored,  // the fault ended
    };
    engine::SimTime at;
    Kind kind = Kind::Breaker;
    BreakerState breaker = BreakerState::Closed;
    EjectionReason reason = EjectionReason::Consecutive5xx;
    std::uint32_t component = 0;
    std::uint32_t instance = kNoIndex;
    std::uint32_t target = kNoIndex;
    std::uint32_t host = kNoIndex;
};
const char* stateKindName(StateChange::Kind kind);

// Where a hop happens (or arrives): a component's instance on a node.
struct Place
{
    std::uint32_t component = kNoIndex;
    std::uint32_t instance = kNoIndex; // kNoIndex: the component as a whole (clients, a tier)
    std::uint32_t node = kNoIndex;
};

// What a hop of a sampled request is. The spans form a tree per request: the request, its calls,
// each call's tries, each try's job at an instance, and the hops where time passes inside them.
enum class HopKind : std::uint8_t {
    Request,    // the client request (the root): from sending to the answer
    Call,       // a call from `from` to the target tier `at`: until the caller has the outcome
    Try,        // one try of a call, to one instance: until its answer, reset or abandonment
    Job,        // the request at an instance: from arrival to the response leaving it
    Transfer,   // bytes on the network (or a loopback) from `from` to `at`
    Queue,      // waiting for a worker
    Cpu,        // the request's CPU work
    Stall,      // added latency: a `slow` fault, the ingress's proxy latency, a rate-limit delay
    Proxy,      // a sidecar: CPU and latency (`detail`: the ProxyKind)
    Connect,    // waiting for a connection: the pool's queue, TCP/TLS handshakes, a connect timeout
    Backoff,    // waiting before a retry
    FaultDelay, // an injected delay
};
const char* hopKindName(HopKind kind);
// In a Try hop's `detail`, beside the try number: its caller reset it (a timeout, or a hedge that
// lost the race) and no longer waited for its answer.
inline constexpr std::uint64_t kTryResetByCaller = std::uint64_t{1} << 32;

class SimEventSink
{
public:
    virtual ~SimEventSink() = default;

    // --- statistics --------------------------------------------------------------------------
    virtual void requestSent(engine::SimTime at) = 0;
    virtual void requestAnswered(std::uint32_t route,
                                 engine::SimTime sentAt,
                                 engine::SimDuration latency,
                                 Outcome outcome)
        = 0;
    virtual void instanceArrival(std::uint32_t tier,
                                 std::uint32_t instance,
                                 engine::SimTime at,
                                 std::uint32_t queueLength)
        = 0;
    // A request the instance turned away without serving it (queue full, instance down).
    virtual void instanceRejected(std::uint32_t tier,
                                  std::uint32_t instance,
                                  engine::SimTime at,
                                  Outcome outcome)
        = 0;
    // A request at an instance was answered; `cpu`: the CPU work it took (reference speed).
    virtual void instanceServed(std::uint32_t tier,
                                std::uint32_t instance,
                                engine::SimTime arrivedAt,
                                engine::SimDuration latency,
                                Outcome outcome,
                                bool dependencyFailure,
                                engine::SimDuration cpu)
        = 0;
    // A call's outcome is decided (now); it was sent at `sentAt`.
    virtual void callEnded(std::uint32_t edge,
                           engine::SimTime sentAt,
                           Outcome outcome,
                           std::uint16_t flags,
                           std::uint32_t attempts)
        = 0;
    virtual void proxyPassed(ProxyKind kind,
                             engine::SimTime entered,
                             engine::SimDuration cpu,
                             engine::SimDuration added)
        = 0;
    virtual void cacheLookup(engine::SimTime at, bool hit) = 0;
    virtual void stateChanged(const StateChange& change) = 0;
    virtual void traceFinished(TraceRecord trace) = 0;

    // --- for a recorder ----------------------------------------------------------------------
    // A client request (ids count from 1) was sent: a handle (non-zero) when its hops are to be
    // recorded, 0 otherwise. The request itself is hop 0 of its handle.
    virtual std::uint32_t recordRequest(std::uint64_t request,
                                        std::uint32_t route,
                                        const Place& client,
                                        engine::SimTime at)
    {
        (void)request, (void)route, (void)client, (void)at;
        return 0;
    }
    // A hop of recorded request `handle` begins; returns its id within the request. `parent`:
    // the span it belongs to.
    virtual std::int32_t hopStarted(std::uint32_t handle,
                                    std::int32_t parent,
                                    HopKind kind,
                                    engine::SimTime at,
                                    const Place& where,
                                    const Place& from)
    {
        (void)handle, (void)parent, (void)kind, (void)at, (void)where, (void)from;
        return -1;
    }
    // The hop ended. `outcome` and `flags` for requests, calls, tries and jobs; `detail`: the try
    // number (Try), the bytes (Transfer), the ProxyKind (Proxy).
    virtual void hopEnded(std::uint32_t handle,
                          std::int32_t hop,
                          engine::SimTime at,
                          Outcome outcome,
                          std::uint16_t flags,
                          std::uint64_t detail)
    {
        (void)handle, (void)hop, (void)at, (void)outcome, (void)flags, (void)detail;
    }
};

// The load of every instance over a window, for a recorder: integrals of the queue length and
// the busy workers (in nanoseconds x count), the longest queue, the requests that arrived,
// since the last reading.
struct InstanceLoad
{
    std::uint64_t queueArea = 0;
    std::uint64_t busyArea = 0;
    std::uint32_t queueMax = 0;
    std::uint32_t arrivals = 0;
};

class LoadSource
{
public:
    // Every instance's load from the last reading to `end`, tier by tier, instance by instance;
    // starts the next reading.
    virtual void readLoad(engine::SimTime end, std::vector<InstanceLoad>& out) = 0;

protected:
    ~LoadSource() = default;
};

} // namespace meshsim::models
