#pragma once

// Validated configuration of the API gateway: the product it stands for, replicas, workers, CPU,
// authentication, rate limiting, the response cache, protocol translation, its load balancer and
// the resilience of its calls to the services. The member defaults are Envoy's (an Envoy Gateway);
// gatewayDefaults() gives every product's (docs/mechanisms/products.md).
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

// The product a gateway stands for: Envoy (Envoy Gateway, an Istio ingress gateway), Kong
// (OpenResty), NGINX.
enum class GatewayKind { Envoy, Kong, Nginx };

struct GatewayConfig
{
    bool present = false;
    GatewayKind kind = GatewayKind::Envoy;
    std::uint32_t replicas = 1;
    std::uint32_t workers = 4; // threads of an event-driven proxy (nginx workers, Envoy threads)
    std::uint32_t queue = 1024;
    Distribution cpu = Distribution::constant(200'000); // Envoy Gateway's benchmark
    std::optional<AuthConfig> auth;
    std::optional<RateLimitConfig> rateLimit;
    std::optional<CacheConfig> cache;
    std::optional<SimDuration> translationCpu;
    LoadBalancerConfig loadBalancer;
    PlacementConstraint placement;
    // The gateway's calls to the services. A route's own timeout and retries replace these.
    std::optional<SimDuration> timeout{SimDuration{15'000'000'000}}; // Envoy's route timeout
    std::optional<RetryConfig> retries;                              // Envoy: none
    // Envoy's connection pools and circuit-breaker thresholds; none: plain connections without
    // limits (OpenResty's upstream keepalive).
    std::optional<CircuitBreakerThresholds> circuitBreaker{CircuitBreakerThresholds{}};
    SimDuration connectTimeout{10'000'000'000}; // Envoy Gateway's (Envoy's own: 5 s)
    // NGINX's passive health checks (max_fails, fail_timeout): Style::Nginx. Envoy, Kong: none.
    std::optional<FailureAccrualConfig> passiveHealth;
};

// The defaults of a product's gateway: the member defaults with its own timeouts, retries,
// limits, rate limiter and CPU cost (docs/mechanisms/products.md cites each).
GatewayConfig gatewayDefaults(GatewayKind kind);

} // namespace meshsim::models
