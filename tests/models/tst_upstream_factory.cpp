// resolveMeshPolicy and resolveUpstreamPolicy: which mechanisms stand between a caller and a
// callee in each architecture, and their defaults (reference/semantics.md §8, §2.1, §2.2, §3.3;
// docs/mechanisms/architectures.md), from configs built in C++.

#include "models/config.h"
#include "models/internal/records.h"
#include "models/upstream_factory.h"

#include <QTest>

#include <cstdint>
#include <string>
#include <vector>

using meshsim::models::Architecture;
using meshsim::models::CallerKind;
using meshsim::models::CircuitBreakerThresholds;
using meshsim::models::DestinationPolicy;
using meshsim::models::FaultInjectionConfig;
using meshsim::models::istioDefaultRetries;
using meshsim::models::kUnlimited;
using meshsim::models::LibraryCircuitBreakerConfig;
using meshsim::models::LoadBalancerConfig;
using meshsim::models::LoadBalancerPolicy;
using meshsim::models::MeshConfig;
using meshsim::models::MeshPolicy;
using meshsim::models::OutlierDetectionConfig;
using meshsim::models::resolveMeshPolicy;
using meshsim::models::resolveUpstreamPolicy;
using meshsim::models::RetryConfig;
using meshsim::models::ServiceConfig;
using meshsim::models::SimDuration;
using meshsim::models::SystemConfig;
using meshsim::models::TierKind;
using meshsim::models::UpstreamPolicy;

namespace {

constexpr std::int64_t kMs = 1'000'000;

SystemConfig systemOf(Architecture architecture)
{
    SystemConfig s;
    s.architecture = architecture;
    return s;
}

// An application's resilience library: retries, a timeout and a resilience4j breaker.
ServiceConfig withLibraryClient()
{
    ServiceConfig s;
    s.name = "frontend";
    RetryConfig r;
    r.attempts = 3;
    s.client.retries = r;
    s.client.timeout = SimDuration{3000 * kMs};
    s.client.circuitBreaker = LibraryCircuitBreakerConfig{};
    return s;
}

// No sidecar on either side, and no limits: what Istio's MaxUint32 thresholds also mean.
bool unlimited(const CircuitBreakerThresholds& t)
{
    return t.maxConnections == kUnlimited && t.maxPendingRequests == kUnlimited
           && t.maxRequests == kUnlimited && t.maxRetries == kUnlimited;
}

// Round robin, no mechanism at all: kube-proxy, DNS, a plain client.
void verifyPlain(const UpstreamPolicy& p)
{
    QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::RoundRobin);
    QVERIFY(!p.meshProxy);
    QVERIFY(unlimited(p.thresholds));
    QVERIFY(p.retries == nullptr);
    QVERIFY(!p.timeout);
    QVERIFY(p.outlierDetection == nullptr);
    QVERIFY(p.libraryBreaker == nullptr);
    QVERIFY(p.fault == nullptr);
}

} // namespace

