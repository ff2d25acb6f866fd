#include "models/upstream.h"

#include "models/event_sinks.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"

#include <algorithm>

namespace meshsim::models {

Upstream::Upstream(const UpstreamPolicy& policy,
                   Caller& callerRef,
                   Tier& targetRef,
                   Endpoint& endpointRef,
                   AnswerSink& answersRef,
                   const engine::PlatformSpec& spec,
                   std::optional<std::uint32_t> subsetOf)
    : target(&targetRef)
    , caller(&callerRef)
    , endpoint(&endpointRef)
    , answers(&answersRef)
    , subset(subsetOf)
{
    for (const auto& instance : target->instances)
        hosts.push_back(LbHost{target->config.name + "-" + std::to_string(instance->index),
                               1,
                               0,
                               true,
                               spec.nodes[instance->node].zone});
    // The target's sidecars or ztunnels, or a waypoint, terminate the mesh's mTLS.
    mtlsPeer = target->sidecars || target->kind == TierKind::Waypoint;
    const LoadBalancerConfig& lbConfig = policy.loadBalancer;
    if (policy.pooled) {
        // Envoy's concurrency budget; Linkerd's is rate-based (below).
        const RetryConfig* r = policy.linkerdBudget ? nullptr : policy.retries;
        limits.emplace(policy.thresholds,
                       r ? r->budgetPercent : std::nullopt,
                       r ? r->budgetMinConcurrency : RetryConfig{}.budgetMinConcurrency);
        pooled = true; // Envoy connection pools, with mTLS inside the mesh
        pools.emplace(hosts.size(), *limits, policy.multiplexed);
    }
    if (policy.outlierDetection) {
        outlierInterval = policy.outlierDetection->interval;
        std::uint32_t members = 0; // all hosts
        if (subset)
            for (const auto& instance : target->instances)
                members += instance->version == *subset ? 1 : 0;
        outlier.emplace(*policy.outlierDetection,
                        static_cast<std::uint32_t>(hosts.size()),
                        *caller->random,
                        subset ? std::max<std::uint32_t>(members, 1) : 0);
    }
    // NGINX ignores max_fails in an upstream of one server.
    if (policy.failureAccrual
        && !(policy.failureAccrual->style == FailureAccrualConfig::Style::Nginx
             && hosts.size() == 1))
        accrual.emplace(*policy.failureAccrual, static_cast<std::uint32_t>(hosts.size()));
    if (policy.libraryBreaker)
        breaker.emplace(*policy.libraryBreaker);
    connectTimeout = policy.connectTimeout;
    if (policy.linkerdBudget)
        tpsBudget.emplace(policy.retries->budgetPercent.value_or(0.2));
    bulkhead = policy.bulkhead;
    if (policy.perConnection)
        channel.emplace(policy.maxConnectionAge);
    previousHosts = policy.previousHosts;
    retries = policy.retries;
    timeout = policy.timeout;
    fault = policy.fault;
    balancer = LoadBalancer::create(lbConfig, *caller->random);
    lb = balancer.get();
    hashing = lbConfig.policy == LoadBalancerPolicy::RingHash
              || lbConfig.policy == LoadBalancerPolicy::Maglev;
    if (lbConfig.zoneAware && caller->tier) {
        // Zone-aware routing needs the caller's own cluster: its instances' zones.
        const std::size_t zones = spec.zones.size();
        callerZone = spec.nodes[caller->node].zone;
        localShare.assign(zones, 0.0);
        for (const auto& instance : caller->tier->instances)
            localShare[spec.nodes[instance->node].zone]
                += 1.0 / static_cast<double>(caller->tier->instances.size());
        LoadBalancerConfig zoneLb = lbConfig;
        zoneLb.panicThreshold = 0.0;
        for (std::size_t z = 0; z < zones; ++z) {
            zoneBalancers.push_back(LoadBalancer::create(zoneLb, *caller->random));
            zoneBalancers.back()->restrictToZone(static_cast<std::uint32_t>(z));
        }
    }
    if (policy.localityFailover && spec.zones.size() > 1) {
        callerZone = spec.nodes[caller->node].zone;
        LoadBalancerConfig priorityLb = lbConfig;
        priorityLb.panicThreshold = 0.0;
        localBalancer = LoadBalancer::create(priorityLb, *caller->random);
        localBalancer->restrictToZone(callerZone);
        remoteBalancer = LoadBalancer::create(priorityLb, *caller->random);
        remoteBalancer->restrictToOtherZones(callerZone);
    }
    if (retries) {
        conditions.emplace(retries->retryOn);
        retryOn = &*conditions;
    }
    tracksHealth = outlier.has_value() || accrual.has_value() || breaker.has_value();
    zoneAware = !zoneBalancers.empty();
    observesLatency = lb->observesLatency();
    plain = !tracksHealth && !pooled && !zoneAware && !localBalancer && !hashing && !fault
            && !retries && !timeout && !bulkhead && !channel;
    name = caller->label + " -> " + target->config.name;
    if (subset) {
        name += " " + target->config.versions[*subset].name;
        for (std::size_t h = 0; h < hosts.size(); ++h)
            hosts[h].present = target->instances[h]->version == *subset;
    }
}

void Upstream::refreshHosts()
{
    const std::uint64_t health
        = (outlier ? outlier->events().size() : 0) + (accrual ? accrual->changes() : 0);
    if (target->version == seenVersion && health == seenHealth)
        return;
    seenVersion = target->version;
    seenHealth = health;
    // Discovery decides which hosts are in the set; active health checks (shared by the
    // destination's proxies) and this caller's outlier detection or failure accrual which of
    // them are healthy.
    for (std::size_t h = 0; h < hosts.size(); ++h) {
        const auto host = static_cast<std::uint32_t>(h);
        hosts[h].present
            = target->visible[h] != 0 && (!subset || target->instances[h]->version == *subset);
        hosts[h].healthy = (!target->healthCheck || target->instances[h]->healthCheck.passing())
                           && !(outlier && outlier->ejected(host))
                           && !(accrual && !accrual->available(host));
    }
    balancer->hostsChanged();
    for (auto& zoneBalancer : zoneBalancers)
        zoneBalancer->hostsChanged();
    if (localBalancer) {
        localBalancer->hostsChanged();
        remoteBalancer->hostsChanged();
    }
}

std::optional<std::uint32_t> Upstream::chooseHost(const LbContext& context)
{
    std::optional<std::uint32_t> host;
    if (localBalancer) {
        if (const auto priority = choosePriority())
            host = (*priority == 0 ? localBalancer : remoteBalancer)->choose(hosts, context);
    } else if (zoneAware) {
        if (const auto zone = chooseZone())
            host = zoneBalancers[*zone]->choose(hosts, context);
    }
    if (!host)
        host = lb->choose(hosts, context);
    return host;
}

std::optional<int> Upstream::choosePriority()
{
    // Envoy's priority load (reference/semantics.md §1.0, recalculatePerPriorityState) over
    // two priorities, the caller's zone and the rest: health = min(100, 140 x healthy / hosts)
    // in integer percent (overprovisioning factor 1.4), loads in proportion to the health
    // normalized to at most 100, the rounding remainder to the first priority with health.
    std::uint64_t total[2] = {0, 0};
    std::uint64_t healthy[2] = {0, 0};
    for (const LbHost& h : hosts) {
        if (!h.present)
            continue;
        const int p = h.zone == callerZone ? 0 : 1;
        ++total[p];
        healthy[p] += h.healthy ? 1 : 0;
    }
    if (total[1] == 0)
        return std::nullopt; // one zone only: nothing to fail over to
    std::uint64_t health[2];
    for (int p = 0; p < 2; ++p)
        health[p] = total[p] == 0 ? 0 : std::min<std::uint64_t>(100, 140 * healthy[p] / total[p]);
    const std::uint64_t normalized = std::min<std::uint64_t>(100, health[0] + health[1]);
    if (normalized == 0)
        return std::nullopt; // nothing healthy: the balancer answers (no healthy upstream)
    std::uint64_t load[2];
    std::uint64_t remaining = 100;
    for (int p = 0; p < 2; ++p) {
        load[p] = std::min(remaining, health[p] * 100 / normalized);
        remaining -= load[p];
    }
    load[health[0] > 0 ? 0 : 1] += remaining;
    const std::uint64_t draw = caller->random->nextBelow(100) + 1;
    return draw <= load[0] ? 0 : 1;
}

std::optional<std::uint32_t> Upstream::chooseZone()
{
    // Envoy zone-aware routing (reference/semantics.md §1.0, tryChooseLocalLocalityHosts): off
    // with fewer than 2 upstream zones, a caller cluster in fewer than 2 zones, fewer than
    // min_cluster_size (6) healthy upstream hosts, or in panic. Otherwise traffic stays in the
    // caller's zone when that zone holds at least its share of the upstream's healthy hosts;
    // else that share of it stays and the rest goes to zones with a residual capacity, in
    // proportion to it.
    constexpr std::size_t kMinClusterSize = 6;
    const std::size_t zones = localShare.size();
    std::vector<double> upstreamShare(zones, 0.0);
    std::size_t healthy = 0;
    std::size_t present = 0;
    for (const LbHost& h : hosts) {
        present += h.present ? 1 : 0;
        if (h.present && h.healthy) {
            upstreamShare[h.zone] += 1.0;
            ++healthy;
        }
    }
    if (healthy < kMinClusterSize)
        return std::nullopt;
    const auto upstreamZones
        = std::count_if(upstreamShare.begin(), upstreamShare.end(), [](double c) { return c > 0; });
    const auto localZones
        = std::count_if(localShare.begin(), localShare.end(), [](double c) { return c > 0; });
    if (upstreamZones < 2 || localZones < 2)
        return std::nullopt;
    // Panic (below the threshold, not fully available) disables locality routing.
    const double healthyShare = static_cast<double>(healthy) / static_cast<double>(present);
    if (140 * healthy / present < 100 && healthyShare < balancer->panicThreshold())
        return std::nullopt;
    for (double& s : upstreamShare)
        s /= static_cast<double>(healthy);
    const std::uint32_t own = callerZone;
    if (upstreamShare[own] >= localShare[own])
        return own; // LocalityDirect
    engine::RandomStream& random = *caller->random;
    if (random.nextDouble() < upstreamShare[own] / localShare[own])
        return own;
    std::vector<double> residual(zones, 0.0);
    double total = 0.0;
    for (std::size_t z = 0; z < zones; ++z) {
        if (z != own)
            residual[z] = std::max(0.0, upstreamShare[z] - localShare[z]);
        total += residual[z];
    }
    if (total <= 0.0)
        return std::nullopt;
    double x = random.nextDouble() * total;
    for (std::size_t z = 0; z < zones; ++z) {
        if (residual[z] <= 0.0)
            continue;
        if (x < residual[z])
            return static_cast<std::uint32_t>(z);
        x -= residual[z];
    }
    return std::nullopt;
}

void Upstream::recordHealth(std::uint32_t host,
                            Outcome outcome,
                            engine::SimTime now,
                            EventSinks& sink)
{
    if (outlier && outlier->onResult(host, outcome, now))
        recordOutlierEvents(outlier->events().size() - 1, sink);
    if (accrual) {
        // The jitter of a penalty: drawn only when this response shuts the host.
        const bool failure = accrual->isFailure(outcome);
        const double jitter = accrual->shuts(host, failure) ? caller->random->nextDouble() : 0.0;
        const FailureAccrual::Change change = accrual->onResult(host, failure, now, jitter);
        if (change != FailureAccrual::Change::None) {
            const bool shut = change == FailureAccrual::Change::Shut;
            sink.stateChanged(hostChange(now,
                                         host,
                                         shut,
                                         shut ? EjectionReason::FailureAccrual
                                              : EjectionReason::ProbationPassed));
        }
    }
    if (breaker) {
        breaker->onResult(now, isServerError(outcome));
        noteBreaker(now, sink);
    }
}

void Upstream::noteBreaker(engine::SimTime now, EventSinks& sink)
{
    const BreakerState state = breaker->state();
    if (state == lastBreakerState)
        return;
    lastBreakerState = state;
    StateChange change;
    change.at = now;
    change.kind = StateChange::Kind::Breaker;
    change.breaker = state;
    change.component = caller->component;
    change.instance = caller->instance;
    change.target = target->component;
    sink.stateChanged(change);
}

void Upstream::recordOutlierEvents(std::size_t from, EventSinks& sink) const
{
    const auto& events = outlier->events();
    for (std::size_t i = from; i < events.size(); ++i)
        sink.stateChanged(hostChange(events[i].at,
                                     events[i].host,
                                     events[i].ejected,
                                     ejectionReasonFromName(events[i].reason)));
}

StateChange Upstream::hostChange(engine::SimTime at,
                                 std::uint32_t host,
                                 bool ejected,
                                 EjectionReason reason) const
{
    StateChange change;
    change.at = at;
    change.kind = ejected ? StateChange::Kind::Ejection : StateChange::Kind::Return;
    change.reason = reason;
    change.component = caller->component;
    change.instance = caller->instance;
    change.target = target->component;
    change.host = host;
    return change;
}

void Upstream::startOutlierTimer(Runtime& runtime)
{
    outlierTimer = runtime.platform.schedule(outlierInterval,
                                             [this, &runtime] { onOutlierInterval(runtime); });
}

void Upstream::onOutlierInterval(Runtime& runtime)
{
    outlierTimer = {};
    if (!runtime.running()) // the last tick scheduled before the run ended and drained
        return;
    const std::size_t before = outlier->events().size();
    outlier->onInterval(runtime.platform.now());
    recordOutlierEvents(before, runtime.sink);
    startOutlierTimer(runtime);
}

} // namespace meshsim::models
