// CallRouter on a FakePlatform: a call from the frontend to the backend, with its tries, retries,
// per-try and overall timeouts (reference/semantics.md §3.1), and in a mesh its sidecars,
// connection pool, mTLS handshake and circuit-breaker overflow (§2.1, §6.4;
// docs/mechanisms/retries-and-timeouts.md, sidecar-and-mtls.md). Every time below is computed by
// hand in the comments: the network between two nodes takes 1 ms whatever the size (unlimited
// bandwidth), a transfer inside a node nothing, CPU work runs at speed 1. Backoffs are made
// exact with a base and a maximum of 1 ns: every retry waits U[0, 1 ns) = 0 (§3.1).

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/internal/records.h"
#include "models/metrics.h"
#include "models/outcome.h"
#include "tests/fakes/fake_platform.h"
#include "tests/support/two_tier_system.h"

#include <QTest>

#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::SimDuration;
using meshsim::engine::toNanos;
using meshsim::models::Architecture;
using meshsim::models::CircuitBreakerThresholds;
using meshsim::models::DestinationPolicy;
using meshsim::models::Distribution;
using meshsim::models::EdgeStats;
using meshsim::models::kFlagNone;
using meshsim::models::kFlagRX;
using meshsim::models::kFlagUF;
using meshsim::models::kFlagUO;
using meshsim::models::kFlagURX;
using meshsim::models::kFlagUT;
using meshsim::models::Outcome;
using meshsim::models::RetryConfig;
using meshsim::models::ServiceConfig;
using meshsim::models::SystemConfig;
using meshsim::testing::CallLog;
using meshsim::testing::Delivered;
using meshsim::testing::TwoTierSystem;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kUs = 1'000;
constexpr SimDuration kNetwork{1 * kMs};

SystemConfig backendWith(std::int64_t cpuMs, std::uint32_t workers = 2)
{
    SystemConfig system;
    ServiceConfig backend;
    backend.name = "backend";
    backend.workers = workers;
    backend.cpu = Distribution::constant(static_cast<double>(cpuMs * kMs));
    ServiceConfig frontend;
    frontend.name = "frontend";
    system.services = {backend, frontend};
    return system;
}

ServiceConfig& frontendOf(SystemConfig& system)
{
    return system.services[TwoTierSystem::kFrontend];
}

// Retries with an exact backoff of 0 (see the file comment).
RetryConfig retries(std::uint32_t numRetries, std::vector<std::string> retryOn)
{
    RetryConfig r;
    r.attempts = numRetries;
    r.retryOn = std::move(retryOn);
    r.backoffBase = SimDuration{1};
    r.backoffMax = SimDuration{1};
    return r;
}

// A mesh with sidecars of constant costs: 200 us of CPU + 15 us for mTLS records per traversal,
// 750 us of latency, 600 us of handshake CPU at each end of a new connection.
SystemConfig meshWith(std::int64_t cpuMs, std::uint32_t workers = 2)
{
    SystemConfig system = backendWith(cpuMs, workers);
    system.architecture = Architecture::Mesh;
    system.mesh.present = true;
    system.mesh.sidecar.cpu = Distribution::constant(200.0 * kUs);
    system.mesh.sidecar.mtls = true;
    system.mesh.sidecar.mtlsRequestCpu = SimDuration{15 * kUs};
    system.mesh.sidecar.latency = SimDuration{750 * kUs};
    system.mesh.sidecar.mtlsHandshakeCpu = SimDuration{600 * kUs};
    return system;
}

struct Bench
{
    explicit Bench(SystemConfig config)
        : sys(std::move(config), kNetwork)
        , log(sys.platform)
    {
        sys.router.setOwner(log);
    }

    void call() { sys.startCall(1000); }
    void advanceTo(std::int64_t ns) { sys.platform.advanceTo(atNanos(ns)); }

