#include "models/recording.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meshsim::models {

std::uint64_t WindowOutcomes::total() const
{
    return std::accumulate(outcomes.begin(), outcomes.end(), std::uint64_t{0});
}

std::uint32_t SeriesLayout::instanceCount() const
{
    return std::accumulate(tierReplicas.begin(), tierReplicas.end(), std::uint32_t{0});
}

std::uint32_t SeriesLayout::firstInstance(std::uint32_t tier) const
{
    return std::accumulate(tierReplicas.begin(), tierReplicas.begin() + tier, std::uint32_t{0});
}

std::uint32_t latencyBucketOf(std::uint64_t v)
{
    if (v < 32)
        return static_cast<std::uint32_t>(v);
    const int top = 63 - __builtin_clzll(v); // >= 5
    const auto b = static_cast<std::uint32_t>(
        (std::uint64_t{32} * static_cast<std::uint64_t>(top - 4)) + ((v >> (top - 5)) & 31U));
    return std::min(b, kLatencyBuckets - 1);
}

std::uint64_t latencyBucketLower(std::uint32_t bucket)
{
    if (bucket < 32)
        return bucket;
    const std::uint32_t top = bucket / 32 + 4;
    return (std::uint64_t{32} + bucket % 32) << (top - 5);
}

std::int64_t
latencyQuantile(const std::vector<std::uint64_t>& counts, std::uint64_t total, double q)
{
    if (total == 0 || counts.empty())
        return 0;
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total))));
    std::uint64_t seen = 0;
    for (std::uint32_t b = 0; b < counts.size(); ++b) {
        seen += counts[b];
        if (seen >= rank) {
            const std::uint64_t lower = latencyBucketLower(b);
            return static_cast<std::int64_t>(lower + (latencyBucketLower(b + 1) - lower) / 2);
        }
    }
    return static_cast<std::int64_t>(
        latencyBucketLower(static_cast<std::uint32_t>(counts.size() - 1)));
}

std::int64_t Recording::windowSpanNs(std::uint32_t w) const
{
    const std::int64_t start = std::int64_t{w} * layout.windowNs;
    if (endNs < 0 || w + 1 < windows || endNs >= start + layout.windowNs)
        return layout.windowNs;
    return std::max<std::int64_t>(0, endNs - start);
}

double Recording::sampleShare() const
{
    // threshold / 2^64, with the full range meaning every request.
    return sampleThreshold == ~std::uint64_t{0} ? 1.0
                                                : static_cast<double>(sampleThreshold) * 0x1p-64;
}

CriticalPath criticalPath(const RecordedRequest& request)
{
    CriticalPath path;
    const auto& hops = request.hops;
    if (hops.empty())
        return path;
    std::int64_t last = hops[0].end;
    for (const RecordedHop& h : hops)
        last = std::max({last, h.start, h.end});
    const auto endOf = [&](const RecordedHop& h) { return h.end < 0 ? last : h.end; };
    std::vector<std::vector<std::int32_t>> children(hops.size());
    for (std::size_t i = 1; i < hops.size(); ++i) {
        const std::int32_t parent = hops[i].parent;
        if (parent >= 0 && static_cast<std::size_t>(parent) < hops.size()
            && static_cast<std::size_t>(parent) != i)
            children[static_cast<std::size_t>(parent)].push_back(static_cast<std::int32_t>(i));
    }
    // Walk back from the end of each span to its start; an explicit stack, so that a deep (or
    // hostile) recording cannot exhaust the call stack.
    struct Frame
    {
        std::int32_t hop;
        std::int64_t until; // what is left of this span: [start, until]
    };
    // Every hop has one parent and children are built from hops 1..n only, so what is reachable
    // from hop 0 is a tree; `until` falls at every step, so the walk ends.
    std::vector<Frame> stack{{0, endOf(hops[0])}};
    bool gap = false;
    while (!stack.empty()) {
        Frame& f = stack.back();
        const RecordedHop& span = hops[static_cast<std::size_t>(f.hop)];
        const auto& kids = children[static_cast<std::size_t>(f.hop)];
        if (kids.empty()) {
            path.leaves.push_back(f.hop);
            path.coveredNs += std::max<std::int64_t>(0, f.until - span.start);
            stack.pop_back();
            continue;
        }
        if (f.until <= span.start) {
            stack.pop_back();
            continue;
        }
        // The child under way just before `until` that started first.
        std::int32_t best = -1;
        for (const std::int32_t c : kids) {
            const RecordedHop& h = hops[static_cast<std::size_t>(c)];
            if (h.start < f.until && endOf(h) >= f.until
                && (best < 0 || h.start < hops[static_cast<std::size_t>(best)].start))
                best = c;
        }
        if (best < 0) {
            // Nothing covers the instant before `until`: skip to the latest child end before it.
            gap = true;
            std::int64_t resume = span.start;
            for (const std::int32_t c : kids)
                if (endOf(hops[static_cast<std::size_t>(c)]) < f.until)
                    resume = std::max(resume, endOf(hops[static_cast<std::size_t>(c)]));
            f.until = resume;
            continue;
        }
        const RecordedHop& child = hops[static_cast<std::size_t>(best)];
        const std::int64_t until = std::min(endOf(child), f.until);
        f.until = std::max(child.start, span.start);
        stack.push_back({best, until});
    }
    path.complete = !gap;
    return path;
}

} // namespace meshsim::models
