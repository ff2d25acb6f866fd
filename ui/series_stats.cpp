#include "ui/series_stats.h"

#include <algorithm>

namespace meshsim::ui {

namespace m = meshsim::models;

OutcomeClass outcomeClass(m::Outcome outcome)
{
    switch (outcome) {
    case m::Outcome::Ok:
        return OutcomeClass::Ok;
    case m::Outcome::Timeout:
        return OutcomeClass::Timeout;
    case m::Outcome::Overflow:
    case m::Outcome::CircuitOpen:
        return OutcomeClass::Refused;
    case m::Outcome::RateLimited:
        return OutcomeClass::RateLimited;
    case m::Outcome::Unauthorized:
    case m::Outcome::Denied:
        return OutcomeClass::Denied;
    case m::Outcome::ServerError:
    case m::Outcome::QueueFull:
    case m::Outcome::ConnectionFailure:
    case m::Outcome::NoHealthyUpstream:
    case m::Outcome::InjectedFault:
        break;
    }
    return OutcomeClass::ServerError;
}

const char* outcomeClassName(OutcomeClass c)
{
    switch (c) {
    case OutcomeClass::Ok:
        return "ok";
    case OutcomeClass::ServerError:
        return "5xx";
    case OutcomeClass::Timeout:
        return "timeout";
    case OutcomeClass::Refused:
        return "overflow / circuit open";
    case OutcomeClass::RateLimited:
        return "rate limited";
    case OutcomeClass::Denied:
        return "denied (401/403)";
    }
    return "?";
}

namespace {

WindowRange clip(const m::Recording& r, WindowRange range)
{
    range.last = std::min(range.last, r.windows);
    range.first = std::min(range.first, range.last);
    return range;
}

void addOutcomes(Aggregate& a, const m::WindowOutcomes& w, bool single)
{
    for (std::size_t o = 0; o < m::kOutcomeCount; ++o) {
        a.classes[static_cast<std::size_t>(outcomeClass(static_cast<m::Outcome>(o)))]
            += w.outcomes[o];
        a.total += w.outcomes[o];
    }
    a.timed += w.timed;
    a.latencySumNs += w.latencySumNs;
    if (w.timed > 0 && w.latency.empty())
        a.bucketsMissing = true; // a recording made before windows kept their buckets
    if (!w.latency.empty()) {
        a.latencyBuckets.resize(m::kLatencyBuckets, 0);
        for (const m::LatencyBucket& b : w.latency)
            a.latencyBuckets[b.bucket] += b.count;
    }
    if (single && w.timed > 0) {
        a.p50 = w.p50;
        a.p95 = w.p95;
        a.p99 = w.p99;
    }
}

// Percentiles of everything added, from the summed buckets (the windows' own definition), when
// every window had its buckets.
Aggregate& withPercentiles(Aggregate& a)
{
    if (a.timed > 0 && !a.bucketsMissing && !a.latencyBuckets.empty()) {
        a.p50 = m::latencyQuantile(a.latencyBuckets, a.timed, 0.50);
        a.p95 = m::latencyQuantile(a.latencyBuckets, a.timed, 0.95);
        a.p99 = m::latencyQuantile(a.latencyBuckets, a.timed, 0.99);
    }
    return a;
}

Aggregate start(const m::Recording& r, WindowRange range)
{
    // The simulated time the range covers: the last window of a finished run is partial.
    Aggregate a;
    std::int64_t ns = std::int64_t{range.count()} * r.layout.windowNs;
    if (!range.empty() && range.last == r.windows)
        ns -= r.layout.windowNs - r.windowSpanNs(range.last - 1);
    a.seconds = double(ns) / 1e9;
    return a;
}

} // namespace

Aggregate merged(const Aggregate& a, const Aggregate& b)
{
    Aggregate m = a;
    m.seconds = std::max(a.seconds, b.seconds);
    m.arrivals += b.arrivals;
    for (std::size_t c = 0; c < kOutcomeClassCount; ++c)
        m.classes[c] += b.classes[c];
    m.total += b.total;
    m.timed += b.timed;
    m.latencySumNs += b.latencySumNs;
    m.p50 = m.p95 = m.p99 = std::nullopt;
    m.bucketsMissing = a.bucketsMissing || b.bucketsMissing;
    if (!b.latencyBuckets.empty()) {
        m.latencyBuckets.resize(models::kLatencyBuckets, 0);
        for (std::size_t i = 0; i < b.latencyBuckets.size(); ++i)
            m.latencyBuckets[i] += b.latencyBuckets[i];
    }
    if (m.timed > 0 && !m.bucketsMissing && !m.latencyBuckets.empty()) {
        withPercentiles(m);
    } else if (a.total == 0) { // one part only: its percentiles are the whole's
        m.p50 = b.p50;
        m.p95 = b.p95;
        m.p99 = b.p99;
    } else if (b.total == 0) {
        m.p50 = a.p50;
        m.p95 = a.p95;
        m.p99 = a.p99;
    }
    m.attempts += b.attempts;
    m.queueMean += b.queueMean;
    m.busyMean += b.busyMean;
    m.queueMax = std::max(a.queueMax, b.queueMax);
    m.ejectedMax = std::max(a.ejectedMax, b.ejectedMax);
    m.breakersOpenMax = std::max(a.breakersOpenMax, b.breakersOpenMax);
    return m;
}

WindowRange windowAt(const m::Recording& r, std::int64_t timeNs)
{
    if (r.windows == 0 || r.layout.windowNs <= 0)
        return {};
    const auto w = static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(timeNs / r.layout.windowNs, 0, r.windows - 1));
    return {w, w + 1};
}

