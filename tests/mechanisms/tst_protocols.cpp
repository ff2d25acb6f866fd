// Protocols, connections and methods, end to end on the fast platform: gRPC over a Kubernetes
// ClusterIP pins each caller to the instance its connection was opened to (kube-proxy balances
// connections), a mesh's sidecars balance requests, a killed instance's callers reconnect with
// gRPC's backoff, max_connection_age spreads the load again; Kong and NGINX do not pass a POST
// that reached a server on to the next one.
//
// Tolerances: where a result is random, the test states its standard deviation and allows five
// of them (a false failure about once in 1.7 million runs); seeds are fixed.

#include "tests/support/run_results.h"

#include <QString>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace meshsim;
using testing::fiveSd;
using testing::serviceOf;

namespace {

// Two callers (a's instances) and four instances of b; a's requests are spread evenly over its
// instances by the clients. `%1`: b's protocol and keys; `%2`: the architecture and mesh keys;
// `%3`: the run's duration.
std::string twoCallersFourInstances(const QString& b, const QString& architecture, const char* run)
{
    return QString(R"(
meshsim: 1
duration: %3
warmup: 0s
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
%2
services:
  - {name: a, replicas: 2, cpu: 0, workers: 256, steps: [b]}
  - {name: b, replicas: 4, workers: 256, cpu: 1ms, %1}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 200/s}}]
)")
        .arg(b, architecture, run)
        .toStdString();
}

std::vector<double> arrivals(const run::RunResult& r, const char* service)
{
    std::vector<double> out;
    for (const auto& i : serviceOf(r, service).instances)
        out.push_back(static_cast<double>(i.arrivals));
    return out;
}

double total(const std::vector<double>& v)
{
    double sum = 0.0;
    for (double x : v)
        sum += x;
    return sum;
}

std::size_t busy(const std::vector<double>& v)
{
    return static_cast<std::size_t>(
        std::count_if(v.begin(), v.end(), [](double x) { return x > 0.0; }));
}

} // namespace

class TestProtocols : public QObject
{
    Q_OBJECT

private slots:
    void grpcWithoutAMeshPinsEachCaller()
    {
        // Each of a's two instances opens one connection through kube-proxy, which picks one of
        // b's four instances at random (iptables: each endpoint with probability 1/4,
        // independently per connection). So every run has b's calls on exactly the instances
        // the two connections went to: on one instance (both picked the same, probability 1/4)
        // or on two, each carrying exactly one caller's calls. Over 400 seeds the number of
        // runs with a single busy instance is binomial(400, 1/4): 100 ± 5 sd (sd 8.66).
        const std::string scenario
            = twoCallersFourInstances("protocol: grpc", "architecture: direct", "2s");
        int single = 0;
        constexpr int kSeeds = 400;
        for (int seed = 1; seed <= kSeeds; ++seed) {
            const auto r = m_runs.run(scenario, seed);
            const std::vector<double> b = arrivals(r, "b");
            std::vector<double> a;
            for (const auto& i : serviceOf(r, "a").instances)
                a.push_back(static_cast<double>(i.served));
            const std::size_t n = busy(b);
            QVERIFY2(n == 1 || n == 2, qPrintable(QString("%1 busy instances").arg(n)));
            QCOMPARE(total(b), total(a));
            if (n == 1) {
                ++single;
                continue;
            }
            // Two busy instances: one carries a-0's calls, the other a-1's, exactly.
            std::vector<double> loads;
            for (double x : b)
                if (x > 0.0)
                    loads.push_back(x);
            std::sort(loads.begin(), loads.end());
            std::sort(a.begin(), a.end());
            QCOMPARE(loads, a);
        }
        QVERIFY2(std::abs(single - kSeeds / 4.0) <= fiveSd(kSeeds, 0.25),
                 qPrintable(QString("%1 runs with one busy instance").arg(single)));
    }

    void aMeshBalancesEveryRequest()
    {
        // The same system in a mesh: the callers' sidecars balance each request (least
        // request), so each of b's instances gets a fourth of the calls — within 5 sd of a
        // binomial, which least request's choice only tightens.
        const auto r
            = m_runs.run(twoCallersFourInstances("protocol: grpc", "architecture: mesh", "20s"), 3);
        const std::vector<double> b = arrivals(r, "b");
        const double n = total(b);
        for (double x : b)
            QVERIFY2(std::abs(x - n / 4) <= fiveSd(n, 0.25), qPrintable(QString::number(x)));
    }

