// Experiments (run/experiment.h): the statistics against hand calculations, the plan's runs and
// shards, the sweep axes, and replication confidence intervals that behave as theory says on an
// M/M/1 queue: they cover the closed-form mean about 95% of the time and shrink as 1/sqrt(N).

#include "run/experiment.h"
#include "run/results_json.h"
#include "run/simulation.h"
#include "topologies/loader.h"
#include "topologies/overrides.h"

#include <QTest>

#include <cmath>
#include <set>

using namespace meshsim;

namespace {

// Mean client latency (ms) of M/M/1 runs (validation:mm1: lambda 700/s, mu 1000/s) of 20 s after
// a 5 s warmup, about 14,000 requests each, on the fast platform.
class Mm1
{
public:
    Mm1()
    {
        auto loaded = topologies::loadScenarioWithOverrides(
            "validation:mm1", {{"duration", "25s"}, {"warmup", "5s"}, {"window", "5s"}});
        QVERIFY(loaded.ok());
        m_scenario = std::move(*loaded.scenario);
    }
    double meanMs(std::uint64_t seed) const
    {
        run::RunOptions options;
        options.seed = seed;
        options.engine = models::EngineKind::Fast;
        const run::RunResult r = run::runScenario(m_scenario, options);
        return r.metrics->summary().latency.mean() / 1e6;
    }

private:
    topologies::Scenario m_scenario;
};

} // namespace

class TestExperiment : public QObject
{
    Q_OBJECT

private slots:
    void estimateByHand()
    {
        // 1..5: mean 3, s = sqrt(10/4) = 1.5811; t(0.975, 4) = 2.7764 (tables);
        // half width = 2.7764 * 1.5811 / sqrt(5) = 1.9632.
        const run::Estimate e = run::estimate({1, 2, 3, 4, 5});
        QCOMPARE(e.n, std::size_t(5));
        QCOMPARE(e.mean, 3.0);
        QVERIFY(std::abs(e.sd - 1.58114) < 1e-5);
        QVERIFY(std::abs(run::studentT95(4) - 2.77645) < 1e-5);
        QVERIFY(std::abs(e.halfWidth - 1.96324) < 1e-4);
        QVERIFY(e.ci);
        // One sample: a mean, no interval.
        const run::Estimate one = run::estimate({7});
        QCOMPARE(one.mean, 7.0);
        QVERIFY(!one.ci);
        QCOMPARE(one.halfWidth, 0.0);
    }

    void differencesByHand()
    {
        // Paired: differences 1, 2, 3 -> mean 2, s 1, t(0.975, 2) = 4.3027, hw = 2.4841.
        const run::Difference p = run::pairedDifference({10, 20, 30}, {11, 22, 33});
        QCOMPARE(p.value, 2.0);
        QVERIFY(std::abs(p.halfWidth - 2.48414) < 1e-4);
        QVERIFY(!p.significant); // [-0.48, 4.48] holds 0
        QVERIFY(std::abs(p.percent() - 10.0) < 1e-12);
        // Var(d) = 1 against Var(b) + Var(c) = 100 + 121: strongly correlated streams.
        QVERIFY(std::abs(p.varianceRatio - 1.0 / 221.0) < 1e-12);
        // Welch: means 2 and 5, variances 1 and 1, n 3 and 3: se = sqrt(2/3), df = 4,
        // hw = 2.7764 * 0.8165 = 2.2670: [0.733, 5.267], significant.
        const run::Difference w = run::welchDifference({1, 2, 3}, {4, 5, 6});
        QCOMPARE(w.value, 3.0);
        QVERIFY(std::abs(w.halfWidth - 2.26697) < 1e-4);
        QVERIFY(w.significant);
        // Identical designs: zero differences, not significant.
        const run::Difference same = run::pairedDifference({1, 2, 3}, {1, 2, 3});
        QVERIFY(same.ci);
        QVERIFY(!same.significant);
    }

    void seeds()
    {
        QCOMPARE(run::replicationSeed(42, 0), std::uint64_t(42));
        std::set<std::uint64_t> seen;
        for (std::uint32_t r = 0; r < 1000; ++r)
            for (std::uint32_t d = 0; d < 4; ++d)
                seen.insert(run::independentSeed(42, r, d));
        QCOMPARE(seen.size(), std::size_t(4000));
        QCOMPARE(run::independentSeed(42, 3, 0), run::replicationSeed(42, 3));
    }

