// FaultInjector on a FakePlatform: each kind of fault applied at its time and reverted at its
// `until` (docs/mechanisms/faults.md), seen through calls from the frontend to the backend.
// Every time below is computed by hand in the comments: a plain call (no retries, no timeout)
// takes 1 ms of request, the backend's 10 ms of CPU and 1 ms of response, 12 ms in all.

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/fault_injector.h"
#include "models/internal/components.h"
#include "models/outcome.h"
#include "models/sim_events.h"
#include "tests/support/two_tier_system.h"

#include <QTest>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::SimDuration;
using meshsim::engine::toNanos;
using meshsim::models::Caller;
using meshsim::models::Distribution;
using meshsim::models::FaultConfig;
using meshsim::models::FaultInjector;
using meshsim::models::kFlagNone;
using meshsim::models::kFlagUF;
using meshsim::models::Outcome;
using meshsim::models::ServiceConfig;
using meshsim::models::StateChange;
using meshsim::models::SystemConfig;
using meshsim::testing::CallLog;
using meshsim::testing::TwoTierSystem;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr SimDuration kNetwork{1 * kMs};

FaultConfig fault(FaultConfig::Kind kind, std::int64_t atMs, std::int64_t untilMs)
{
    FaultConfig f;
    f.kind = kind;
    f.at = SimDuration{atMs * kMs};
    f.until = SimDuration{untilMs * kMs};
    f.service = TwoTierSystem::kBackend;
    f.instances = {0};
    return f;
}

SystemConfig withFault(const FaultConfig& f)
{
    SystemConfig system;
    ServiceConfig backend;
    backend.name = "backend";
    backend.cpu = Distribution::constant(static_cast<double>(10 * kMs));
    ServiceConfig frontend;
    frontend.name = "frontend";
    system.services = {backend, frontend};
    system.faults = {f};
    system.connectTimeout = SimDuration{2000 * kMs};
    return system;
}

struct Bench
{
    explicit Bench(SystemConfig config)
        : sys(std::move(config), kNetwork)
        , log(sys.platform)
        , faults(sys.runtime, sys.tiers, std::vector<Caller*>{&sys.frontend()}, sys.server)
    {
        sys.router.setOwner(log);
        faults.start();
    }
    // Calls at these times (ms), then runs everything.
    void callAt(const std::vector<std::int64_t>& ms)
    {
        for (const std::int64_t t : ms) {
            sys.platform.advanceTo(atNanos(t * kMs));
            sys.startCall();
        }
        sys.platform.runAll();
    }
    TwoTierSystem sys;
    CallLog log;
    FaultInjector faults;
};

} // namespace

