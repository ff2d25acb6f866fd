#include "models/load_balancer.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <xxhash.h>

namespace meshsim::models {

std::uint64_t xxHash64(const std::string& text, std::uint64_t seed)
{
    return XXH64(text.data(), text.size(), seed);
}

std::uint64_t hashRequestKey(std::uint64_t key)
{
    // Little-endian bytes of the key, so the hash does not depend on the machine.
    std::array<unsigned char, 8> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<unsigned char>(key >> (8 * i));
    return XXH64(bytes.data(), bytes.size(), 0);
}

// --- EDF -----------------------------------------------------------------------------------

namespace {
bool edfLater(double d1, std::uint64_t o1, double d2, std::uint64_t o2)
{
    return d1 > d2 || (d1 == d2 && o1 > o2);
}
} // namespace

void EdfScheduler::add(std::uint32_t host, double weight)
{
    MESHSIM_ASSERT(weight > 0.0, "EDF weights are positive");
    m_heap.push_back(Entry{m_now + 1.0 / weight, m_order++, host});
    std::push_heap(m_heap.begin(), m_heap.end(), [](const Entry& a, const Entry& b) {
        return edfLater(a.deadline, a.order, b.deadline, b.order);
    });
}

EdfScheduler::Entry EdfScheduler::popMin()
{
    std::pop_heap(m_heap.begin(), m_heap.end(), [](const Entry& a, const Entry& b) {
        return edfLater(a.deadline, a.order, b.deadline, b.order);
    });
    const Entry e = m_heap.back();
    m_heap.pop_back();
    return e;
}

// --- base: candidate hosts and panic ---------------------------------------------------------

std::optional<std::uint32_t> LoadBalancer::choose(const std::vector<LbHost>& hosts,
                                                  const LbContext& context)
{
    if (hosts.empty())
        return std::nullopt;
    if (m_dirty || m_hostCount != hosts.size()) {
        m_dirty = false;
        m_hostCount = hosts.size();
        std::vector<std::uint32_t> present; // in discovery: the host set
        std::vector<std::uint32_t> healthy;
        for (std::uint32_t i = 0; i < hosts.size(); ++i) {
            if (!hosts[i].present || (m_zone && (hosts[i].zone == *m_zone) == m_otherZones))
                continue;
            present.push_back(i);
            if (hosts[i].healthy)
                healthy.push_back(i);
        }
        // Envoy: a priority is in panic when its healthy percentage is below the threshold,
        // but never while the normalized availability min(1, 1.4 x healthy share) is whole
        // (overprovisioning factor 1.4); in panic every host of the set is used, healthy or
        // not (reference/semantics.md §1.0). Hosts discovery removed are not in the set.
        const std::size_t total = std::max<std::size_t>(1, present.size());
        const double healthyShare
            = static_cast<double>(healthy.size()) / static_cast<double>(total);
        constexpr std::uint64_t kOverprovisioningPercent = 140; // integer arithmetic, as Envoy
        const bool fullyAvailable = kOverprovisioningPercent * healthy.size() / total >= 100;
        m_panic = !m_zone && !fullyAvailable && healthyShare < m_config.panicThreshold
                  && !present.empty();
        m_candidates = m_panic ? std::move(present) : std::move(healthy);
        if (!m_candidates.empty())
            rebuild(hosts, m_candidates);
    }
    if (m_candidates.empty())
        return std::nullopt; // panic disabled and nothing healthy: 503 UH
    // Retry host predicate previous_hosts: re-pick a few times to avoid hosts already tried,
    // then take the last pick (Istio: host_selection_retry_max_attempts 5).
    constexpr int kReselections = 5;
    std::uint32_t host = pick(hosts, m_candidates, context);
    if (context.avoid && !context.avoid->empty()) {
        for (int i = 0; i < kReselections; ++i) {
            if (std::find(context.avoid->begin(), context.avoid->end(), host)
                == context.avoid->end())
                break;
            host = pick(hosts, m_candidates, context);
        }
    }
    return host;
}

namespace {

bool equalWeights(const std::vector<LbHost>& hosts, const std::vector<std::uint32_t>& candidates)
{
    for (const std::uint32_t c : candidates) {
        if (hosts[c].weight != hosts[candidates.front()].weight)
            return false;
    }
    return true;
}

// Starts an EDF schedule at a random point, so owners do not march in step (Envoy's
// createWithPicks emulates `seed` picks).
void seedEdf(EdfScheduler& edf,
             const std::vector<LbHost>& hosts,
             const std::vector<std::uint32_t>& candidates,
             engine::RandomStream& random)
{
    edf.clear();
    double total = 0.0;
    for (const std::uint32_t c : candidates) {
        edf.add(c, hosts[c].weight);
        total += hosts[c].weight;
    }
    const auto picks = random.nextBelow(static_cast<std::uint64_t>(std::max(1.0, total)));
    for (std::uint64_t i = 0; i < picks; ++i)
        edf.pickAndAdd([&](std::uint32_t h) { return static_cast<double>(hosts[h].weight); });
}

// §1.1: plain rotation with equal weights, EDF otherwise.
class RoundRobinBalancer final : public LoadBalancer
{
public:
    RoundRobinBalancer(const LoadBalancerConfig& c, engine::RandomStream& r)
        : LoadBalancer(c, r)
        , m_index(r.nextU64() >> 32) // Envoy seeds each worker's index randomly
    {}

private:
    void rebuild(const std::vector<LbHost>& hosts,
                 const std::vector<std::uint32_t>& candidates) override
    {
        m_weighted = !equalWeights(hosts, candidates);
        if (m_weighted)
            seedEdf(m_edf, hosts, candidates, m_random);
    }
    std::uint32_t pick(const std::vector<LbHost>& hosts,
                       const std::vector<std::uint32_t>& candidates,
                       const LbContext&) override
    {
        if (m_weighted)
            return m_edf.pickAndAdd(
                [&](std::uint32_t h) { return static_cast<double>(hosts[h].weight); });
        if (m_index >= candidates.size())
            m_index %= candidates.size();
        return candidates[m_index++];
    }

