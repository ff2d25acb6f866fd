// FastPlatform: transfer times and processor-sharing CPUs, against hand calculations.

#include "engine/core/fast_platform.h"
#include "tests/support/cpu_quota_cases.h"

#include <QTest>

#include <vector>

using namespace meshsim;
using namespace meshsim::engine;

namespace {

PlatformSpec twoNodes(std::uint32_t cores, double speed = 1.0)
{
    PlatformSpec spec;
    spec.zones = {"a", "b"};
    spec.nodes = {{"n0", 0, cores, speed},
                  {"n1", 0, cores, speed},
                  {"n2", 1, 1, 1.0},
                  {"clients", 0, 1, 1.0}};
    spec.clientNode = 3;
    spec.sameNode = {SimDuration{20'000}, 40e9 / 8};
    spec.sameZone = {SimDuration{150'000}, 10e9 / 8};
    spec.crossZone = {SimDuration{1'000'000}, 5e9 / 8};
    spec.client = {SimDuration{35'000'000}, 50e6 / 8};
    return spec;
}

struct Done
{
    std::vector<std::pair<int, std::int64_t>> events; // (id, time ns)
};

Callback record(Done* done, Platform* p, int id)
{
    return [done, p, id] { done->events.emplace_back(id, toNanos(p->now())); };
}

using Events = std::vector<std::pair<int, std::int64_t>>;

} // namespace

class TestFastPlatform : public QObject
{
    Q_OBJECT

private slots:
    void cpuQuotaThrottlesInPeriods()
    {
        FastPlatform p(testing::cpuQuotaSpec());
        testing::verifyCpuQuota(p);
    }

    void transferTimes()
    {
        FastPlatform p(twoNodes(1));
        Done done;
        // same zone: 150 us + 125,000 B / 1.25e9 B/s = 150 + 100 us
        p.transfer(0, 1, 125'000, record(&done, &p, 1));
        // same node: 20 us + 0 bytes
        p.transfer(0, 0, 0, record(&done, &p, 2));
        // cross zone: 1 ms + 625,000 B / 625e6 B/s = 1 ms + 1 ms
        p.transfer(0, 2, 625'000, record(&done, &p, 3));
        // client network: 35 ms + 6,250 B / 6.25e6 B/s = 35 + 1 ms
        p.transfer(3, 1, 6'250, record(&done, &p, 4));
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{2, 20'000}, {1, 250'000}, {3, 2'000'000}, {4, 36'000'000}}));
    }

    void unlimitedBandwidthIsLatencyOnly()
    {
        PlatformSpec spec = twoNodes(1);
        spec.sameZone = {SimDuration{5}, 0.0};
        FastPlatform p(spec);
        Done done;
        p.transfer(0, 1, 1'000'000'000, record(&done, &p, 1));
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{1, 5}}));
    }

    void uncontendedComputeRunsAtNodeSpeed()
    {
        FastPlatform p(twoNodes(2, 0.5));
        Done done;
        p.compute(0, SimDuration{1'000'000}, record(&done, &p, 1)); // 1 ms at half speed
        p.compute(0, SimDuration{3'000'000}, record(&done, &p, 2)); // two jobs, two cores
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{1, 2'000'000}, {2, 6'000'000}}));
        QCOMPARE(p.busyCoreSeconds(0), 0.008); // 2 ms + 6 ms of one core each
    }

    void processorSharingOnOneCore()
    {
        // Jobs of 1, 2, 3 ms start together on one core. Each gets 1/3 of it until the first
        // has its 1 ms (t = 3 ms); the other two then get 1/2 until the second has its 2 ms
        // (1 ms more: t = 5 ms); the last runs alone for its final 1 ms (t = 6 ms).
        FastPlatform p(twoNodes(1));
        Done done;
        p.compute(0, SimDuration{3'000'000}, record(&done, &p, 3));
        p.compute(0, SimDuration{1'000'000}, record(&done, &p, 1));
        p.compute(0, SimDuration{2'000'000}, record(&done, &p, 2));
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{1, 3'000'000}, {2, 5'000'000}, {3, 6'000'000}}));
        QCOMPARE(p.busyCoreSeconds(0), 0.006);
    }

    void threeJobsOnTwoCores()
    {
        // 3 jobs of 3 ms on 2 cores: each runs at 2/3, all finish at 4.5 ms.
        FastPlatform p(twoNodes(2));
        Done done;
        for (int i = 0; i < 3; ++i)
            p.compute(0, SimDuration{3'000'000}, record(&done, &p, i));
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{0, 4'500'000}, {1, 4'500'000}, {2, 4'500'000}}));
        QCOMPARE(p.busyCoreSeconds(0), 0.009); // 2 cores busy for 4.5 ms
    }

    void arrivalSlowsRunningJob()
    {
        // A (2 ms) starts at 0; B (1 ms) at 1 ms. From 1 ms both run at 1/2: B needs 2 ms of
        // wall time, A's remaining 1 ms too, so both end at 3 ms, A first (started first).
        FastPlatform p(twoNodes(1));
        Done done;
        Platform* pp = &p;
        Done* d = &done;
        p.compute(0, SimDuration{2'000'000}, record(&done, &p, 1));
        p.schedule(SimDuration{1'000'000},
                   [pp, d] { pp->compute(0, SimDuration{1'000'000}, record(d, pp, 2)); });
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{1, 3'000'000}, {2, 3'000'000}}));
    }

    void cancelFreesTheCore()
    {
        // A and B (2 ms each) share one core; B is cancelled at 1 ms, when each has had 0.5 ms.
        // A then runs alone: 1.5 ms more, done at 2.5 ms. B's callback never runs.
        FastPlatform p(twoNodes(1));
        Done done;
        p.compute(0, SimDuration{2'000'000}, record(&done, &p, 1));
        const ActivityId b = p.compute(0, SimDuration{2'000'000}, record(&done, &p, 2));
        Platform* pp = &p;
        p.schedule(SimDuration{1'000'000}, [pp, b] { QVERIFY(pp->cancelCompute(b)); });
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{1, 2'500'000}}));
        QVERIFY(!p.cancelCompute(b)); // already gone
        QCOMPARE(p.activeComputations(0), std::uint32_t{0});
    }

    void nodesAreIndependent()
    {
        FastPlatform p(twoNodes(1));
        Done done;
        p.compute(0, SimDuration{1'000'000}, record(&done, &p, 1));
        p.compute(1, SimDuration{1'000'000}, record(&done, &p, 2));
        p.runUntil(kSimNever);
        QCOMPARE(done.events, (Events{{1, 1'000'000}, {2, 1'000'000}}));
    }

    void linkClasses()
    {
        FastPlatform p(twoNodes(1));
        QCOMPARE(p.linkBetween(0, 0).latency, SimDuration{20'000});
        QCOMPARE(p.linkBetween(0, 1).latency, SimDuration{150'000});
        QCOMPARE(p.linkBetween(1, 2).latency, SimDuration{1'000'000});
        QCOMPARE(p.linkBetween(3, 2).latency, SimDuration{35'000'000});
    }
};

QTEST_GUILESS_MAIN(TestFastPlatform)
#include "tst_fast_platform.moc"
