#include "models/gateway.h"

#include <algorithm>

namespace meshsim::models {

GatewayFilters::GatewayFilters(const GatewayConfig& config, std::uint32_t replicas)
    : m_config(config)
{
    for (std::uint32_t i = 0; i < replicas; ++i) {
        m_caches.push_back(config.cache ? std::make_unique<ResponseCache>(config.cache->capacity,
                                                                          config.cache->ttl)
                                        : nullptr);
        m_limiters.push_back(config.rateLimit && config.rateLimit->scope == RateLimitScope::Instance
                                 ? std::make_unique<RateLimiter>(*config.rateLimit)
                                 : nullptr);
    }
    if (config.rateLimit && config.rateLimit->scope == RateLimitScope::Global)
        m_globalLimiter = std::make_unique<RateLimiter>(*config.rateLimit);
}

double GatewayFilters::withFilterCpu(double work) const
{
    if (m_config.auth)
        work += static_cast<double>(m_config.auth->cpu.count());
    if (m_config.translationCpu)
        work += static_cast<double>(m_config.translationCpu->count());
    return work;
}

GatewayFilters::Admission GatewayFilters::admit(std::uint32_t instance,
                                                engine::RandomStream& random,
                                                std::uint32_t clientId,
                                                RouteIndex route,
                                                engine::SimTime now)
{
    if (m_config.auth && m_config.auth->rejectFraction > 0.0
        && random.bernoulli(m_config.auth->rejectFraction))
        return {Outcome::Unauthorized, SimDuration{0}};
    if (!m_config.rateLimit)
        return {};
    RateLimiter& limiter = m_globalLimiter ? *m_globalLimiter : *m_limiters[instance];
    std::uint64_t key = 0;
    if (m_config.rateLimit->key == RateLimitKey::Client)
        key = clientId;
    else if (m_config.rateLimit->key == RateLimitKey::Route)
        key = route;
    const RateDecision decision = limiter.admit(key, now);
    if (!decision.allowed)
        return {Outcome::RateLimited, SimDuration{0}};
    return {Outcome::Ok, decision.delay};
}

bool GatewayFilters::caches(RouteIndex route) const
{
    return m_config.cache
           && std::find(m_config.cache->routes.begin(), m_config.cache->routes.end(), route)
                  != m_config.cache->routes.end();
}

bool GatewayFilters::lookup(std::uint32_t instance,
                            RouteIndex route,
                            std::uint64_t key,
                            engine::SimTime now)
{
    return m_caches[instance]->lookup(cacheKey(route, key), now);
}

void GatewayFilters::store(std::uint32_t instance,
                           RouteIndex route,
                           std::uint64_t key,
                           engine::SimTime now)
{
    m_caches[instance]->store(cacheKey(route, key), now);
}

} // namespace meshsim::models