    void ambientZtunnelsPinAsKubeProxyDoes()
    {
        // Istio ambient without a waypoint: the ztunnels balance connections (L4), so a gRPC
        // caller's requests stay on one instance as with kube-proxy: at most two busy.
        for (int seed = 1; seed <= 20; ++seed) {
            const auto r = m_runs.run(
                twoCallersFourInstances(
                    "protocol: grpc", "architecture: mesh\nmesh: {kind: istio-ambient}", "2s"),
                seed);
            QVERIFY(busy(arrivals(r, "b")) <= 2);
        }
    }

    void aLibraryOrHttp1BalancesPerRequest()
    {
        // A client library that resolves the instances itself (client.load_balancer: gRPC's
        // round_robin over a headless service), and HTTP/1.1 (the default protocol: requests
        // spread over a pool of connections), balance each request: round robin gives every
        // instance a fourth of a caller's calls, to one call.
        const auto evenly = [&](const QString& b, bool library) {
            QString scenario
                = QString::fromStdString(twoCallersFourInstances(b, "architecture: direct", "10s"));
            if (library)
                scenario.replace("steps: [b]}",
                                 "steps: [b], client: {load_balancer: round_robin}}");
            const auto r = m_runs.run(scenario.toStdString(), 2);
            const std::vector<double> loads = arrivals(r, "b");
            for (double x : loads)
                QVERIFY2(std::abs(x - total(loads) / 4) <= 2.0,
                         qPrintable(b + ": " + QString::number(x)));
        };
        evenly("queue: 1024", false); // the default protocol
        evenly("protocol: http1", false);
        evenly("protocol: grpc", true);
    }

    void aKilledInstanceIsReconnectedWithGrpcBackoff()
    {
        // b's only instance is killed at 10 s and comes back at 43 s; readiness probes are
        // slow enough that it stays an endpoint, so each connection attempt reaches it and is
        // refused. gRPC's attempts start at 0, 1, 2.6, 5.16, 9.26, 15.8, 26.3, 43.1 s after the
        // first (sums of 1.6^k s), each wait jittered by ±20%: the seventh starts by 1.2 x 26.3
        // = 31.6 s, the eighth not before 0.8 x 43.1 = 34.5 s, after the instance is back. So
        // exactly 7 refused connections, and a's requests fail from the kill until the eighth
        // attempt: for 34.5 to 51.7 s — longer than the 33 s the instance was away.
        const char* scenario = R"(
meshsim: 1
duration: 80s
warmup: 1s
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
discovery: {readiness_period: 1000s}
services:
  - {name: a, cpu: 0, workers: 256, steps: [b]}
  - {name: b, workers: 256, cpu: 1ms, protocol: grpc}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 400/s}}]
faults:
  - {at: 10s, until: 43s, kill: {service: b}}
)";
        for (int seed = 1; seed <= 3; ++seed) {
            const auto r = m_runs.run(scenario, seed);
            QCOMPARE(serviceOf(r, "b").instances[0].rejected, std::uint64_t{7});
            const auto& outcomes = serviceOf(r, "a").requests.outcomes;
            // Failed seconds: failures / 400 per second, a Poisson count: 5 sd of sqrt(n).
            const double failed = static_cast<double>(outcomes.errors());
            const double slack = 5.0 * std::sqrt(failed) / 400.0;
            const double seconds = failed / 400.0;
            QVERIFY2(seconds >= 34.5 - slack && seconds <= 51.7 + slack,
                     qPrintable(QString("failing for %1 s").arg(seconds)));
        }
    }

    void maxConnectionAgeSpreadsTheLoad()
    {
        // One caller, four instances, connections ended by the server after 1 s (±10%): about
        // 200 connections in 200 s, each to an instance picked at random, so each instance
        // carries a fourth of the calls — a share of binomial(200, 1/4) connections: 5 sd of
        // sqrt(0.25 x 0.75 / 200) = 0.153. Without the age, every call goes to one instance.
        const QString scenario = R"(
meshsim: 1
duration: 200s
warmup: 0s
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
services:
  - {name: a, cpu: 0, workers: 256, steps: [b]}
  - {name: b, replicas: 4, workers: 256, cpu: 1ms, protocol: grpc%1}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 100/s}}]
)";
        const auto aged = m_runs.run(scenario.arg(", max_connection_age: 1s").toStdString(), 4);
        const std::vector<double> spread = arrivals(aged, "b");
        for (double x : spread)
            QVERIFY2(std::abs(x / total(spread) - 0.25) <= 0.153,
                     qPrintable(QString::number(x / total(spread))));
        const auto pinned = m_runs.run(scenario.arg("").toStdString(), 4);
        QCOMPARE(busy(arrivals(pinned, "b")), std::size_t{1});
    }

    void anEnvoyMultiplexesGrpcOnOneConnection()
    {
        // A mesh whose only CPU is a 10 ms mTLS handshake on each end of a new connection
        // (sidecars and requests free), 100 requests a second, each holding b for 100 ms: ten
        // calls in flight on each hop. a's node does no work but its sidecars' handshakes. Over
        // gRPC each Envoy pool opens one HTTP/2 connection per host and sends every call on it
        // as a stream: a's node pays the handshakes of the two ingress replicas' connections
        // and of its own to b, 3 x 10 ms exactly. Over HTTP/1.1 each call in flight holds a
        // connection of its own: at least the ten a -> b connections (and two inbound) are
        // opened, 12 x 10 ms or more.
        const QString scenario = R"(
meshsim: 1
duration: 2s
warmup: 0s
architecture: mesh
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
services:
  - {name: a, cpu: 0, workers: 256, steps: [b], protocol: %1}
  - {name: b, cpu: 100ms, workers: 256, protocol: %1}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 100/s}}]
