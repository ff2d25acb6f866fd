// InboundSidecar on a FakePlatform: the callee's Envoy in a mesh — its CPU and latency, Istio
// authorization (reference/semantics.md §7.3: a denied call is answered 403 by the sidecar, the
// application never sees it), and a dead instance refusing the connection at its TCP handshake
// (docs/mechanisms/sidecar-and-mtls.md: a connect failure, no handshake CPU spent).
// Every time below is computed by hand in the comments: the network between two nodes takes
// 1 ms whatever the size, a transfer inside a node nothing, CPU work runs at speed 1.

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/metrics.h"
#include "models/outcome.h"
#include "tests/support/two_tier_system.h"

#include <QTest>

#include <cstddef>
#include <cstdint>
#include <utility>

using meshsim::engine::SimDuration;
using meshsim::models::Architecture;
using meshsim::models::AuthorizationRule;
using meshsim::models::DestinationPolicy;
using meshsim::models::Distribution;
using meshsim::models::kFlagRX;
using meshsim::models::kFlagUAEX;
using meshsim::models::kFlagUF;
using meshsim::models::kFlagURX;
using meshsim::models::Outcome;
using meshsim::models::ProxyKind;
using meshsim::models::RetryConfig;
using meshsim::models::ServiceConfig;
using meshsim::models::SystemConfig;
using meshsim::testing::CallLog;
using meshsim::testing::TwoTierSystem;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kUs = 1'000;
constexpr SimDuration kNetwork{1 * kMs};

// A mesh whose sidecars cost 200 us of CPU + 15 us for mTLS records per traversal and 750 us
// of latency, 600 us of handshake CPU at each end of a new connection; a backend of 10 ms.
SystemConfig mesh()
{
    SystemConfig system;
    system.architecture = Architecture::Mesh;
    system.mesh.present = true;
    system.mesh.sidecar.cpu = Distribution::constant(200.0 * kUs);
    system.mesh.sidecar.mtls = true;
    system.mesh.sidecar.mtlsRequestCpu = SimDuration{15 * kUs};
    system.mesh.sidecar.latency = SimDuration{750 * kUs};
    system.mesh.sidecar.mtlsHandshakeCpu = SimDuration{600 * kUs};
    ServiceConfig backend;
    backend.name = "backend";
    backend.cpu = Distribution::constant(static_cast<double>(10 * kMs));
    ServiceConfig frontend;
    frontend.name = "frontend";
    system.services = {backend, frontend};
    return system;
}

AuthorizationRule toBackend()
{
    AuthorizationRule rule;
    rule.to = TwoTierSystem::kBackend;
    return rule;
}

struct Bench
{
    explicit Bench(SystemConfig config)
        : sys(std::move(config), kNetwork)
        , log(sys.platform)
    {
        sys.router.setOwner(log);
    }
    // Computations of exactly `work`.
    int computationsOf(std::int64_t work) const
    {
        int n = 0;
        for (const auto& c : sys.platform.computations())
            n += c.work.count() == work ? 1 : 0;
        return n;
    }
    TwoTierSystem sys;
    CallLog log;
};

} // namespace

class TestInboundSidecar : public QObject
{
    Q_OBJECT

private slots:
    void aDeniedCallIsAnswered403ByTheSidecar()
    {
        // DENY frontend -> backend. The call reaches the backend's sidecar as a first call does
        // (outbound sidecar 965 us, TCP 2 ms, TLS 600 us + 2 ms + 600 us, request 1 ms:
        // 7,165 us); the sidecar's CPU (215 us) and latency (750 us) -> 8,130 us; it answers 403
        // itself, back at 9,130 us: Denied with UAEX, not retried (Istio's retry_on, §3.3).
        SystemConfig config = mesh();
        AuthorizationRule deny = toBackend();
        deny.denyFrom = {TwoTierSystem::kFrontend};
        config.mesh.authorization = {deny};
        Bench b(config);
        b.sys.startCall();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Denied);
        QCOMPARE(b.log.calls[0].atNs, 9'130 * kUs);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagUAEX});
        QCOMPARE(b.log.calls[0].attempts, 1U);
        QCOMPARE(b.computationsOf(10 * kMs), 0); // the application never saw it
        const auto& inbound
            = b.sys.metrics.proxies()[static_cast<std::size_t>(ProxyKind::SidecarInbound)];
        QCOMPARE(inbound.traversals, std::uint64_t{1});
        QVERIFY(b.sys.allReleased());
    }

    void anAllowedCallReachesTheApplication()
    {
        // ALLOW frontend -> backend: served, 10 ms of CPU after 8,130 us, back at 19,130 us.
        SystemConfig config = mesh();
        AuthorizationRule allow = toBackend();
        allow.allowFrom = {TwoTierSystem::kFrontend};
        config.mesh.authorization = {allow};
        Bench b(config);
        b.sys.startCall();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 19'130 * kUs);
        QCOMPARE(b.computationsOf(10 * kMs), 1);
    }

    void aDeadInstanceRefusesTheHandshake()
    {
        // One retry on connect-failure with a backoff of exactly 0 (base = max = 1 ns). The SYN
        // reaches the dead instance 1 ms after the outbound sidecar (965 us) and is refused; the
        // refusal is back at 2,965 us; the retry opens a new connection: refused again, back at
        // 4,965 us. A connect failure with UF, URX (1 + 1 tries) and RX; neither handshake's
        // CPU nor the inbound sidecar ran: only the outbound sidecar's 215 us.
        SystemConfig config = mesh();
        DestinationPolicy d;
        d.service = TwoTierSystem::kBackend;
        RetryConfig retries; // Istio's retry_on: connect-failure, ...
        retries.attempts = 1;
        retries.backoffBase = SimDuration{1};
        retries.backoffMax = SimDuration{1};
        d.policy.retries = retries;
        config.mesh.destinations = {d};
        Bench b(config);
        b.sys.backendInstance(0).alive = false;
        b.sys.startCall();
        b.sys.platform.runAll();
        QCOMPARE(b.log.calls.size(), std::size_t{1});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.calls[0].atNs, 4'965 * kUs);
        QCOMPARE(b.log.calls[0].attempts, 2U);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagUF | kFlagURX | kFlagRX});
        QCOMPARE(b.sys.platform.computations().size(), std::size_t{1});
        QCOMPARE(b.computationsOf(215 * kUs), 1);
        QCOMPARE(b.sys.upstream().limits->connections(), 0U); // both closed
        QVERIFY(b.sys.allReleased());
    }
};

QTEST_GUILESS_MAIN(TestInboundSidecar)
#include "tst_inbound_sidecar.moc"
