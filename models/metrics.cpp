#include "models/metrics.h"

#include <algorithm>

namespace meshsim::models {

std::uint64_t OutcomeCounts::total() const
{
    std::uint64_t sum = 0;
    for (const std::uint64_t c : counts)
        sum += c;
    return sum;
}

void OutcomeCounts::merge(const OutcomeCounts& other)
{
    for (std::size_t i = 0; i < counts.size(); ++i)
        counts[i] += other.counts[i];
}

Metrics::Metrics(Layout layout)
    : m_layout(std::move(layout))
{
    m_routes.resize(m_layout.routes.size());
    m_services.resize(m_layout.services.size());
    for (std::size_t s = 0; s < m_services.size(); ++s)
        m_services[s].instances.resize(m_layout.replicas[s]);
    for (std::size_t s = 0; s < m_services.size() && s < m_layout.operations.size(); ++s)
        m_services[s].operations.resize(m_layout.operations[s].size());
    for (std::size_t s = 0; s < m_services.size() && s < m_layout.versions.size(); ++s)
        m_services[s].versions.resize(m_layout.versions[s].size());
    m_windows.resize(std::max<std::size_t>(1, m_layout.windowCount));
}

std::size_t Metrics::windowOf(engine::SimTime t) const
{
    const auto index = static_cast<std::size_t>(engine::toNanos(t) / m_layout.window.count());
    return std::min(index, m_windows.size() - 1);
}

void Metrics::requestSent(engine::SimTime sentAt)
{
    ++m_windows[windowOf(sentAt)].sent;
    if (counts(sentAt))
        ++m_sent;
}

void Metrics::requestAnswered(std::uint32_t route,
                              engine::SimTime sentAt,
                              engine::SimDuration latency,
                              Outcome outcome)
{
    const std::int64_t ns = engine::toNanos(latency);
    WindowStats& window = m_windows[windowOf(sentAt)];
    window.requests.latency.record(ns);
    window.requests.outcomes.add(outcome);
    if (!counts(sentAt))
        return;
    m_summary.latency.record(ns);
    m_summary.outcomes.add(outcome);
    m_routes[route].latency.record(ns);
    m_routes[route].outcomes.add(outcome);
    if (outcome == Outcome::Ok) {
        m_summary.okLatency.record(ns);
        m_routes[route].okLatency.record(ns);
    }
}

void Metrics::instanceServed(std::uint32_t service,
                             std::uint32_t instance,
                             engine::SimTime arrivedAt,
                             engine::SimDuration latency,
                             Outcome outcome,
                             bool dependencyFailure,
                             engine::SimDuration)
{
    if (!counts(arrivedAt))
        return;
    ServiceStats& stats = m_services[service];
    ++m_served;
    if (outcome == Outcome::Ok)
        stats.requests.okLatency.record(engine::toNanos(latency));
    stats.requests.outcomes.add(outcome);
    if (dependencyFailure)
        ++stats.dependencyFailures;
    ++stats.instances[instance].served;
    stats.instances[instance].latency.record(engine::toNanos(latency));
    if (!stats.versions.empty()) {
        OperationStats& version = stats.versions[m_layout.instanceVersions[service][instance]];
        if (outcome == Outcome::Ok)
            version.requests.okLatency.record(engine::toNanos(latency));
        version.requests.outcomes.add(outcome);
        if (dependencyFailure)
            ++version.dependencyFailures;
    }
}

const std::vector<ServiceStats>& Metrics::services() const
{
    if (m_servedMerged != m_served) {
        for (ServiceStats& s : m_services) {
            s.requests.latency.clear();
            for (const InstanceStats& i : s.instances)
                s.requests.latency.merge(i.latency);
        }
        for (std::size_t s = 0; s < m_services.size(); ++s) {
            ServiceStats& stats = m_services[s];
            for (OperationStats& v : stats.versions)
                v.requests.latency.clear();
            for (std::size_t i = 0; i < stats.instances.size() && !stats.versions.empty(); ++i)
                stats.versions[m_layout.instanceVersions[s][i]].requests.latency.merge(
                    stats.instances[i].latency);
        }
        m_servedMerged = m_served;
    }
    return m_services;
}

void Metrics::operationAnswered(std::uint32_t service,
                                OperationIndex operation,
                                engine::SimTime arrivedAt,
                                engine::SimDuration latency,
                                Outcome outcome,
                                bool dependencyFailure,
                                bool served)
{
    if (!counts(arrivedAt))
        return;
    OperationStats& stats = m_services[service].operations[operation];
    if (served) {
        stats.requests.latency.record(engine::toNanos(latency));
        if (outcome == Outcome::Ok)
            stats.requests.okLatency.record(engine::toNanos(latency));
    }
    stats.requests.outcomes.add(outcome);
    if (dependencyFailure)
        ++stats.dependencyFailures;
}

void Metrics::instanceRejected(std::uint32_t service,
                               std::uint32_t instance,
                               engine::SimTime at,
                               Outcome outcome)
{
    if (!counts(at))
        return;
    ServiceStats& stats = m_services[service];
    ++stats.instances[instance].rejected;
    stats.requests.outcomes.add(outcome);
    if (!stats.versions.empty())
        stats.versions[m_layout.instanceVersions[service][instance]].requests.outcomes.add(outcome);
}

std::uint32_t Metrics::edgeIndex(std::uint32_t fromComponent, std::uint32_t toComponent)
{
    const std::uint64_t key = (std::uint64_t{fromComponent} << 32) | toComponent;
    const auto [it, inserted]
        = m_edgeIndex.try_emplace(key, static_cast<std::uint32_t>(m_edges.size()));
    if (inserted) {
        EdgeStats edge;
        edge.from = fromComponent;
        edge.to = toComponent;
        m_edges.push_back(edge);
    }
    return it->second;
}

TimelineEvent Metrics::describe(const StateChange& change) const
{
    // The words results.json has always used for each kind.
    const auto& names = m_layout.components;
    const std::uint32_t firstTier
        = static_cast<std::uint32_t>(names.size() - m_layout.services.size());
    const auto label = [&](std::uint32_t component, std::uint32_t instance) {
        return component >= firstTier ? names[component] + "/" + std::to_string(instance)
                                      : names[component];
    };
    TimelineEvent e;
    e.at = change.at;
    e.kind = stateKindName(change.kind);
    switch (change.kind) {
    case StateChange::Kind::Breaker:
        e.where = label(change.component, change.instance) + " -> " + names[change.target];
        e.detail = breakerStateName(change.breaker);
        break;
    case StateChange::Kind::Ejection:
    case StateChange::Kind::Return:
        e.where = label(change.component, change.instance) + " -> " + names[change.target];
        e.detail = names[change.target] + "-" + std::to_string(change.host) + " ("
                   + ejectionReasonName(change.reason) + ")";
        break;
    case StateChange::Kind::NotReady:
    case StateChange::Kind::Ready:
        e.where = label(change.component, change.instance);
        e.detail = "readiness probe";
        break;
    case StateChange::Kind::Unhealthy:
    case StateChange::Kind::Healthy:
        e.where = label(change.component, change.instance);
        e.detail = "active health check";
        break;
    case StateChange::Kind::Killed:
    case StateChange::Kind::NodeDown:
    case StateChange::Kind::Restored:
        e.where = label(change.component, change.instance);
        e.detail = "fault";
        break;
    }
    return e;
}

std::vector<EdgeStats> Metrics::edges() const
{
    std::vector<EdgeStats> result;
    for (const EdgeStats& edge : m_edges) {
        if (edge.calls > 0)
            result.push_back(edge);
    }
    std::sort(result.begin(), result.end(), [](const EdgeStats& a, const EdgeStats& b) {
        return a.from != b.from ? a.from < b.from : a.to < b.to;
    });
    return result;
}

} // namespace meshsim::models
