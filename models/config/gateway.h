#pragma once

// Validated configuration of the API gateway: replicas, workers, CPU, authentication, rate
// limiting, the response cache, protocol translation and its load balancer.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/platform.h"
#include "models/config/policy.h"

#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

enum class RateLimitAlgorithm { TokenBucket, LeakyBucket, FixedWindow, SlidingWindow };

enum class RateLimitKey { Global, Client, Route };

enum class RateLimitScope { Instance, Global };

struct RateLimitConfig
{
    RateLimitAlgorithm algorithm = RateLimitAlgorithm::TokenBucket;
    RateLimitScope scope = RateLimitScope::Instance; // Kong `policy: local`, Envoy local RL
    double ratePerSecond = 0.0;
    std::uint32_t burst = 0;
    RateLimitKey key = RateLimitKey::Global;
    bool nodelay = false;              // nginx limit_req
    bool disablePenalty = false;       // sliding window: do not count rejected requests (Kong)
    SimDuration window{1'000'000'000}; // fixed / sliding windows
};

struct AuthConfig
{
    std::string kind = "jwt";
    SimDuration cpu{50'000};
    double rejectFraction = 0.0;
};

struct CacheConfig
{
    std::vector<RouteIndex> routes;
    SimDuration ttl{30'000'000'000};
    std::uint32_t capacity = 10'000;
};

struct GatewayConfig
{
    bool present = false;
    std::uint32_t replicas = 1;
    std::uint32_t workers = 4; // threads of an event-driven proxy (nginx workers, Envoy threads)
    std::uint32_t queue = 1024;
    Distribution cpu = Distribution::constant(150'000);
    std::optional<AuthConfig> auth;
    std::optional<RateLimitConfig> rateLimit;
    std::optional<CacheConfig> cache;
    std::optional<SimDuration> translationCpu;
    LoadBalancerConfig loadBalancer;
    PlacementConstraint placement;
};

} // namespace meshsim::models