    std::uint64_t m_index;
    bool m_weighted = false;
    EdfScheduler m_edf;
};

// §1.2: power of two choices with equal weights; EDF on weight / (active + 1)^bias otherwise.
class LeastRequestBalancer final : public LoadBalancer
{
public:
    LeastRequestBalancer(const LoadBalancerConfig& c, engine::RandomStream& r)
        : LoadBalancer(c, r)
    {}

private:
    void rebuild(const std::vector<LbHost>& hosts,
                 const std::vector<std::uint32_t>& candidates) override
    {
        m_weighted = !equalWeights(hosts, candidates) || m_config.activeRequestBias != 1.0;
        if (m_weighted)
            seedEdf(m_edf, hosts, candidates, m_random);
    }
    std::uint32_t pick(const std::vector<LbHost>& hosts,
                       const std::vector<std::uint32_t>& candidates,
                       const LbContext&) override
    {
        if (m_weighted) {
            return m_edf.pickAndAdd([&](std::uint32_t h) {
                return hosts[h].weight
                       / std::pow(static_cast<double>(hosts[h].active) + 1.0,
                                  m_config.activeRequestBias);
            });
        }
        // Sample choice_count hosts with replacement; a later sample wins only with strictly
        // fewer active requests.
        std::uint32_t best = candidates[m_random.nextBelow(candidates.size())];
        for (std::uint32_t i = 1; i < m_config.choiceCount; ++i) {
            const std::uint32_t other = candidates[m_random.nextBelow(candidates.size())];
            if (hosts[other].active < hosts[best].active)
                best = other;
        }
        return best;
    }

