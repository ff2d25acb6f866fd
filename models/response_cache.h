#pragma once

// ResponseCache: a gateway's response cache: at most `capacity` entries, least recently used
// evicted first, each entry fresh for `ttl` after it was stored. A hit answers from the gateway;
// a miss goes to the service and stores its successful response. The hit ratio follows from the
// workload's key popularity (e.g. Zipf), the capacity and the TTL. Not thread-safe.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"

#include <cstdint>
#include <list>
#include <unordered_map>

namespace meshsim::models {

class ResponseCache
{
public:
    ResponseCache(std::uint32_t capacity, engine::SimDuration ttl);

    // True when a fresh entry exists (it becomes the most recently used).
    bool lookup(std::uint64_t key, engine::SimTime now);
    void store(std::uint64_t key, engine::SimTime now);

    std::size_t size() const { return m_entries.size(); }
    std::uint64_t evictions() const { return m_evictions; }

private:
    struct Entry
    {
        std::uint64_t key;
        engine::SimTime storedAt;
    };
    std::uint32_t m_capacity;
    engine::SimDuration m_ttl;
    std::list<Entry> m_lru; // front = most recently used
    std::unordered_map<std::uint64_t, std::list<Entry>::iterator> m_entries;
    std::uint64_t m_evictions = 0;
};

// Zipf sampler over keys 1..n with P(k) proportional to 1 / k^s (s >= 0), by rejection-inversion
// (Hörmann and Derflinger, "Rejection-inversion to generate variates from monotone discrete
// distributions", 1996): O(1) per sample and memory for any n.
class ZipfSampler
{
public:
    ZipfSampler(std::uint64_t n, double exponent);
    std::uint64_t sample(engine::RandomStream& random) const;
    // Exact probability of key k (sums a series of n terms once; for tests and reports).
    double probability(std::uint64_t k) const;

private:
    double h(double x) const;
    double hInverse(double x) const;
    double hIntegral(double x) const;
    double hIntegralInverse(double x) const;

    std::uint64_t m_n;
    double m_s;
    double m_hIntegralX1;
    double m_hIntegralN;
    double m_threshold;
    mutable double m_normaliser = -1.0;
};

} // namespace meshsim::models
