// Versions (subsets) of a service and the traffic rules over them, end to end on the fast
// platform: a weighted split shares the calls as its weights in every architecture (the same
// calls, as the draws are keyed by the call), headers pick their version and are propagated
// through the services, each version serves with its own work and calls, a service without
// rules is balanced over every instance, a version without instances fails its calls.
//
// Tolerances: where a result is random, the test states its standard deviation and allows five
// of them (a false failure about once in 1.7 million runs); seeds are fixed.

#include "run/results_json.h"
#include "tests/support/run_results.h"

#include <QString>
#include <QTest>

#include <string>

using namespace meshsim;
using testing::fiveSd;
using testing::serviceOf;

namespace {

// a calls b; b has versions v1 (2 replicas) and v2 (1). `%1`: b's keys after its versions;
// `%2`: the architecture and mesh keys; `%3`: the workloads' mix; `%4`: the routes.
std::string canary(const QString& b,
                   const QString& architecture,
                   const QString& mix,
                   const QString& routes = "[{path: /x, to: a}]")
{
    return QString(R"(
meshsim: 1
duration: 20s
warmup: 0s
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
%2
services:
  - {name: a, replicas: 2, cpu: 0, workers: 256, steps: [b]}
  - name: b
    workers: 256
    cpu: 1ms
    versions:
      - {name: v1, replicas: 2}
      - {name: v2, replicas: 1, labels: {track: canary}}
    %1
routes: %4
workloads: [{name: w, arrival: {process: poisson, rate: 200/s}, mix: %3}]
)")
        .arg(b, architecture, mix, routes)
        .toStdString();
}

const QString kPlainMix = "[{path: /x}]";

double requestsOf(const models::OperationStats& version)
{
    return static_cast<double>(version.requests.outcomes.total());
}

} // namespace