WindowRange wholeRun(const m::Recording& r)
{
    return {0, r.windows};
}

WindowRange windowsBetween(const m::Recording& r, std::int64_t fromNs, std::int64_t toNs)
{
    if (r.layout.windowNs <= 0 || toNs <= fromNs)
        return {};
    const std::int64_t first = std::max<std::int64_t>(0, fromNs / r.layout.windowNs);
    const std::int64_t last = (toNs + r.layout.windowNs - 1) / r.layout.windowNs;
    return clip(r,
                {static_cast<std::uint32_t>(std::min<std::int64_t>(first, r.windows)),
                 static_cast<std::uint32_t>(std::min<std::int64_t>(last, r.windows))});
}

namespace {

Aggregate
seriesAggregate(const m::Recording& r, const std::vector<m::TierWindow>* series, WindowRange range)
{
    range = clip(r, range);
    Aggregate a = start(r, range);
    if (!series)
        return a;
    for (std::uint32_t w = range.first; w < range.last && w < series->size(); ++w) {
        const m::TierWindow& t = (*series)[w];
        a.arrivals += t.arrivals;
        addOutcomes(a, t.responses, range.count() == 1);
        a.queueMean += t.queueMean;
        a.busyMean += t.busyMean;
        a.queueMax = std::max(a.queueMax, t.queueMax);
        a.ejectedMax = std::max<std::uint32_t>(a.ejectedMax, t.ejectedMax);
    }
    if (range.count() > 0) {
        a.queueMean /= range.count();
        a.busyMean /= range.count();
    }
    return withPercentiles(a);
}

} // namespace

Aggregate tierAggregate(const m::Recording& r, std::uint32_t tier, WindowRange range)
{
    return seriesAggregate(r, tier < r.tiers.size() ? &r.tiers[tier] : nullptr, range);
}

Aggregate instanceAggregate(const m::Recording& r,
                            std::uint32_t tier,
                            std::uint32_t instance,
                            WindowRange range)
{
    const std::vector<m::TierWindow>* series = nullptr;
    if (tier < r.layout.tierReplicas.size() && instance < r.layout.tierReplicas[tier]) {
        const std::uint32_t i = r.layout.firstInstance(tier) + instance;
        if (i < r.instances.size())
            series = &r.instances[i];
    }
    return seriesAggregate(r, series, range);
}

