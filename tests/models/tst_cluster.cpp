// The direct-architecture models, end to end on the fast platform, against hand calculations:
// exact latencies with constant times, queue overflow, round robin, kills, timeouts, steps,
// closed users, warmup.

#include "run/simulation.h"
#include "tests/support/scenario_text.h"

#include <QTest>

#include <cmath>
#include <deque>

using namespace meshsim;
using models::Outcome;

class TestCluster : public QObject
{
    Q_OBJECT

    std::deque<topologies::Scenario> m_scenarios;

    run::RunResult run(const std::string& yaml)
    {
        m_scenarios.push_back(testing::loadOrDie(yaml));
        run::RunOptions options;
        options.engine = models::EngineKind::Fast; // many runs in one process
        return run::runScenario(m_scenarios.back(), options);
    }

    static const models::ServiceStats& service(const run::RunResult& r, int i)
    {
        return r.metrics->services()[static_cast<std::size_t>(i)];
    }

private slots:
    void exactLatencyOfAChain()
    {
        // client -(10 ms)-> a: 2 ms CPU -(1 ms)-> b: 3 ms CPU -(1 ms)-> a -(10 ms)-> client.
        // One request per second never queues: every latency is exactly 27 ms.
        const auto r = run(R"(
meshsim: 1
duration: 20s
platform:
  network:
    same_zone: {latency: 1ms, bandwidth: unlimited}
  client_network: {latency: 10ms, bandwidth: unlimited}
services:
  - {name: a, cpu: 2ms, steps: [b]}
  - {name: b, cpu: 3ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        const auto& s = r.metrics->summary();
        QCOMPARE(s.outcomes.ok(), std::uint64_t{19}); // sent at 1, 2, ..., 19 s
        QCOMPARE(s.latency.min(), std::int64_t{27'000'000});
        QCOMPARE(s.latency.max(), std::int64_t{27'000'000});
        // a's latency covers its CPU and its call to b: 2 + 1 + 3 + 1 ms.
        QCOMPARE(service(r, 0).requests.latency.max(), std::int64_t{7'000'000});
        QCOMPARE(service(r, 1).requests.latency.max(), std::int64_t{3'000'000});
    }

    void bandwidthAddsTransferTime()
    {
        // 1.25 MB response over 10 Gbps (1.25e9 B/s) adds exactly 1 ms; the 1 KB request
        // adds 0.8 us.
        const auto r = run(R"(
meshsim: 1
duration: 5s
platform:
  network: ideal
  client_network: {latency: 0, bandwidth: 10Gbps}
services: [{name: a, cpu: 0, response: 1.25MB}]
routes: [{path: /x, to: a}]
workloads: [{name: w, request: 1KB, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{1'000'800});
    }

    void fullQueueAnswers503()
    {
        // One worker, no queue, 10 ms of CPU, an arrival every 6 ms (first at 6 ms): the
        // arrivals at 6, 18, 30, ... ms are served, those at 12, 24, ... ms find the worker
        // busy and are turned away.
        const auto r = run(R"(
meshsim: 1
duration: 6s
platform: {network: ideal}
services: [{name: a, workers: 1, queue: 0, cpu: 10ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 166.66666666666666/s}}]
)");
        const auto& o = r.metrics->summary().outcomes;
        QCOMPARE(o.total(), std::uint64_t{999}); // 6 ms .. 5.994 s
        QCOMPARE(o.ok(), std::uint64_t{500});
        QCOMPARE(o[Outcome::QueueFull], std::uint64_t{499});
        QCOMPARE(service(r, 0).instances[0].rejected, std::uint64_t{499});
    }

    void queueHoldsRequestsFifo()
    {
        // One worker, 10 ms each, three requests 1 ms apart: they wait 0, 9 and 18 ms, so
        // their latencies are 10, 19 and 28 ms.
        const auto r2 = run(R"(
meshsim: 1
duration: 40ms
platform: {network: ideal}
services: [{name: a, workers: 1, queue: 5, cpu: 10ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/ms}, stop: 3.5ms}]
)");
        const auto& h = r2.metrics->summary().latency;
        QCOMPARE(h.count(), std::uint64_t{3}); // sent at 1, 2, 3 ms
        QCOMPARE(h.min(), std::int64_t{10'000'000});
        QCOMPARE(h.max(), std::int64_t{28'000'000});
        QCOMPARE(h.sum(), 57e6);
    }

    void roundRobinSpreadsEvenly()
    {
        const auto r = run(R"(
meshsim: 1
duration: 3.0005s
platform: {network: ideal}
services: [{name: a, replicas: 3, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 100/s}}]
)");
        for (const auto& instance : service(r, 0).instances)
            QCOMPARE(instance.arrivals, std::uint64_t{100});
    }

    void killedInstanceRefusesConnections()
    {
        // Two replicas, round robin, 100 requests/s; instance 0 is down from 10 s to 20 s:
        // half of the 1000 requests of that window are refused.
        const auto r = run(R"(
meshsim: 1
duration: 30s
platform: {network: ideal}
services: [{name: a, replicas: 2, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 100/s}}]
faults: [{at: 10s, until: 20s, kill: {service: a, instance: 0}}]
)");
        const auto& o = r.metrics->summary().outcomes;
        QCOMPARE(o[Outcome::ConnectionFailure], std::uint64_t{500});
        QCOMPARE(o.ok(), o.total() - 500);
    }

