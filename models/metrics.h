#pragma once

// Metrics: everything a run measures, in memory bounded by the number of components and time
// windows, never by the number of requests.
//
// Client-side statistics (the summary, per route, per window) cover requests *sent* at or after
// the warmup; a request's latency is what its client observed, from sending to receiving the
// whole response (a timed-out request counts with the time the client waited). Per-service
// statistics cover requests that *arrived* at an instance at or after the warmup; a service's
// latency runs from arrival at the instance to its response leaving it, queueing included.
// Windows group requests by the time they were sent. Not thread-safe.

#include "engine/core/sim_time.h"
#include "models/histogram.h"
#include "models/outcome.h"
#include "models/sim_events.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace meshsim::models {

struct OutcomeCounts
{
    std::array<std::uint64_t, kOutcomeCount> counts{};

    void add(Outcome o, std::uint64_t n = 1) { counts[static_cast<std::size_t>(o)] += n; }
    std::uint64_t operator[](Outcome o) const { return counts[static_cast<std::size_t>(o)]; }
    std::uint64_t total() const;
    std::uint64_t ok() const { return (*this)[Outcome::Ok]; }
    std::uint64_t errors() const { return total() - ok(); }
    void merge(const OutcomeCounts& other);
};

struct RequestStats
{
    Histogram latency;
    Histogram okLatency; // of the successful requests only (not kept per window)
    OutcomeCounts outcomes;
};

struct InstanceStats
{
    std::uint64_t arrivals = 0;
    std::uint64_t served = 0;   // answered by its handler (ok or error)
    std::uint64_t rejected = 0; // queue full or down
    std::uint32_t maxQueue = 0;
    Histogram latency; // of the requests it served, from arrival to answer
};

// A named operation or a version of a service: its requests as the instances answered them.
struct OperationStats
{
    RequestStats requests;
    std::uint64_t dependencyFailures = 0;
};

struct ServiceStats
{
    RequestStats requests;                // outcome as the instance answered it
    std::uint64_t dependencyFailures = 0; // failed because a call it made failed
    std::vector<InstanceStats> instances;
    std::vector<OperationStats> operations; // per named operation (none for a plain service)
    // Per version (none without versions); a version's latency is its instances' merged.
    std::vector<OperationStats> versions;
};

struct EdgeStats
{
    std::uint32_t from = 0; // component index (see Metrics::componentName)
    std::uint32_t to = 0;   // component index of the callee
    std::uint64_t calls = 0;
    std::uint64_t attempts = 0; // calls + retries (+ hedged attempts)
    OutcomeCounts outcomes;
    Histogram latency; // from the call's start to its outcome, retries and waits included
    std::array<std::uint64_t, kFlagCount> flags{};
};

// CPU and latency a kind of proxy adds (sidecars on the way out and in, gateway, ingress).
struct ProxyStats
{
    double cpuSeconds = 0.0; // CPU work at the reference speed, after the warmup
    std::uint64_t traversals = 0;
    Histogram addedLatency; // from entering the proxy to leaving it toward the next hop
};

enum class ProxyKind : std::uint8_t { SidecarOutbound, SidecarInbound, Gateway, Ingress, Waypoint };
inline constexpr std::size_t kProxyKinds = 5;

// A state change as results.json words it (Metrics::describe).
struct TimelineEvent
{
    engine::SimTime at;
    std::string kind;   // "circuit_breaker", "ejection", "return", "not_ready", "ready", ...
    std::string where;  // who saw it: "<component>/<instance> -> <service>" or "<service>/<i>"
    std::string detail; // new state, ejected host, reason
};

struct SpanRecord
{
    std::int32_t parent = -1;
    std::string name;
    std::int64_t startNs = 0;
    std::int64_t endNs = -1; // -1: still open when the trace was taken
    Outcome outcome = Outcome::Ok;
    std::uint16_t flags = 0;
    std::uint32_t attempts = 0;
};

struct TraceRecord
{
    std::string route;
    std::uint64_t request = 0;     // the client request's id (links a recorded request)
    std::vector<SpanRecord> spans; // spans[0] is the client request
};

struct WindowStats
{
    std::uint64_t sent = 0;
    RequestStats requests;
};

class Metrics final : public SimEventSink
{
public:
    struct Layout
    {
        std::vector<std::string> routes;
        std::vector<std::string> services;
        std::vector<std::uint32_t> replicas; // per service
        // Per service: the names of its operations (none for a plain service).
        std::vector<std::vector<std::string>> operations;
        // Per service: the names of its versions and each instance's version (none without).
        std::vector<std::vector<std::string>> versions;
        std::vector<std::vector<std::uint32_t>> instanceVersions;
        std::vector<std::string> components; // names of every caller/callee, by component index
        engine::SimDuration warmup{0};
        engine::SimDuration window{1'000'000'000};
        std::size_t windowCount = 1;
    };

    explicit Metrics(Layout layout);

    bool counts(engine::SimTime t) const { return t >= engine::kSimStart + m_layout.warmup; }

