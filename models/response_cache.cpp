#include "models/response_cache.h"

#include "engine/core/random.h"

#include <algorithm>
#include <cmath>

namespace meshsim::models {

ResponseCache::ResponseCache(std::uint32_t capacity, engine::SimDuration ttl)
    : m_capacity(capacity)
    , m_ttl(ttl)
{}

bool ResponseCache::lookup(std::uint64_t key, engine::SimTime now)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return false;
    if (now - it->second->storedAt >= m_ttl) { // stale: drop it
        m_lru.erase(it->second);
        m_entries.erase(it);
        return false;
    }
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    return true;
}

void ResponseCache::store(std::uint64_t key, engine::SimTime now)
{
    const auto it = m_entries.find(key);
    if (it != m_entries.end()) {
        it->second->storedAt = now;
        m_lru.splice(m_lru.begin(), m_lru, it->second);
        return;
    }
    if (m_entries.size() >= m_capacity && !m_lru.empty()) {
        m_entries.erase(m_lru.back().key);
        m_lru.pop_back();
        ++m_evictions;
    }
    m_lru.push_front(Entry{key, now});
    m_entries.emplace(key, m_lru.begin());
}

// --- Zipf by rejection-inversion ---------------------------------------------------------------

namespace {
// log(1 + x) / x and (exp(x) - 1) / x, accurate near 0.
double helper1(double x)
{
    return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}
double helper2(double x)
{
    return std::abs(x) > 1e-8 ? std::expm1(x) / x
                              : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}
} // namespace

ZipfSampler::ZipfSampler(std::uint64_t n, double exponent)
    : m_n(n)
    , m_s(exponent)
{
    m_hIntegralX1 = hIntegral(1.5) - 1.0;
    m_hIntegralN = hIntegral(static_cast<double>(n) + 0.5);
    m_threshold = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
}

double ZipfSampler::h(double x) const
{
    return std::exp(-m_s * std::log(x));
}

double ZipfSampler::hIntegral(double x) const
{
    const double logX = std::log(x);
    return helper2((1.0 - m_s) * logX) * logX;
}

double ZipfSampler::hIntegralInverse(double x) const
{
    double t = x * (1.0 - m_s);
    if (t < -1.0)
        t = -1.0; // numerical guard
    return std::exp(helper1(t) * x);
}

std::uint64_t ZipfSampler::sample(engine::RandomStream& random) const
{
    for (;;) {
        const double u = m_hIntegralN + random.nextDouble() * (m_hIntegralX1 - m_hIntegralN);
        const double x = hIntegralInverse(u);
        // x >= 0.5 here, so truncating x + 0.5 rounds to the nearest integer.
        auto k = static_cast<std::uint64_t>(x + 0.5); // NOLINT(bugprone-incorrect-roundings)
        k = std::clamp<std::uint64_t>(k, 1, m_n);
        if (static_cast<double>(k) - x <= m_threshold
            || u >= hIntegral(static_cast<double>(k) + 0.5) - h(static_cast<double>(k)))
            return k;
    }
}

double ZipfSampler::probability(std::uint64_t k) const
{
    if (m_normaliser < 0.0) {
        double sum = 0.0;
        for (std::uint64_t i = 1; i <= m_n; ++i)
            sum += std::pow(static_cast<double>(i), -m_s);
        m_normaliser = sum;
    }
    return std::pow(static_cast<double>(k), -m_s) / m_normaliser;
}

} // namespace meshsim::models
