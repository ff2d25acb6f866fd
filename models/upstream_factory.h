#pragma once

// Which mechanisms stand between a caller and a callee tier, in each architecture: a pure
// resolution of the scenario's configuration, without a platform (reference/semantics.md §8,
// docs/mechanisms/architectures.md).
//
// * A caller that is a mesh proxy (a sidecar, the mesh ingress, a gateway inside a mesh) calling
//   a service of the mesh gets the destination's mesh policy: the mesh product's defaults
//   (Istio: least request, 2 retries; Linkerd: peak EWMA, no retries, a retry budget; Istio
//   ambient: L4 ztunnels, random hosts, none of it), circuit-breaker
//   thresholds, outlier detection, connection pools with mTLS, fault injection (not for the
//   gateway, which applies its routes' retries and timeouts, else its product's).
// * A gateway calls with its product's defaults (docs/mechanisms/products.md): Envoy's pools,
//   limits and Envoy Gateway's 10 s connect timeout; Kong's and NGINX's retries on the next
//   server.
// * An application without a sidecar uses its resilience library (`client`): a library circuit
//   breaker, retries and a timeout.
// * Everything else balances round robin (kube-proxy, DNS, a plain client), the gateway with
//   its own load balancer.

#include "models/config.h"
#include "models/internal/records.h"

#include <optional>

namespace meshsim::models {

struct UpstreamPolicy
{
    LoadBalancerConfig loadBalancer;
    bool meshProxy = false;    // the caller side is one of the mesh's proxies: the mesh's policy
    bool pooled = false;       // Envoy-style connection pools and circuit-breaker limits
    bool previousHosts = true; // retries avoid the hosts already tried
    bool localityFailover = false; // Istio: the caller's zone first, then the other zones
    bool linkerdBudget = false;    // retries limited by Linkerd's rate-based budget
    SimDuration connectTimeout{5'000'000'000};
    CircuitBreakerThresholds thresholds{kUnlimited, kUnlimited, kUnlimited, kUnlimited};
    const RetryConfig* retries = nullptr;
    std::optional<SimDuration> timeout;
    const OutlierDetectionConfig* outlierDetection = nullptr;
    const FailureAccrualConfig* failureAccrual = nullptr; // Linkerd
    const LibraryCircuitBreakerConfig* libraryBreaker = nullptr;
    std::optional<std::uint32_t> bulkhead; // a library's: tries in flight at once
    const FaultInjectionConfig* fault = nullptr;
    // Balanced per connection (kube-proxy, ztunnel): the caller's requests go over one
    // long-lived connection to one instance (ClientChannel), with the callee's connection age.
    bool perConnection = false;
    std::optional<SimDuration> maxConnectionAge;
    // An Envoy's pool to an HTTP/2 or gRPC callee: one connection per host, tries as streams.
    bool multiplexed = false;
};

// A destination's mesh policy: the defaults, replaced block by block by the destination's own
// (a DestinationRule's traffic policy).
MeshPolicy resolveMeshPolicy(const MeshConfig& mesh, ServiceIndex service);

// `callerService`: the caller's own service config, for an application (its library client);
// `targetMesh`: the target's resolved mesh policy. Pointers in the result point into the
// arguments (or to Istio's default retry policy) and live as long as they do.
UpstreamPolicy resolveUpstreamPolicy(const SystemConfig& system,
                                     CallerKind caller,
                                     const ServiceConfig* callerService,
                                     TierKind targetKind,
                                     ServiceIndex target,
                                     const MeshPolicy& targetMesh);

// Istio's retry policy when a VirtualService sets none (reference/semantics.md §3.3).
const RetryConfig& istioDefaultRetries();

} // namespace meshsim::models
