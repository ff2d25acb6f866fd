#pragma once

// GatewayFilters: what the API gateway does to a request before it routes it, in Kong's plugin
// order — authentication, rate limiting, then the response cache (docs/mechanisms/gateway.md).
// The gateway's instances are served by the InstanceServer like any tier; this class holds the
// gateway's own state: a rate limiter per instance (Kong `policy: local`, Envoy's local rate
// limit) or one for all (`scope: global`), and a response cache per instance. Not thread-safe.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/outcome.h"
#include "models/rate_limiter.h"
#include "models/response_cache.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace meshsim::models {

class GatewayFilters
{
public:
    GatewayFilters(const GatewayConfig& config, std::uint32_t replicas);

    // A request's CPU work with the filters' own (authentication, protocol translation).
    double withFilterCpu(double work) const;

    struct Admission
    {
        Outcome outcome = Outcome::Ok; // Unauthorized or RateLimited: answered at once
        SimDuration delay{0};          // admitted after this wait (nginx limit_req)
    };
    // Authentication (a share of requests is rejected) and rate limiting, keyed as configured.
    Admission admit(std::uint32_t instance,
                    engine::RandomStream& random,
                    std::uint32_t clientId,
                    RouteIndex route,
                    engine::SimTime now);

    // Whether responses of `route` are cached.
    bool caches(RouteIndex route) const;
    bool lookup(std::uint32_t instance, RouteIndex route, std::uint64_t key, engine::SimTime now);
    void store(std::uint32_t instance, RouteIndex route, std::uint64_t key, engine::SimTime now);

private:
    static std::uint64_t cacheKey(RouteIndex route, std::uint64_t key)
    {
        return (std::uint64_t{route} << 40) ^ key;
    }

    const GatewayConfig& m_config;
    std::unique_ptr<RateLimiter> m_globalLimiter;
    std::vector<std::unique_ptr<RateLimiter>> m_limiters; // per instance
    std::vector<std::unique_ptr<ResponseCache>> m_caches; // per instance
};

} // namespace meshsim::models
