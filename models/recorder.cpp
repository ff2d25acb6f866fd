#include "models/recorder.h"

#include "engine/core/assert.h"
#include "models/metrics.h"
#include "models/system_layout.h"

#include <algorithm>
#include <cmath>

namespace meshsim::models {

namespace {

// splitmix64's finaliser: a good 64-bit mix.
std::uint64_t mix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

template <typename T>
std::uint64_t vectorBytes(const std::vector<T>& v)
{
    return sizeof(v) + v.capacity() * sizeof(T);
}

} // namespace

// --- WindowLatency -------------------------------------------------------------------------

std::uint64_t Recorder::WindowLatency::lowerOf(std::uint32_t bucket)
{
    return latencyBucketLower(bucket); // the recording's bucket scheme (models/recording.h)
}

std::vector<LatencyBucket> Recorder::WindowLatency::buckets() const
{
    std::vector<LatencyBucket> out;
    for (std::uint32_t b = m_first; m_count > 0 && b <= m_last; ++b)
        if (m_counts[b] > 0)
            out.push_back({static_cast<std::uint16_t>(b), m_counts[b]});
    return out;
}

void Recorder::WindowLatency::merge(const WindowLatency& other)
{
    if (other.m_count == 0)
        return;
    for (std::uint32_t b = other.m_first; b <= other.m_last; ++b)
        m_counts[b] += other.m_counts[b];
    m_count += other.m_count;
    m_first = std::min(m_first, other.m_first);
    m_last = std::max(m_last, other.m_last);
}

std::int64_t Recorder::WindowLatency::quantile(double q) const
{
    // Nearest rank, as models::Histogram: the bucket of the ceil(q x count)-th smallest value.
    if (m_count == 0)
        return 0;
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count))));
    std::uint64_t seen = 0;
    for (std::uint32_t b = m_first; b <= m_last; ++b) {
        seen += m_counts[b];
        if (seen >= rank) {
            const std::uint64_t lower = lowerOf(b);
            const std::uint64_t width = lowerOf(b + 1) - lower;
            return static_cast<std::int64_t>(lower + width / 2);
        }
    }
    return static_cast<std::int64_t>(lowerOf(m_last));
}

void Recorder::WindowLatency::clear()
{
    if (m_count > 0)
        std::fill(m_counts.begin() + m_first, m_counts.begin() + m_last + 1, 0U);
    m_count = 0;
    m_first = ~0U;
    m_last = 0;
}

// --- Recorder ------------------------------------------------------------------------------

void Recorder::Outcomes::addTimed(Outcome outcome, std::int64_t ns)
{
    add(outcome);
    ++counts.timed;
    counts.latencySumNs += static_cast<double>(ns);
    latency.record(ns);
}

WindowOutcomes Recorder::Outcomes::take()
{
    WindowOutcomes w = counts;
    w.p50 = latency.quantile(0.50);
    w.p95 = latency.quantile(0.95);
    w.p99 = latency.quantile(0.99);
    counts = WindowOutcomes{};
    latency.clear();
    return w;
}

std::uint64_t Recorder::sampleKey(std::uint64_t seed, std::uint64_t request)
{
    return mix(mix(seed) ^ request);
}

Recorder::Recorder(const Options& options, const engine::Platform& platform)
    : m_options(options)
    , m_platform(platform)
{
    m_rec.budgetBytes = options.budgetBytes;
}

