#include "models/upstream_factory.h"

namespace meshsim::models {

const RetryConfig& istioDefaultRetries()
{
    static const RetryConfig kIstio = [] {
        RetryConfig r;
        r.attempts = 2;
        return r;
    }();
    return kIstio;
}

MeshPolicy resolveMeshPolicy(const MeshConfig& mesh, ServiceIndex service)
{
    MeshPolicy p = mesh.defaults;
    for (const DestinationPolicy& d : mesh.destinations) {
        if (d.service != service)
            continue;
        if (d.policy.loadBalancer)
            p.loadBalancer = d.policy.loadBalancer;
        if (d.policy.timeout)
            p.timeout = d.policy.timeout;
        if (d.policy.retries)
            p.retries = d.policy.retries;
        if (d.policy.circuitBreaker)
            p.circuitBreaker = d.policy.circuitBreaker;
        if (d.policy.outlierDetection)
            p.outlierDetection = d.policy.outlierDetection;
        if (d.policy.healthCheck)
            p.healthCheck = d.policy.healthCheck;
        if (d.policy.failureAccrual)
            p.failureAccrual = d.policy.failureAccrual;
    }
    return p;
}

UpstreamPolicy resolveUpstreamPolicy(const SystemConfig& system,
                                     CallerKind caller,
                                     const ServiceConfig* callerService,
                                     TierKind targetKind,
                                     ServiceIndex target,
                                     const MeshPolicy& targetMesh)
{
    UpstreamPolicy p;                         // round robin: kube-proxy, DNS, a client library
    p.connectTimeout = system.connectTimeout; // an application's own
    const GatewayConfig& gateway = system.gateway;
    if (caller == CallerKind::Gateway) {
        p.loadBalancer = gateway.loadBalancer;
        p.connectTimeout = gateway.connectTimeout;
        if (gateway.passiveHealth)
            p.failureAccrual = &*gateway.passiveHealth;
        if (gateway.circuitBreaker) { // an Envoy: connection pools and limits
            p.pooled = true;
            p.thresholds = *gateway.circuitBreaker;
        }
    }
    // The mesh's proxies: sidecars, the mesh ingress, a gateway inside the mesh, waypoints.
    p.meshProxy = targetKind == TierKind::App && system.hasMesh() && caller != CallerKind::Client;
    // Istio ambient: an application's calls pass two ztunnels, which do L4 only: mTLS
    // connections to a host picked at random (weighted random per connection in ztunnel), and
    // none of a DestinationRule's or VirtualService's L7 policy. Calls to a service with a
    // waypoint go to the waypoint the same way; the waypoint (an Envoy) applies that policy, as
    // the ingress (an Envoy gateway) does.
    const bool toWaypoint = targetKind == TierKind::Waypoint && caller == CallerKind::App;
    // HTTP/2 and gRPC keep one long-lived connection per caller: where an L4 balancer (kube-proxy,
    // a ztunnel) stands between an application and a service, every request of that caller goes
    // to the instance its connection was opened to.
    const ServiceConfig* targetService
        = targetKind == TierKind::App && target < system.services.size() ? &system.services[target]
                                                                         : nullptr;
    const bool appToMultiplexed
        = targetService && caller == CallerKind::App && targetService->protocol != Protocol::Http1;
    const auto perConnection = [&] {
        p.perConnection = true;
        p.maxConnectionAge = targetService->maxConnectionAge;
    };
    if ((p.meshProxy && system.mesh.kind == MeshKind::IstioAmbient && caller == CallerKind::App)
        || toWaypoint) {
        p.pooled = true;
        p.connectTimeout = system.mesh.connectTimeout;
        p.loadBalancer.policy = LoadBalancerPolicy::Random;
        if (appToMultiplexed && !toWaypoint)
            perConnection();
        return p;
    }
    const bool envoyMesh = system.mesh.kind != MeshKind::Linkerd; // Istio's Envoys
    if (p.meshProxy) {
        p.pooled = true;
        if (caller != CallerKind::Gateway) {
            p.connectTimeout = system.mesh.connectTimeout;
            // Istio >= 1.14: least request; Linkerd: P2C over peak-EWMA latency.
            p.loadBalancer.policy
                = envoyMesh ? LoadBalancerPolicy::LeastRequest : LoadBalancerPolicy::PeakEwma;
            if (targetMesh.loadBalancer)
                p.loadBalancer = *targetMesh.loadBalancer;
            if (targetMesh.circuitBreaker)
                p.thresholds = *targetMesh.circuitBreaker;
            else
                p.thresholds = {kUnlimited, kUnlimited, kUnlimited, kUnlimited};
        } else if (targetMesh.circuitBreaker) {
            p.thresholds = *targetMesh.circuitBreaker;
        }
        if (!p.loadBalancer.panicThresholdSet && targetMesh.outlierDetection)
            p.loadBalancer.panicThreshold = 0.0; // Istio: minHealthPercent 0 with outlier detection
        if (targetMesh.retries)
            p.retries = &*targetMesh.retries;
        else if (envoyMesh)
            p.retries = &istioDefaultRetries();
        // Linkerd retries only within its budget (and has no retry breaker); its balancer never
        // panics, and may shut endpoints by failure accrual.
        p.linkerdBudget = !envoyMesh && p.retries && caller != CallerKind::Gateway;
        if (!envoyMesh && caller != CallerKind::Gateway) {
            if (!p.loadBalancer.panicThresholdSet)
                p.loadBalancer.panicThreshold = 0.0;
            if (targetMesh.failureAccrual)
                p.failureAccrual = &*targetMesh.failureAccrual;
        }
        if (targetMesh.outlierDetection)
            p.outlierDetection = &*targetMesh.outlierDetection;
        if (caller != CallerKind::Gateway) {
            p.timeout = targetMesh.timeout; // a gateway applies its route's timeout
            for (const FaultInjectionConfig& f : system.mesh.faults) {
                if (f.service == target)
                    p.fault = &f;
            }
        }
        // Istio adds no previous_hosts predicate to retries with consistent hashing: a retry
        // hashes to the same host (pilot route/retry/retry.go).
        // Istio turns locality failover on for a destination with outlier detection
        // (cluster_traffic_policy.go): its sidecars and ingress keep calls in their own zone
        // while it is healthy enough.
        p.localityFailover = envoyMesh && caller != CallerKind::Gateway
                             && targetMesh.outlierDetection && p.loadBalancer.localityFailover
                             && !p.loadBalancer.zoneAware;
        const bool hashing = p.loadBalancer.policy == LoadBalancerPolicy::RingHash
                             || p.loadBalancer.policy == LoadBalancerPolicy::Maglev;
        p.previousHosts = !(envoyMesh && hashing);
    } else if (caller == CallerKind::App && callerService) {
        // Library-level resilience of an application without a sidecar.
        const LibraryClientConfig& lib = callerService->client;
        if (lib.circuitBreaker)
            p.libraryBreaker = &*lib.circuitBreaker;
        if (lib.retries)
            p.retries = &*lib.retries;
        p.timeout = lib.timeout;
        p.bulkhead = lib.bulkhead;
        if (lib.loadBalancer)
            p.loadBalancer = *lib.loadBalancer; // a library resolving the instances itself
        else if (appToMultiplexed)
            perConnection(); // through the service's ClusterIP
    }
    // The gateway product's own retries (Kong, NGINX) replace the mesh's.
    if (caller == CallerKind::Gateway && gateway.retries)
        p.retries = &*gateway.retries;
    // Envoy speaks HTTP/2 to a callee that does (the gateway's and the sidecars' pools).
    p.multiplexed = p.pooled && targetService && targetService->protocol != Protocol::Http1;
    return p;
}

} // namespace meshsim::models
