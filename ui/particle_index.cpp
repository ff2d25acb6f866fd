#include "ui/particle_index.h"

#include <algorithm>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

bool refusedWithoutSending(m::Outcome o)
{
    return o == m::Outcome::Overflow || o == m::Outcome::CircuitOpen || o == m::Outcome::RateLimited
           || o == m::Outcome::Denied || o == m::Outcome::Unauthorized;
}

bool isSpan(m::HopKind k)
{
    return k == m::HopKind::Request || k == m::HopKind::Call || k == m::HopKind::Try;
}

std::uint32_t instanceOf(const topologies::SystemView& view, const m::Place& p)
{
    if (p.component >= view.components.size() || p.instance == m::kNoIndex)
        return m::kNoIndex;
    const auto& c = view.components[p.component];
    if (p.instance >= c.replicas)
        return m::kNoIndex;
    return c.firstInstance + p.instance;
}

} // namespace

void ParticleIndex::clear()
{
    m_legs.clear();
    m_buckets.clear();
    m_requests = 0;
    m_threshold = ~std::uint64_t{0};
}

void ParticleIndex::update(const m::Recording& recording, const topologies::SystemView& view)
{
    if (recording.sampleThreshold != m_threshold || recording.requests.size() < m_requests) {
        clear();
        m_threshold = recording.sampleThreshold;
    }
    // Legs start before the run's end: recorded windows, plus what is under way.
    m_horizonNs = (std::int64_t{recording.windows} + 1)
                      * std::max<std::int64_t>(1, recording.layout.windowNs)
                  + kMaxLegNs;
    for (auto r = static_cast<std::uint32_t>(m_requests); r < recording.requests.size(); ++r)
        add(recording, view, r);
    m_requests = recording.requests.size();
}

void ParticleIndex::place(const Leg& leg, std::uint32_t index)
{
    if (leg.end <= leg.start || leg.start < 0 || leg.start > m_horizonNs)
        return;
    const auto first = static_cast<std::size_t>(leg.start / kBucketNs);
    const auto last = static_cast<std::size_t>((leg.end - 1) / kBucketNs);
    if (m_buckets.size() <= last)
        m_buckets.resize(last + 1);
    for (std::size_t b = first; b <= last; ++b)
        m_buckets[b].push_back(index);
}