void Recorder::begin(const Metrics& metrics, const SystemLayout& layout, LoadSource& load)
{
    m_loadSource = &load;
    SeriesLayout& s = m_rec.layout;
    s.routes = static_cast<std::uint32_t>(metrics.layout().routes.size());
    s.tierReplicas = metrics.layout().replicas;
    for (std::size_t t = 0; t < s.tierReplicas.size(); ++t)
        s.tierOperations.push_back(
            t < metrics.layout().operations.size()
                ? static_cast<std::uint32_t>(metrics.layout().operations[t].size())
                : 0);
    for (const EdgeStats& e : metrics.registeredEdges())
        s.edges.emplace_back(e.from, e.to);
    const engine::PlatformSpec& spec = m_platform.spec();
    s.nodes = static_cast<std::uint32_t>(spec.nodes.size() - 1); // not the clients' node
    m_firstTierComponent = layout.firstTier;

    // The series' size is known before the run: widen the window until they fit in half of the
    // budget, leaving the other half (at least) to the sampled requests.
    const std::uint64_t perWindow
        = s.routes * sizeof(RouteWindow)
          + (s.tierReplicas.size() + s.instanceCount()) * sizeof(TierWindow)
          + s.edges.size() * sizeof(EdgeWindow) + kProxyKinds * sizeof(ProxyWindow)
          + s.nodes * sizeof(NodeWindow) + s.operationCount() * sizeof(WindowOutcomes);
    const std::int64_t base = std::max<std::int64_t>(1, m_options.window.count());
    const std::int64_t horizon = std::max<std::int64_t>(base, m_options.horizon.count());
    std::int64_t factor = 1;
    const auto windowsFor = [&](std::int64_t f) {
        return static_cast<std::uint64_t>((horizon + base * f - 1) / (base * f));
    };
    while (perWindow * windowsFor(factor) > m_options.budgetBytes / 2 && windowsFor(factor) > 1)
        factor *= 2;
    m_windowNs = base * factor;
    s.windowNs = m_windowNs;
    m_windowEnd = m_windowNs;
    // ... and the open window's latency buckets, one set per route, instance, edge, proxy kind.
    const std::uint64_t scratch
        = (s.routes + s.instanceCount() + s.edges.size() + kProxyKinds + 1 + s.operationCount())
          * std::uint64_t{WindowLatency::kBuckets} * sizeof(std::uint32_t);
    m_seriesBytes = perWindow * windowsFor(factor) + scratch;

    m_rec.routes.resize(s.routes);
    m_rec.tiers.resize(s.tierReplicas.size());
    m_rec.instances.resize(s.instanceCount());
    m_rec.edges.resize(s.edges.size());
    m_rec.proxies.resize(kProxyKinds);
    m_rec.nodes.resize(s.nodes);
    m_rec.operations.resize(s.operationCount());
    // Reserve what the run will fill, once (no growth slack beyond the budget).
    const auto reserve = [n = windowsFor(factor)](auto& series) {
        for (auto& v : series)
            v.reserve(n);
    };
    reserve(m_rec.routes);
    reserve(m_rec.tiers);
    reserve(m_rec.instances);
    reserve(m_rec.edges);
    reserve(m_rec.proxies);
    reserve(m_rec.nodes);
    reserve(m_rec.operations);

    m_routes.resize(s.routes);
    m_routeSent.resize(s.routes);
    m_hopsHint.assign(s.routes, 16);
    m_tiers.resize(s.tierReplicas.size());
    for (std::uint32_t t = 0; t < s.tierReplicas.size(); ++t)
        m_firstInstance.push_back(s.firstInstance(t));
    m_instances.resize(s.instanceCount());
    m_operations.resize(s.operationCount());
    for (std::uint32_t t = 0; t < s.tierOperations.size(); ++t)
        m_firstOperation.push_back(s.firstOperation(t));
    m_edges.resize(s.edges.size());
    for (std::uint32_t e = 0; e < s.edges.size(); ++e)
        m_edgeOf[(std::uint64_t{s.edges[e].first} << 32) | s.edges[e].second] = e;
    m_proxies.resize(kProxyKinds);
    for (std::uint32_t n = 0; n < s.nodes; ++n) {
        m_nodeCores.push_back(spec.nodes[n].cores);
        m_nodeBusyAtStart.push_back(m_platform.busyCoreSecondsAt(n, engine::kSimStart));
    }
}

void Recorder::closeWindowsBefore(std::int64_t t)
{
    while (t >= m_windowEnd)
        closeWindow();
}