    void axes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("values"); // empty: rejected
        QTest::newRow("list") << "a.b=1,2,3" << QStringList{"1", "2", "3"};
        QTest::newRow("units") << "workloads[0].arrival.rate=100/s..400/s/4"
                               << QStringList{"100/s", "200/s", "300/s", "400/s"};
        QTest::newRow("integers") << "mesh.defaults.retries.attempts=0..4"
                                  << QStringList{"0", "1", "2", "3", "4"};
        QTest::newRow("durations") << "x=1ms..2ms/3" << QStringList{"1ms", "1.5ms", "2ms"};
        QTest::newRow("flow values")
            << "cpu={dist: constant, value: 1ms},{dist: constant, "
               "value: 2ms}"
            << QStringList{"{dist: constant, value: 1ms}", "{dist: constant, value: 2ms}"};
        QTest::newRow("mixed units") << "x=1ms..2s/3" << QStringList{};
        QTest::newRow("one step") << "x=1..2/1" << QStringList{};
        QTest::newRow("fractional range without steps") << "x=0.5..2" << QStringList{};
        QTest::newRow("empty item") << "x=1,,2" << QStringList{};
    }

    void axes()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, values);
        std::string error;
        const auto axis = run::parseAxis(text.toStdString(), error);
        if (values.isEmpty()) {
            QVERIFY2(!axis, text.toUtf8().constData());
            QVERIFY(!error.empty());
            return;
        }
        QVERIFY2(axis, error.c_str());
        QStringList got;
        for (const std::string& v : axis->values)
            got << QString::fromStdString(v);
        QCOMPARE(got, values);
    }

    void planRunsAndShards()
    {
        run::Plan plan;
        plan.kind = "sweep";
        plan.designs = {{"a", "builtin:bookstore", "gateway", std::nullopt, std::nullopt},
                        {"b", "builtin:bookstore", "mesh", std::nullopt, std::nullopt}};
        plan.axes = {{"x", {"1", "2", "3"}}, {"y", {"p", "q"}}};
        plan.replications = 3;
        plan.baseSeed = 9;
        QCOMPARE(plan.points(), std::size_t(6));
        QCOMPARE(plan.runCount(), std::size_t(36));
        // Point 4 = (x index 2, y index 0): the last axis varies fastest.
        const auto s = plan.settings(4);
        QCOMPARE(s[0].value, std::string("3"));
        QCOMPARE(s[1].value, std::string("p"));
        const run::RunSpec r = plan.run(4 * 6 + 1 * 3 + 2);
        QCOMPARE(r.point, std::size_t(4));
        QCOMPARE(r.design, std::size_t(1));
        QCOMPARE(r.replication, 2u);
        QCOMPARE(r.seed, run::replicationSeed(9, 2)); // common random numbers: same per design
        QCOMPARE(r.overrides.front().value, std::string("mesh"));
        // Shards partition the runs.
        std::vector<int> owners(plan.runCount(), 0);
        for (std::size_t k = 1; k <= 5; ++k)
            for (std::size_t i = 0; i < plan.runCount(); ++i)
                owners[i] += run::Plan::inShard(i, k, 5) ? 1 : 0;
        QVERIFY(std::all_of(owners.begin(), owners.end(), [](int n) { return n == 1; }));
        // The plan survives its JSON.
        std::string error;
        const auto back = run::Plan::fromJson(plan.toJson(), error);
        QVERIFY2(back, error.c_str());
        QCOMPARE(back->toJson().dump(), plan.toJson().dump());
        plan.commonRandomNumbers = false;
        QVERIFY(plan.run(3).seed != plan.run(0).seed); // designs differ
    }

    void pairsByReplicationWhenARowIsMissing()
    {
        // An edge without calls is not in a run's results: replication r still pairs with
        // replication r, the missing row counting 0 calls.
        auto loaded = topologies::loadScenarioWithOverrides(
            "validation:mm1", {{"duration", "60s"}, {"window", "5s"}});
        QVERIFY(loaded.ok());
        run::Plan plan;
        plan.designs = {{"a", "validation:mm1", std::nullopt, std::nullopt, std::nullopt},
                        {"b", "validation:mm1", std::nullopt, std::nullopt, std::nullopt}};
        plan.replications = 3;
        std::vector<nlohmann::ordered_json> runs;
        for (std::size_t i = 0; i < plan.runCount(); ++i) {
            run::RunOptions options;
            options.seed = plan.run(i).seed;
            options.engine = models::EngineKind::Fast;
            runs.push_back(run::resultsToJson(run::runScenario(*loaded.scenario, options), 0.0));
        }
        // Design b's replication 1 lost its only edge.
        runs[plan.replications + 1]["edges"] = nlohmann::ordered_json::array();
        const auto summary = run::summarize(plan, runs);
        const auto& edgeA = summary["points"][0]["designs"][0]["edges"]["poisson -> server"];
        const auto& edgeB = summary["points"][0]["designs"][1]["edges"]["poisson -> server"];
        QCOMPARE(edgeA["calls_per_second"]["n"].get<int>(), 3);
        QCOMPARE(edgeB["calls_per_second"]["n"].get<int>(), 3);
        // b's mean: (replication 0 + 0 + replication 2) / 3, from the runs' own edges.
        const auto rateOf = [&](std::size_t i) {
            return runs[i]["edges"][0]["requests"].get<double>()
                   / runs[i]["measured_seconds"].get<double>();
        };
        const double expected = (rateOf(plan.replications) + rateOf(plan.replications + 2)) / 3;
        QVERIFY(std::abs(edgeB["calls_per_second"]["mean"].get<double>() - expected) < 1e-9);
        // And the paired difference of replication 1 is its full rate.
        QVERIFY(edgeA["calls_per_second"]["mean"].get<double>() > expected);
    }

    void operationsAreRowsOfTheServicesScope()
    {
        // A service's named operations are rows of the services scope, named as calls name
        // them ("cart.get"); each row's throughput is the mean over replications of the
        // operation's requests per measured second in the runs' own results.
        const auto loaded = topologies::loadScenarioText(R"(
meshsim: 1
duration: 10s
services:
  - name: cart
    operations: [{name: get}, {name: add, errors: 50%}]
routes: [{path: /get, to: cart.get}, {path: /add, to: cart.add}]
workloads:
  - {name: w, arrival: {process: poisson, rate: 50/s}, mix: [{path: /get, weight: 3}, {path: /add}]}
)",
                                                         "ops.yaml");
        QVERIFY(loaded.ok());
        run::Plan plan;
        plan.designs = {{"a", "ops.yaml", std::nullopt, std::nullopt, std::nullopt}};
        plan.replications = 3;
        std::vector<nlohmann::ordered_json> runs;
        double rate = 0.0;
        for (std::size_t i = 0; i < plan.runCount(); ++i) {
            run::RunOptions options;
            options.seed = plan.run(i).seed;
            options.engine = models::EngineKind::Fast;
            runs.push_back(run::resultsToJson(run::runScenario(*loaded.scenario, options), 0.0));
            const auto& add = runs.back()["services"][0]["operations"][1];
            QCOMPARE(add["name"].get<std::string>(), std::string("add"));
            rate += add["requests"].get<double>() / runs.back()["measured_seconds"].get<double>()
                    / 3.0;
        }
        const auto summary = run::summarize(plan, runs);
        const auto& services = summary["points"][0]["designs"][0]["services"];
        QVERIFY(services.contains("cart") && services.contains("cart.get"));
        const double mean = services["cart.add"]["throughput_rps"]["mean"].get<double>();
        QVERIFY2(std::abs(mean - rate) < 1e-9, qPrintable(QString::number(mean)));
        QVERIFY(services["cart.add"]["error_rate"]["mean"].get<double>() > 0.3);
        QCOMPARE(services["cart.get"]["error_rate"]["mean"].get<double>(), 0.0);
    }

    void intervalsCoverTheMm1Mean()
    {
        // 200 experiments of 5 replications each; the true mean sojourn time of M/M/1 is
        // 1/(mu - lambda) = 3.3333 ms. A 95% interval should cover it in 95% of experiments:
        // with 200 of them the count is Binomial(200, 0.95), sd = sqrt(200 * 0.95 * 0.05) = 3.08,
        // so 190 ± 3 sd = [181, 199] (the initial-state bias after a 5 s warmup is below
        // 0.01 ms, far inside a half width of about 0.2 ms).
        const Mm1 mm1;
        const double truth = 1.0 / (1000.0 - 700.0) * 1000.0;
        int covered = 0;
        for (std::uint64_t e = 0; e < 200; ++e) {
            std::vector<double> means;
            for (std::uint32_t r = 0; r < 5; ++r)
                means.push_back(mm1.meanMs(run::replicationSeed(1000 + e, r)));
            const run::Estimate est = run::estimate(means);
            covered += est.low() <= truth && truth <= est.high() ? 1 : 0;
        }
        qInfo("intervals covering 3.3333 ms: %d of 200", covered);
        QVERIFY2(covered >= 181 && covered <= 199, qPrintable(QString::number(covered)));
    }

    void intervalsShrinkAsOneOverRootN()
    {
        // 256 replications, cut into 16 groups of 16 and 4 groups of 64: the mean half width of
        // the groups, hw(N) = t(N-1) * s_N / sqrt(N) with E[s_N] = c4(N) * sigma, gives
        // hw(16) / hw(64) = 2 * (t15 / t63) * (c4(16) / c4(64)) = 2 * 1.0666 * 0.98745 = 2.106.
        // The noise of s_N is about sigma / sqrt(2(N-1)): 18% for one group of 16, 4.6% for the
        // mean of 16 groups; 9% and 4.5% for 64: about 6.4% on the ratio, 3 sd = 19%. Shrinking
        // as 1/N would give 4.2, not shrinking 1.
        const Mm1 mm1;
        std::vector<double> means;
        for (std::uint32_t r = 0; r < 256; ++r)
            means.push_back(mm1.meanMs(run::replicationSeed(77, r)));
        const auto meanHalfWidth = [&](std::size_t n) {
            double sum = 0.0;
            for (std::size_t g = 0; g < means.size() / n; ++g)
                sum += run::estimate(
                           std::vector<double>(means.begin() + g * n, means.begin() + (g + 1) * n))
                           .halfWidth;
            return sum / static_cast<double>(means.size() / n);
        };
        const double ratio = meanHalfWidth(16) / meanHalfWidth(64);
        qInfo("hw(16) / hw(64) = %.4f (theory 2.106)", ratio);
        QVERIFY2(std::abs(ratio - 2.106) < 0.19 * 2.106, qPrintable(QString::number(ratio)));
    }
};

QTEST_GUILESS_MAIN(TestExperiment)
#include "tst_experiment.moc"
