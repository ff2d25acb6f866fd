#pragma once

// CFS bandwidth control (engine/core/cpu_quota.h) on a Platform, against hand calculations over
// quota and period; run by both platforms' tests on the platform made from cpuQuotaSpec() (one
// platform: SimGrid allows one engine per process), each case on a node of its own.

#include "engine/core/platform.h"

#include <QString>
#include <QTest>

#include <cmath>
#include <cstdint>
#include <vector>

namespace meshsim::testing {

// Nodes 0-3 with quotas (100 ms periods), node 4 without, node 5 the clients.
inline engine::PlatformSpec cpuQuotaSpec()
{
    engine::PlatformSpec s;
    s.zones = {"a"};
    s.nodes = {{"half", 0, 1, 1.0},
               {"burst", 0, 4, 1.0},
               {"aligned", 0, 1, 1.0},
               {"long", 0, 2, 1.0},
               {"free", 0, 1, 1.0},
               {"clients", 0, 1, 1.0}};
    s.nodes[0].cpuQuota = 0.5; // a limit of 500 millicores
    s.nodes[1].cpuQuota = 1.0;
    s.nodes[2].cpuQuota = 0.5;
    s.nodes[3].cpuQuota = 0.5;
    s.clientNode = 5;
    return s;
}

inline void verifyCpuQuota(engine::Platform& p)
{
    struct Work
    {
        engine::NodeId node;
        double startMs;
        double workMs;
        double expectedMs;
    };
    const std::vector<Work> work{
        // 500 millicores: 50 ms of CPU per 100 ms. 80 ms of work from 0 runs 50 ms, waits
        // until 100 ms, runs 30 ms: done at 130 ms.
        {0, 0.0, 80.0, 130.0},
        // A burst on 4 cores under a 1-core limit: four 45 ms computations use the 100 ms of
        // quota in 25 ms, wait until 100 ms, and need 20 ms more each: 120 ms.
        {1, 0.0, 45.0, 120.0},
        {1, 0.0, 45.0, 120.0},
        {1, 0.0, 45.0, 120.0},
        {1, 0.0, 45.0, 120.0},
        // Periods are aligned on the clock: 30 ms from 80 ms uses 20 ms of the first period's
        // quota and 10 ms of the next one's: never throttled, done at 110 ms.
        {2, 80.0, 30.0, 110.0},
        // 240 ms under 500 millicores (one of 2 cores used): 50 ms per period, the last 40 ms
        // in the fifth period: done at 440 ms.
        {3, 0.0, 240.0, 440.0},
        // Without a quota: 80 ms.
        {4, 0.0, 80.0, 80.0},
    };
    struct Run // what the callbacks reach (a Callback holds 32 bytes)
    {
        engine::Platform& p;
        const std::vector<Work>& work;
        std::vector<double> finished;
    } run{p, work, std::vector<double>(work.size(), -1.0)};
    std::vector<double>& finished = run.finished;
    for (std::size_t i = 0; i < work.size(); ++i) {
        Run* r = &run;
        p.schedule(engine::durationFromSeconds(work[i].startMs / 1e3), [r, i] {
            r->p.compute(r->work[i].node,
                         engine::durationFromSeconds(r->work[i].workMs / 1e3),
                         [r, i] { r->finished[i] = engine::toSeconds(r->p.now()) * 1e3; });
        });
    }
    p.runUntil(engine::kSimNever);
    for (std::size_t i = 0; i < work.size(); ++i)
        QVERIFY2(std::abs(finished[i] - work[i].expectedMs) < 1e-3, // whole nanoseconds
                 qPrintable(QString("computation %1 done at %2 ms").arg(i).arg(finished[i])));
    // Throttled time and periods (cpu.stat's throttled_usec, nr_throttled): 50 ms in one
    // period; 75 ms in one; none; 4 x 50 ms in four; none.
    const std::vector<std::pair<double, std::uint64_t>> throttled{
        {0.050, 1}, {0.075, 1}, {0.0, 0}, {0.200, 4}, {0.0, 0}};
    for (engine::NodeId n = 0; n < throttled.size(); ++n) {
        const double seconds = p.throttledSecondsAt(n, p.now());
        QVERIFY2(std::abs(seconds - throttled[n].first) < 1e-6,
                 qPrintable(QString("node %1 throttled %2 s").arg(n).arg(seconds)));
        QCOMPARE(p.throttledPeriods(n), throttled[n].second);
    }
    // A throttled node does not count as busy: node 0 was busy 80 ms of core time.
    QVERIFY(std::abs(p.busyCoreSecondsAt(0, p.now()) - 0.080) < 1e-6);
    QVERIFY(std::abs(p.busyCoreSecondsAt(1, p.now()) - 0.180) < 1e-6);
}

} // namespace meshsim::testing