    void killResetsRequestsInService()
    {
        // One 1-second request is in service when its instance is killed at 0.5 s: the
        // client gets a connection failure at 0.5 s.
        const auto r = run(R"(
meshsim: 1
duration: 2s
platform: {network: ideal}
services: [{name: a, cpu: 1s}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}, stop: 1.5s}]
faults: [{at: 1.5s, kill: {service: a}}]
)");
        const auto& s = r.metrics->summary();
        QCOMPARE(s.outcomes[Outcome::ConnectionFailure], std::uint64_t{1});
        QCOMPARE(s.latency.max(), std::int64_t{500'000'000});
    }

    void nodeDownTimesOutConnections()
    {
        // Requests to a node that is down fail after the connect timeout (2 s here).
        const auto r = run(R"(
meshsim: 1
duration: 10s
platform:
  nodes: [{name: n1, cores: 4}]
  network: ideal
  connect_timeout: 2s
services: [{name: a, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
faults: [{at: 4.5s, until: 6.5s, node_down: n1}]
)");
        const auto& s = r.metrics->summary();
        QCOMPARE(s.outcomes[Outcome::ConnectionFailure], std::uint64_t{2}); // sent at 5 s, 6 s
        QCOMPARE(s.latency.max(), std::int64_t{2'000'000'000});
    }

    void routeTimeoutAtTheClient()
    {
        // The service needs 50 ms; the client gives up after 20 ms. The service still
        // finishes every request (the work is not cancelled).
        const auto r = run(R"(
meshsim: 1
duration: 10.5s
platform: {network: ideal}
services: [{name: a, cpu: 50ms}]
routes: [{path: /x, to: a, timeout: 20ms}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        const auto& s = r.metrics->summary();
        QCOMPARE(s.outcomes[Outcome::Timeout], std::uint64_t{10});
        QCOMPARE(s.latency.max(), std::int64_t{20'000'000});
        QCOMPARE(service(r, 0).requests.outcomes.ok(), std::uint64_t{10});
    }

    void parallelWaitsForTheSlowest()
    {
        // a (1 ms) then b (5 ms) and c (8 ms) in parallel: 9 ms.
        const auto r = run(R"(
meshsim: 1
duration: 5.5s
platform: {network: ideal}
services:
  - {name: a, cpu: 1ms, steps: [{parallel: [b, c]}]}
  - {name: b, cpu: 5ms}
  - {name: c, cpu: 8ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{9'000'000});
        QCOMPARE(r.metrics->summary().latency.min(), std::int64_t{9'000'000});
    }

    void sequenceAddsUp()
    {
        const auto r = run(R"(
meshsim: 1
duration: 5.5s
platform: {network: ideal}
services:
  - {name: a, cpu: 1ms, steps: [b, {sequence: [c, b]}]}
  - {name: b, cpu: 5ms}
  - {name: c, cpu: 8ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{19'000'000});
    }

    void callProbability()
    {
        // b is called with probability 0.3: its arrivals are Binomial(n, 0.3); accept 5 SE.
        const auto r = run(R"(
meshsim: 1
duration: 100s
platform: {network: ideal}
services:
  - {name: a, cpu: 0, steps: [{call: b, probability: 30%}]}
  - {name: b, cpu: 0}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 200/s}}]
)");
        const double n = static_cast<double>(service(r, 0).requests.outcomes.total());
        const double calls = static_cast<double>(service(r, 1).requests.outcomes.total());
        QVERIFY(n > 19'000);
        QVERIFY2(std::abs(calls - 0.3 * n) <= 5.0 * std::sqrt(n * 0.3 * 0.7),
                 qPrintable(QString("%1 of %2").arg(calls).arg(n)));
    }

    void failedDependencyFailsTheCaller()
    {
        const auto r = run(R"(
meshsim: 1
duration: 10.5s
platform: {network: ideal}
services:
  - {name: a, cpu: 1ms, steps: [b, c]}
  - {name: b, cpu: 1ms, errors: 100%}
  - {name: c, cpu: 1ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        const auto& s = r.metrics->summary();
        QCOMPARE(s.outcomes[Outcome::ServerError], std::uint64_t{10});
        QCOMPARE(service(r, 0).dependencyFailures, std::uint64_t{10});
        // The sequence stops at the failure: c is never called, and a answers after 2 ms.
        QCOMPARE(service(r, 2).requests.outcomes.total(), std::uint64_t{0});
        QCOMPARE(s.latency.max(), std::int64_t{2'000'000});
    }

    void optionalCallFailureIsIgnored()
    {
        const auto r = run(R"(
meshsim: 1
duration: 10.5s
platform: {network: ideal}
services:
  - {name: a, cpu: 1ms, steps: [{call: b, optional: true}]}
  - {name: b, cpu: 1ms, errors: 100%}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().outcomes.ok(), std::uint64_t{10});
        QCOMPARE(service(r, 1).requests.outcomes[Outcome::ServerError], std::uint64_t{10});
    }

    void aggregateRouteCallsInParallel()
    {
        const auto r = run(R"(
meshsim: 1
duration: 5.5s
platform: {network: ideal}
services:
  - {name: a, cpu: 4ms}
  - {name: b, cpu: 6ms}
routes: [{path: /x, aggregate: [a, b]}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{6'000'000});
        QCOMPARE(r.metrics->summary().outcomes.ok(), std::uint64_t{5});
    }

    void closedUsersThinkAndWait()
    {
        // One user: think 100 ms, wait 50 ms. It sends at 100 + 150 k ms while < 15 s:
        // k = 0..99, 100 requests.
        const auto r = run(R"(
meshsim: 1
duration: 15s
platform: {network: ideal}
services: [{name: a, cpu: 50ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: closed, users: 1, think: 100ms}}]
)");
        QCOMPARE(r.metrics->summary().outcomes.ok(), std::uint64_t{100});
    }

    void warmupIsExcluded()
    {
        const auto r = run(R"(
meshsim: 1
duration: 10.5s
warmup: 5s
platform: {network: ideal}
services: [{name: a, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().outcomes.total(), std::uint64_t{6}); // sent at 5..10 s
        QCOMPARE(r.requestsStarted, std::uint64_t{10});
        QCOMPARE(r.measuredSeconds, 5.5);
    }

    void slowFaultMultipliesWork()
    {
        const auto r = run(R"(
meshsim: 1
duration: 10.5s
platform: {network: ideal}
services: [{name: a, cpu: 10ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
faults: [{at: 4.5s, until: 6.5s, slow: {service: a, factor: 3, latency: 5ms}}]
)");
        const auto& h = r.metrics->summary().latency;
        QCOMPARE(h.count(), std::uint64_t{10});
        QCOMPARE(h.max(), std::int64_t{35'000'000}); // at 5 s and 6 s: 30 ms + 5 ms
        QCOMPARE(h.sum(), 8 * 10e6 + 2 * 35e6);
    }

    void cpuContentionOnASharedNode()
    {
        // Two services on one 1-core node, each request 10 ms of CPU at both at once: they
        // share the core and both finish after 20 ms.
        const auto r = run(R"(
meshsim: 1
duration: 5.5s
platform:
  nodes: [{name: n, cores: 1}]
  network: ideal
services:
  - {name: a, cpu: 10ms}
  - {name: b, cpu: 10ms}
routes: [{path: /x, aggregate: [a, b]}]
workloads: [{name: w, arrival: {process: constant, rate: 1/s}}]
)");
        QCOMPARE(r.metrics->summary().latency.max(), std::int64_t{20'000'000});
        QCOMPARE(r.nodes.size(), std::size_t{1});
        // busy 20 ms per second: 5 arrivals in the measured window [0, 5.5 s).
        QVERIFY(std::abs(r.nodes[0].utilisation - 5 * 0.02 / 5.5) < 1e-9);
    }

    void memoryFollowsRequestsInFlight()
    {
        // 200,000 requests through a two-service chain: the run ends with nothing in flight and
        // the metrics hold only histograms (no per-request storage).
        const auto r = run(R"(
meshsim: 1
duration: 100s
platform: {network: ideal}
services:
  - {name: a, cpu: {dist: exponential, mean: 1ms}, steps: [b]}
  - {name: b, cpu: {dist: exponential, mean: 1ms}}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 2000/s}}]
)");
        QVERIFY(r.metrics->summary().outcomes.total() > 190'000);
        QCOMPARE(r.requestsUnanswered, std::uint64_t{0});
        QVERIFY(r.metrics->summary().latency.bucketsInUse() < 4000);
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