class TestVersions : public QObject
{
    Q_OBJECT

private slots:
    void aWeightedSplitSharesCallsAsItsWeights_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::newRow("direct") << "architecture: direct";
        QTest::newRow("gateway") << "architecture: gateway";
        QTest::newRow("mesh") << "architecture: mesh";
        QTest::newRow("linkerd") << "architecture: mesh\nmesh: {kind: linkerd}";
        QTest::newRow("ambient, waypoint")
            << "architecture: mesh\nmesh: {kind: istio-ambient, waypoints: [{name: wp}]}";
        QTest::newRow("ambient, ztunnels") << "architecture: mesh\nmesh: {kind: istio-ambient}";
    }
    void aWeightedSplitSharesCallsAsItsWeights()
    {
        QFETCH(QString, architecture);
        testing::ScenarioRuns runs;
        const auto r
            = runs.run(canary("traffic: [{split: {v1: 90, v2: 10}}]", architecture, kPlainMix), 7);
        const models::ServiceStats& b = serviceOf(r, "b");
        QCOMPARE(b.versions.size(), std::size_t{2});
        const double n = requestsOf(b.versions[0]) + requestsOf(b.versions[1]);
        QCOMPARE(n, static_cast<double>(b.requests.outcomes.total()));
        QVERIFY(n > 3500); // 200/s for 20 s: 4000 ± 5 sd of Poisson (316)
        // Each call goes to v2 with probability 0.1, independently: binomial(n, 0.1).
        QVERIFY2(std::abs(requestsOf(b.versions[1]) - 0.1 * n) <= fiveSd(n, 0.1),
                 qPrintable(QString::number(requestsOf(b.versions[1]))));
        // Each version's calls stay on its instances (0 and 1 are v1's, 2 is v2's).
        QCOMPARE(static_cast<double>(b.instances[2].arrivals), requestsOf(b.versions[1]));
        QCOMPARE(static_cast<double>(b.instances[0].arrivals + b.instances[1].arrivals),
                 requestsOf(b.versions[0]));
        // The draw is keyed by the call (common random numbers): every architecture sends the
        // same calls to v2 as direct does.
        const auto direct = runs.run(
            canary("traffic: [{split: {v1: 90, v2: 10}}]", "architecture: direct", kPlainMix), 7);
        QCOMPARE(requestsOf(b.versions[1]), requestsOf(serviceOf(direct, "b").versions[1]));
    }

    void headersPickTheirVersionThroughTheCallers()
    {
        // Requests to /x carry end-user: jason; a propagates the header to its call of b. The
        // first rule sends exactly those calls to v2, the last every other call to v1.
        testing::ScenarioRuns runs;
        for (const char* architecture : {"architecture: direct", "architecture: mesh"}) {
            const auto r = runs.run(
                canary("traffic: [{match: {headers: {end-user: jason}}, version: v2}, "
                       "{version: v1}]",
                       architecture,
                       "[{path: /x, weight: 1, headers: {End-User: jason}}, "
                       "{path: /y, weight: 3}, {path: /y, weight: 1, headers: {end-user: ann}}]",
                       "[{path: /x, to: a}, {path: /y, to: a}]"),
                3);
            const models::ServiceStats& b = serviceOf(r, "b");
            const auto& routes = r.metrics->routes();
            const auto& names = r.metrics->layout().routes;
            QCOMPARE(names[0], std::string("/x"));
            QVERIFY(routes[0].outcomes.total() > 500); // 50/s for 20 s: 1000 ± 5 sd (158)
            QCOMPARE(b.versions[1].requests.outcomes.total(), routes[0].outcomes.total());
            QCOMPARE(b.versions[0].requests.outcomes.total(), routes[1].outcomes.total());
        }
    }

    void eachVersionServesWithItsOwnWorkAndCalls()
    {
        // v1 keeps b's 1 ms and calls nothing; v2 takes 5 ms and calls c: constant CPU on idle
        // instances (256 workers, an ideal network), so each version's latency is exact.
        testing::ScenarioRuns runs;
        const std::string yaml = R"(
meshsim: 1
duration: 20s
warmup: 0s
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
services:
  - {name: a, replicas: 2, cpu: 0, workers: 256, steps: [b]}
  - name: b
    workers: 256
    cpu: 1ms
    versions:
      - {name: v1, replicas: 2}
      - {name: v2, replicas: 1, cpu: 5ms, steps: [c]}
    traffic: [{split: {v1: 1, v2: 1}}]
  - {name: c, workers: 256, cpu: 2ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 200/s}}]
)";
        const auto run = runs.run(yaml, 5);
        const models::ServiceStats& b = serviceOf(run, "b");
        const double n = requestsOf(b.versions[0]) + requestsOf(b.versions[1]);
        QVERIFY2(std::abs(requestsOf(b.versions[1]) - 0.5 * n) <= fiveSd(n, 0.5),
                 qPrintable(QString::number(requestsOf(b.versions[1]))));
        // v2's calls of c are exactly its requests; v1 makes none.
        QCOMPARE(static_cast<double>(testing::callsBetween(run, "b", "c")),
                 requestsOf(b.versions[1]));
        // v1: 1 ms of CPU; v2: 5 ms, then c's 2 ms over an ideal network (Histogram buckets
        // are within 1% of the value).
        QVERIFY(std::abs(b.versions[0].requests.latency.quantile(0.5) / 1e6 - 1.0) < 0.02);
        QVERIFY(std::abs(b.versions[1].requests.latency.quantile(0.5) / 1e6 - 7.0) < 0.1);
        // results.json: a block per version, each instance with its version.
        const auto json = run::resultsToJson(run, 0.0);
        const auto& bJson = json["services"][1];
        QCOMPARE(bJson["versions"][1]["name"].get<std::string>(), std::string("v2"));
        QCOMPARE(bJson["versions"][1]["requests"].get<double>(), requestsOf(b.versions[1]));
        QCOMPARE(bJson["instances"][2]["version"].get<std::string>(), std::string("v2"));
        QCOMPARE(bJson["instances"][1]["version"].get<std::string>(), std::string("v1"));
    }

    void withoutRulesEveryInstanceIsBalanced()
    {
        // No traffic rules: the Kubernetes Service selects every version's pods, so callers
        // balance over all three instances (round robin per caller without a mesh: each of a's
        // two instances and its cursor give every instance a third of its calls, ± 1).
        testing::ScenarioRuns runs;
        const auto r = runs.run(canary("", "architecture: direct", kPlainMix), 11);
        const models::ServiceStats& b = serviceOf(r, "b");
        const double n = static_cast<double>(b.requests.outcomes.total());
        for (const auto& instance : b.instances)
            QVERIFY(std::abs(static_cast<double>(instance.arrivals) - n / 3.0) <= 2.0);
        QVERIFY(std::abs(requestsOf(b.versions[0]) - 2.0 * n / 3.0) <= 2.0);
    }

    void aFaultSelectsAVersion()
    {
        // Errors on v2 only (its one instance) from the start: exactly v2's requests fail,
        // every one of them, and v1's none.
        testing::ScenarioRuns runs;
        const std::string yaml
            = canary("traffic: [{split: {v1: 90, v2: 10}}]", "architecture: direct", kPlainMix)
              + "faults: [{at: 0s, errors: {service: b, version: v2, rate: 100%}}]\n";
        const auto r = runs.run(yaml, 7);
        const models::ServiceStats& b = serviceOf(r, "b");
        QVERIFY(requestsOf(b.versions[1]) > 0);
        QCOMPARE(b.versions[1].requests.outcomes.errors(), b.versions[1].requests.outcomes.total());
        QCOMPARE(b.versions[0].requests.outcomes.errors(), std::uint64_t{0});
        QCOMPARE(testing::edgeOf(r, "a", "b").outcomes.errors(),
                 b.versions[1].requests.outcomes.total());
    }

    void aVersionWithoutInstancesFailsItsCalls()
    {
        // v2 scaled to 0: the rule still sends a tenth of the calls to it, and with no host in
        // its subset the caller answers 503 (no healthy upstream) to each; v1 is untouched.
        testing::ScenarioRuns runs;
        std::string yaml
            = canary("traffic: [{split: {v1: 90, v2: 10}}]", "architecture: mesh", kPlainMix);
        yaml.replace(yaml.find("{name: v2, replicas: 1,"), 23, "{name: v2, replicas: 0,");
        const auto r = runs.run(yaml, 7);
        const auto edge = testing::edgeOf(r, "a", "b");
        const double calls = static_cast<double>(edge.calls);
        const double failed = static_cast<double>(edge.outcomes.errors());
        QVERIFY2(std::abs(failed - 0.1 * calls) <= fiveSd(calls, 0.1),
                 qPrintable(QString::number(failed)));
        QCOMPARE(edge.outcomes[models::Outcome::NoHealthyUpstream], edge.outcomes.errors());
        QCOMPARE(serviceOf(r, "b").versions[0].requests.outcomes.errors(), std::uint64_t{0});
    }
};

QTEST_GUILESS_MAIN(TestVersions)
#include "tst_versions.moc"
