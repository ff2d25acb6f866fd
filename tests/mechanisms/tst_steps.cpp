// The step language of the second edition, end to end on the fast platform: repeats, a group's
// probability and optionality, choices, async calls, CPU work after the calls, event-driven
// servers (`workers: unlimited`) and operations, each against a value derived in the test.
//
// Tolerances: where a result is random, the test states its standard deviation and allows five
// of them (a false failure about once in 1.7 million runs); seeds are fixed.

#include "run/results_json.h"
#include "tests/support/run_results.h"

#include <QString>
#include <QTest>

#include <cmath>
#include <string>

using namespace meshsim;
using testing::edgeOf;
using testing::fiveSd;
using testing::serviceOf;

namespace {

// Two or three services on an ideal network with a client next to them: a request's latency is
// the CPU work on its path, exactly. `%1`: a's keys; `%2`: b's; 100 requests a second for 10 s.
std::string chain(const QString& a, const QString& b = "cpu: 2ms")
{
    return QString(R"(
meshsim: 1
duration: 10s
platform:
  network: ideal
  client_network: {latency: 0ms, bandwidth: unlimited}
services:
  - {name: a, cpu: 1ms, %1}
  - {name: b, %2}
  - {name: c, cpu: 2ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: %3, rate: 100/s}}]
)")
        .arg(a, b, "poisson")
        .toStdString();
}

std::string constantLoad(const QString& a, const QString& b = "cpu: 2ms")
{
    std::string text = chain(a, b);
    text.replace(text.find("poisson"), 7, "constant");
    return text;
}

std::uint64_t served(const run::RunResult& r, const char* service)
{
    return serviceOf(r, service).requests.outcomes.total();
}

} // namespace

class TestSteps : public QObject
{
    Q_OBJECT

    testing::ScenarioRuns m_runs;

private slots:
    void repeatMultipliesTheCalls()
    {
        // `repeat: 9`: exactly nine calls per request. `repeat: {min: 1, max: 5}`: uniform on
        // 1..5, mean 3, variance (5^2 - 1) / 12 = 2 per request.
        const auto r = m_runs.run(
            chain("steps: [{call: b, repeat: 9}, {call: c, repeat: {min: 1, max: 5}}]"));
        const double n = static_cast<double>(served(r, "a"));
        QVERIFY(n > 900);
        QCOMPARE(edgeOf(r, "a", "b").calls, 9 * served(r, "a"));
        const double c = static_cast<double>(edgeOf(r, "a", "c").calls);
        QVERIFY2(std::abs(c - 3.0 * n) <= 5.0 * std::sqrt(2.0 * n),
                 qPrintable(QString("%1 calls to c for %2 requests").arg(c).arg(n)));
        QCOMPARE(r.metrics->summary().outcomes.ok(), served(r, "a"));
        // A service without operations has no operation blocks in results.json.
        QVERIFY(!run::resultsToJson(r, 0.0)["services"][0].contains("operations"));
    }

    void repeatRunsInSequenceOrAllAtOnce()
    {
        // One after another: 1 ms (a) + 3 x 2 ms (b) = 7 ms; all at once on b's 16 cores:
        // 1 + 2 = 3 ms. Constant arrivals 10 ms apart: no request meets another.
        const auto sequence = m_runs.run(constantLoad("steps: [{call: b, repeat: 3}]"));
        QCOMPARE(sequence.metrics->summary().latency.min(), std::int64_t{7'000'000});
        QCOMPARE(sequence.metrics->summary().latency.max(), std::int64_t{7'000'000});
        const auto parallel
            = m_runs.run(constantLoad("steps: [{call: b, repeat: {count: 3, parallel: true}}]"));
        QCOMPARE(parallel.metrics->summary().latency.min(), std::int64_t{3'000'000});
        QCOMPARE(parallel.metrics->summary().latency.max(), std::int64_t{3'000'000});

        // A failure ends a repetition in sequence (one call per request), not one all at once.
        const auto failing
            = m_runs.run(constantLoad("steps: [{call: b, repeat: 3}]", "cpu: 2ms, errors: 100%"));
        QCOMPARE(edgeOf(failing, "a", "b").calls, served(failing, "a"));
        QCOMPARE(failing.metrics->summary().outcomes.ok(), std::uint64_t{0});
        const auto failingAtOnce = m_runs.run(constantLoad(
            "steps: [{call: b, repeat: {count: 3, parallel: true}}]", "cpu: 2ms, errors: 100%"));
        QCOMPARE(edgeOf(failingAtOnce, "a", "b").calls, 3 * served(failingAtOnce, "a"));
    }

