#pragma once

// Validated configuration of the service mesh: sidecars, the ingress, destination policies,
// authorization and fault injection.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/platform.h"
#include "models/config/policy.h"

#include <optional>
#include <vector>

namespace meshsim::models {

struct FaultInjectionConfig
{
    ServiceIndex service = 0;
    double delayFraction = 0.0;
    SimDuration delay{0};
    double abortFraction = 0.0;
    std::uint32_t abortStatus = 503;
};

struct AuthorizationRule
{
    ServiceIndex to = 0;
    std::vector<ServiceIndex> allowFrom; // empty = no ALLOW policy
    std::vector<ServiceIndex> denyFrom;
};

struct MeshPolicy
{
    std::optional<LoadBalancerConfig> loadBalancer;
    std::optional<SimDuration> timeout;
    std::optional<RetryConfig> retries;
    std::optional<CircuitBreakerThresholds> circuitBreaker;
    std::optional<OutlierDetectionConfig> outlierDetection;
    std::optional<HealthCheckConfig> healthCheck;
};

struct DestinationPolicy
{
    ServiceIndex service = 0;
    MeshPolicy policy;
};

struct SidecarConfig
{
    // Per request and per proxy a request passes; defaults calibrated to Istio's published
    // figures (reference/semantics.md §6.1: 0.35 vCPU per 1000 rps per proxy, +2.65 ms at p90
    // for the two proxies of a call): exponential CPU of mean 350 us, plus 750 us of latency.
    Distribution cpu = Distribution::exponential(350'000);
    SimDuration latency{750'000};
    bool mtls = true;
    SimDuration mtlsHandshakeCpu{600'000};
    SimDuration mtlsRequestCpu{15'000};
};

// The mesh's ingress proxy (architecture mesh): L7 routing only, an Envoy like the sidecars.
struct IngressConfig
{
    std::uint32_t replicas = 2;
    std::uint32_t workers = 4; // Envoy worker threads (--concurrency)
    PlacementConstraint placement;
};

struct MeshConfig
{
    bool present = false;
    SidecarConfig sidecar;
    IngressConfig ingress;
    MeshPolicy defaults;
    std::vector<DestinationPolicy> destinations;
    std::vector<AuthorizationRule> authorization;
    std::vector<FaultInjectionConfig> faults;
};

} // namespace meshsim::models
