// Discovery on a FakePlatform: Kubernetes readiness probes and Envoy active health checks
// (reference/semantics.md §7.1, §7.2; docs/mechanisms/discovery-and-health.md). Each instance
// probes at a random phase in [0, period); the test reads that phase from the timer the fake
// recorded and derives every other time from it by hand.

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/discovery.h"
#include "models/internal/components.h"
#include "models/sim_events.h"
#include "tests/support/two_tier_system.h"

#include <QTest>

#include <cstdint>
#include <utility>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::SimDuration;
using meshsim::engine::toNanos;
using meshsim::models::Architecture;
using meshsim::models::DestinationPolicy;
using meshsim::models::Discovery;
using meshsim::models::HealthCheckConfig;
using meshsim::models::ServiceConfig;
using meshsim::models::StateChange;
using meshsim::models::SystemConfig;
using meshsim::testing::TwoTierSystem;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000 * kMs;

SystemConfig twoServices()
{
    SystemConfig system;
    ServiceConfig backend;
    backend.name = "backend";
    ServiceConfig frontend;
    frontend.name = "frontend";
    system.services = {backend, frontend};
    // Probes every second; 3 failures -> NotReady, 1 success -> Ready (Kubernetes' defaults,
    // §7.1); callers see a change 200 ms later.
    system.discovery.readinessPeriod = SimDuration{1 * kSecond};
    system.discovery.failureThreshold = 3;
    system.discovery.successThreshold = 1;
    system.discovery.propagation = SimDuration{200 * kMs};
    return system;
}

// The state changes of one kind pair (e.g. Ready / NotReady), as (kind, time in ns).
std::vector<std::pair<StateChange::Kind, std::int64_t>>
changes(const std::vector<StateChange>& timeline, StateChange::Kind a, StateChange::Kind b)
{
    std::vector<std::pair<StateChange::Kind, std::int64_t>> out;
    for (const StateChange& c : timeline) {
        if (c.kind == a || c.kind == b)
            out.emplace_back(c.kind, toNanos(c.at));
    }
    return out;
}

using Changes = std::vector<std::pair<StateChange::Kind, std::int64_t>>;

} // namespace

class TestDiscovery : public QObject
{
    Q_OBJECT

private slots:
    void readinessFollowsTheProbesThenPropagates()
    {
        TwoTierSystem sys(twoServices(), SimDuration{1 * kMs});
        Discovery discovery(sys.runtime, sys.tiers);
        sys.backendInstance(0).alive = false; // dead from the start
        discovery.start();
        // The first timers are the first probes: the backend's, then the frontend's.
        const std::int64_t phase = sys.platform.timers()[0].delay.count();
        QVERIFY(phase >= 0 && phase < 1 * kSecond);
        QCOMPARE(toNanos(sys.platform.timers()[0].scheduledAt), std::int64_t{0});
        // Probes at phase, +1 s, +2 s fail; the third makes it NotReady at phase + 2 s; callers
        // see it 200 ms later.
        sys.platform.advanceTo(atNanos(phase + 2 * kSecond + 200 * kMs - 1));
        QCOMPARE(sys.backend().visible[0], std::uint8_t{1});
        const std::uint64_t version = sys.backend().version;
        sys.platform.advanceTo(atNanos(phase + 2 * kSecond + 200 * kMs));
        QCOMPARE(sys.backend().visible[0], std::uint8_t{0});
        QCOMPARE(sys.backend().version, version + 1);
        // Alive again at phase + 2.5 s: the probe at phase + 3 s passes (1 success): Ready,
        // seen at phase + 3.2 s.
        sys.platform.advanceTo(atNanos(phase + 2500 * kMs));
        sys.backendInstance(0).alive = true;
        sys.platform.advanceTo(atNanos(phase + 3200 * kMs - 1));
        QCOMPARE(sys.backend().visible[0], std::uint8_t{0});
        sys.platform.advanceTo(atNanos(phase + 3200 * kMs));
        QCOMPARE(sys.backend().visible[0], std::uint8_t{1});
        QCOMPARE(
            changes(sys.metrics.timeline(), StateChange::Kind::Ready, StateChange::Kind::NotReady),
            (Changes{{StateChange::Kind::NotReady, phase + 2 * kSecond},
                     {StateChange::Kind::Ready, phase + 3 * kSecond}}));
        // The frontend never failed a probe: no change of its own (every change above is the
        // backend's).
        for (const StateChange& c : sys.metrics.timeline())
            QCOMPARE(c.component, sys.backend().component);
        // Probes stop once the run (60 s) is over and nothing is in flight: runAll() ends.
        sys.platform.runAll();
        QVERIFY(sys.platform.now() < atNanos(61 * kSecond));
    }

    void healthChecksFirstResultThenThresholds()
    {
        // A mesh destination with active health checks: every 1 s, a timeout of 100 ms,
        // unhealthy after 2 failures, healthy after 1 pass; the first result sets it (§7.2).
        SystemConfig config = twoServices();
        config.architecture = Architecture::Mesh;
        config.mesh.present = true;
        HealthCheckConfig hc;
        hc.interval = SimDuration{1 * kSecond};
        hc.timeout = SimDuration{100 * kMs};
        hc.unhealthyThreshold = 2;
        hc.healthyThreshold = 1;
        DestinationPolicy d;
        d.service = TwoTierSystem::kBackend;
        d.policy.healthCheck = hc;
        config.mesh.destinations = {d};
        TwoTierSystem sys(config, SimDuration{1 * kMs});
        Discovery discovery(sys.runtime, sys.tiers);
        // The backend's node is down from the start: its checks time out.
        sys.backendInstance(0).alive = false;
        sys.backendInstance(0).nodeDown = true;
        discovery.start();
        // Timers: the backend's readiness probe, its health check, the frontend's probe.
        const std::int64_t phase = sys.platform.timers()[1].delay.count();
        QVERIFY(phase >= 0 && phase < 1 * kSecond);
        // The first check (at phase) times out at phase + 100 ms: unhealthy at once, and the
        // frontend's sidecar no longer considers the host healthy.
        sys.platform.advanceTo(atNanos(phase + 100 * kMs));
        QVERIFY(!sys.backendInstance(0).healthCheck.passing());
        sys.upstream().refreshHosts();
        QVERIFY(!sys.upstream().hosts[0].healthy);
        // Back at phase + 1.5 s: the check at phase + 2 s passes: healthy (threshold 1).
        sys.platform.advanceTo(atNanos(phase + 1500 * kMs));
        sys.backendInstance(0).alive = true;
        sys.backendInstance(0).nodeDown = false;
        sys.platform.advanceTo(atNanos(phase + 2 * kSecond));
        sys.upstream().refreshHosts();
        QVERIFY(sys.upstream().hosts[0].healthy);
        QCOMPARE(changes(sys.metrics.timeline(),
                         StateChange::Kind::Healthy,
                         StateChange::Kind::Unhealthy),
                 (Changes{{StateChange::Kind::Unhealthy, phase + 100 * kMs},
                          {StateChange::Kind::Healthy, phase + 2 * kSecond}}));
    }
};

QTEST_GUILESS_MAIN(TestDiscovery)
#include "tst_discovery.moc"