void Recorder::closeWindow()
{
    const auto window = static_cast<double>(m_windowNs);
    for (std::size_t r = 0; r < m_routes.size(); ++r) {
        RouteWindow w;
        w.sent = m_routeSent[r].sent;
        std::vector<LatencyBucket> buckets = m_routes[r].latency.buckets();
        w.answered = m_routes[r].take();
        w.answered.latency = std::move(buckets);
        m_rec.routes[r].push_back(w);
        m_routeSent[r] = RouteWindow{};
    }
    m_loadSource->readLoad(engine::atNanos(m_windowEnd), m_loads);
    const auto takeTier = [&](TierState& s, const InstanceLoad& load) {
        TierWindow w;
        w.arrivals = load.arrivals;
        w.responses = s.responses.take();
        w.cpuSeconds = static_cast<float>(s.cpuSeconds);
        w.ejectedMax = s.ejectedMax;
        w.queueMax = load.queueMax;
        w.queueMean = static_cast<float>(static_cast<double>(load.queueArea) / window);
        w.busyMean = static_cast<float>(static_cast<double>(load.busyArea) / window);
        s.cpuSeconds = 0.0;
        s.ejectedMax = s.ejected;
        return w;
    };
    // A tier's window is its instances' together: counts and means summed, latencies merged,
    // the largest queue of any of them.
    for (std::uint32_t t = 0; t < m_tiers.size(); ++t) {
        TierWindow total;
        m_merged.clear();
        for (std::uint32_t i = 0; i < m_rec.layout.tierReplicas[t]; ++i) {
            TierState& s = instance(t, i);
            m_merged.merge(s.responses.latency);
            const TierWindow w = takeTier(s, m_loads[m_firstInstance[t] + i]);
            total.arrivals += w.arrivals;
            for (std::size_t o = 0; o < kOutcomeCount; ++o)
                total.responses.outcomes[o] += w.responses.outcomes[o];
            total.responses.timed += w.responses.timed;
            total.responses.latencySumNs += w.responses.latencySumNs;
            total.queueMax = std::max(total.queueMax, w.queueMax);
            total.queueMean += w.queueMean;
            total.busyMean += w.busyMean;
            total.cpuSeconds += w.cpuSeconds;
            m_rec.instances[m_firstInstance[t] + i].push_back(w);
        }
        total.responses.p50 = m_merged.quantile(0.50);
        total.responses.p95 = m_merged.quantile(0.95);
        total.responses.p99 = m_merged.quantile(0.99);
        total.responses.latency = m_merged.buckets();
        total.ejectedMax = m_tiers[t].ejectedMax;
        m_tiers[t].ejectedMax = m_tiers[t].ejected;
        m_rec.tiers[t].push_back(total);
    }
    for (std::size_t o = 0; o < m_operations.size(); ++o) {
        std::vector<LatencyBucket> buckets = m_operations[o].latency.buckets();
        WindowOutcomes w = m_operations[o].take();
        w.latency = std::move(buckets);
        m_rec.operations[o].push_back(std::move(w));
    }
    for (std::size_t e = 0; e < m_edges.size(); ++e) {
        EdgeState& s = m_edges[e];
        EdgeWindow w;
        std::vector<LatencyBucket> buckets = s.calls.latency.buckets();
        w.calls = s.calls.take();
        w.calls.latency = std::move(buckets);
        w.attempts = s.attempts;
        w.breakersOpen = s.breakersOpenMax;
        w.ejections = s.ejectionsMax;
        m_rec.edges[e].push_back(w);
        s.attempts = 0;
        s.breakersOpenMax = s.breakersOpen;
        s.ejectionsMax = s.ejections;
    }
    for (std::size_t k = 0; k < m_proxies.size(); ++k) {
        ProxyState& s = m_proxies[k];
        ProxyWindow w;
        w.traversals = s.traversals;
        w.cpuSeconds = static_cast<float>(s.cpuSeconds);
        w.p50 = s.added.quantile(0.50);
        w.p95 = s.added.quantile(0.95);
        w.p99 = s.added.quantile(0.99);
        m_rec.proxies[k].push_back(w);
        s.traversals = 0;
        s.cpuSeconds = 0.0;
        s.added.clear();
    }
    const auto end = engine::atNanos(m_windowEnd);
    for (std::uint32_t n = 0; n < m_nodeCores.size(); ++n) {
        const double busy = m_platform.busyCoreSecondsAt(n, end);
        m_rec.nodes[n].push_back(NodeWindow{
            static_cast<float>((busy - m_nodeBusyAtStart[n])
                               / (static_cast<double>(m_nodeCores[n]) * window * 1e-9))});
        m_nodeBusyAtStart[n] = busy;
    }
    ++m_rec.windows;
    // Requests keep coming at about the pace seen so far: when the sample would outgrow the
    // budget by the end of the arrivals, halve it now rather than record what would be dropped.
    const double growth = growthAt(m_windowEnd);
    m_windowEnd += m_windowNs;
    enforceBudget(growth);
}

