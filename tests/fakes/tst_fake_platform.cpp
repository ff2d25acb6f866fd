// FakePlatform: the test double itself, against hand calculations — event order, the clock,
// computations, transfers, fixed link delays, degradations, cancellation and its records.

#include "engine/core/callback.h"
#include "engine/core/platform.h"
#include "engine/core/sim_time.h"
#include "tests/fakes/fake_platform.h"

#include <QTest>

#include <cstdint>
#include <utility>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::Callback;
using meshsim::engine::PathDegradation;
using meshsim::engine::PlatformSpec;
using meshsim::engine::SimDuration;
using meshsim::engine::toNanos;
using meshsim::fakes::FakePlatform;

namespace {

constexpr std::int64_t kMs = 1'000'000;

// Two zones: n0 and n1 in zone 0 (n1 at half speed), n2 in zone 1, then the clients.
PlatformSpec twoZones()
{
    PlatformSpec spec;
    spec.zones = {"a", "b"};
    spec.nodes = {{"n0", 0, 2, 1.0}, {"n1", 0, 1, 0.5}, {"n2", 1, 1, 1.0}, {"clients", 0, 1, 1.0}};
    spec.clientNode = 3;
    spec.sameNode = {SimDuration{0}, 0.0};
    spec.sameZone = {SimDuration{1 * kMs}, 1e6}; // 1 ms + 1 ms per 1000 bytes
    spec.crossZone = {SimDuration{5 * kMs}, 0.0};
    spec.client = {SimDuration{20 * kMs}, 0.0};
    return spec;
}

// What ran when: (event, time in ns).
struct Log
{
    FakePlatform* platform = nullptr;
    std::vector<std::pair<int, std::int64_t>> events;
    std::vector<std::int64_t> times() const
    {
        std::vector<std::int64_t> out;
        for (const auto& e : events)
            out.push_back(e.second);
        return out;
    }
};

Callback mark(Log* log, int id)
{
    return [log, id] { log->events.emplace_back(id, toNanos(log->platform->now())); };
}

using Events = std::vector<std::pair<int, std::int64_t>>;

} // namespace

class TestFakePlatform : public QObject
{
    Q_OBJECT

private slots:
    void eventsRunByTimeThenSchedulingOrder()
    {
        FakePlatform p(twoZones());
        Log log{&p, {}};
        Log* l = &log;
        p.schedule(SimDuration{5}, mark(l, 1));
        p.schedule(SimDuration{2}, mark(l, 2));
        p.schedule(SimDuration{5}, [l] {
            mark(l, 3)();
            // Scheduled at 5 for 5: it runs after every event already due at 5.
            l->platform->schedule(SimDuration{0}, mark(l, 5));
        });
        p.schedule(SimDuration{5}, mark(l, 4));
        p.runAll();
        QCOMPARE(log.events, (Events{{2, 2}, {1, 5}, {3, 5}, {4, 5}, {5, 5}}));
        QCOMPARE(p.eventCount(), std::uint64_t{5});
    }

    void theClockMovesOnlyWithEvents()
    {
        FakePlatform p(twoZones());
        Log log{&p, {}};
        p.schedule(SimDuration{10}, mark(&log, 1));
        p.schedule(SimDuration{30}, mark(&log, 2));
        QVERIFY(p.runUntil(atNanos(20)));             // one event left
        QCOMPARE(toNanos(p.now()), std::int64_t{10}); // the last event run, as FastPlatform
        QCOMPARE(toNanos(p.lastEventTime()), std::int64_t{10});
        p.advanceTo(atNanos(25));
        QCOMPARE(toNanos(p.now()), std::int64_t{25});
        QCOMPARE(log.events.size(), std::size_t{1});
        p.schedule(SimDuration{1}, mark(&log, 3)); // due at 26
        QCOMPARE(toNanos(p.timers()[2].due()), std::int64_t{26});
        QVERIFY(!p.runUntil(atNanos(30)));
        QCOMPARE(log.events, (Events{{1, 10}, {3, 26}, {2, 30}}));
    }

    void computationsTakeWorkOverSpeed()
    {
        FakePlatform p(twoZones());
        Log log{&p, {}};
        p.compute(0, SimDuration{10 * kMs}, mark(&log, 0));
        p.compute(1, SimDuration{10 * kMs}, mark(&log, 1)); // speed 0.5: 20 ms
        QCOMPARE(p.running(0), 1U);
        p.runAll();
        QCOMPARE(log.events, (Events{{0, 10 * kMs}, {1, 20 * kMs}}));
        QCOMPARE(p.running(1), 0U);
        QCOMPARE(p.computations()[1].work.count(), 10 * kMs); // as asked
        QCOMPARE(toNanos(p.computations()[1].end), 20 * kMs);
        QVERIFY(p.computations()[1].finished);
        QCOMPARE(p.busyCoreSeconds(1), 0.020);
        QCOMPARE(p.busyCoreSecondsAt(1, atNanos(5 * kMs)), 0.005);
    }

