#pragma once

// Validated configuration of the resilience policies that several sections share: retries,
// load balancing, circuit-breaker thresholds, outlier detection, active health checks and
// library circuit breakers. Semantics and defaults: reference/semantics.md, docs/mechanisms/.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/common.h"

#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

// Library-level resilience inside an application (Hystrix / resilience4j style), used where no
// sidecar does the job (architectures direct and gateway).
struct LibraryCircuitBreakerConfig
{
    enum class Kind { Resilience4j, Hystrix };
    Kind kind = Kind::Resilience4j;
    double failureRateThreshold = 0.5;
    std::uint32_t slidingWindow = 100;
    std::uint32_t minimumCalls = 100;
    SimDuration waitInOpen{60'000'000'000};
    std::uint32_t halfOpenCalls = 10;
};

struct RetryConfig
{
    std::uint32_t attempts = 1; // retries after the first try
    std::optional<SimDuration> perTryTimeout;
    std::vector<std::string> retryOn{
        "connect-failure", "refused-stream", "unavailable", "cancelled"};
    SimDuration backoffBase{25'000'000};
    SimDuration backoffMax{250'000'000};
    std::optional<double> budgetPercent; // retry budget replaces max_retries when set
    std::uint32_t budgetMinConcurrency = 3;
    bool hedgeOnPerTryTimeout = false; // Envoy hedge_on_per_try_timeout
    // nginx's proxy_next_upstream_tries 0: no more tries than the upstream has servers.
    bool oncePerHost = false;
    // resilience4j's Retry: the same wait (backoffBase) before every retry, and every failure
    // retried, a refusal of the library's own breaker or bulkhead included.
    bool fixedBackoff = false;
    bool retryAll = false;
    // nginx's proxy_next_upstream without `non_idempotent` (Kong's and NGINX's default): a
    // POST, LOCK or PATCH request that reached a server is never passed to the next one; only
    // a failed connection is retried.
    bool nonIdempotentOnceSent = false;
};

enum class LoadBalancerPolicy { RoundRobin, LeastRequest, Random, RingHash, Maglev, PeakEwma };

struct LoadBalancerConfig
{
    LoadBalancerPolicy policy = LoadBalancerPolicy::RoundRobin;
    std::uint32_t choiceCount = 2;
    double activeRequestBias = 1.0;
    double panicThreshold = 0.5;    // Envoy's default; see panicThresholdSet
    bool panicThresholdSet = false; // unset: 0 when outlier detection is on (Istio), else 0.5
    bool zoneAware = false;
    // Istio's locality failover (localityLbSetting, on when outlier detection is): each zone a
    // priority of its own, the caller's first. Mesh destinations only.
    bool localityFailover = true;
};

struct CircuitBreakerThresholds
{
    std::uint32_t maxConnections = 1024;
    std::uint32_t maxPendingRequests = 1024;
    std::uint32_t maxRequests = 1024;
    std::uint32_t maxRetries = 3;
};

struct OutlierDetectionConfig
{
    std::uint32_t consecutive5xx = 5;
    std::uint32_t consecutiveGatewayFailure = 5;
    double enforcingConsecutiveGatewayFailure = 0.0;
    SimDuration interval{10'000'000'000};
    SimDuration baseEjectionTime{30'000'000'000};
    SimDuration maxEjectionTime{300'000'000'000};
    double maxEjectionPercent = 0.10;
    std::uint32_t successRateMinimumHosts = 5;
    std::uint32_t successRateRequestVolume = 100;
    double successRateStdevFactor = 1.9;
    double enforcingSuccessRate = 0.0; // Istio sets 0 (Envoy's own default is 100%)
    double failurePercentageThreshold = 0.85;
    std::uint32_t failurePercentageMinimumHosts = 5;
    std::uint32_t failurePercentageRequestVolume = 50;
    double enforcingFailurePercentage = 0.0;
    bool successfulActiveHealthCheckUnejectHost = true; // a passing health check ends an ejection
    bool alwaysEjectOneHost = false; // one host may be ejected whatever max_ejection_percent says
};

// Linkerd's failure accrual (balancer.linkerd.io/failure-accrual: consecutive): after
// `consecutiveFailures` failed responses in a row an endpoint is unavailable for a penalty,
// min_penalty x 2^k capped at max_penalty, plus up to `jitter` of it at random; then it takes one
// request (probation): a success makes it available again, a failure shuts it for the next penalty.
// NGINX's passive health checks (max_fails, fail_timeout) are the same machine in another style.
struct FailureAccrualConfig
{
    enum class Style : std::uint8_t {
        Linkerd, // failures: 5xx, connection failures, timeouts; probation admits one request
        Nginx,   // failures: connection errors and timeouts ("error timeout"); after the penalty
                 // every request may go; an upstream of one server never fails
    };
    Style style = Style::Linkerd;
    std::uint32_t consecutiveFailures = 7;
    SimDuration minPenalty{1'000'000'000};
    SimDuration maxPenalty{60'000'000'000};
    double jitter = 0.5;
};

// Envoy active health checking (reference/semantics.md §7.2): every `interval` each host is
// probed; a probe that gets no answer within `timeout` fails; `unhealthyThreshold` failures mark
// it unhealthy, `healthyThreshold` successes healthy again; the first result sets it at once.
struct HealthCheckConfig
{
    SimDuration interval{5'000'000'000};
    SimDuration timeout{1'000'000'000};
    std::uint32_t unhealthyThreshold = 3;
    std::uint32_t healthyThreshold = 1;
};

} // namespace meshsim::models