double Recorder::growthAt(std::int64_t t) const
{
    const std::int64_t elapsed = std::min(t, std::max<std::int64_t>(1, m_options.arrivals.count()));
    return static_cast<double>(std::max<std::int64_t>(m_options.arrivals.count(), elapsed))
           / static_cast<double>(std::max<std::int64_t>(1, elapsed));
}

void Recorder::advanceTo(engine::SimTime t)
{
    // Events at `t` itself may still come (they run in order), so only windows ending by it close.
    closeWindowsBefore(engine::toNanos(t));
}

void Recorder::finish(engine::SimTime t)
{
    if (m_finished)
        return;
    m_finished = true;
    // The window holding the last event closes too (it may be partial).
    closeWindowsBefore(engine::toNanos(t));
    // The run may have advanced past its last event (to a slice's end): the windows it passed
    // are whole, and the recording ends in the one closed now, at the later of the two.
    const std::int64_t lastStart = std::int64_t{m_rec.windows} * m_windowNs;
    closeWindow();
    m_rec.endNs = std::max(engine::toNanos(t), lastStart);
    // Requests still under way when the run ended are kept as they are.
    for (Live& live : m_live) {
        if (live.done)
            continue;
        m_requests[live.index].complete = false;
        complete(live, engine::toNanos(t));
    }
    enforceBudget();
}

// --- statistics ----------------------------------------------------------------------------

void Recorder::requestAnswered(std::uint32_t route,
                               engine::SimTime sentAt,
                               engine::SimDuration latency,
                               Outcome outcome)
{
    roll(sentAt + latency);
    m_routes[route].addTimed(outcome, engine::toNanos(latency));
}

void Recorder::instanceArrival(std::uint32_t, std::uint32_t, engine::SimTime, std::uint32_t)
{
    // Arrivals come with the instances' load, at the end of each window (begin()'s LoadSource).
}

void Recorder::instanceRejected(std::uint32_t tier,
                                std::uint32_t i,
                                engine::SimTime,
                                Outcome outcome)
{
    roll(m_platform.now());
    instance(tier, i).responses.add(outcome);
}

void Recorder::operationAnswered(std::uint32_t tier,
                                 OperationIndex operation,
                                 engine::SimTime arrivedAt,
                                 engine::SimDuration latency,
                                 Outcome outcome,
                                 bool served)
{
    roll(arrivedAt + latency);
    Outcomes& o = m_operations[m_firstOperation[tier] + operation];
    if (served)
        o.addTimed(outcome, engine::toNanos(latency));
    else
        o.add(outcome);
}

void Recorder::instanceServed(std::uint32_t tier,
                              std::uint32_t i,
                              engine::SimTime arrivedAt,
                              engine::SimDuration latency,
                              Outcome outcome,
                              bool,
                              engine::SimDuration cpu)
{
    roll(arrivedAt + latency);
    TierState& s = instance(tier, i);
    s.responses.addTimed(outcome, engine::toNanos(latency));
    s.cpuSeconds += engine::toSeconds(cpu);
}

void Recorder::callEnded(std::uint32_t edge,
                         engine::SimTime sentAt,
                         Outcome outcome,
                         std::uint16_t,
                         std::uint32_t attempts)
{
    const engine::SimTime now = m_platform.now();
    roll(now);
    EdgeState& e = m_edges[edge];
    e.calls.addTimed(outcome, engine::toNanos(now - sentAt));
    e.attempts += attempts;
}

void Recorder::proxyPassed(ProxyKind kind,
                           engine::SimTime entered,
                           engine::SimDuration cpu,
                           engine::SimDuration added)
{
    roll(entered + added);
    ProxyState& p = m_proxies[static_cast<std::size_t>(kind)];
    ++p.traversals;
    p.cpuSeconds += engine::toSeconds(cpu);
    p.added.record(engine::toNanos(added));
}

