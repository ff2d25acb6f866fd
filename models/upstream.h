#pragma once

// Upstream: one caller's view of one target tier (Envoy's cluster, as seen from one proxy or
// client): the hosts it can see, the load balancer over them (per zone with zone-aware routing),
// the circuit-breaker limits and connection pools, outlier detection with its interval timer, a
// library circuit breaker, and the retry and timeout defaults of the caller.
//
// The fields every call reads come first; the state of optional mechanisms follows, reached only
// through the flags. Owned by its Caller; built from an UpstreamPolicy. Not thread-safe.

#include "engine/core/event_queue.h"
#include "engine/core/platform.h"
#include "models/circuit_breaker.h"
#include "models/client_channel.h"
#include "models/connection_pool.h"
#include "models/endpoint.h"
#include "models/failure_accrual.h"
#include "models/internal/records.h"
#include "models/load_balancer.h"
#include "models/outlier_detector.h"
#include "models/retry_policy.h"
#include "models/sim_events.h"
#include "models/upstream_factory.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

class EventSinks;
struct Caller;
struct Runtime;
struct Tier;

struct Upstream
{
    Upstream(const UpstreamPolicy& policy,
             Caller& caller,
             Tier& target,
             Endpoint& endpoint,
             AnswerSink& answers,
             const engine::PlatformSpec& spec,
             std::optional<std::uint32_t> subset = std::nullopt);

    // Brings the hosts' presence (discovery) and health (active health checks, this caller's
    // outlier detection or failure accrual) up to date, if either changed since the last call.
    void refreshHosts();
    // A host for a try, or nothing (no healthy upstream).
    std::optional<std::uint32_t> chooseHost(const LbContext& context);
    // Tells outlier detection, failure accrual and the library breaker how a try to `host` went.
    void recordHealth(std::uint32_t host, Outcome outcome, engine::SimTime now, EventSinks& sink);
    // Reports the library breaker's state if it changed.
    void noteBreaker(engine::SimTime now, EventSinks& sink);
    // Reports outlier detection's events from `from` on.
    void recordOutlierEvents(std::size_t from, EventSinks& sink) const;
    // Outlier detection's interval timer, until the run has drained.
    void startOutlierTimer(Runtime& runtime);

    Tier* target = nullptr;
    Caller* caller = nullptr;
    Endpoint* endpoint = nullptr;             // where tries go
    AnswerSink* answers = nullptr;            // who hears how they ended
    LoadBalancer* lb = nullptr;               // = balancer.get()
    const RetryConfig* retries = nullptr;     // default retry policy of this caller
    const RetryConditions* retryOn = nullptr; // = &*conditions
    const FaultInjectionConfig* fault = nullptr;
    std::optional<SimDuration> timeout;    // default overall timeout of this caller
    SimDuration connectTimeout{0};         // of this caller's connections
    bool previousHosts = true;             // retries avoid the hosts already tried
    std::optional<std::uint32_t> bulkhead; // a library's limit of tries in flight
    std::uint32_t bulkheadActive = 0;
    std::uint64_t seenVersion = ~std::uint64_t{0};
    std::uint64_t seenHealth = 0; // outlier events + failure-accrual changes, at the last refresh
    std::vector<LbHost> hosts;
    // A version's upstream (Istio's subset cluster): only that version's instances are hosts
    // (the others are never present); none: every instance.
    std::optional<std::uint32_t> subset;
    bool hashing = false;      // the balancer hashes requests (ring hash, Maglev)
    bool pooled = false;       // Envoy connection pools and circuit-breaker limits
    bool tracksHealth = false; // outlier detection, failure accrual or a library breaker
    bool plain = false;        // none of the mechanisms: CallRouter::attemptPlain()
    bool zoneAware = false;
    bool observesLatency = false; // the balancer hears every try's round trip (peak EWMA)
    bool mtlsPeer = false;        // the target is one of the mesh's proxies (mTLS to it)
    BreakerState lastBreakerState = BreakerState::Closed;
    std::unique_ptr<LoadBalancer> balancer;
    std::optional<ResourceLimits> limits;
    std::optional<ConnectionPool> pools;
    std::optional<OutlierDetector> outlier;
    std::optional<FailureAccrual> accrual; // Linkerd's
    std::optional<LibraryBreaker> breaker;
    std::optional<TpsRetryBudget> tpsBudget; // Linkerd's retry budget
    // Balanced per connection: the caller's one connection to the target (kube-proxy, ztunnel).
    std::optional<ClientChannel> channel;
    // Zone-aware routing (Envoy locality routing): one balancer per upstream zone, and the
    // caller's zone and its tier's share of instances per zone.
    std::vector<std::unique_ptr<LoadBalancer>> zoneBalancers;
    std::uint32_t callerZone = 0;
    std::vector<double> localShare; // per zone, of the caller tier's instances
    // Istio's locality failover: the caller's zone (priority 0) and the others (priority 1).
    std::unique_ptr<LoadBalancer> localBalancer;
    std::unique_ptr<LoadBalancer> remoteBalancer;
    SimDuration outlierInterval{0};
    std::optional<RetryConditions> conditions;
    engine::TimerId outlierTimer;
    std::string name; // "<caller>/<instance> -> <target>" for timelines

private:
    std::optional<std::uint32_t> chooseZone();
    // Locality failover's priority for this request, or nothing to let the balancer decide.
    std::optional<int> choosePriority();
    // This caller's view of `host` ejected (or returned) for `reason`, for the timelines.
    StateChange
    hostChange(engine::SimTime at, std::uint32_t host, bool ejected, EjectionReason reason) const;
    void onOutlierInterval(Runtime& runtime);
};

// Tells the caller that try `ex`'s answer (or reset) is back.
inline void answer(Exchange* ex)
{
    ex->call->upstream->answers->answered(ex);
}

} // namespace meshsim::models