Aggregate versionAggregate(const m::Recording& r,
                           const topologies::SystemView& view,
                           std::uint32_t component,
                           std::uint32_t version,
                           WindowRange range)
{
    const auto [first, last] = view.versionInstances(component, version);
    Aggregate a = seriesAggregate(r, nullptr, range);
    for (std::uint32_t i = first; i < last; ++i)
        a = merged(a, instanceAggregate(r, component - view.firstTier, i, range));
    return a;
}

Aggregate edgeAggregate(const m::Recording& r, std::uint32_t edge, WindowRange range)
{
    range = clip(r, range);
    Aggregate a = start(r, range);
    if (edge >= r.edges.size())
        return a;
    for (std::uint32_t w = range.first; w < range.last; ++w) {
        const m::EdgeWindow& e = r.edges[edge][w];
        addOutcomes(a, e.calls, range.count() == 1);
        a.attempts += e.attempts;
        a.ejectedMax = std::max<std::uint32_t>(a.ejectedMax, e.ejections);
        a.breakersOpenMax = std::max<std::uint32_t>(a.breakersOpenMax, e.breakersOpen);
    }
    a.arrivals = a.total;
    return withPercentiles(a);
}

Aggregate routeAggregate(const m::Recording& r, std::uint32_t route, WindowRange range)
{
    range = clip(r, range);
    Aggregate a = start(r, range);
    if (route >= r.routes.size())
        return a;
    for (std::uint32_t w = range.first; w < range.last; ++w) {
        a.arrivals += r.routes[route][w].sent;
        addOutcomes(a, r.routes[route][w].answered, range.count() == 1);
    }
    return withPercentiles(a);
}

Aggregate operationAggregate(const m::Recording& r,
                             std::uint32_t tier,
                             std::uint32_t operation,
                             WindowRange range)
{
    range = clip(r, range);
    Aggregate a = start(r, range);
    const m::SeriesLayout& s = r.layout;
    if (tier >= s.tierOperations.size() || operation >= s.tierOperations[tier])
        return a;
    const std::uint32_t series = s.firstOperation(tier) + operation;
    if (series >= r.operations.size())
        return a;
    for (std::uint32_t w = range.first; w < range.last; ++w)
        addOutcomes(a, r.operations[series][w], range.count() == 1);
    return withPercentiles(a);
}

Aggregate workloadAggregate(const m::Recording& r,
                            const topologies::SystemView& view,
                            std::uint32_t component,
                            WindowRange range)
{
    Aggregate a = start(r, clip(r, range));
    if (component >= view.firstTier || component >= view.components.size())
        return a;
    for (const std::uint32_t callee : view.components[component].callees)
        if (const auto e = edgeIndex(r, component, callee))
            a = merged(a, edgeAggregate(r, *e, range));
    return a;
}

Aggregate clientAggregate(const m::Recording& r, WindowRange range)
{
    range = clip(r, range);
    Aggregate a = start(r, range);
    for (std::uint32_t route = 0; route < r.routes.size(); ++route)
        for (std::uint32_t w = range.first; w < range.last; ++w) {
            a.arrivals += r.routes[route][w].sent;
            addOutcomes(a, r.routes[route][w].answered, false);
        }
    return withPercentiles(a);
}

double nodeUtilisation(const m::Recording& r, std::uint32_t node, WindowRange range)
{
    range = clip(r, range);
    if (node >= r.nodes.size() || range.empty())
        return 0.0;
    double sum = 0.0;
    for (std::uint32_t w = range.first; w < range.last; ++w)
        sum += r.nodes[node][w].utilisation;
    return sum / range.count();
}

std::optional<std::uint32_t> edgeIndex(const m::Recording& r, std::uint32_t from, std::uint32_t to)
{
    const auto& edges = r.layout.edges;
    const auto it = std::find(edges.begin(), edges.end(), std::make_pair(from, to));
    if (it == edges.end())
        return std::nullopt;
    return static_cast<std::uint32_t>(it - edges.begin());
}

} // namespace meshsim::ui