mesh:
  sidecar:
    cpu: {dist: constant, value: 0ms}
    latency: 0ms
    mtls: {handshake_cpu: 10ms, request_cpu: 0us}
)";
        const auto busyOfA = [&](const char* protocol) {
            const auto r = m_runs.run(scenario.arg(protocol).toStdString(), 1);
            for (const auto& node : r.nodes)
                if (node.name == "a-0")
                    return node.utilisation * node.cores * r.measuredSeconds;
            qFatal("no node a-0");
        };
        const double grpc = busyOfA("grpc");
        QVERIFY2(std::abs(grpc - 0.030) < 1e-6, qPrintable(QString::number(grpc)));
        const double http1 = busyOfA("http1");
        QVERIFY2(http1 >= 0.120 - 1e-6, qPrintable(QString::number(http1)));
    }

    void nonIdempotentRequestsAreNotPassedOn_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("kong") << "kong";
        QTest::newRow("nginx") << "nginx";
    }

    void nonIdempotentRequestsAreNotPassedOn()
    {
        // Two instances of a, each request 1 s of CPU (no queueing: 256 workers), 100 requests a
        // second balanced round robin; a-0 is killed at 10 s. The requests it is serving then
        // are reset after they were sent: Kong and NGINX pass a GET on to a-1 (every GET
        // succeeds) but not a POST (proxy_next_upstream without non_idempotent), which fails.
        // The number a-0 is serving at the kill is that of an M/D/infinity queue fed at
        // 50/s: Poisson with mean 50 (sd 7.07; round robin only makes it less variable).
        // Later requests refused by the dead a-0 never reached it: retried, GET or POST.
        QFETCH(QString, kind);
        const QString scenario = R"(
meshsim: 1
duration: 20s
warmup: 0s
architecture: gateway
platform: {network: ideal, client_network: {latency: 1ms, bandwidth: unlimited}}
gateway: {kind: %1, cpu: 0}
services:
  - {name: a, replicas: 2, cpu: 1s, workers: 256}
routes: [{path: /x, method: %2, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 100/s}, mix: [{path: /x, method: %2}]}]
faults:
  - {at: 10s, kill: {service: a, instance: 0}}
)";
        const auto get = m_runs.run(scenario.arg(kind, "GET").toStdString(), 1);
        QCOMPARE(get.metrics->summary().outcomes.errors(), std::uint64_t{0});
        const auto post = m_runs.run(scenario.arg(kind, "POST").toStdString(), 1);
        const auto& outcomes = post.metrics->summary().outcomes;
        const auto failed = static_cast<double>(outcomes.errors());
        QCOMPARE(outcomes[models::Outcome::ConnectionFailure], outcomes.errors());
        QVERIFY2(std::abs(failed - 50.0) <= 5 * std::sqrt(50.0),
                 qPrintable(QString("%1 POSTs failed").arg(failed)));
    }

private:
    testing::ScenarioRuns m_runs;
};

QTEST_GUILESS_MAIN(TestProtocols)
#include "tst_protocols.moc"