    void aGroupHasAProbabilityAndCanBeOptional()
    {
        // The group's one draw decides both calls: b and c are called exactly as often, in 30% of
        // the requests (binomial).
        const auto r
            = m_runs.run(chain("steps: [{sequence: [b, c], probability: 30%, optional: true}]",
                               "cpu: 2ms, errors: 100%"));
        const double n = static_cast<double>(served(r, "a"));
        const double b = static_cast<double>(edgeOf(r, "a", "b").calls);
        QVERIFY2(std::abs(b - 0.3 * n) <= fiveSd(n, 0.3),
                 qPrintable(QString("%1 group runs of %2").arg(b).arg(n)));
        // b always fails, so the sequence never reaches c; the group is optional, so no request
        // fails.
        QCOMPARE(testing::callsBetween(r, "a", "c"), std::uint64_t{0});
        QCOMPARE(r.metrics->summary().outcomes.ok(), served(r, "a"));

        const auto both = m_runs.run(chain("steps: [{sequence: [b, c], probability: 30%}]"));
        QCOMPARE(edgeOf(both, "a", "b").calls, edgeOf(both, "a", "c").calls);
    }

    void aChoiceRunsOneBranchByWeight()
    {
        // Weights 3 : 1 : 1 — b in 60% of the requests, c in 20%, nothing in the rest.
        const auto r = m_runs.run(chain(
            "steps: [{choice: [{weight: 3, steps: [b]}, {weight: 1, steps: [c]}, {weight: 1}]}]"));
        const double n = static_cast<double>(served(r, "a"));
        const double b = static_cast<double>(edgeOf(r, "a", "b").calls);
        const double c = static_cast<double>(edgeOf(r, "a", "c").calls);
        QVERIFY2(std::abs(b - 0.6 * n) <= fiveSd(n, 0.6),
                 qPrintable(QString("b %1 of %2").arg(b).arg(n)));
        QVERIFY2(std::abs(c - 0.2 * n) <= fiveSd(n, 0.2),
                 qPrintable(QString("c %1 of %2").arg(c).arg(n)));
    }