class TestUpstreamFactory : public QObject
{
    Q_OBJECT

private slots:
    void grpcIsBalancedPerConnectionWhereOnlyL4Stands()
    {
        // A gRPC (or HTTP/2) callee: an application calling it through kube-proxy (no sidecar)
        // or Istio ambient's ztunnels keeps one connection, pinned; a sidecar, the gateway, a
        // library resolving the instances, or HTTP/1.1 balance per request.
        const auto resolve = [](Architecture a,
                                meshsim::models::MeshKind kind,
                                meshsim::models::Protocol protocol,
                                CallerKind caller,
                                bool library) {
            SystemConfig system = systemOf(a);
            system.mesh = meshsim::models::meshDefaults(kind, "");
            ServiceConfig callee;
            callee.protocol = protocol;
            callee.maxConnectionAge = SimDuration{30'000 * kMs};
            ServiceConfig callerService;
            if (library)
                callerService.client.loadBalancer = LoadBalancerConfig{};
            system.services = {callerService, callee};
            return resolveUpstreamPolicy(system, caller, &system.services[0], TierKind::App, 1, {});
        };
        using meshsim::models::MeshKind;
        using meshsim::models::Protocol;
        const auto direct = resolve(
            Architecture::Direct, MeshKind::Istio, Protocol::Grpc, CallerKind::App, false);
        QVERIFY(direct.perConnection);
        QCOMPARE(direct.maxConnectionAge, std::optional<SimDuration>(SimDuration{30'000 * kMs}));
        QVERIFY(
            resolve(Architecture::Gateway, MeshKind::Istio, Protocol::Http2, CallerKind::App, false)
                .perConnection);
        QVERIFY(
            resolve(
                Architecture::Mesh, MeshKind::IstioAmbient, Protocol::Grpc, CallerKind::App, false)
                .perConnection);
        QVERIFY(
            !resolve(Architecture::Mesh, MeshKind::Istio, Protocol::Grpc, CallerKind::App, false)
                 .perConnection);
        // The sidecars' Envoys speak HTTP/2 to a gRPC callee: one multiplexed pool per host; an
        // HTTP/1.1 callee keeps a connection per request in flight, as do ambient's ztunnels
        // for the application's connections.
        QVERIFY(resolve(Architecture::Mesh, MeshKind::Istio, Protocol::Grpc, CallerKind::App, false)
                    .multiplexed);
        QVERIFY(resolve(Architecture::GatewayMesh,
                        MeshKind::Istio,
                        Protocol::Http2,
                        CallerKind::Gateway,
                        false)
                    .multiplexed);
        QVERIFY(
            !resolve(Architecture::Mesh, MeshKind::Istio, Protocol::Http1, CallerKind::App, false)
                 .multiplexed);
        QVERIFY(
            !resolve(
                 Architecture::Mesh, MeshKind::IstioAmbient, Protocol::Grpc, CallerKind::App, false)
                 .multiplexed);
        QVERIFY(
            !resolve(Architecture::Direct, MeshKind::Istio, Protocol::Grpc, CallerKind::App, false)
                 .multiplexed);
        QVERIFY(
            !resolve(Architecture::Mesh, MeshKind::Linkerd, Protocol::Grpc, CallerKind::App, false)
                 .perConnection);
        QVERIFY(
            !resolve(
                 Architecture::Gateway, MeshKind::Istio, Protocol::Grpc, CallerKind::Gateway, false)
                 .perConnection);
        QVERIFY(
            !resolve(Architecture::Direct, MeshKind::Istio, Protocol::Grpc, CallerKind::App, true)
                 .perConnection);
        QVERIFY(
            !resolve(Architecture::Direct, MeshKind::Istio, Protocol::Http1, CallerKind::App, false)
                 .perConnection);
    }

    void istioDefaultRetryPolicy()
    {
        // §3.3: attempts 2, retryOn connect-failure,refused-stream,unavailable,cancelled (current
        // code, no retriable 503), perTryTimeout = the route timeout (disabled), Envoy's backoff
        // (§3.1: base 25 ms, max 10 x base).
        const RetryConfig& r = istioDefaultRetries();
        QCOMPARE(r.attempts, 2U);
        QCOMPARE(r.retryOn,
                 (std::vector<std::string>{
                     "connect-failure", "refused-stream", "unavailable", "cancelled"}));
        QVERIFY(!r.perTryTimeout);
        QCOMPARE(r.backoffBase.count(), 25 * kMs);
        QCOMPARE(r.backoffMax.count(), 250 * kMs);
        QVERIFY(!r.budgetPercent);
    }

    void meshPolicyIsTheDefaultsReplacedBlockByBlock()
    {
        // A destination's own blocks replace the mesh defaults' blocks whole (a DestinationRule's
        // traffic policy); blocks it does not set keep the defaults.
        MeshConfig mesh;
        mesh.defaults.timeout = SimDuration{2000 * kMs};
        RetryConfig defaultRetries;
        defaultRetries.attempts = 5;
        mesh.defaults.retries = defaultRetries;
        CircuitBreakerThresholds defaultLimits;
        defaultLimits.maxConnections = 10;
        defaultLimits.maxRetries = 7;
        mesh.defaults.circuitBreaker = defaultLimits;
        DestinationPolicy d;
        d.service = 1;
        LoadBalancerConfig random;
        random.policy = LoadBalancerPolicy::Random;
        d.policy.loadBalancer = random;
        RetryConfig own;
        own.attempts = 3;
        d.policy.retries = own;
        CircuitBreakerThresholds ownLimits;
        ownLimits.maxConnections = 20; // maxRetries stays at its default 3, not the mesh's 7
        d.policy.circuitBreaker = ownLimits;
        mesh.destinations.push_back(d);

        const MeshPolicy one = resolveMeshPolicy(mesh, 1);
        QVERIFY(one.loadBalancer && one.loadBalancer->policy == LoadBalancerPolicy::Random);
        QCOMPARE(one.retries->attempts, 3U);
        QCOMPARE(one.circuitBreaker->maxConnections, 20U);
        QCOMPARE(one.circuitBreaker->maxRetries, 3U);
        QCOMPARE(one.timeout->count(), 2000 * kMs);
        QVERIFY(!one.outlierDetection);

        const MeshPolicy zero = resolveMeshPolicy(mesh, 0);
        QVERIFY(!zero.loadBalancer);
        QCOMPARE(zero.retries->attempts, 5U);
        QCOMPARE(zero.circuitBreaker->maxConnections, 10U);
        QCOMPARE(zero.circuitBreaker->maxRetries, 7U);
        QCOMPARE(zero.timeout->count(), 2000 * kMs);
    }

    void directArchitectureBalancesRoundRobin()
    {
        // Without a mesh nothing stands between a client, or an application without a
        // resilience library, and a service but kube-proxy's round robin.
        const SystemConfig system = systemOf(Architecture::Direct);
        const MeshPolicy none;
        verifyPlain(
            resolveUpstreamPolicy(system, CallerKind::Client, nullptr, TierKind::App, 0, none));
        const ServiceConfig bare;
        verifyPlain(resolveUpstreamPolicy(system, CallerKind::App, &bare, TierKind::App, 0, none));
    }

    void applicationWithoutSidecarUsesItsLibrary()
    {
        const SystemConfig system = systemOf(Architecture::Gateway);
        const ServiceConfig caller = withLibraryClient();
        const UpstreamPolicy p = resolveUpstreamPolicy(
            system, CallerKind::App, &caller, TierKind::App, 0, MeshPolicy{});
        QVERIFY(!p.meshProxy);
        QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::RoundRobin);
        QVERIFY(p.retries == &*caller.client.retries);
        QVERIFY(p.libraryBreaker == &*caller.client.circuitBreaker);
        QCOMPARE(p.timeout->count(), 3000 * kMs);
        QVERIFY(unlimited(p.thresholds));
        QVERIFY(p.outlierDetection == nullptr);
    }

    void gatewayWithoutMeshUsesItsProductsDefaults()
    {
        // An Envoy gateway (the default kind) balances with its own policy, has Envoy's pools
        // and 1024-request thresholds (3 retries), Envoy Gateway's 10 s connect timeout and no
        // retries; its route timeout (15 s) is the gateway's job timer, not the upstream's.
        SystemConfig system = systemOf(Architecture::Gateway);
        system.gateway.loadBalancer.policy = LoadBalancerPolicy::LeastRequest;
        const UpstreamPolicy p = resolveUpstreamPolicy(
            system, CallerKind::Gateway, nullptr, TierKind::App, 0, MeshPolicy{});
        QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::LeastRequest);
        QVERIFY(!p.meshProxy);
        QVERIFY(p.pooled);
        QVERIFY(p.retries == nullptr);
        QVERIFY(!p.timeout);
        QCOMPARE(p.thresholds.maxConnections, 1024U);
        QCOMPARE(p.thresholds.maxPendingRequests, 1024U);
        QCOMPARE(p.thresholds.maxRequests, 1024U);
        QCOMPARE(p.thresholds.maxRetries, 3U);
        QCOMPARE(p.connectTimeout.count(), std::int64_t{10'000'000'000});

        // Kong: no pools or limits, 5 retries on the next server for connection errors and
        // timeouts (nginx's "error timeout"), 60 s per try and to connect.
        system.gateway = meshsim::models::gatewayDefaults(meshsim::models::GatewayKind::Kong);
        const UpstreamPolicy k = resolveUpstreamPolicy(
            system, CallerKind::Gateway, nullptr, TierKind::App, 0, MeshPolicy{});
        QVERIFY(!k.pooled);
        QVERIFY(unlimited(k.thresholds));
        QVERIFY(k.retries == &*system.gateway.retries);
        QCOMPARE(k.retries->attempts, 5U);
        QCOMPARE(k.retries->retryOn, (std::vector<std::string>{"reset", "connect-failure"}));
        QCOMPARE(k.retries->perTryTimeout->count(), std::int64_t{60'000'000'000});
        QCOMPARE(k.connectTimeout.count(), std::int64_t{60'000'000'000});
    }

    void linkerdSidecarsBalanceByPeakEwmaWithoutRetries()
    {
        // Linkerd: P2C over peak EWMA, no retries and no limits unless configured, a 1 s connect
        // timeout; Istio's consistent-hash retries stay on their host (no previous_hosts).
        SystemConfig system = systemOf(Architecture::Mesh);
        system.mesh = meshsim::models::meshDefaults(meshsim::models::MeshKind::Linkerd, "");
        system.mesh.present = true;
        const UpstreamPolicy p = resolveUpstreamPolicy(
            system, CallerKind::App, nullptr, TierKind::App, 0, MeshPolicy{});
        QVERIFY(p.meshProxy && p.pooled);
        QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::PeakEwma);
        QVERIFY(p.retries == nullptr);
        QVERIFY(unlimited(p.thresholds));
        QCOMPARE(p.connectTimeout.count(), std::int64_t{1'000'000'000});
        QVERIFY(p.previousHosts);
        // Its balancer never panics; failure accrual only where the policy asks for it.
        QCOMPARE(p.loadBalancer.panicThreshold, 0.0);
        QVERIFY(p.failureAccrual == nullptr);
        MeshPolicy accruing;
        accruing.failureAccrual = meshsim::models::FailureAccrualConfig{};
        const UpstreamPolicy fa
            = resolveUpstreamPolicy(system, CallerKind::App, nullptr, TierKind::App, 0, accruing);
        QVERIFY(fa.failureAccrual == &*accruing.failureAccrual);

        SystemConfig istio = systemOf(Architecture::Mesh);
        MeshPolicy hashing;
        LoadBalancerConfig ring;
        ring.policy = LoadBalancerPolicy::RingHash;
        hashing.loadBalancer = ring;
        const UpstreamPolicy h
            = resolveUpstreamPolicy(istio, CallerKind::App, nullptr, TierKind::App, 0, hashing);
        QVERIFY(!h.previousHosts);
        QCOMPARE(h.connectTimeout.count(), std::int64_t{10'000'000'000});
    }

    void sidecarGetsIstioDefaults()
    {
        // A sidecar calling a mesh service, nothing configured: least request (Istio >= 1.14,
        // §8) with 2 choices; Istio's default retries (§3.3); no route timeout (Istio disables
        // it, §3.3); circuit-breaker thresholds MaxUint32 (§2.1, §3.3); the panic threshold at
        // Envoy's 50% (§1.0) since there is no outlier detection. The application's own
        // library is not used: the sidecar does the job.
        const SystemConfig system = systemOf(Architecture::Mesh);
        const ServiceConfig caller = withLibraryClient();
        const UpstreamPolicy p = resolveUpstreamPolicy(
            system, CallerKind::App, &caller, TierKind::App, 0, MeshPolicy{});
        QVERIFY(p.meshProxy);
        QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::LeastRequest);
        QCOMPARE(p.loadBalancer.choiceCount, 2U);
        QCOMPARE(p.loadBalancer.panicThreshold, 0.5);
        QVERIFY(p.retries == &istioDefaultRetries());
        QVERIFY(!p.timeout);
        QVERIFY(unlimited(p.thresholds));
        QVERIFY(p.outlierDetection == nullptr);
        QVERIFY(p.libraryBreaker == nullptr);
        QVERIFY(p.fault == nullptr);
    }

    void outlierDetectionDisablesPanic()
    {
        // §2.2: with outlierDetection Istio sets minHealthPercent 0 -> healthy_panic_threshold
        // 0 (panic off), unless the destination sets its own threshold.
        const SystemConfig system = systemOf(Architecture::Mesh);
        MeshPolicy target;
        target.outlierDetection = OutlierDetectionConfig{};
        UpstreamPolicy p
            = resolveUpstreamPolicy(system, CallerKind::App, nullptr, TierKind::App, 0, target);
        QCOMPARE(p.loadBalancer.panicThreshold, 0.0);
        QVERIFY(p.outlierDetection == &*target.outlierDetection);

        LoadBalancerConfig ring;
        ring.policy = LoadBalancerPolicy::RingHash;
        ring.panicThreshold = 0.3;
        ring.panicThresholdSet = true;
        target.loadBalancer = ring;
        p = resolveUpstreamPolicy(system, CallerKind::App, nullptr, TierKind::App, 0, target);
        QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::RingHash);
        QCOMPARE(p.loadBalancer.panicThreshold, 0.3);
    }

    void destinationPolicyReachesTheSidecar()
    {
        const SystemConfig system = systemOf(Architecture::Mesh);
        MeshPolicy target;
        CircuitBreakerThresholds limits;
        limits.maxConnections = 1;
        limits.maxPendingRequests = 2;
        limits.maxRequests = 3;
        limits.maxRetries = 4;
        target.circuitBreaker = limits;
        RetryConfig retries;
        retries.attempts = 7;
        target.retries = retries;
        target.timeout = SimDuration{500 * kMs};
        const UpstreamPolicy p
            = resolveUpstreamPolicy(system, CallerKind::App, nullptr, TierKind::App, 0, target);
        QCOMPARE(p.thresholds.maxConnections, 1U);
        QCOMPARE(p.thresholds.maxPendingRequests, 2U);
        QCOMPARE(p.thresholds.maxRequests, 3U);
        QCOMPARE(p.thresholds.maxRetries, 4U);
        QVERIFY(p.retries == &*target.retries);
        QCOMPARE(p.timeout->count(), 500 * kMs);
    }

    void faultInjectionIsTheTargetsOwn()
    {
        SystemConfig system = systemOf(Architecture::Mesh);
        FaultInjectionConfig abort0;
        abort0.service = 0;
        abort0.abortFraction = 0.5;
        FaultInjectionConfig delay1;
        delay1.service = 1;
        delay1.delayFraction = 1.0;
        system.mesh.faults = {abort0, delay1};
        const MeshPolicy none;
        QVERIFY(
            resolveUpstreamPolicy(system, CallerKind::App, nullptr, TierKind::App, 1, none).fault
            == &system.mesh.faults[1]);
        // The mesh's ingress is an Envoy too: it injects the faults of the service it calls.
        QVERIFY(resolveUpstreamPolicy(system, CallerKind::Ingress, nullptr, TierKind::App, 0, none)
                    .fault
                == &system.mesh.faults[0]);
    }

    void meshIngressIsAnEnvoy()
    {
        // The ingress proxies to the services like a sidecar; the clients reach the ingress
        // itself (not a mesh service) round robin, as any plain client.
        const SystemConfig system = systemOf(Architecture::Mesh);
        const UpstreamPolicy in = resolveUpstreamPolicy(
            system, CallerKind::Ingress, nullptr, TierKind::App, 0, MeshPolicy{});
        QVERIFY(in.meshProxy);
        QCOMPARE(in.loadBalancer.policy, LoadBalancerPolicy::LeastRequest);
        QVERIFY(in.retries == &istioDefaultRetries());
        verifyPlain(resolveUpstreamPolicy(
            system, CallerKind::Client, nullptr, TierKind::Ingress, 2, MeshPolicy{}));
    }

    void gatewayInsideAMesh()
    {
        // The gateway is an Envoy of the mesh: pools, limits, the mesh's retries and outlier
        // detection, but its own balancer, its routes' timeouts (the router's), and no fault
        // injection (a VirtualService's faults belong to the sidecars).
        SystemConfig system = systemOf(Architecture::GatewayMesh);
        system.gateway.loadBalancer.policy = LoadBalancerPolicy::Random;
        FaultInjectionConfig fault;
        fault.service = 0;
        fault.abortFraction = 1.0;
        system.mesh.faults = {fault};
        MeshPolicy target;
        target.timeout = SimDuration{100 * kMs};
        target.outlierDetection = OutlierDetectionConfig{};
        const UpstreamPolicy p
            = resolveUpstreamPolicy(system, CallerKind::Gateway, nullptr, TierKind::App, 0, target);
        QVERIFY(p.meshProxy);
        QCOMPARE(p.loadBalancer.policy, LoadBalancerPolicy::Random);
        QCOMPARE(p.loadBalancer.panicThreshold, 0.0); // §2.2 as for a sidecar
        QVERIFY(p.retries == &istioDefaultRetries());
        QVERIFY(p.outlierDetection == &*target.outlierDetection);
        QVERIFY(!p.timeout);
        QVERIFY(p.fault == nullptr);
    }
};

QTEST_GUILESS_MAIN(TestUpstreamFactory)
#include "tst_upstream_factory.moc"