void ParticleIndex::add(const m::Recording& recording,
                        const topologies::SystemView& view,
                        std::uint32_t request)
{
    const m::RecordedRequest& q = recording.requests[request];
    const auto& hops = q.hops;
    if (hops.empty())
        return;
    std::vector<std::uint32_t> children(hops.size(), 0);
    for (const m::RecordedHop& h : hops)
        if (h.parent >= 0 && static_cast<std::size_t>(h.parent) < hops.size())
            ++children[static_cast<std::size_t>(h.parent)];

    // The span (try, call or request) a hop belongs to; the try it belongs to, if any.
    auto enclosing = [&](std::size_t i, bool triesOnly) -> std::int32_t {
        std::int32_t p = static_cast<std::int32_t>(i);
        for (std::size_t guard = 0; p >= 0 && guard <= hops.size(); ++guard) {
            const m::HopKind k = hops[static_cast<std::size_t>(p)].kind;
            if (triesOnly ? k == m::HopKind::Try : isSpan(k))
                return p;
            p = hops[static_cast<std::size_t>(p)].parent;
            if (p >= static_cast<std::int32_t>(hops.size()))
                return -1;
        }
        return -1;
    };

    const std::int64_t recordingEnd = recording.windows * recording.layout.windowNs;
    for (std::size_t i = 0; i < hops.size(); ++i) {
        const m::RecordedHop& h = hops[i];
        if (children[i] > 0 || h.start < 0 || h.start > m_horizonNs)
            continue; // a span with hops inside, or a time no run of this recording reached
        Leg leg;
        leg.start = h.start;
        leg.end = h.end >= 0 ? h.end : std::max(h.start, recordingEnd);
        leg.request = request;
        leg.hop = static_cast<std::int32_t>(i);
        leg.kind = h.kind;
        leg.toComponent = h.at.component;
        leg.toInstance = instanceOf(view, h.at);
        leg.fromComponent = h.from.component;
        leg.fromInstance = instanceOf(view, h.from);
        const std::int32_t span = enclosing(i, false);
        const std::int32_t attempt = enclosing(i, true);
        ParticleStyle style;
        const m::RecordedHop& owner = hops[static_cast<std::size_t>(std::max(span, 0))];
        style.outcome = outcomeClass(owner.outcome);
        style.retry
            = attempt >= 0 && (hops[static_cast<std::size_t>(attempt)].detail & 0xFFFFFFFFU) > 0;
        switch (h.kind) {
        case m::HopKind::Transfer: {
            leg.motion = Motion::Travel;
            // A response travels from the place its span went to back towards the caller.
            const m::RecordedHop* target = span > 0 ? &owner : nullptr;
            style.response = target ? h.from.component == target->at.component
                                    : h.at.component == hops[0].at.component;
            break;
        }
        case m::HopKind::Request:
        case m::HopKind::Call:
        case m::HopKind::Try:
        case m::HopKind::Job:
            if (!refusedWithoutSending(h.outcome))
                continue; // a span without hops inside: nothing visible happened
            leg.motion = Motion::Bounce;
            leg.end = std::max(leg.end, leg.start + kMinBounceNs);
            if (leg.fromComponent == m::kNoIndex) {
                const std::int32_t parentSpan
                    = h.parent >= 0 ? enclosing(static_cast<std::size_t>(h.parent), false) : -1;
                if (parentSpan >= 0) {
                    leg.fromComponent = hops[static_cast<std::size_t>(parentSpan)].at.component;
                    leg.fromInstance
                        = instanceOf(view, hops[static_cast<std::size_t>(parentSpan)].at);
                }
            }
            style.outcome = outcomeClass(h.outcome);
            break;
        default:
            leg.motion = Motion::Wait;
            break;
        }
        leg.style = style.index();
        leg.requestId = q.id;
        // A leg is drawn for at most kMaxLegNs (no real hop is that long; a hostile recording's
        // could make millions of buckets).
        leg.end = std::min(leg.end, leg.start + kMaxLegNs);
        const auto index = static_cast<std::uint32_t>(m_legs.size());
        m_legs.push_back(leg);
        place(leg, index);
    }
}

std::size_t ParticleIndex::activeCount(std::int64_t timeNs) const
{
    std::size_t n = 0;
    forEachActive(timeNs, [&n](const Leg&, double) { ++n; });
    return n;
}

std::optional<std::int64_t> ParticleIndex::nextEventAfter(std::int64_t timeNs) const
{
    // A leg's start and end lie in buckets it is listed in: the first bucket after timeNs's
    // with a boundary later than timeNs holds the earliest one.
    const std::size_t first = timeNs < 0 ? 0 : static_cast<std::size_t>(timeNs / kBucketNs);
    for (std::size_t b = first; b < m_buckets.size(); ++b) {
        std::optional<std::int64_t> best;
        const std::int64_t bucketEnd = static_cast<std::int64_t>(b + 1) * kBucketNs;
        for (const std::uint32_t i : m_buckets[b])
            for (const std::int64_t t : {m_legs[i].start, m_legs[i].end})
                if (t > timeNs && t <= bucketEnd && (!best || t < *best))
                    best = t;
        if (best)
            return best;
    }
    return std::nullopt;
}

std::optional<std::int64_t> ParticleIndex::previousEventBefore(std::int64_t timeNs) const
{
    if (m_buckets.empty() || timeNs <= 0)
        return std::nullopt;
    std::size_t b = std::min(m_buckets.size() - 1, static_cast<std::size_t>(timeNs / kBucketNs));
    for (;; --b) {
        std::optional<std::int64_t> best;
        const std::int64_t bucketStart = static_cast<std::int64_t>(b) * kBucketNs;
        for (const std::uint32_t i : m_buckets[b])
            for (const std::int64_t t : {m_legs[i].start, m_legs[i].end})
                if (t < timeNs && t >= bucketStart && (!best || t > *best))
                    best = t;
        if (best)
            return best;
        if (b == 0)
            return std::nullopt;
    }
}

} // namespace meshsim::ui