    // --- SimEventSink ------------------------------------------------------------------------
    void requestSent(engine::SimTime sentAt) override;
    void requestAnswered(std::uint32_t route,
                         engine::SimTime sentAt,
                         engine::SimDuration latency,
                         Outcome outcome) override;
    void instanceArrival(std::uint32_t service,
                         std::uint32_t instance,
                         engine::SimTime at,
                         std::uint32_t queueLength) override
    {
        if (!counts(at))
            return;
        InstanceStats& stats = m_services[service].instances[instance];
        ++stats.arrivals;
        stats.maxQueue = std::max(stats.maxQueue, queueLength);
    }
    // Counted in the service's outcomes, not in its latency.
    void instanceRejected(std::uint32_t service,
                          std::uint32_t instance,
                          engine::SimTime at,
                          Outcome outcome) override;
    // A request of a named operation was answered or turned away (`served` false), beside the
    // service's own instanceServed / instanceRejected.
    void operationAnswered(std::uint32_t service,
                           OperationIndex operation,
                           engine::SimTime arrivedAt,
                           engine::SimDuration latency,
                           Outcome outcome,
                           bool dependencyFailure,
                           bool served);
    void instanceServed(std::uint32_t service,
                        std::uint32_t instance,
                        engine::SimTime arrivedAt,
                        engine::SimDuration latency,
                        Outcome outcome,
                        bool dependencyFailure,
                        engine::SimDuration cpu) override;
    // The latency of a call whose end callEnded() counts.
    void callLatency(std::uint32_t edge, engine::SimTime sentAt, engine::SimDuration latency)
    {
        if (counts(sentAt))
            m_edges[edge].latency.record(engine::toNanos(latency));
    }
    void callEnded(std::uint32_t edge,
                   engine::SimTime sentAt,
                   Outcome outcome,
                   std::uint16_t flags,
                   std::uint32_t attempts) override
    {
        if (!counts(sentAt))
            return;
        EdgeStats& e = m_edges[edge];
        ++e.calls;
        e.attempts += attempts;
        e.outcomes.add(outcome);
        for (std::size_t bit = 0; flags != 0 && bit < kFlagCount; ++bit) {
            if (flags & (1U << bit))
                ++e.flags[bit];
        }
    }
    void proxyPassed(ProxyKind kind,
                     engine::SimTime entered,
                     engine::SimDuration cpu,
                     engine::SimDuration added) override
    {
        if (!counts(entered))
            return;
        ProxyStats& p = m_proxies[static_cast<std::size_t>(kind)];
        p.cpuSeconds += engine::toSeconds(cpu);
        ++p.traversals;
        p.addedLatency.record(engine::toNanos(added));
    }
    // A gateway cache lookup of a request that arrived at `at`.
    void cacheLookup(engine::SimTime at, bool hit) override
    {
        if (!counts(at))
            return;
        ++m_cacheLookups;
        m_cacheHits += hit ? 1 : 0;
    }
    // Every state change is kept (they follow faults and thresholds, not requests).
    void stateChanged(const StateChange& change) override { m_timeline.push_back(change); }
    void traceFinished(TraceRecord trace) override { m_traces.push_back(std::move(trace)); }

    // Registers the call edge from -> to (components) once, before the run; returns its index.
    std::uint32_t edgeIndex(std::uint32_t fromComponent, std::uint32_t toComponent);

    std::uint64_t cacheLookups() const { return m_cacheLookups; }
    std::uint64_t cacheHits() const { return m_cacheHits; }
    const std::array<ProxyStats, kProxyKinds>& proxies() const { return m_proxies; }
    const std::vector<StateChange>& timeline() const { return m_timeline; }
    // A state change in words, with the names of this run's components.
    TimelineEvent describe(const StateChange& change) const;
    const std::vector<TraceRecord>& traces() const { return m_traces; }

    const Layout& layout() const { return m_layout; }
    const RequestStats& summary() const { return m_summary; }
    std::uint64_t sent() const { return m_sent; }
    const std::vector<RequestStats>& routes() const { return m_routes; }
    // A service's `requests.latency` is the merge of its instances' (each served request is
    // recorded once, at its instance), brought up to date here.
    const std::vector<ServiceStats>& services() const;
    const std::vector<WindowStats>& windows() const { return m_windows; }
    // Edges sorted by (from, to).
    std::vector<EdgeStats> edges() const;
    // Every registered edge, by index (including those that saw no call).
    const std::vector<EdgeStats>& registeredEdges() const { return m_edges; }

private:
    std::size_t windowOf(engine::SimTime t) const;

    Layout m_layout;
    RequestStats m_summary;
    std::uint64_t m_sent = 0;
    std::vector<RequestStats> m_routes;
    mutable std::vector<ServiceStats> m_services; // services(): latency merged when read
    std::uint64_t m_served = 0;                   // requests served (instanceServed)
    mutable std::uint64_t m_servedMerged = 0;     // m_served at the last merge
    std::vector<WindowStats> m_windows;
    std::unordered_map<std::uint64_t, std::uint32_t> m_edgeIndex;
    std::vector<EdgeStats> m_edges;
    std::array<ProxyStats, kProxyKinds> m_proxies;
    std::vector<StateChange> m_timeline;
    std::vector<TraceRecord> m_traces;
    std::uint64_t m_cacheLookups = 0;
    std::uint64_t m_cacheHits = 0;
};

} // namespace meshsim::models