    bool m_weighted = false;
    EdfScheduler m_edf;
};

// §1.8: Linkerd's balancer (tower's P2C over PeakEwma): two distinct random hosts, the one of
// lower cost wins (the first on a tie); cost = RTT estimate x (requests in flight + 1). The
// estimate starts at 30 ms, jumps to any higher RTT observed and otherwise decays toward each
// observation (and toward 0 on every read) with a time constant of 10 s.
class PeakEwmaBalancer final : public LoadBalancer
{
public:
    PeakEwmaBalancer(const LoadBalancerConfig& c, engine::RandomStream& r)
        : LoadBalancer(c, r)
    {}
    static constexpr double kDefaultRttNs = 30e6; // EWMA_DEFAULT_RTT
    static constexpr double kDecayNs = 10e9;      // EWMA_DECAY

private:
    struct Estimate
    {
        double rttNs = kDefaultRttNs;
        std::int64_t atNs = 0;
    };
    Estimate& estimate(std::uint32_t host)
    {
        if (host >= m_estimates.size())
            m_estimates.resize(host + 1);
        return m_estimates[host];
    }
    static void update(Estimate& e, double rttNs, std::int64_t nowNs)
    {
        if (rttNs > e.rttNs) {
            e.rttNs = rttNs; // peak
        } else {
            const double elapsed = static_cast<double>(std::max<std::int64_t>(0, nowNs - e.atNs));
            const double decay = std::exp(-elapsed / kDecayNs);
            e.rttNs = e.rttNs * decay + rttNs * (1.0 - decay);
        }
        e.atNs = std::max(e.atNs, nowNs);
    }
    double cost(const std::vector<LbHost>& hosts, std::uint32_t host, std::int64_t nowNs)
    {
        Estimate& e = estimate(host);
        update(e, 0.0, nowNs); // a read decays the estimate toward 0
        return e.rttNs * (static_cast<double>(hosts[host].active) + 1.0);
    }
    void observe(std::uint32_t host, engine::SimDuration rtt, engine::SimTime now) override
    {
        update(estimate(host), static_cast<double>(rtt.count()), engine::toNanos(now));
    }
    std::uint32_t pick(const std::vector<LbHost>& hosts,
                       const std::vector<std::uint32_t>& candidates,
                       const LbContext& context) override
    {
        if (candidates.size() == 1)
            return candidates[0];
        const std::uint64_t n = candidates.size();
        const std::uint64_t a = m_random.nextBelow(n);
        std::uint64_t b = m_random.nextBelow(n - 1);
        if (b >= a)
            ++b;
        const std::int64_t now = engine::toNanos(context.now);
        const std::uint32_t ha = candidates[a];
        const std::uint32_t hb = candidates[b];
        return cost(hosts, ha, now) <= cost(hosts, hb, now) ? ha : hb;
    }

    std::vector<Estimate> m_estimates;
};

// §1.3: uniform, weights ignored.
class RandomBalancer final : public LoadBalancer
{
public:
    RandomBalancer(const LoadBalancerConfig& c, engine::RandomStream& r)
        : LoadBalancer(c, r)
    {}

private:
    std::uint32_t pick(const std::vector<LbHost>&,
                       const std::vector<std::uint32_t>& candidates,
                       const LbContext&) override
    {
        return candidates[m_random.nextBelow(candidates.size())];
    }
};

// §1.4: ketama ring, minimum 1024 entries, xxHash64 of "<key>_<i>".
class RingHashBalancer final : public LoadBalancer
{
public:
    RingHashBalancer(const LoadBalancerConfig& c, engine::RandomStream& r)
        : LoadBalancer(c, r)
    {}
    static constexpr double kMinRingSize = 1024;
    static constexpr double kMaxRingSize = 8 * 1024 * 1024;

private:
    void rebuild(const std::vector<LbHost>& hosts,
                 const std::vector<std::uint32_t>& candidates) override
    {
        double total = 0.0;
        for (const std::uint32_t c : candidates)
            total += hosts[c].weight;
        double minWeight = 1.0;
        for (const std::uint32_t c : candidates)
            minWeight = std::min(minWeight, hosts[c].weight / total);
        const double scale
            = std::min(std::ceil(minWeight * kMinRingSize) / minWeight, kMaxRingSize);
        m_ring.clear();
        m_ring.reserve(static_cast<std::size_t>(std::ceil(scale)) + candidates.size());
        double target = 0.0;
        std::uint64_t current = 0;
        for (const std::uint32_t c : candidates) {
            target += scale * hosts[c].weight / total;
            for (std::uint64_t i = 0; static_cast<double>(current) < target; ++i, ++current)
                m_ring.push_back({xxHash64(hosts[c].key + "_" + std::to_string(i)), c});
        }
        std::sort(m_ring.begin(), m_ring.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first : a.second < b.second;
        });
    }
    std::uint32_t pick(const std::vector<LbHost>&,
                       const std::vector<std::uint32_t>&,
                       const LbContext& context) override
    {
        const std::uint64_t h = context.hash ? *context.hash : m_random.nextU64();
        auto it
            = std::lower_bound(m_ring.begin(), m_ring.end(), h, [](const auto& e, std::uint64_t v) {
                  return e.first < v;
              });
        std::size_t index = it == m_ring.end() ? 0 : static_cast<std::size_t>(it - m_ring.begin());
        index = (index + context.attempt) % m_ring.size(); // a retry takes the next entry
        return m_ring[index].second;
    }

