// The two platforms against each other: where nothing is contended they agree within the
// sampling error; where a link is saturated they differ exactly as worked out by hand.
// Each function runs in a process of its own (one SimGrid engine per process); within it the
// fast platform runs too.

#include "run/results_json.h"
#include "run/simulation.h"
#include "run/validation/validation_suite.h"
#include "tests/support/scenario_text.h"

#include <QTest>

#include <cmath>

using namespace meshsim;
using Json = nlohmann::ordered_json;

namespace {

topologies::Scenario load(const std::string& text)
{
    return testing::loadOrDie(text, "cross.yaml");
}

Json runOn(const topologies::Scenario& s, models::EngineKind engine)
{
    run::RunOptions options;
    options.engine = engine;
    return run::resultsToJson(run::runScenario(s, options), 0.0);
}

// Standard error of a time-series column's mean over the windows after the warmup (batch
// means, one batch per window).
double batchStandardError(const Json& results, const char* column, std::size_t firstWindow)
{
    const auto& values = results["windows"][column];
    std::vector<double> xs;
    for (std::size_t w = firstWindow; w < values.size(); ++w)
        xs.push_back(values[w].get<double>());
    double mean = 0.0;
    for (const double x : xs)
        mean += x;
    mean /= static_cast<double>(xs.size());
    double ss = 0.0;
    for (const double x : xs)
        ss += (x - mean) * (x - mean);
    return std::sqrt(ss / static_cast<double>(xs.size() - 1) / static_cast<double>(xs.size()));
}

// A small direct-architecture shop on two zones: CPUs shared on nodes, a network far from
// saturation. 40 windows of 5 s after a 10 s warmup.
const char* kUncontended = R"(
meshsim: 1
duration: 210s
warmup: 10s
window: 5s
platform:
  zones: [a, b]
  nodes:
    - {name: a1, zone: a, cores: 4}
    - {name: a2, zone: a, cores: 4}
    - {name: b1, zone: b, cores: 4}
  network:
    same_zone: {latency: 200us, bandwidth: 10Gbps}
    cross_zone: {latency: 1ms, bandwidth: 5Gbps}
  client_network: {latency: 10ms, bandwidth: 100Mbps}
services:
  - {name: front, replicas: 2, workers: 8, cpu: {dist: exponential, mean: 1ms}, response: 20KB,
     steps: [catalog, {parallel: [stock, {call: reviews, probability: 0.5}]}]}
  - {name: catalog, replicas: 2, workers: 4, cpu: {dist: lognormal, median: 1ms, p99: 5ms}}
  - {name: stock, workers: 4, cpu: {dist: exponential, mean: 0.5ms}}
  - {name: reviews, replicas: 2, workers: 4, cpu: {dist: exponential, mean: 2ms}, response: 8KB}
routes: [{path: /home, to: front}]
workloads: [{name: users, arrival: {process: poisson, rate: 400/s}}]
)";

} // namespace

class TestCrossValidation : public QObject
{
    Q_OBJECT

private slots:
    void agreeWhereNothingIsContended()
    {
        // Mean and p99 of the client latency on both platforms. The difference of two
        // independent estimates has standard error sqrt(SE_fast^2 + SE_simgrid^2); accept 3.29 of
        // them (99.9%), plus the histogram's 0.4% resolution for the p99.
        const topologies::Scenario s = load(kUncontended);
        const Json fast = runOn(s, models::EngineKind::Fast);
        const Json simgrid = runOn(s, models::EngineKind::SimGrid);
        QCOMPARE(simgrid["engine"].get<std::string>(), std::string("simgrid"));
        const std::size_t first = 2;
        for (const auto& [quantity, column] :
             {std::pair{"mean", "latency_ms_mean"}, std::pair{"p99", "latency_ms_p99"}}) {
            const double a = fast["summary"]["latency_ms"][quantity].get<double>();
            const double b = simgrid["summary"]["latency_ms"][quantity].get<double>();
            const double se = std::hypot(batchStandardError(fast, column, first),
                                         batchStandardError(simgrid, column, first));
            const double tolerance = 3.29 * se + (std::string(quantity) == "p99" ? a / 256.0 : 0.0);
            const QString line = QString("%1: fast %2 ms, simgrid %3 ms, tolerance %4 ms")
                                     .arg(quantity)
                                     .arg(a)
                                     .arg(b)
                                     .arg(tolerance);
            qInfo("%s", qPrintable(line));
            QVERIFY2(std::abs(a - b) <= tolerance, qPrintable(line));
            QVERIFY2(tolerance < 0.05 * a, qPrintable(line)); // an informative comparison
        }
        QCOMPARE(fast["summary"]["requests"].get<std::uint64_t>(),
                 simgrid["summary"]["requests"].get<std::uint64_t>());
    }