    // Times at which a request left the frontend for the backend.
    std::vector<std::int64_t> requestsSent() const
    {
        std::vector<std::int64_t> out;
        for (const auto& t : sys.platform.transfers()) {
            if (t.from == sys.frontendNode() && t.to == sys.backendNode(0))
                out.push_back(toNanos(t.start));
        }
        return out;
    }
    // Timers of `delay`, as (scheduled at, fired, cancelled).
    std::vector<meshsim::fakes::FakePlatform::TimerRecord> timersOf(std::int64_t delayNs) const
    {
        std::vector<meshsim::fakes::FakePlatform::TimerRecord> out;
        for (const auto& t : sys.platform.timers()) {
            if (t.delay.count() == delayNs)
                out.push_back(t);
        }
        return out;
    }
    bool allReleased() const { return sys.allReleased(); }

    TwoTierSystem sys;
    CallLog log;
};

std::uint64_t flagCount(const EdgeStats& edge, std::uint16_t flag)
{
    return edge.flags[static_cast<std::size_t>(std::countr_zero(flag))];
}

} // namespace

class TestCallRouter : public QObject
{
    Q_OBJECT

private slots:
    void aPlainCall()
    {
        // No policy at all: request 0 -> 1 ms, CPU 1 -> 11 ms, response 11 -> 12 ms.
        Bench b(backendWith(10));
        QVERIFY(b.sys.upstream().plain);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 12 * kMs);
        QCOMPARE(b.log.calls[0].attempts, 1U);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagNone});
        QCOMPARE(b.requestsSent(), (std::vector<std::int64_t>{0}));
        const EdgeStats& edge = b.sys.edge();
        QCOMPARE(edge.calls, std::uint64_t{1});
        QCOMPARE(edge.attempts, std::uint64_t{1});
        QCOMPARE(edge.outcomes.ok(), std::uint64_t{1});
        QVERIFY(b.allReleased());
    }

    void perTryTimeoutRetriesThenEnds()
    {
        // 1 retry, per-try timeout 30 ms, retry_on 5xx; the backend needs 100 ms.
        //  try 1 sent at 0, its per-try timeout fires at 30 ms: a timeout counts as a reset,
        //        retried under 5xx (§3.1); the retry waits 0;
        //  try 2 sent at 30 ms, times out at 60 ms: 1 + num_retries tries made -> URX.
        // The call ends at exactly 60 ms: a 504 with UT, URX and RX (it was retried).
        SystemConfig config = backendWith(100);
        RetryConfig r = retries(1, {"5xx"});
        r.perTryTimeout = SimDuration{30 * kMs};
        frontendOf(config).client.retries = r;
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        const Delivered& d = b.log.calls[0];
        QCOMPARE(d.outcome, Outcome::Timeout);
        QCOMPARE(d.atNs, 60 * kMs);
        QCOMPARE(d.attempts, 2U);
        QCOMPARE(d.flags, std::uint16_t{kFlagUT | kFlagURX | kFlagRX});
        QCOMPARE(b.requestsSent(), (std::vector<std::int64_t>{0, 30 * kMs}));
        const auto perTry = b.timersOf(30 * kMs);
        QCOMPARE(perTry.size(), std::size_t{2});
        QCOMPARE(toNanos(perTry[0].scheduledAt), std::int64_t{0});
        QCOMPARE(toNanos(perTry[1].scheduledAt), 30 * kMs);
        QVERIFY(perTry[0].fired && perTry[1].fired);
        // The backend still finished both (1 -> 101 ms and 31 -> 131 ms); their answers, at
        // 102 and 132 ms, were ignored: one outcome, and every record released.
        QCOMPARE(b.sys.metrics.services()[TwoTierSystem::kBackend].instances[0].served,
                 std::uint64_t{2});
        QVERIFY(b.allReleased());
        const EdgeStats& edge = b.sys.edge();
        QCOMPARE(edge.calls, std::uint64_t{1});
        QCOMPARE(edge.attempts, std::uint64_t{2});
        QCOMPARE(edge.outcomes[Outcome::Timeout], std::uint64_t{1});
        QCOMPARE(flagCount(edge, kFlagUT), std::uint64_t{1});
        QCOMPARE(flagCount(edge, kFlagURX), std::uint64_t{1});
    }

    void theCallTimeoutEndsTheCall()
    {
        // An overall timeout of 50 ms, no retries, 100 ms of work: a 504 with UT at 50 ms.
        SystemConfig config = backendWith(100);
        frontendOf(config).client.timeout = SimDuration{50 * kMs};
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Timeout);
        QCOMPARE(b.log.calls[0].atNs, 50 * kMs);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagUT});
        QCOMPARE(b.log.calls[0].attempts, 1U);
        QVERIFY(b.allReleased());
    }

    void anAnswerCancelsTheTimers()
    {
        // Answered at 12 ms, before the per-try (30 ms) and overall (50 ms) timeouts: both
        // timers are cancelled, nothing is left to run.
        SystemConfig config = backendWith(10);
        RetryConfig r = retries(1, {"5xx"});
        r.perTryTimeout = SimDuration{30 * kMs};
        frontendOf(config).client.retries = r;
        frontendOf(config).client.timeout = SimDuration{50 * kMs};
        Bench b(config);
        b.call();
        b.advanceTo(12 * kMs);
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 12 * kMs);
        QCOMPARE(b.sys.platform.pendingEvents(), std::size_t{0});
        for (const std::int64_t delay : {30 * kMs, 50 * kMs}) {
            const auto timers = b.timersOf(delay);
            QCOMPARE(timers.size(), std::size_t{1});
            QVERIFY(timers[0].cancelled && !timers[0].fired);
        }
    }

    void serverErrorsAreRetriedUntilExhausted()
    {
        // 2 retries on 5xx, a backend that always answers 500 after 10 ms: each try takes
        // 1 + 10 + 1 = 12 ms, the retries start at once: tries at 0, 12 and 24 ms, the last
        // answer at 36 ms ends the call with the 500, URX and RX.
        SystemConfig config = backendWith(10);
        config.services[TwoTierSystem::kBackend].errorRate = 1.0;
        frontendOf(config).client.retries = retries(2, {"5xx"});
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ServerError);
        QCOMPARE(b.log.calls[0].atNs, 36 * kMs);
        QCOMPARE(b.log.calls[0].attempts, 3U);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagURX | kFlagRX});
        QCOMPARE(b.requestsSent(), (std::vector<std::int64_t>{0, 12 * kMs, 24 * kMs}));
        QVERIFY(b.allReleased());
    }

    void notRetriedWithoutAMatchingCondition()
    {
        // Istio's retry_on (§3.3) does not match a 500: one try, the 500 at 12 ms.
        SystemConfig config = backendWith(10);
        config.services[TwoTierSystem::kBackend].errorRate = 1.0;
        frontendOf(config).client.retries = retries(2, RetryConfig{}.retryOn);
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ServerError);
        QCOMPARE(b.log.calls[0].atNs, 12 * kMs);
        QCOMPARE(b.log.calls[0].attempts, 1U);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagNone});
    }

    void aDeadHostsConnectFailuresAreRetried()
    {
        // The only instance is dead: each try's request reaches it at +1 ms, is refused, and the
        // refusal is back at +2 ms. connect-failure (Istio's list) retries once: tries at 0 and
        // 2 ms, the call ends at 4 ms with the connect failure, UF, URX and RX.
        SystemConfig config = backendWith(10);
        frontendOf(config).client.retries = retries(1, RetryConfig{}.retryOn);
        Bench b(config);
        b.sys.backendInstance(0).alive = false;
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.calls[0].atNs, 4 * kMs);
        QCOMPARE(b.log.calls[0].attempts, 2U);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagUF | kFlagURX | kFlagRX});
        QCOMPARE(b.requestsSent(), (std::vector<std::int64_t>{0, 2 * kMs}));
    }

    void meshCallsPayTheHandshakeOnce()
    {
        // First call, at 0 (docs/mechanisms/sidecar-and-mtls.md):
        //   outbound sidecar: CPU 200 + 15 us, then 750 us latency        ->   965 us
        //   new connection: TCP round trip 2 ms                          -> 2,965 us
        //     TLS: 600 us CPU at the caller, a round trip, 600 us at the callee -> 6,165 us
        //   request 1 ms                                                 -> 7,165 us
        //   inbound sidecar: 215 us CPU + 750 us                         -> 8,130 us
        //   the application's CPU 10 ms                                  -> 18,130 us
        //   response 1 ms (loopbacks take nothing here)                  -> 19,130 us
        // Second call, at 30 ms, reuses the idle connection: 30 ms + 965 us + 1 ms + 965 us
        // + 10 ms + 1 ms = 43,930 us. The handshake cost the first call 4 x 1 ms + 2 x 600 us.
        Bench b(meshWith(10));
        QVERIFY(b.sys.upstream().pooled);
        b.call();
        b.advanceTo(30 * kMs);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{2});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 19'130 * kUs);
        QCOMPARE(b.log.calls[1].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[1].atNs, 43'930 * kUs);
        // One connection, opened once (one handshake CPU at each end), idle at the end.
        int handshakes = 0;
        for (const auto& c : b.sys.platform.computations())
            handshakes += c.work.count() == 600 * kUs ? 1 : 0;
        QCOMPARE(handshakes, 2);
        QCOMPARE(b.sys.upstream().limits->connections(), 1U);
        QCOMPARE(b.sys.upstream().pools->host(0).idle, 1U);
        QCOMPARE(b.sys.upstream().limits->requests(), 0U);
        QVERIFY(b.allReleased());
    }

    void meshPendingOverflowIsA503UO()
    {
        // max_connections 1, max_pending_requests 1 (a DestinationRule): three calls at 0.
        // All three leave the outbound sidecar at 965 us. Call 1 opens the connection and is a
        // pending request until it is ready (Envoy's newStreamImpl); calls 2 and 3 find the one
        // pending slot taken: local 503s with UO at 965 us, never retried (§2.1). Call 1 ends at
        // 19,130 us, as in meshCallsPayTheHandshakeOnce.
        SystemConfig config = meshWith(10);
        DestinationPolicy d;
        d.service = TwoTierSystem::kBackend;
        CircuitBreakerThresholds limits;
        limits.maxConnections = 1;
        limits.maxPendingRequests = 1;
        d.policy.circuitBreaker = limits;
        config.mesh.destinations.push_back(d);
        Bench b(config);
        b.call();
        b.call();
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{3});
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(b.log.calls[i].outcome, Outcome::Overflow);
            QCOMPARE(b.log.calls[i].atNs, 965 * kUs);
            QCOMPARE(b.log.calls[i].flags, std::uint16_t{kFlagUO});
            QCOMPARE(b.log.calls[i].attempts, 1U);
        }
        QCOMPARE(b.log.calls[2].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[2].atNs, 19'130 * kUs);
        QCOMPARE(flagCount(b.sys.edge(), kFlagUO), std::uint64_t{2});
        QCOMPARE(b.sys.upstream().limits->connections(), 1U);
        QCOMPARE(b.sys.upstream().limits->pending(), 0U);
        QVERIFY(b.allReleased());
    }

    void perTryTimeoutStartsWhenTheConnectionIsReady()
    {
        // Envoy arms the per-try timeout in onPoolReady: it does not cover the connection's
        // set-up. A per-try timeout of 5 ms, 1 ms of backend CPU, the first call of a mesh:
        //   outbound sidecar -> 965 us; TCP + TLS handshakes -> 6,165 us (the timer starts)
        //   request 1 ms -> 7,165; inbound sidecar 965 us -> 8,130; CPU 1 ms -> 9,130;
        //   response 1 ms -> 10,130 us, before the timer's 6,165 + 5,000 = 11,165 us.
        // Armed when the try was created (965 us) it would have fired at 5,965 us, before the
        // request was even sent.
        SystemConfig config = meshWith(1);
        DestinationPolicy d;
        d.service = TwoTierSystem::kBackend;
        RetryConfig r = retries(1, {"5xx"});
        r.perTryTimeout = SimDuration{5 * kMs};
        d.policy.retries = r;
        config.mesh.destinations.push_back(d);
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 10'130 * kUs);
        QCOMPARE(b.log.calls[0].attempts, 1U);
        const auto perTry = b.timersOf(5 * kMs);
        QCOMPARE(perTry.size(), std::size_t{1});
        QCOMPARE(toNanos(perTry[0].scheduledAt), 6'165 * kUs);
        QVERIFY(perTry[0].cancelled && !perTry[0].fired);
        QVERIFY(b.allReleased());
    }

    void hedgingIgnoresRetryOn()
    {
        // Envoy's shouldHedgeRetryPerTryTimeout: a hedged per-try timeout is retried whenever
        // retries remain, whatever retry_on says (here only connect-failure). Per-try 30 ms,
        // 100 ms of CPU on 2 workers: try 1 sent at 0, the hedge at 30 ms; try 1's answer at
        // 102 ms wins, try 2 is reset. Two tries, RX, the answer at 102 ms.
        SystemConfig config = backendWith(100);
        RetryConfig r = retries(1, {"connect-failure"});
        r.perTryTimeout = SimDuration{30 * kMs};
        r.hedgeOnPerTryTimeout = true;
        frontendOf(config).client.retries = r;
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 102 * kMs);
        QCOMPARE(b.log.calls[0].attempts, 2U);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagRX});
        QCOMPARE(b.requestsSent(), (std::vector<std::int64_t>{0, 30 * kMs}));
        QVERIFY(b.allReleased());
    }

    void aHedgedTrysFailureIsNotRetried()
    {
        // Envoy's router: a try that started a hedge (upstream_request.retried()) is never
        // retried itself; its failure waits for the tries still running. 2 retries on 5xx,
        // per-try 30 ms with hedging, a backend answering 500 after 50 ms (2 workers):
        //   0: try 1; 30: its per-try timeout hedges try 2; 52: try 1's 500, not retried,
        //   try 2 runs; 60: try 2's per-try timeout hedges try 3 (the last retry);
        //   82: try 2's 500, not retried; try 3 (61 -> 111 ms) answers 500 at 112 ms: retries
        //   exhausted (URX), the call ends with it. Retrying try 1's 500 would have sent try 3
        //   at 52 ms instead.
        SystemConfig config = backendWith(50);
        config.services[TwoTierSystem::kBackend].errorRate = 1.0;
        RetryConfig r = retries(2, {"5xx"});
        r.perTryTimeout = SimDuration{30 * kMs};
        r.hedgeOnPerTryTimeout = true;
        frontendOf(config).client.retries = r;
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ServerError);
        QCOMPARE(b.log.calls[0].atNs, 112 * kMs);
        QCOMPARE(b.log.calls[0].attempts, 3U);
        QCOMPARE(b.requestsSent(), (std::vector<std::int64_t>{0, 30 * kMs, 60 * kMs}));
        QVERIFY(b.allReleased());
    }

    void istioConsistentHashRetriesStayOnTheirHost()
    {
        // Istio adds no previous_hosts predicate when the destination hashes (ring hash): the
        // two retries of a failing call go to the host the request hashes to, not elsewhere.
        SystemConfig config = meshWith(10);
        config.services[TwoTierSystem::kBackend].replicas = 3;
        config.services[TwoTierSystem::kBackend].errorRate = 1.0;
        DestinationPolicy d;
        d.service = TwoTierSystem::kBackend;
        meshsim::models::LoadBalancerConfig ring;
        ring.policy = meshsim::models::LoadBalancerPolicy::RingHash;
        d.policy.loadBalancer = ring;
        d.policy.retries = retries(2, {"5xx"});
        config.mesh.destinations.push_back(d);
        Bench b(config);
        b.call();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].attempts, 3U);
        int hostsReached = 0;
        for (std::uint32_t i = 0; i < 3; ++i) {
            const auto served
                = b.sys.metrics.services()[TwoTierSystem::kBackend].instances[i].served;
            QVERIFY(served == 0 || served == 3);
            hostsReached += served > 0 ? 1 : 0;
        }
        QCOMPARE(hostsReached, 1);
    }
};

QTEST_GUILESS_MAIN(TestCallRouter)
#include "tst_call_router.moc"