class TestFaultInjector : public QObject
{
    Q_OBJECT

private slots:
    void killResetsThenRefusesUntilRestored()
    {
        // Kill at 5 ms, restore at 50 ms.
        //  call at 0: its request arrived at 1 ms, its CPU runs 1 -> 11 ms; the kill resets it
        //             at 5 ms: the reset is back at 6 ms (UF: the caller's connection failed);
        //  call at 20: refused on arrival (21 ms), the refusal back at 22 ms;
        //  call at 60: restored: 60 + 12 = 72 ms.
        Bench b(withFault(fault(FaultConfig::Kind::Kill, 5, 50)));
        b.callAt({0, 20, 60});
        QCOMPARE(b.log.calls.size(), std::size_t{3});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.calls[0].atNs, 6 * kMs);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagUF});
        QCOMPARE(b.log.calls[1].outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.calls[1].atNs, 22 * kMs);
        QCOMPARE(b.log.calls[2].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[2].atNs, 72 * kMs);
        // The timeline has the kill and the restore, at their times.
        const auto& timeline = b.sys.metrics.timeline();
        QCOMPARE(timeline.size(), std::size_t{2});
        QCOMPARE(timeline[0].kind, StateChange::Kind::Killed);
        QCOMPARE(toNanos(timeline[0].at), 5 * kMs);
        QCOMPARE(timeline[1].kind, StateChange::Kind::Restored);
        QCOMPARE(toNanos(timeline[1].at), 50 * kMs);
        QVERIFY(b.sys.allReleased());
    }

    void onANodeThatGoesDownNothingAnswers()
    {
        // The backend's node goes down at 5 ms: nothing answers; each try ends at the
        // caller's connect timeout (2 s) after it reached the node: the running request was
        // reset at 5 ms -> 2005 ms; a request arriving at 21 ms -> 2021 ms.
        FaultConfig f = fault(FaultConfig::Kind::NodeDown, 5, 50);
        f.node = 0; // the backend's node
        Bench b(withFault(f));
        b.callAt({0, 20});
        QCOMPARE(b.log.calls.size(), std::size_t{2});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.calls[0].atNs, 2005 * kMs);
        QCOMPARE(b.log.calls[1].atNs, 2021 * kMs);
        QCOMPARE(b.sys.metrics.timeline()[0].kind, StateChange::Kind::NodeDown);
    }

    void slowMultipliesTheWorkWhileItLasts()
    {
        // Factor 2 and 3 ms added from 0 to 100 ms: 1 + 20 + 3 + 1 = 25 ms; at 150 ms the
        // instance is back to normal: 162 ms.
        FaultConfig f = fault(FaultConfig::Kind::Slow, 0, 100);
        f.factor = 2.0;
        f.addedLatency = SimDuration{3 * kMs};
        Bench b(withFault(f));
        b.callAt({0, 150});
        QCOMPARE(b.log.calls.size(), std::size_t{2});
        QCOMPARE(b.log.calls[0].atNs, 25 * kMs);
        QCOMPARE(b.log.calls[1].atNs, 162 * kMs);
        QCOMPARE(b.sys.backendInstance(0).slowFactor, 1.0);
    }

    void errorsFailRequestsWhileTheyLast()
    {
        // Error rate 1 from 0 to 30 ms: the call at 0 gets a 500 at 12 ms, the call at 40 ms
        // is served: 52 ms.
        FaultConfig f = fault(FaultConfig::Kind::Errors, 0, 30);
        f.errorRate = 1.0;
        Bench b(withFault(f));
        b.callAt({0, 40});
        QCOMPARE(b.log.calls.size(), std::size_t{2});
        QCOMPARE(b.log.calls[0].outcome, Outcome::ServerError);
        QCOMPARE(b.log.calls[0].atNs, 12 * kMs);
        QCOMPARE(b.log.calls[0].flags, std::uint16_t{kFlagNone});
        QCOMPARE(b.log.calls[1].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[1].atNs, 52 * kMs);
    }

    void aPartitionTimesConnectionsOut()
    {
        // Zone 0 cut from itself (both nodes are in it) from 0 to 1 s: the connection attempt
        // at 0 gets no answer: the connect timeout, 2 s, with UF. Healed at 1 s: the call at
        // 1.5 s is served at 1512 ms, before the first one ends (calls are logged as delivered).
        FaultConfig f = fault(FaultConfig::Kind::Partition, 0, 1000);
        f.zoneA = 0;
        f.zoneB = 0;
        Bench b(withFault(f));
        b.callAt({0, 1500});
        QCOMPARE(b.log.calls.size(), std::size_t{2});
        QCOMPARE(b.log.calls[0].outcome, Outcome::Ok);
        QCOMPARE(b.log.calls[0].atNs, 1512 * kMs);
        QCOMPARE(b.log.calls[1].outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.calls[1].atNs, 2000 * kMs);
        QCOMPARE(b.log.calls[1].flags, std::uint16_t{kFlagUF});
    }

    void aDegradedPathAddsLatencyBothWays()
    {
        // 4 ms added between the nodes of zone 0 from 0 to 30 ms: the request and the response
        // take 5 ms each: 5 + 10 + 5 = 20 ms. Restored at 30 ms: the call at 40 ms -> 52 ms.
        FaultConfig f = fault(FaultConfig::Kind::Degrade, 0, 30);
        f.zoneA = 0;
        f.zoneB = 0;
        f.latency = SimDuration{4 * kMs};
        Bench b(withFault(f));
        b.callAt({0, 40});
        QCOMPARE(b.log.calls.size(), std::size_t{2});
        QCOMPARE(b.log.calls[0].atNs, 20 * kMs);
        QCOMPARE(b.log.calls[1].atNs, 52 * kMs);
        // The platform was asked twice: the degradation, then a default one that restores.
        const auto& asked = b.sys.platform.degradations();
        QCOMPARE(asked.size(), std::size_t{2});
        QCOMPARE(asked[0].degradation.addedLatency.count(), 4 * kMs);
        QCOMPARE(toNanos(asked[1].at), 30 * kMs);
        QCOMPARE(asked[1].degradation.addedLatency.count(), std::int64_t{0});
    }
};

QTEST_GUILESS_MAIN(TestFaultInjector)
#include "tst_fault_injector.moc"