void Recorder::stateChanged(const StateChange& change)
{
    roll(m_platform.now());
    m_rec.states.push_back(change);
    const auto edge = m_edgeOf.find((std::uint64_t{change.component} << 32) | change.target);
    switch (change.kind) {
    case StateChange::Kind::Breaker: {
        if (edge == m_edgeOf.end())
            return;
        EdgeState& e = m_edges[edge->second];
        bool& open = m_breakerOpen[{change.component, change.instance, change.target}];
        const bool nowOpen = change.breaker != BreakerState::Closed;
        if (nowOpen != open) {
            e.breakersOpen = static_cast<std::uint16_t>(e.breakersOpen + (nowOpen ? 1 : -1));
            e.breakersOpenMax = std::max(e.breakersOpenMax, e.breakersOpen);
            open = nowOpen;
        }
        return;
    }
    case StateChange::Kind::Ejection:
    case StateChange::Kind::Return: {
        const bool ejected = change.kind == StateChange::Kind::Ejection;
        if (edge != m_edgeOf.end()) {
            EdgeState& e = m_edges[edge->second];
            e.ejections = static_cast<std::uint16_t>(e.ejections + (ejected ? 1 : -1));
            e.ejectionsMax = std::max(e.ejectionsMax, e.ejections);
        }
        if (change.target < m_firstTierComponent)
            return;
        const std::uint32_t tier = change.target - m_firstTierComponent;
        TierState& host = instance(tier, change.host);
        TierState& t = m_tiers[tier];
        // A tier counts its instances ejected by at least one caller.
        if (ejected && host.ejected++ == 0)
            ++t.ejected;
        else if (!ejected && host.ejected > 0 && --host.ejected == 0)
            --t.ejected;
        host.ejectedMax = std::max(host.ejectedMax, host.ejected);
        t.ejectedMax = std::max(t.ejectedMax, t.ejected);
        return;
    }
    default:
        return;
    }
}

// --- sampled requests ----------------------------------------------------------------------

std::uint64_t Recorder::requestBytes(const RecordedRequest& r) const
{
    return sizeof(RecordedRequest) + r.hops.capacity() * sizeof(RecordedHop);
}

std::uint32_t Recorder::recordRequest(std::uint64_t request,
                                      std::uint32_t route,
                                      const Place& client,
                                      engine::SimTime at)
{
    roll(at);
    ++m_routeSent[route].sent;
    ++m_rec.requestsSeen;
    const std::uint64_t key = sampleKey(m_options.seed, request);
    if (key >= m_rec.sampleThreshold)
        return 0;
    std::uint32_t index = 0;
    if (m_freeRequests.empty()) {
        index = static_cast<std::uint32_t>(m_requests.size());
        m_requests.emplace_back();
    } else {
        index = m_freeRequests.back();
        m_freeRequests.pop_back();
    }
    RecordedRequest& r = m_requests[index];
    r = RecordedRequest{};
    r.id = request;
    r.sampleKey = key;
    r.route = route;
    RecordedHop root;
    root.start = engine::toNanos(at);
    root.kind = HopKind::Request;
    root.at = client;
    root.from = client;
    r.hops.reserve(m_hopsHint[route]);
    r.hops.push_back(root);
    m_requestBytes += requestBytes(r);
    m_live.push_back(Live{index, 1, false, false, false});
    return static_cast<std::uint32_t>(m_live.size()); // handle = index + 1
}

std::int32_t Recorder::hopStarted(std::uint32_t handle,
                                  std::int32_t parent,
                                  HopKind kind,
                                  engine::SimTime at,
                                  const Place& where,
                                  const Place& from)
{
    Live& live = m_live[handle - 1];
    if (live.done) {
        // Dropped from the sample, or complete: a hop after completion is a bug the recording
        // reports (tests check it never happens).
        if (!live.dropped)
            ++m_rec.lateHops;
        return -1;
    }
    RecordedRequest& r = m_requests[live.index];
    const std::uint64_t before = r.hops.capacity();
    RecordedHop h;
    h.start = engine::toNanos(at);
    h.parent = parent;
    h.kind = kind;
    h.at = where;
    h.from = from;
    r.hops.push_back(h);
    m_requestBytes += (r.hops.capacity() - before) * sizeof(RecordedHop);
    ++live.open;
    return static_cast<std::int32_t>(r.hops.size() - 1);
}

