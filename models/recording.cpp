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

std::uint32_t SeriesLayout::operationCount() const
{
    return std::accumulate(tierOperations.begin(), tierOperations.end(), std::uint32_t{0});
}

std::uint32_t SeriesLayout::firstOperation(std::uint32_t tier) const
{
    std::uint32_t first = 0;
    for (std::size_t t = 0; t < tier && t < tierOperations.size(); ++t)
        first += tierOperations[t];
    return first;
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
    const std::size_t n = hops.size();
    std::int64_t last = hops[0].end;
    for (const RecordedHop& h : hops)
        last = std::max({last, h.start, h.end});
    const auto hop
        = [&](std::int32_t i) -> const RecordedHop& { return hops[static_cast<std::size_t>(i)]; };
    const auto endOf = [&](std::int32_t i) { return hop(i).end < 0 ? last : hop(i).end; };
    const auto parentOf = [&](std::size_t i) {
        const std::int32_t p = hops[i].parent;
        return p >= 0 && static_cast<std::size_t>(p) < n && static_cast<std::size_t>(p) != i
                   ? static_cast<std::size_t>(p)
                   : n;
    };
    // Every hop's children in one array, `first[h]` to `first[h + 1]`, latest end first: the walk
    // back through a span then meets each child once (looking through all of them at every step
    // made a span of k children cost k²: a call with many tries, a job with many calls).
    std::vector<std::uint32_t> first(n + 1, 0);
    for (std::size_t i = 1; i < n; ++i)
        if (parentOf(i) < n)
            ++first[parentOf(i) + 1];
    for (std::size_t i = 0; i < n; ++i)
        first[i + 1] += first[i];
    std::vector<std::int32_t> kids(first[n]);
    std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
    for (std::size_t i = 1; i < n; ++i)
        if (parentOf(i) < n)
            kids[fill[parentOf(i)]++] = static_cast<std::int32_t>(i);
    for (std::size_t i = 0; i < n; ++i)
        std::sort(kids.begin() + first[i],
                  kids.begin() + first[i + 1],
                  [&](std::int32_t a, std::int32_t b) { return endOf(a) > endOf(b); });

    // Walk back from the end of each span to its start; an explicit stack, so that a deep (or
    // hostile) recording cannot exhaust the call stack.
    struct Frame
    {
        std::int32_t hop;
        std::int64_t until; // what is left of this span: [start, until]
        std::uint32_t next; // its children from here on end before `until`
        std::int32_t best;  // of the children seen (ending at or after `until`), the first started
    };
    const auto frame = [&](std::int32_t h, std::int64_t until) {
        return Frame{h, until, first[static_cast<std::size_t>(h)], -1};
    };
    // Every hop has one parent and children are built from hops 1..n only, so what is reachable
    // from hop 0 is a tree; `until` falls at every step, so the walk ends.
    std::vector<Frame> stack{frame(0, endOf(0))};
    bool gap = false;
    while (!stack.empty()) {
        Frame& f = stack.back();
        const RecordedHop& span = hop(f.hop);
        const std::uint32_t stop = first[static_cast<std::size_t>(f.hop) + 1];
        if (first[static_cast<std::size_t>(f.hop)] == stop) {
            const std::int64_t ns = std::max<std::int64_t>(0, f.until - span.start);
            path.leaves.push_back(f.hop);
            path.leafNs.push_back(ns);
            path.coveredNs += ns;
            stack.pop_back();
            continue;
        }
        if (f.until <= span.start) {
            stack.pop_back();
            continue;
        }
        // `until` only falls, so the children ending at or after it are the ones seen so far
        // plus the next in end order. Of those, the one that started first is under way just
        // before `until` if any is (ties: the earlier hop).
        while (f.next < stop && endOf(kids[f.next]) >= f.until) {
            const std::int32_t c = kids[f.next++];
            if (f.best < 0 || hop(c).start < hop(f.best).start
                || (hop(c).start == hop(f.best).start && c < f.best))
                f.best = c;
        }
        if (f.best < 0 || hop(f.best).start >= f.until) {
            // Nothing covers the instant before `until`: skip to the latest child end before it.
            gap = true;
            f.until = f.next < stop ? std::max(span.start, endOf(kids[f.next])) : span.start;
            continue;
        }
        const std::int32_t best = f.best;
        const std::int64_t until = std::min(endOf(best), f.until);
        f.until = std::max(hop(best).start, span.start);
        stack.push_back(frame(best, until)); // `f` is not used after this
    }
    path.complete = !gap;
    return path;
}

} // namespace meshsim::models