    void transfersTakeLatencyPlusBytesOverBandwidth()
    {
        FakePlatform p(twoZones());
        Log log{&p, {}};
        p.transfer(0, 1, 2000, mark(&log, 0)); // same zone: 1 ms + 2000 B / 1e6 B/s = 3 ms
        p.transfer(0, 2, 2000, mark(&log, 1)); // cross zone, unlimited bandwidth: 5 ms
        p.transfer(3, 0, 2000, mark(&log, 2)); // the clients' link: 20 ms
        p.transfer(0, 0, 2000, mark(&log, 3)); // inside the node: 0
        p.runAll();
        QCOMPARE(log.events, (Events{{3, 0}, {0, 3 * kMs}, {1, 5 * kMs}, {2, 20 * kMs}}));
        QCOMPARE(p.transfers()[0].bytes, std::uint64_t{2000});
        QCOMPARE(toNanos(p.transfers()[1].arrival), 5 * kMs);
        QVERIFY(p.transfers()[1].arrived);
    }

    void aFixedLinkDelayReplacesTheLinkBothWays()
    {
        FakePlatform p(twoZones());
        p.setLinkDelay(2, 0, SimDuration{7 * kMs});
        Log log{&p, {}};
        p.transfer(0, 2, 1'000'000'000, mark(&log, 0));
        p.transfer(2, 0, 0, mark(&log, 1));
        p.transfer(0, 1, 0, mark(&log, 2)); // another pair: its link class, 1 ms
        p.runAll();
        QCOMPARE(log.events, (Events{{2, 1 * kMs}, {0, 7 * kMs}, {1, 7 * kMs}}));
    }

    void degradationsApplyToLaterTransfersBetweenServers()
    {
        FakePlatform p(twoZones());
        PathDegradation d;
        d.addedLatency = SimDuration{4 * kMs};
        d.bytesPerSecond = 1e3;
        p.degrade(1, 0, d);
        Log log{&p, {}};
        p.transfer(0, 2, 1, mark(&log, 0)); // 5 + 4 ms + 1 B / 1000 B/s = 10 ms
        p.transfer(3, 2, 0, mark(&log, 1)); // the clients are behind no zone: 20 ms
        p.runAll();
        p.degrade(0, 1, PathDegradation{}); // restored at 20 ms
        p.transfer(0, 2, 1, mark(&log, 2)); // 5 ms later
        p.runAll();
        QCOMPARE(log.times(), (std::vector<std::int64_t>{10 * kMs, 20 * kMs, 25 * kMs}));
        QCOMPARE(p.degradations().size(), std::size_t{2});
        QCOMPARE(toNanos(p.degradations()[1].at), 20 * kMs);
    }

    void cancelledWorkNeverRuns()
    {
        FakePlatform p(twoZones());
        Log log{&p, {}};
        const auto timer = p.schedule(SimDuration{5}, mark(&log, 0));
        const auto cpu = p.compute(0, SimDuration{10}, mark(&log, 1));
        p.advanceTo(atNanos(3));
        p.cancel(timer);
        QVERIFY(p.cancelCompute(cpu));
        QVERIFY(!p.cancelCompute(cpu)); // only once
        p.cancel(timer);                // harmless
        QCOMPARE(p.pendingEvents(), std::size_t{0});
        p.runAll();
        QVERIFY(log.events.empty());
        QVERIFY(p.timers()[0].cancelled && !p.timers()[0].fired);
        QCOMPARE(toNanos(p.computations()[0].cancelledAt), std::int64_t{3});
        QCOMPARE(p.running(0), 0U);
        QCOMPARE(p.busyCoreSeconds(0), 3e-9); // it ran 3 ns
        // A finished computation cannot be cancelled.
        const auto done = p.compute(0, SimDuration{1}, mark(&log, 2));
        p.runAll();
        QVERIFY(!p.cancelCompute(done));
        QCOMPARE(log.events, (Events{{2, 4}}));
    }
};

QTEST_GUILESS_MAIN(TestFakePlatform)
#include "tst_fake_platform.moc"