    void anAsyncCallDoesNotHoldTheCaller()
    {
        // a publishes to b (50 ms, always failing) without waiting, then calls c (2 ms): every
        // request takes 1 + 2 = 3 ms and succeeds, while b still serves every publish.
        const auto r = m_runs.run(constantLoad("steps: [{call: b, async: true}, c]",
                                               "cpu: 50ms, errors: 100%, workers: 64"));
        QCOMPARE(r.metrics->summary().latency.min(), std::int64_t{3'000'000});
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{3'000'000});
        QCOMPARE(r.metrics->summary().outcomes.ok(), served(r, "a"));
        QCOMPARE(edgeOf(r, "a", "b").calls, served(r, "a"));
        QCOMPARE(served(r, "b"), served(r, "a"));
        QCOMPARE(serviceOf(r, "b").requests.outcomes.ok(), std::uint64_t{0});
    }

    void afterCpuRunsOnceTheCallsAreBack()
    {
        // 1 ms, the call to b (2 ms), then 4 ms of rendering: 7 ms. A failed call answers at
        // once, without the rendering: 3 ms.
        const auto r = m_runs.run(constantLoad("after_cpu: 4ms, steps: [b]"));
        QCOMPARE(r.metrics->summary().latency.min(), std::int64_t{7'000'000});
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{7'000'000});
        // Per edge and per instance (results.json's latency_ms of edges and instances): the call
        // to b takes b's 2 ms, a request at a its 7 ms.
        QCOMPARE(edgeOf(r, "a", "b").latency.min(), std::int64_t{2'000'000});
        QCOMPARE(edgeOf(r, "a", "b").latency.max(), std::int64_t{2'000'000});
        QCOMPARE(serviceOf(r, "a").instances[0].latency.quantile(0.99), std::int64_t{7'000'000});
        const auto json = run::resultsToJson(r, 0.0);
        QCOMPARE(json["edges"][1]["to"].get<std::string>(), std::string("b"));
        QCOMPARE(json["edges"][1]["latency_ms"]["p99"].get<double>(), 2.0);
        QCOMPARE(json["services"][0]["instances"][0]["latency_ms"]["p50"].get<double>(), 7.0);
        const auto failed
            = m_runs.run(constantLoad("after_cpu: 4ms, steps: [b]", "cpu: 2ms, errors: 100%"));
        QCOMPARE(failed.metrics->summary().latency.max(), std::int64_t{3'000'000});
    }

    void unlimitedWorkersShareOneCore()
    {
        // 20 users thinking 1 ms keep 20 requests at an event-driven server at once, all in step:
        // none waits or is refused (queue 0), and its one core serves them side by side, each at
        // 1/20 of the speed: every request takes 20 x 10 ms = 200 ms.
        const char* scenario = R"(
meshsim: 1
duration: 10s
platform:
  network: ideal
  client_network: {latency: 0ms, bandwidth: unlimited}
services: [{name: a, cpu: 10ms, queue: 0, workers: %1}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: closed, users: 20, think: 1ms}}]
)";
        const auto r = m_runs.run(QString(scenario).arg("unlimited").toStdString());
        QCOMPARE(r.metrics->summary().latency.min(), std::int64_t{200'000'000});
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{200'000'000});
        QCOMPARE(serviceOf(r, "a").instances[0].rejected, std::uint64_t{0});
        // 16 workers (on 16 cores) and no queue: 4 of the 20 are refused each round.
        const auto limited = m_runs.run(QString(scenario).arg("16").toStdString());
        QVERIFY(serviceOf(limited, "a").instances[0].rejected > 0);
    }

    void operationsHaveTheirOwnWorkCallsAndStatistics()
    {
        // cart.get: 1 ms, then redis.get (100 us); cart.add: 2 ms, redis.get, redis.set (150 us),
        // then 500 with probability 40%. Routes map /get and /add to them, mixed 3 : 1. Every
        // instance has 16 cores: no request waits for another, so times add up exactly.
        const auto r = m_runs.run(R"(
meshsim: 1
duration: 20s
platform:
  network: ideal
  client_network: {latency: 0ms, bandwidth: unlimited}
services:
  - name: cart
    cpu: 1ms
    operations:
      - {name: get, steps: [redis.get]}
      - {name: add, cpu: 2ms, errors: 40%, steps: [redis.get, {call: redis.set}]}
  - name: redis
    operations:
      - {name: get, cpu: 100us}
      - {name: set, cpu: 150us}
routes:
  - {path: /get, to: cart.get}
  - {path: /add, to: cart.add}
workloads:
  - name: w
    arrival: {process: poisson, rate: 100/s}
    mix: [{path: /get, weight: 3}, {path: /add, weight: 1}]
)");
        const auto& cart = serviceOf(r, "cart");
        const auto& redis = serviceOf(r, "redis");
        QCOMPARE(cart.operations.size(), std::size_t{2});
        const auto& get = cart.operations[0].requests;
        const auto& add = cart.operations[1].requests;
        // Each route's requests are its operation's; the operations add up to the service.
        QCOMPARE(get.outcomes.total(), r.metrics->routes()[0].outcomes.total());
        QCOMPARE(add.outcomes.total(), r.metrics->routes()[1].outcomes.total());
        QCOMPARE(get.outcomes.total() + add.outcomes.total(), cart.requests.outcomes.total());
        const double n = static_cast<double>(cart.requests.outcomes.total());
        const double gets = static_cast<double>(get.outcomes.total());
        QVERIFY2(std::abs(gets - 0.75 * n) <= fiveSd(n, 0.75),
                 qPrintable(QString("%1 gets of %2").arg(gets).arg(n)));
        // Every request reads redis once; every add writes once.
        QCOMPARE(redis.operations[0].requests.outcomes.total(), cart.requests.outcomes.total());
        QCOMPARE(redis.operations[1].requests.outcomes.total(), add.outcomes.total());
        // Latency at cart: get 1 + 0.1 ms; add 2 + 0.1 + 0.15 ms, errors included (drawn last).
        QCOMPARE(get.latency.min(), std::int64_t{1'100'000});
        QCOMPARE(get.latency.max(), std::int64_t{1'100'000});
        QCOMPARE(add.latency.min(), std::int64_t{2'250'000});
        QCOMPARE(add.latency.max(), std::int64_t{2'250'000});
        QCOMPARE(get.outcomes.ok(), get.outcomes.total());
        const double adds = static_cast<double>(add.outcomes.total());
        const double failed = adds - static_cast<double>(add.outcomes.ok());
        QVERIFY2(std::abs(failed - 0.4 * adds) <= fiveSd(adds, 0.4),
                 qPrintable(QString("%1 of %2 adds failed").arg(failed).arg(adds)));

        // results.json: one block per operation, under the service.
        const auto json = run::resultsToJson(r, 0.0);
        const auto& ops = json["services"][0]["operations"];
        QCOMPARE(ops.size(), std::size_t{2});
        QCOMPARE(ops[1]["name"].get<std::string>(), std::string("add"));
        QCOMPARE(ops[1]["requests"].get<std::uint64_t>(), add.outcomes.total());
    }

    void aLibraryBalancesAsItIsTold()
    {
        // Without sidecars, a's library picks b's instance; b-0 is 20 times slower. Round robin
        // (the default, kube-proxy's and DNS's) gives it exactly a fourth of a's calls; random a
        // fourth in expectation (binomial); least request (P2C) far fewer, as in a mesh
        // (tst_mechanisms leastRequestAvoidsTheSlowInstance).
        const char* scenario = R"(
meshsim: 1
duration: 60s
warmup: 10s
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
services:
  - {name: a, cpu: 0, workers: 256, steps: [b], client: {load_balancer: %1}}
  - {name: b, replicas: 4, workers: 256, cpu: 1ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 400/s}}]
faults:
  - {at: 0s, slow: {service: b, instance: 0, factor: 20}}
)";
        const auto share = [&](const char* policy, double& calls) {
            const auto r = m_runs.run(QString(scenario).arg(policy).toStdString());
            const auto& instances = serviceOf(r, "b").instances;
            calls = 0.0;
            for (const auto& i : instances)
                calls += static_cast<double>(i.arrivals);
            return static_cast<double>(instances[0].arrivals) / calls;
        };
        double n = 0.0;
        const double roundRobin = share("round_robin", n);
        QVERIFY2(std::abs(roundRobin - 0.25) < 0.001, qPrintable(QString::number(roundRobin)));
        const double random = share("random", n);
        QVERIFY2(std::abs(random - 0.25) <= fiveSd(n, 0.25) / n,
                 qPrintable(QString::number(random)));
        QVERIFY(random != roundRobin);
        const double leastRequest = share("least_request", n);
        QVERIFY2(leastRequest < 0.15, qPrintable(QString::number(leastRequest)));
    }
};

QTEST_GUILESS_MAIN(TestSteps)
#include "tst_steps.moc"