    std::vector<std::pair<std::uint64_t, std::uint32_t>> m_ring;
};

// §1.5: Maglev table of 65537 entries filled from each host's permutation, slots in
// proportion to weights.
class MaglevBalancer final : public LoadBalancer
{
public:
    MaglevBalancer(const LoadBalancerConfig& c, engine::RandomStream& r)
        : LoadBalancer(c, r)
    {}
    static constexpr std::uint64_t kTableSize = 65537;

private:
    void rebuild(const std::vector<LbHost>& hosts,
                 const std::vector<std::uint32_t>& candidates) override
    {
        struct Entry
        {
            std::uint32_t host;
            std::uint64_t offset;
            std::uint64_t skip;
            double weight;
            double target = 0.0;
            std::uint64_t next = 0;
        };
        std::vector<Entry> entries;
        double maxWeight = 0.0;
        for (const std::uint32_t c : candidates) {
            const std::string& key = hosts[c].key;
            entries.push_back(Entry{c,
                                    xxHash64(key) % kTableSize,
                                    xxHash64(key, 1) % (kTableSize - 1) + 1,
                                    static_cast<double>(hosts[c].weight)});
            maxWeight = std::max(maxWeight, static_cast<double>(hosts[c].weight));
        }
        std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
            return hosts[a.host].key < hosts[b.host].key;
        });
        m_table.assign(kTableSize, kEmpty);
        std::uint64_t filled = 0;
        for (std::uint64_t round = 1; filled < kTableSize; ++round) {
            for (Entry& e : entries) {
                if (filled == kTableSize)
                    break;
                if (static_cast<double>(round) * e.weight < e.target)
                    continue; // lighter hosts claim a slot only every few rounds
                e.target += maxWeight;
                std::uint64_t slot;
                do {
                    slot = (e.offset + e.skip * e.next++) % kTableSize;
                } while (m_table[slot] != kEmpty);
                m_table[slot] = e.host;
                ++filled;
            }
        }
    }
    std::uint32_t pick(const std::vector<LbHost>&,
                       const std::vector<std::uint32_t>&,
                       const LbContext& context) override
    {
        std::uint64_t h = context.hash ? *context.hash : m_random.nextU64();
        if (context.attempt > 0)
            h ^= ~std::uint64_t{0} - context.attempt + 1;
        return m_table[h % kTableSize];
    }

    static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};
    std::vector<std::uint32_t> m_table;
};

} // namespace

std::unique_ptr<LoadBalancer> LoadBalancer::create(const LoadBalancerConfig& config,
                                                   engine::RandomStream& random)
{
    switch (config.policy) {
    case LoadBalancerPolicy::RoundRobin:
        return std::make_unique<RoundRobinBalancer>(config, random);
    case LoadBalancerPolicy::LeastRequest:
        return std::make_unique<LeastRequestBalancer>(config, random);
    case LoadBalancerPolicy::Random:
        return std::make_unique<RandomBalancer>(config, random);
    case LoadBalancerPolicy::RingHash:
        return std::make_unique<RingHashBalancer>(config, random);
    case LoadBalancerPolicy::Maglev:
        return std::make_unique<MaglevBalancer>(config, random);
    case LoadBalancerPolicy::PeakEwma:
        return std::make_unique<PeakEwmaBalancer>(config, random);
    }
    return std::make_unique<RoundRobinBalancer>(config, random);
}

} // namespace meshsim::models
