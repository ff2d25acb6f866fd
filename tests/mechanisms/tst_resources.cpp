// Kubernetes CPU requests and limits, end to end on the fast platform: an instance gets the cores
// of its request, and its limit is a CFS quota in 100 ms periods (engine/core/cpu_quota.h), so a
// request that spends the quota early waits for the next period. Values from hand calculations
// over quota and period.

#include "tests/support/run_results.h"

#include <QString>
#include <QTest>

#include <cmath>
#include <string>

using namespace meshsim;
using testing::serviceOf;

namespace {

// One service of constant `cpu` under `resources`, requested at a constant `rate` on an ideal
// network: a request's latency is its time at the instance.
std::string oneService(const QString& cpu, const QString& resources, const QString& rate)
{
    return QString(R"(
meshsim: 1
duration: %4
warmup: 0s
platform: {network: ideal, client_network: {latency: 0ms, bandwidth: unlimited}}
services:
  - {name: a, cpu: %1, resources: %2}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: %3}}]
)")
        .arg(cpu, resources, rate, "200s")
        .toStdString();
}

const run::NodeResult& nodeOf(const run::RunResult& r, const char* name)
{
    for (const run::NodeResult& n : r.nodes)
        if (n.name == name)
            return n;
    qFatal("no node %s", name);
}

} // namespace

class TestResources : public QObject
{
    Q_OBJECT

private slots:
    void aLimitThrottlesABurstUntilTheNextPeriod()
    {
        // 500 millicores: 50 ms of CPU per 100 ms period. A request of 80 ms arriving at a
        // period's start (one a second, from 0) runs 50 ms, is throttled 50 ms, runs 30 ms:
        // 130 ms, every request, throttled in exactly one period each.
        const auto r = m_runs.run(oneService("80ms", "{cpu_limit: 500m}", "1/s"));
        const auto& latency = serviceOf(r, "a").requests.latency;
        QCOMPARE(latency.min(), std::int64_t{130'000'000});
        QCOMPARE(latency.max(), std::int64_t{130'000'000});
        const run::NodeResult& node = nodeOf(r, "a-0");
        QCOMPARE(node.cores, 1U); // the request defaults to the limit: ceil(0.5) cores
        QCOMPARE(node.throttledPeriods, latency.count());
        QVERIFY(std::abs(node.throttledSeconds - 0.050 * static_cast<double>(latency.count()))
                < 1e-6);
        // Without the limit the same requests take their 80 ms.
        const auto free = m_runs.run(oneService("80ms", "{cpu_request: 500m}", "1/s"));
        QCOMPARE(serviceOf(free, "a").requests.latency.max(), std::int64_t{80'000'000});
        QCOMPARE(nodeOf(free, "a-0").throttledPeriods, std::uint64_t{0});
    }

    void theWaitDependsOnThePhaseInThePeriod()
    {
        // The same request arriving at phase p (ms) of a period: p <= 50 runs to the quota at
        // p + 50 and waits until 100: 130 - p; 50 < p <= 70 finishes within the next period's
        // quota: 80; p > 70 spends the next quota too and waits again: 130. Arrivals every
        // 1/1.03 s sweep the phases evenly (970.87 ms is no multiple of 100), so the mean is the
        // average over p of those: (6500 - 1250 + 1600 + 3900) / 100 = 107.5 ms; with 206
        // arrivals the sweep's unevenness is below 1 ms.
        const auto r = m_runs.run(oneService("80ms", "{cpu_limit: 500m}", "1.03/s"));
        const auto& latency = serviceOf(r, "a").requests.latency;
        QVERIFY(latency.count() > 200);
        QCOMPARE(latency.min(), std::int64_t{80'000'000});
        QVERIFY(latency.max() <= 130'000'000);
        const double mean = latency.mean() / 1e6;
        QVERIFY2(std::abs(mean - 107.5) < 1.0, qPrintable(QString::number(mean)));
    }

    void coresComeFromTheRequest()
    {
        // Without declared nodes an instance gets ceil(request) cores; the limit alone stands
        // for the request (Kubernetes); without resources, a core per worker (16) as before.
        const auto requested
            = m_runs.run(oneService("1ms", "{cpu_request: 2500m, cpu_limit: 4}", "1/s"));
        QCOMPARE(nodeOf(requested, "a-0").cores, 3U);
        QCOMPARE(nodeOf(requested, "a-0").cpuQuota, 4.0);
        const auto limited = m_runs.run(oneService("1ms", "{cpu_limit: 1.5}", "1/s"));
        QCOMPARE(nodeOf(limited, "a-0").cores, 2U);
        const auto plain = m_runs.run(oneService("1ms", "{}", "1/s"));
        QCOMPARE(nodeOf(plain, "a-0").cores, 16U);
        QCOMPARE(nodeOf(plain, "a-0").cpuQuota, 0.0);
    }

private:
    testing::ScenarioRuns m_runs;
};

QTEST_GUILESS_MAIN(TestResources)
#include "tst_resources.moc"