void Recorder::hopEnded(std::uint32_t handle,
                        std::int32_t hop,
                        engine::SimTime at,
                        Outcome outcome,
                        std::uint16_t flags,
                        std::uint64_t detail)
{
    Live& live = m_live[handle - 1];
    if (live.done || hop < 0)
        return;
    RecordedRequest& r = m_requests[live.index];
    RecordedHop& h = r.hops[static_cast<std::size_t>(hop)];
    MESHSIM_ASSERT(h.end < 0, "a hop ends once");
    h.end = engine::toNanos(at);
    h.outcome = outcome;
    h.flags = flags;
    h.detail = detail;
    --live.open;
    if (hop == 0)
        live.rootEnded = true;
    if (live.rootEnded && live.open == 0)
        complete(live, h.end);
}

void Recorder::complete(Live& live, std::int64_t at)
{
    live.done = true;
    RecordedRequest& r = m_requests[live.index];
    m_requestBytes -= requestBytes(r);
    m_hopsHint[r.route] = static_cast<std::uint32_t>(r.hops.size());
    if (r.hops.capacity() > r.hops.size() + r.hops.size() / 4)
        r.hops.shrink_to_fit(); // an unusual request: keep what the recording holds tight
    r.sequence = ++m_completed;
    m_requestBytes += requestBytes(r);
    m_completedBytes += requestBytes(r);
    m_rec.requests.push_back(std::move(r));
    r = RecordedRequest{};
    m_freeRequests.push_back(live.index);
    if (m_finished)
        return;
    // Early in a run, the pace is known long before the first window closes: project at the
    // 256th, 512th, 1024th... completed request too, so that little is recorded only to be dropped.
    if (m_completed == m_nextProjection) {
        m_nextProjection *= 2;
        enforceBudget(growthAt(at));
    } else {
        enforceBudget();
    }
}

std::uint64_t Recorder::bytes() const
{
    return m_seriesBytes + vectorBytes(m_rec.states) + vectorBytes(m_live) + m_requestBytes
           + vectorBytes(m_rec.requests);
}

void Recorder::enforceBudget(double growth)
{
    // Halve the sample until what it holds (times the growth still to come) fits: complete
    // requests and those under way whose key leaves the sample are dropped (the same set whenever
    // it happens: keys do not change).
    // A projection needs enough complete requests to go by: a handful of them, early in a long
    // run, would multiply their chance by the growth and halve the sample far too much.
    constexpr std::size_t kProjectFrom = 64;
    const auto projected = [&] {
        const double toCome = m_rec.requests.size() >= kProjectFrom
                                  ? static_cast<double>(m_completedBytes) * (growth - 1.0)
                                  : 0.0;
        return bytes() + static_cast<std::uint64_t>(toCome);
    };
    while (projected() > m_options.budgetBytes && m_rec.sampleThreshold > 0) {
        m_rec.sampleThreshold /= 2;
        const std::uint64_t threshold = m_rec.sampleThreshold;
        auto& kept = m_rec.requests;
        for (const RecordedRequest& r : kept)
            if (r.sampleKey >= threshold) {
                m_requestBytes -= requestBytes(r);
                m_completedBytes -= requestBytes(r);
            }
        kept.erase(std::remove_if(
                       kept.begin(),
                       kept.end(),
                       [threshold](const RecordedRequest& r) { return r.sampleKey >= threshold; }),
                   kept.end());
        for (Live& live : m_live) {
            if (live.done || m_requests[live.index].sampleKey < threshold)
                continue;
            live.done = true;
            live.dropped = true;
            m_requestBytes -= requestBytes(m_requests[live.index]);
            m_requests[live.index] = RecordedRequest{};
            m_freeRequests.push_back(live.index);
        }
    }
}

} // namespace meshsim::models
