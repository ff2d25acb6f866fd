#pragma once

// Validated configuration of the service mesh: sidecars, the ingress, destination policies,
// authorization and fault injection.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/platform.h"
#include "models/config/policy.h"

#include <optional>
#include <string>
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
    std::optional<FailureAccrualConfig> failureAccrual; // Linkerd only
};

struct DestinationPolicy
{
    ServiceIndex service = 0;
    MeshPolicy policy;
};

struct SidecarConfig
{
    // Per request and per proxy a request passes; defaults calibrated to Istio's newest
    // published figures (reference/semantics.md §6.1, 1.24: 0.20 vCPU per 1000 rps per proxy,
    // 185 us + 15 us of mTLS records): exponential CPU of mean 185 us, plus 750 us of latency.
    // Other releases and products: meshDefaults().
    Distribution cpu = Distribution::exponential(185'000);
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
    // Its cost per request when it is not the sidecars' (ambient: an Envoy, not a ztunnel).
    std::optional<Distribution> cpu;
    std::optional<SimDuration> latency;
};

// A waypoint proxy of Istio's ambient mode: a Deployment of Envoys that the ztunnels send every
// call to its services through (istio.io/use-waypoint on a service, or on the namespace: every
// service). It applies the mesh's L7 policy to those calls, as a caller's sidecar would.
struct WaypointConfig
{
    std::string name = "waypoint";
    std::vector<ServiceIndex> services; // the services whose incoming calls it takes
    std::uint32_t replicas = 1;         // the generated Deployment's
    std::uint32_t workers = 2;          // Envoy --concurrency: the template's 2-CPU limit
    PlacementConstraint placement;
    // 0.25 vCPU per 1000 requests/s with its mTLS (Istio 1.24): 235 us + 15 us of mTLS records.
    Distribution cpu = Distribution::exponential(235'000);
    SimDuration latency{750'000}; // not published: one Envoy traversal, as a sidecar's
};

// The product a mesh stands for: Istio with Envoy sidecars; Istio's ambient mode, a ztunnel per
// node doing L4 and mTLS, with optional waypoint proxies for L7; Linkerd with linkerd2-proxy
// sidecars.
enum class MeshKind { Istio, IstioAmbient, Linkerd };

struct MeshConfig
{
    bool present = false;
    MeshKind kind = MeshKind::Istio;
    std::string version; // the calibration of a release ("1.13"); empty: the newest
    SidecarConfig sidecar;
    IngressConfig ingress;
    MeshPolicy defaults;
    std::vector<DestinationPolicy> destinations;
    std::vector<AuthorizationRule> authorization;
    std::vector<FaultInjectionConfig> faults;
    std::vector<WaypointConfig> waypoints;      // istio-ambient only; a service in one at most
    SimDuration connectTimeout{10'000'000'000}; // Istio's DestinationRule tcp.connectTimeout
};

// The defaults of a product's mesh at a release (`version`, empty: the newest calibration):
// proxy costs, connect timeout. Throws std::invalid_argument for a version older than every
// published calibration. docs/mechanisms/products.md cites each value.
MeshConfig meshDefaults(MeshKind kind, const std::string& version);

} // namespace meshsim::models