    void meshOnSimGrid()
    {
        // The mesh with mTLS of tst_mechanisms (meshAddsItsHopsExactly, mtlsHandshake...) on
        // SimGrid: ingress, sidecars, handshakes and pools give the same constant latencies:
        // 28 ms per request, 32 ms and 30 ms for the two that open connections.
        const topologies::Scenario s = load(R"(
meshsim: 1
duration: 10s
architecture: mesh
platform:
  network: ideal
  client_network: {latency: 10ms, bandwidth: unlimited}
services:
  - {name: a, cpu: 2ms, steps: [b]}
  - {name: b, cpu: 3ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 10/s}}]
mesh:
  sidecar:
    cpu: {dist: constant, value: 200us}
    latency: 500us
    mtls: {handshake_cpu: 1ms, request_cpu: 50us}
)");
        const Json simgrid = runOn(s, models::EngineKind::SimGrid);
        QCOMPARE(simgrid["summary"]["ok"].get<std::uint64_t>(), std::uint64_t{99});
        QCOMPARE(simgrid["summary"]["latency_ms"]["max"].get<double>(), 32.0);
        QCOMPARE(simgrid["summary"]["latency_ms"]["mean"].get<double>(),
                 std::round((99 * 28.0 + 6.0) / 99 * 1e6) / 1e6);
        const Json fast = runOn(s, models::EngineKind::Fast);
        QCOMPARE(simgrid["proxies"].dump(), fast["proxies"].dump());
    }

    void gatewayOnSimGrid()
    {
        // A gateway with authentication, a token-bucket limit and an aggregate route on
        // SimGrid. Nothing is contended, so SimGrid and the fast platform see the same events in
        // the same order: identical outcomes, latencies within a microsecond.
        const topologies::Scenario s = load(R"(
meshsim: 1
duration: 30s
warmup: 5s
architecture: gateway
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
services:
  - {name: a, cpu: 20ms, workers: 64}
  - {name: b, cpu: 50ms, workers: 64}
routes: [{path: /home, aggregate: [a, b]}]
workloads: [{name: w, arrival: {process: poisson, rate: 100/s}}]
gateway:
  cpu: {dist: constant, value: 100us}
  auth: {kind: jwt, cpu: 0, reject: 10%}
  rate_limit: {algorithm: token_bucket, rate: 40/s, burst: 5}
)");
        const Json simgrid = runOn(s, models::EngineKind::SimGrid);
        const Json fast = runOn(s, models::EngineKind::Fast);
        QCOMPARE(simgrid["summary"]["errors"].dump(), fast["summary"]["errors"].dump());
        QCOMPARE(simgrid["summary"]["ok"].get<std::uint64_t>(),
                 fast["summary"]["ok"].get<std::uint64_t>());
        QVERIFY(simgrid["summary"]["errors"]["rate_limited"].get<std::uint64_t>() > 0);
        QVERIFY(std::abs(simgrid["summary"]["latency_ms"]["max"].get<double>() - 52.1) < 1e-3);
    }

    void saturatedLinkIsSharedOnlyBySimGrid()
    {
        // front (zone b) calls four services (zone a) in parallel over a 100 Mbps cross-zone
        // link with 1 ms latency; each answers 1.25 MB. CPU work and the other links cost
        // nothing, and requests come 1 s apart, so each request is alone.
        //   fast:    1 KB request (1 ms + 80 us), response (1 ms + 100 ms)     = 102.08 ms
        //   SimGrid: the four flows share the link, 25 Mbps each: request
        //            1 ms + 320 us, response 1 ms + 400 ms                       = 402.32 ms
        const topologies::Scenario s = load(R"(
meshsim: 1
duration: 10.5s
platform:
  zones: [a, b]
  nodes:
    - {name: na, zone: a, cores: 8}
    - {name: nb, zone: b, cores: 8}
  network:
    same_node: {latency: 0, bandwidth: unlimited}
    same_zone: {latency: 0, bandwidth: unlimited}
    cross_zone: {latency: 1ms, bandwidth: 100Mbps}
services:
  - {name: front, cpu: 0, placement: {nodes: [nb]}, steps: [{parallel: [s1, s2, s3, s4]}]}
  - {name: s1, cpu: 0, response: 1.25MB, placement: {nodes: [na]}}
  - {name: s2, cpu: 0, response: 1.25MB, placement: {nodes: [na]}}
  - {name: s3, cpu: 0, response: 1.25MB, placement: {nodes: [na]}}
  - {name: s4, cpu: 0, response: 1.25MB, placement: {nodes: [na]}}
routes: [{path: /x, to: front}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        const Json fast = runOn(s, models::EngineKind::Fast);
        const Json simgrid = runOn(s, models::EngineKind::SimGrid);
        const auto latency = [](const Json& r, const char* q) {
            return r["summary"]["latency_ms"][q].get<double>();
        };
        QCOMPARE(fast["summary"]["ok"].get<int>(), 10);
        QCOMPARE(simgrid["summary"]["ok"].get<int>(), 10);
        // 1 ns of rounding per transfer on SimGrid's double-precision clock.
        QVERIFY2(std::abs(latency(fast, "max") - 102.08) < 1e-5,
                 qPrintable(QString::number(latency(fast, "max"))));
        QVERIFY2(std::abs(latency(fast, "mean") - 102.08) < 1e-5,
                 qPrintable(QString::number(latency(fast, "mean"))));
        QVERIFY2(std::abs(latency(simgrid, "max") - 402.32) < 1e-5,
                 qPrintable(QString::number(latency(simgrid, "max"))));
        QVERIFY2(std::abs(latency(simgrid, "mean") - 402.32) < 1e-5,
                 qPrintable(QString::number(latency(simgrid, "mean"))));
    }

    void cpuSharingAgrees()
    {
        // Two services on one single-core node, each request 10 ms of CPU in both at once
        // (a stand-in for a sidecar and its application): processor sharing makes both take
        // 20 ms, on both platforms (the fast platform implements the same sharing).
        const topologies::Scenario s = load(R"(
meshsim: 1
duration: 5.5s
platform:
  nodes: [{name: n, cores: 1}]
  network: ideal
services:
  - {name: app, cpu: 10ms}
  - {name: proxy, cpu: 10ms}
routes: [{path: /x, aggregate: [app, proxy]}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        for (const auto engine : {models::EngineKind::Fast, models::EngineKind::SimGrid}) {
            const Json r = runOn(s, engine);
            QVERIFY(std::abs(r["summary"]["latency_ms"]["max"].get<double>() - 20.0) < 1e-5);
            // 5 arrivals of 20 ms in the measured window [0, 5.5 s).
            QVERIFY(std::abs(r["nodes"][0]["utilisation"].get<double>() - 5 * 0.020 / 5.5) < 1e-6);
        }
    }

    void queueingTheoryOnSimGrid_data()
    {
        QTest::addColumn<QString>("scenario");
        for (const std::string& name : run::validation::suiteScenarios())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }

    void queueingTheoryOnSimGrid()
    {
        // The foundation's queueing-theory suite, on SimGrid (tolerances: validation_suite.h).
        QFETCH(QString, scenario);
        const auto checks
            = run::validation::runScenario(scenario.toStdString(), models::EngineKind::SimGrid);
        for (const auto& c : checks) {
            const QString line
                = QString("%1 %2: theory %3, simulated %4, CI +/- %5")
                      .arg(QString::fromStdString(c.model), QString::fromStdString(c.quantity))
                      .arg(c.theory)
                      .arg(c.simulated)
                      .arg(c.halfWidth);
            qInfo("%s", qPrintable(line));
            QVERIFY2(c.pass, qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestCrossValidation)
#include "tst_cross_validation.moc"
