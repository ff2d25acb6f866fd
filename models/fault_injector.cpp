#include "models/fault_injector.h"

#include "models/instance_server.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/upstream.h"

namespace meshsim::models {

FaultInjector::FaultInjector(Runtime& runtime,
                             const std::vector<std::unique_ptr<Tier>>& tiers,
                             std::vector<Caller*> callers,
                             InstanceServer& server)
    : m_runtime(runtime)
    , m_tiers(tiers)
    , m_callers(std::move(callers))
    , m_server(server)
{}

void FaultInjector::start()
{
    for (const FaultConfig& fault : m_runtime.system.faults) {
        const FaultConfig* f = &fault;
        m_runtime.platform.schedule(fault.at, [this, f] { apply(*f); });
        if (fault.until)
            m_runtime.platform.schedule(*fault.until, [this, f] { revert(*f); });
    }
}

void FaultInjector::apply(const FaultConfig& fault)
{
    switch (fault.kind) {
    case FaultConfig::Kind::Kill:
        for (const std::uint32_t i : fault.instances)
            kill(*m_tiers[fault.service]->instances[i], false);
        break;
    case FaultConfig::Kind::NodeDown:
        for (const auto& tier : m_tiers) {
            for (const auto& instance : tier->instances) {
                if (instance->node == fault.node)
                    kill(*instance, true);
            }
        }
        break;
    case FaultConfig::Kind::Slow:
        for (const std::uint32_t i : fault.instances) {
            m_tiers[fault.service]->instances[i]->slowFactor = fault.factor;
            m_tiers[fault.service]->instances[i]->addedLatency = fault.addedLatency;
        }
        break;
    case FaultConfig::Kind::Errors:
        for (const std::uint32_t i : fault.instances)
            m_tiers[fault.service]->instances[i]->faultErrorRate = fault.errorRate;
        break;
    case FaultConfig::Kind::Partition:
        m_runtime.partitions.cut(fault.zoneA, fault.zoneB);
        break;
    case FaultConfig::Kind::Policy:
        changePolicy(fault);
        break;
    case FaultConfig::Kind::Degrade: {
        engine::PathDegradation d;
        d.addedLatency = fault.latency.value_or(SimDuration{0});
        if (fault.bitsPerSecond)
            d.bytesPerSecond = *fault.bitsPerSecond / 8.0;
        m_runtime.platform.degrade(fault.zoneA, fault.zoneB, d);
        break;
    }
    }
}

void FaultInjector::revert(const FaultConfig& fault)
{
    switch (fault.kind) {
    case FaultConfig::Kind::Kill:
        for (const std::uint32_t i : fault.instances)
            restore(*m_tiers[fault.service]->instances[i]);
        break;
    case FaultConfig::Kind::NodeDown:
        for (const auto& tier : m_tiers) {
            for (const auto& instance : tier->instances) {
                if (instance->node == fault.node)
                    restore(*instance);
            }
        }
        break;
    case FaultConfig::Kind::Slow:
        for (const std::uint32_t i : fault.instances) {
            m_tiers[fault.service]->instances[i]->slowFactor = 1.0;
            m_tiers[fault.service]->instances[i]->addedLatency = SimDuration{0};
        }
        break;
    case FaultConfig::Kind::Errors:
        for (const std::uint32_t i : fault.instances)
            m_tiers[fault.service]->instances[i]->faultErrorRate = 0.0;
        break;
    case FaultConfig::Kind::Partition:
        m_runtime.partitions.heal(fault.zoneA, fault.zoneB);
        break;
    case FaultConfig::Kind::Degrade:
        m_runtime.platform.degrade(fault.zoneA, fault.zoneB, engine::PathDegradation{});
        break;
    case FaultConfig::Kind::Policy:
        restorePolicy(fault);
        break;
    }
}

// Calls started from now on use the new retries and timeout; calls under way keep theirs (Envoy
// applies a route's configuration when a request starts). A gateway's own route retries still
// take precedence for its calls (CallRouter), as they do over the destination's mesh retries.
void FaultInjector::changePolicy(const FaultConfig& fault)
{
    const RetryConditions* conditions = nullptr;
    if (fault.retries) {
        auto& c = m_conditions[&fault];
        if (!c)
            c = std::make_unique<RetryConditions>(fault.retries->retryOn);
        conditions = c.get();
    }
    for (Caller* caller : m_callers)
        for (auto& u : caller->upstreams) {
            if (u->target != m_tiers[fault.service].get())
                continue;
            m_savedPolicies.try_emplace(u.get(),
                                        SavedPolicy{u->retries, u->retryOn, u->timeout, u->plain});
            if (fault.retries) {
                u->retries = &*fault.retries;
                u->retryOn = conditions;
            }
            if (fault.timeout)
                u->timeout = fault.timeout;
            u->plain = false; // retries or a timeout: the full path
        }
}

void FaultInjector::restorePolicy(const FaultConfig& fault)
{
    for (Caller* caller : m_callers)
        for (auto& u : caller->upstreams) {
            if (u->target != m_tiers[fault.service].get())
                continue;
            const auto it = m_savedPolicies.find(u.get());
            if (it == m_savedPolicies.end())
                continue;
            u->retries = it->second.retries;
            u->retryOn = it->second.retryOn;
            u->timeout = it->second.timeout;
            u->plain = it->second.plain;
            m_savedPolicies.erase(it);
        }
}

void FaultInjector::kill(Instance& instance, bool nodeDown)
{
    if (!instance.alive)
        return;
    instance.alive = false;
    instance.nodeDown = nodeDown;
    m_runtime.sink.stateChanged(
        instanceState(nodeDown ? StateChange::Kind::NodeDown : StateChange::Kind::Killed,
                      instance,
                      m_runtime.platform.now()));
    // The proxies' idle connections to it die with it (the next request would find them reset).
    for (Caller* caller : m_callers) {
        for (auto& u : caller->upstreams) {
            if (u->target != instance.tier)
                continue;
            if (u->pools)
                u->pools->closeIdle(instance.index);
            // A long-lived connection to it is reset too; on a node that is down nothing tells
            // its callers (their requests time out on it).
            if (u->channel && !nodeDown)
                u->channel->hostClosed(instance.index);
        }
    }
    m_server.resetAll(instance);
}

void FaultInjector::restore(Instance& instance)
{
    if (instance.alive)
        return;
    instance.alive = true;
    instance.nodeDown = false;
    m_runtime.sink.stateChanged(
        instanceState(StateChange::Kind::Restored, instance, m_runtime.platform.now()));
}

} // namespace meshsim::models
