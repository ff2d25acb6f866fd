#include "models/discovery.h"

#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/upstream.h"

namespace meshsim::models {

Discovery::Discovery(Runtime& runtime, const std::vector<std::unique_ptr<Tier>>& tiers)
    : m_runtime(runtime)
    , m_tiers(tiers)
{}

void Discovery::start()
{
    const DiscoveryConfig& d = m_runtime.system.discovery;
    for (const auto& tier : m_tiers) {
        for (const auto& instance : tier->instances) {
            instance->readiness = ThresholdProbe(d.failureThreshold, d.successThreshold, false);
            if (tier->healthCheck)
                instance->healthCheck = ThresholdProbe(tier->healthCheck->unhealthyThreshold,
                                                       tier->healthCheck->healthyThreshold,
                                                       true);
        }
    }
    // Readiness probes (and active health checks) at a random phase per instance.
    for (const auto& tier : m_tiers) {
        for (const auto& instance : tier->instances) {
            const auto phase = [&](SimDuration period) {
                return SimDuration{static_cast<std::int64_t>(
                    instance->random.nextBelow(static_cast<std::uint64_t>(period.count())))};
            };
            scheduleProbe(*instance, phase(d.readinessPeriod));
            if (tier->healthCheck)
                scheduleHealthCheck(*instance, phase(tier->healthCheck->interval));
        }
    }
}

void Discovery::setVisible(Tier& tier, std::uint32_t index, bool visible)
{
    if ((tier.visible[index] != 0) == visible)
        return;
    tier.visible[index] = visible ? 1 : 0;
    ++tier.version;
}

void Discovery::scheduleProbe(Instance& instance, SimDuration delay)
{
    Instance* i = &instance;
    m_runtime.platform.schedule(delay, [this, i] { onReadinessProbe(i); });
}

void Discovery::onReadinessProbe(Instance* instance)
{
    // Kubernetes readiness: failureThreshold failures make the pod NotReady, successThreshold
    // successes Ready again; callers learn it after the propagation delay.
    if (!m_runtime.running()) // the last probe scheduled before the run ended and drained
        return;
    const DiscoveryConfig& d = m_runtime.system.discovery;
    if (instance->readiness.record(instance->alive)) {
        const bool ready = instance->readiness.passing();
        m_runtime.sink.stateChanged(
            instanceState(ready ? StateChange::Kind::Ready : StateChange::Kind::NotReady,
                          *instance,
                          m_runtime.platform.now()));
        Tier* tier = instance->tier;
        const std::uint32_t index = instance->index;
        m_runtime.platform.schedule(d.propagation, [tier, index, ready] {
            // In the endpoints callers and proxies see, once the change has propagated.
            setVisible(*tier, index, ready);
        });
    }
    scheduleProbe(*instance, d.readinessPeriod);
}

void Discovery::scheduleHealthCheck(Instance& instance, SimDuration delay)
{
    Instance* i = &instance;
    m_runtime.platform.schedule(delay, [this, i] { onHealthCheck(i); });
}

void Discovery::onHealthCheck(Instance* instance)
{
    // Envoy active health checking (§7.2), shared by all proxies of the destination. A probe of
    // a killed instance is refused at once; on a node that is down it times out.
    if (!m_runtime.running()) // the last check scheduled before the run ended and drained
        return;
    const HealthCheckConfig& hc = *instance->tier->healthCheck;
    if (instance->alive)
        onHealthCheckResult(instance, true);
    else if (!instance->nodeDown)
        onHealthCheckResult(instance, false);
    else
        m_runtime.platform.schedule(hc.timeout,
                                    [this, instance] { onHealthCheckResult(instance, false); });
    scheduleHealthCheck(*instance, hc.interval);
}

void Discovery::onHealthCheckResult(Instance* instance, bool pass)
{
    // The first result sets the state at once; then unhealthy_threshold failures in a row make
    // the host unhealthy and healthy_threshold passes healthy again.
    if (instance->healthCheck.record(pass)) {
        m_runtime.sink.stateChanged(instanceState(instance->healthCheck.passing()
                                                      ? StateChange::Kind::Healthy
                                                      : StateChange::Kind::Unhealthy,
                                                  *instance,
                                                  m_runtime.platform.now()));
        ++instance->tier->version; // proxies see health changes at once
    }
    // A successful check of a host healthy by active health checking ends its outlier
    // ejections (successful_active_health_check_uneject_host, reference/semantics.md §2.2).
    if (pass && instance->healthCheck.passing()) {
        for (Upstream* u : instance->tier->detectors) {
            const std::size_t from = u->outlier->events().size();
            if (u->outlier->onHealthCheckPassed(instance->index, m_runtime.platform.now()))
                u->recordOutlierEvents(from, m_runtime.sink);
        }
    }
}

} // namespace meshsim::models
