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
    UpstreamPolicy p; // round robin: kube-proxy, DNS, a client library
    if (caller == CallerKind::Gateway)
        p.loadBalancer = system.gateway.loadBalancer;
    // Envoys: sidecars, the mesh ingress, and a gateway inside a mesh.
    p.meshProxy = targetKind == TierKind::App && system.hasMesh()
                  && (caller == CallerKind::App || caller == CallerKind::Ingress
                      || caller == CallerKind::Gateway);
    if (p.meshProxy) {
        if (caller != CallerKind::Gateway) {
            p.loadBalancer.policy = LoadBalancerPolicy::LeastRequest; // Istio >= 1.14
            if (targetMesh.loadBalancer)
                p.loadBalancer = *targetMesh.loadBalancer;
        }
        if (!p.loadBalancer.panicThresholdSet && targetMesh.outlierDetection)
            p.loadBalancer.panicThreshold = 0.0; // Istio: minHealthPercent 0 with outlier detection
        if (targetMesh.circuitBreaker)
            p.thresholds = *targetMesh.circuitBreaker;
        p.retries = targetMesh.retries ? &*targetMesh.retries : &istioDefaultRetries();
        if (targetMesh.outlierDetection)
            p.outlierDetection = &*targetMesh.outlierDetection;
        if (caller != CallerKind::Gateway) {
            p.timeout = targetMesh.timeout; // a gateway applies its route's timeout
            for (const FaultInjectionConfig& f : system.mesh.faults) {
                if (f.service == target)
                    p.fault = &f;
            }
        }
    } else if (caller == CallerKind::App && callerService) {
        // Library-level resilience of an application without a sidecar.
        const LibraryClientConfig& lib = callerService->client;
        if (lib.circuitBreaker)
            p.libraryBreaker = &*lib.circuitBreaker;
        if (lib.retries)
            p.retries = &*lib.retries;
        p.timeout = lib.timeout;
    }
    return p;
}

} // namespace meshsim::models
