// The recording of a run (models/recorder.h, run/recording_file.h): it never changes the run,
// its hops account for every nanosecond of a request, its series add up to results.json, its file
// reads back as written, its memory stays within the budget, and a run can be cancelled.
//
// Every scenario here runs on the fast platform in this process; the SimGrid platform's
// recording (one engine per process) is checked through the CLI in tests/simgrid.

#include "models/recorder.h"
#include "run/recording_file.h"
#include "run/results_json.h"
#include "run/simulation.h"
#include "tests/support/scenario_text.h"
#include "topologies/loader.h"

#include <QTest>

#include <deque>
#include <map>
#include <string>

using namespace meshsim;
namespace m = meshsim::models;
using Json = nlohmann::ordered_json;

namespace {

// Retries with backoff, per-try timeouts and hedging, call timeouts, a library breaker and kill,
// slow and error faults: the direct architecture's libraries under stress.
const char* const kDirectStress = R"(
meshsim: 1
duration: 20s
drain: 10s
seed: 7
architecture: direct
platform:
  zones: [a, b]
  nodes:
    - {name: n1, zone: a, cores: 2}
    - {name: n2, zone: b, cores: 2}
services:
  - name: front
    replicas: 2
    workers: 8
    queue: 16
    cpu: {dist: exponential, mean: 2ms}
    steps:
      - call: mid
      - parallel:
          - {call: leaf, probability: 0.7}
          - {call: extra, optional: true}
    client:
      retries: {attempts: 3, per_try_timeout: 40ms, retry_on: [5xx, reset, connect-failure], backoff: {base: 5ms, max: 50ms}}
      timeout: 300ms
      circuit_breaker: {kind: resilience4j, failure_rate_threshold: 30%, sliding_window: 20, minimum_calls: 10, wait_in_open: 2s, half_open_calls: 3}
  - name: mid
    replicas: 3
    workers: 4
    queue: 8
    cpu: {dist: exponential, mean: 5ms}
    errors: 2%
    steps: [leaf]
    client:
      retries: {attempts: 2, per_try_timeout: 30ms, hedge_on_per_try_timeout: true, retry_on: [5xx, reset]}
  - {name: leaf, replicas: 2, workers: 4, cpu: {dist: lognormal, median: 3ms, p99: 40ms}}
  - {name: extra, replicas: 1, workers: 2, queue: 2, cpu: {dist: exponential, mean: 8ms}, errors: 10%}
routes:
  - {path: /a, to: front, timeout: 250ms}
workloads:
  - {name: users, arrival: {process: poisson, rate: 300/s}, mix: [{path: /a}]}
faults:
  - {at: 4s, until: 8s, kill: {service: leaf, instance: 0}}
  - {at: 9s, until: 12s, slow: {service: mid, instance: 1, factor: 8, latency: 20ms}}
  - {at: 13s, until: 15s, errors: {service: mid, rate: 60%}}
  - {at: 16s, until: 17s, node_down: n2}
)";

// The mesh: sidecars with mTLS, tight pools (queueing and overflow), retries and hedging, fault
// injection, authorization, outlier detection, a partition and a degraded zone.
const char* const kMeshStress = R"(
meshsim: 1
duration: 20s
drain: 10s
seed: 11
architecture: mesh
platform:
  zones: [a, b]
  nodes:
    - {name: n1, zone: a, cores: 4}
    - {name: n2, zone: b, cores: 4}
  connect_timeout: 200ms
services:
  - {name: web, replicas: 2, workers: 16, cpu: {dist: exponential, mean: 1ms}, steps: [api, {call: audit, optional: true}]}
  - {name: api, replicas: 3, workers: 8, queue: 16, cpu: {dist: exponential, mean: 3ms}, errors: 3%, steps: [db]}
  - {name: db, replicas: 2, workers: 4, queue: 8, cpu: {dist: exponential, mean: 2ms}}
  - {name: audit, replicas: 1, workers: 2, cpu: {dist: constant, value: 1ms}, steps: [db]}
routes:
  - {path: /w, to: web}
mesh:
  defaults:
    retries: {attempts: 2, per_try_timeout: 50ms, hedge_on_per_try_timeout: true, retry_on: [5xx, reset, connect-failure]}
    circuit_breaker: {max_connections: 2, max_pending_requests: 4, max_requests: 20}
    outlier_detection: {consecutive_5xx: 3, interval: 2s, base_ejection_time: 3s, max_ejection_percent: 50%}
    timeout: 400ms
  authorization:
    - {to: db, deny_from: [audit]}
  faults:
    - {to: db, delay: {fixed: 30ms, percent: 10%}, abort: {status: 503, percent: 2%}}
workloads:
  - {name: users, arrival: {process: poisson, rate: 250/s}, mix: [{path: /w}]}
faults:
  - {at: 5s, until: 7s, partition: [a, b]}
  - {at: 8s, until: 10s, degrade: {zones: [a, b], latency: 15ms}}
  - {at: 11s, until: 14s, kill: {service: api, instance: 0}}
)";

// The gateway: authentication rejects, a leaky bucket that delays, a cache, route timeouts and
// retries, aggregates with an optional member, a split; closed-loop users.
const char* const kGatewayStress = R"(
meshsim: 1
duration: 20s
drain: 10s
seed: 5
architecture: gateway+mesh
services:
  - {name: home, replicas: 2, workers: 8, cpu: {dist: exponential, mean: 2ms}, steps: [items]}
  - {name: items, replicas: 2, workers: 8, queue: 16, cpu: {dist: exponential, mean: 3ms}, errors: 5%}
  - {name: ads, replicas: 1, workers: 2, queue: 4, cpu: {dist: exponential, mean: 6ms}}
  - {name: v2, replicas: 1, workers: 4, cpu: {dist: constant, value: 2ms}}
routes:
  - {path: /home, aggregate: [home, {to: ads, optional: true}], timeout: 60ms, retries: {attempts: 2, retry_on: [5xx]}}
  - {path: /items, to: items, timeout: 100ms}
  - {path: /split, split: [{to: items, weight: 3}, {to: v2, weight: 1}]}
gateway:
  replicas: 2
  workers: 4
  auth: {kind: jwt, cpu: 50us, reject: 3%}
  rate_limit: {algorithm: leaky_bucket, rate: 150/s, burst: 50, key: global}
  cache: {routes: [/items], ttl: 2s, capacity: 100}
workloads:
  - name: web
    arrival: {process: poisson, rate: 120/s}
    clients: 100
    mix:
      - {path: /home, weight: 2}
      - {path: /items, weight: 2, keys: {count: 300, zipf: 1.0}}
      - {path: /split, weight: 1}
  - {name: batch, arrival: {process: closed, users: 10, think: {dist: exponential, mean: 200ms}}, mix: [{path: /items}]}
)";

std::string resultsText(const run::RunResult& r)
{
    Json j = run::resultsToJson(r, 0.0);
    return j.dump(1);
}

} // namespace

class TestRecording : public QObject
{
    Q_OBJECT

    std::deque<topologies::Scenario> m_scenarios;

    const topologies::Scenario& scenario(const std::string& textOrBuiltin)
    {
        if (textOrBuiltin.rfind("builtin:", 0) == 0) {
            topologies::LoadResult loaded = topologies::loadScenario(textOrBuiltin);
            if (!loaded.ok())
                qFatal("%s does not load", textOrBuiltin.c_str());
            m_scenarios.push_back(std::move(*loaded.scenario));
        } else {
            m_scenarios.push_back(testing::loadOrDie(textOrBuiltin));
        }
        return m_scenarios.back();
    }

    static run::RunResult run(const topologies::Scenario& s,
                              std::optional<std::uint64_t> budget,
                              std::optional<engine::SimDuration> duration = std::nullopt,
                              run::RunObserver* observer = nullptr)
    {
        run::RunOptions options;
        options.engine = m::EngineKind::Fast;
        options.recordBudget = budget;
        options.duration = duration;
        return run::runScenario(s, options, observer);
    }

    // Every scenario of this file, and the built-in ones cut short.
    static void scenarios()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("seconds"); // 0: the scenario's own duration
        QTest::newRow("direct-stress") << QString(kDirectStress) << 0;
        QTest::newRow("mesh-stress") << QString(kMeshStress) << 0;
        QTest::newRow("gateway-stress") << QString(kGatewayStress) << 0;
        // The mesh in ambient mode, api and db behind a waypoint: a fifth kind of proxy.
        QTest::newRow("ambient-waypoint-stress")
            << QString(kMeshStress)
                   .replace("mesh:\n  defaults:",
                            "mesh:\n  kind: istio-ambient\n  waypoints: [{name: data, services: "
                            "[api, db], replicas: 2, placement: {nodes: [n2]}}]\n  defaults:")
            << 0;
        for (const char* name :
             {"bookstore", "bookstore-direct", "bookstore-gateway", "bookstore-mesh"})
            QTest::newRow(name) << QString("builtin:") + name << 15;
        for (const char* name :
             {"bench-social-network", "bench-social-network-mesh", "bench-chain10"})
            QTest::newRow(name) << QString("builtin:") + name << 2;
        QTest::newRow("bench-fanout1000") << QString("builtin:bench-fanout1000") << 3;
    }

private slots:
    void recordingChangesNothing_data() { scenarios(); }
    void recordingChangesNothing()
    {
        // results.json must be byte for byte the same, recorded or not (and whatever the budget:
        // a small one makes the sample shrink during the run).
        QFETCH(QString, source);
        QFETCH(int, seconds);
        const auto& s = scenario(source.toStdString());
        std::optional<engine::SimDuration> duration;
        if (seconds > 0)
            duration = engine::SimDuration{std::int64_t{seconds} * 1'000'000'000};
        const run::RunResult plain = run(s, std::nullopt, duration);
        const run::RunResult recorded = run(s, m::Recorder::kDefaultBudget, duration);
        const run::RunResult small = run(s, std::uint64_t{1} << 20, duration);
        QCOMPARE(resultsText(recorded), resultsText(plain));
        QCOMPARE(resultsText(small), resultsText(plain));
        QVERIFY(recorded.recording);
        QCOMPARE(recorded.recording->lateHops, std::uint64_t{0});
    }

    void hopsAddUpToLatency_data() { scenarios(); }
    void hopsAddUpToLatency()
    {
        // Along a request's critical path, the recorded hops cover every nanosecond from its
        // sending to its answer (an exact, integer identity: no tolerance).
        QFETCH(QString, source);
        QFETCH(int, seconds);
        const auto& s = scenario(source.toStdString());
        std::optional<engine::SimDuration> duration;
        if (seconds > 0)
            duration = engine::SimDuration{std::int64_t{seconds} * 1'000'000'000};
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget, duration);
        const m::Recording& rec = *r.recording;
        QVERIFY(!rec.requests.empty());
        std::size_t checked = 0;
        for (const m::RecordedRequest& q : rec.requests) {
            if (!q.complete)
                continue;
            const m::RecordedHop& root = q.hops.front();
            QVERIFY(root.end >= root.start);
            for (const m::RecordedHop& h : q.hops) // every hop ended, none before it began
                QVERIFY2(h.end >= h.start, m::hopKindName(h.kind));
            const m::CriticalPath path = m::criticalPath(q);
            QVERIFY2(path.complete,
                     qPrintable(QString("request %1: a gap on its critical path").arg(q.id)));
            QCOMPARE(path.coveredNs, root.end - root.start);
            ++checked;
        }
        QVERIFY(checked > 0);
        QCOMPARE(rec.lateHops, std::uint64_t{0});
    }

    void seriesAddUpToResults_data() { scenarios(); }
    void seriesAddUpToResults()
    {
        // Windows count what ended in them; over all windows, with no warmup, that is everything
        // results.json counts. Integer counts must be equal; CPU seconds (floats per window) and
        // utilisation agree to float precision (about 1e-6 relative per window, 1e-4 overall).
        QFETCH(QString, source);
        QFETCH(int, seconds);
        topologies::Scenario s = scenario(source.toStdString());
        s.warmup = engine::SimDuration{0};
        std::optional<engine::SimDuration> duration;
        if (seconds > 0)
            duration = engine::SimDuration{std::int64_t{seconds} * 1'000'000'000};
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget, duration);
        const m::Recording& rec = *r.recording;
        const m::Metrics& metrics = *r.metrics;
        QVERIFY(rec.windows > 0);

        m::OutcomeCounts answered;
        std::uint64_t sent = 0;
        for (std::size_t route = 0; route < rec.routes.size(); ++route) {
            m::OutcomeCounts routeOutcomes;
            std::uint64_t latencies = 0;
            for (const m::RouteWindow& w : rec.routes[route]) {
                sent += w.sent;
                latencies += w.answered.timed;
                for (std::size_t o = 0; o < m::kOutcomeCount; ++o)
                    routeOutcomes.add(static_cast<m::Outcome>(o), w.answered.outcomes[o]);
            }
            QCOMPARE(routeOutcomes.counts, metrics.routes()[route].outcomes.counts);
            QCOMPARE(latencies, metrics.routes()[route].latency.count());
            answered.merge(routeOutcomes);
        }
        QCOMPARE(sent, metrics.sent());
        QCOMPARE(answered.counts, metrics.summary().outcomes.counts);

        for (std::size_t t = 0; t < rec.tiers.size(); ++t) {
            const m::ServiceStats& stats = metrics.services()[t];
            m::OutcomeCounts outcomes;
            std::uint64_t arrivals = 0;
            for (const m::TierWindow& w : rec.tiers[t]) {
                arrivals += w.arrivals;
                for (std::size_t o = 0; o < m::kOutcomeCount; ++o)
                    outcomes.add(static_cast<m::Outcome>(o), w.responses.outcomes[o]);
            }
            QCOMPARE(outcomes.counts, stats.requests.outcomes.counts);
            std::uint64_t instanceArrivals = 0;
            for (std::uint32_t i = 0; i < stats.instances.size(); ++i) {
                std::uint64_t a = 0;
                for (const m::TierWindow& w : rec.instances[rec.layout.firstInstance(t) + i])
                    a += w.arrivals;
                QCOMPARE(a, stats.instances[i].arrivals);
                instanceArrivals += a;
            }
            QCOMPARE(arrivals, instanceArrivals);
        }

        std::map<std::pair<std::uint32_t, std::uint32_t>, m::EdgeStats> edges;
        for (const m::EdgeStats& e : metrics.edges())
            edges[{e.from, e.to}] = e;
        for (std::size_t e = 0; e < rec.edges.size(); ++e) {
            m::OutcomeCounts outcomes;
            std::uint64_t attempts = 0;
            for (const m::EdgeWindow& w : rec.edges[e]) {
                attempts += w.attempts;
                for (std::size_t o = 0; o < m::kOutcomeCount; ++o)
                    outcomes.add(static_cast<m::Outcome>(o), w.calls.outcomes[o]);
            }
            const auto it = edges.find(rec.layout.edges[e]);
            if (it == edges.end()) {
                QCOMPARE(outcomes.total(), std::uint64_t{0});
                continue;
            }
            QCOMPARE(outcomes.counts, it->second.outcomes.counts);
            QCOMPARE(attempts, it->second.attempts);
        }

        for (std::size_t k = 0; k < m::kProxyKinds; ++k) {
            std::uint64_t traversals = 0;
            double cpu = 0.0;
            for (const m::ProxyWindow& w : rec.proxies[k]) {
                traversals += w.traversals;
                cpu += w.cpuSeconds;
            }
            QCOMPARE(traversals, metrics.proxies()[k].traversals);
            QVERIFY(std::abs(cpu - metrics.proxies()[k].cpuSeconds)
                    <= 1e-4 * std::max(1.0, metrics.proxies()[k].cpuSeconds));
        }

        // Node CPU: utilisation x window, summed over the windows of the measured window (no
        // warmup, arrivals until a whole number of windows), is the busy core-seconds
        // results.json divides by the measured seconds.
        const double window = static_cast<double>(rec.layout.windowNs) * 1e-9;
        const std::int64_t runNs = duration ? duration->count() : s.duration.count();
        QCOMPARE(runNs % rec.layout.windowNs, std::int64_t{0});
        const auto measuredWindows = static_cast<std::size_t>(runNs / rec.layout.windowNs);
        for (std::size_t n = 0; n < rec.nodes.size(); ++n) {
            double busy = 0.0;
            for (std::size_t w = 0; w < measuredWindows && w < rec.nodes[n].size(); ++w)
                busy
                    += static_cast<double>(rec.nodes[n][w].utilisation) * window * r.nodes[n].cores;
            const double expected = r.nodes[n].utilisation * r.nodes[n].cores * r.measuredSeconds;
            QVERIFY2(std::abs(busy - expected) <= 1e-4 * std::max(1.0, expected),
                     qPrintable(QString("node %1: %2 vs %3").arg(n).arg(busy).arg(expected)));
        }
    }

    void gaugesMatchTheHops()
    {
        // Two single-worker instances, every request recorded (a small run, a large budget):
        // the time-averaged queue and busy workers of each window, times the window, summed,
        // must be the time requests spent queued and computing according to their hops
        // (integers in the gauge; floats per window: 1e-6 relative is float rounding).
        const auto& s = scenario(R"(
meshsim: 1
duration: 20s
seed: 3
services:
  - {name: s, replicas: 2, workers: 1, queue: 100, cpu: {dist: exponential, mean: 8ms}}
routes: [{path: /x, to: s}]
workloads: [{name: w, arrival: {process: poisson, rate: 200/s}, mix: [{path: /x}]}]
)");
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget);
        const m::Recording& rec = *r.recording;
        QCOMPARE(rec.sampleShare(), 1.0);
        QCOMPARE(static_cast<std::uint64_t>(rec.requests.size()), rec.requestsSeen);
        std::vector<double> queued(2, 0.0);
        std::vector<double> computing(2, 0.0);
        for (const m::RecordedRequest& q : rec.requests) {
            for (const m::RecordedHop& h : q.hops) {
                if (h.kind == m::HopKind::Queue)
                    queued[h.at.instance] += static_cast<double>(h.end - h.start);
                if (h.kind == m::HopKind::Cpu)
                    computing[h.at.instance] += static_cast<double>(h.end - h.start);
            }
        }
        const double window = static_cast<double>(rec.layout.windowNs);
        for (std::uint32_t i = 0; i < 2; ++i) {
            double queueArea = 0.0;
            double busyArea = 0.0;
            std::uint32_t queueMax = 0;
            for (const m::TierWindow& w : rec.instances[i]) {
                queueArea += static_cast<double>(w.queueMean) * window;
                busyArea += static_cast<double>(w.busyMean) * window;
                queueMax = std::max(queueMax, w.queueMax);
            }
            QVERIFY(queued[i] > 0.0);
            QVERIFY2(std::abs(queueArea - queued[i]) <= 1e-6 * queued[i] * rec.windows,
                     qPrintable(QString("%1 vs %2").arg(queueArea).arg(queued[i])));
            QVERIFY2(std::abs(busyArea - computing[i]) <= 1e-6 * computing[i] * rec.windows,
                     qPrintable(QString("%1 vs %2").arg(busyArea).arg(computing[i])));
            QCOMPARE(queueMax, r.metrics->services()[0].instances[i].maxQueue + 1);
        }
    }

    void fileReadsBackAsWritten_data() { scenarios(); }
    void fileReadsBackAsWritten()
    {
        QFETCH(QString, source);
        QFETCH(int, seconds);
        const auto& s = scenario(source.toStdString());
        std::optional<engine::SimDuration> duration;
        if (seconds > 0)
            duration = engine::SimDuration{std::int64_t{seconds} * 1'000'000'000};
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget, duration);
        run::RecordingInfo info;
        info.scenario = s.name;
        info.file = s.file;
        info.engine = "fast";
        info.seed = r.seed;
        info.view = r.view;
        const std::string bytes = run::encodeRecording(info, *r.recording, false);
        run::RecordingDecoder decoder;
        QVERIFY2(decoder.file(bytes), decoder.error() ? decoder.error()->c_str() : "");
        QVERIFY(!decoder.cancelled());
        QCOMPARE(run::encodeRecording(decoder.info(), decoder.recording(), false), bytes);
        QCOMPARE(decoder.recording().requests.size(), r.recording->requests.size());
        QCOMPARE(decoder.info().view.components.size(), r.view.components.size());
    }

    void versionsReadBack()
    {
        // A service's versions are in the view and read back from a file; a file whose versions
        // do not add up to the replicas is refused.
        const auto& s = scenario(R"(
meshsim: 1
duration: 2s
services:
  - name: a
    versions: [{name: v1, replicas: 2}, {name: v2, replicas: 0}, {name: v3}]
    traffic: [{split: {v1: 1, v3: 1}}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 20/s}}]
)");
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget);
        const auto& a = r.view.components[r.view.firstTier];
        QCOMPARE(a.versions, (std::vector<std::string>{"v1", "v2", "v3"}));
        QCOMPARE(a.versionReplicas, (std::vector<std::uint32_t>{2, 0, 1}));
        QCOMPARE(r.view.versionInstances(r.view.firstTier, 2),
                 (std::pair<std::uint32_t, std::uint32_t>{2, 3}));
        run::RecordingInfo info;
        info.scenario = s.name;
        info.engine = "fast";
        info.seed = r.seed;
        info.view = r.view;
        const std::string bytes = run::encodeRecording(info, *r.recording, false);
        run::RecordingDecoder decoder;
        QVERIFY2(decoder.file(bytes), decoder.error() ? decoder.error()->c_str() : "");
        QCOMPARE(decoder.info().view.components[r.view.firstTier].versions, a.versions);
        QCOMPARE(decoder.info().view.components[r.view.firstTier].versionReplicas,
                 a.versionReplicas);
        info.view.components[r.view.firstTier].versionReplicas = {2, 1, 1};
        run::RecordingDecoder bad;
        QVERIFY(!bad.file(run::encodeRecording(info, *r.recording, false)));
        QVERIFY(bad.error()->find("versions do not add up") != std::string::npos);
    }

    void operationSeriesAddUpToResults()
    {
        // Without a warmup, each operation's windows hold every request results.json counts for
        // it (the same events), with the same errors; the series read back from a file; a file
        // whose operation counts differ from its view's is refused.
        const auto& s = scenario(R"(
meshsim: 1
duration: 5s
warmup: 0s
services:
  - {name: front, steps: [cart.get, {call: cart.add, probability: 0.5}]}
  - name: cart
    operations: [{name: get, cpu: 1ms}, {name: add, cpu: 2ms, errors: 0.2}]
routes: [{path: /x, to: front}]
workloads: [{name: w, arrival: {process: poisson, rate: 100/s}}]
)");
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget);
        const m::SeriesLayout& layout = r.recording->layout;
        QCOMPARE(layout.tierOperations, (std::vector<std::uint32_t>{0, 2}));
        QCOMPARE(r.recording->operations.size(), std::size_t{2});
        const m::ServiceStats& cart = r.metrics->services()[1];
        for (std::uint32_t o = 0; o < 2; ++o) {
            std::uint64_t total = 0;
            std::uint64_t ok = 0;
            std::uint64_t timed = 0;
            for (const m::WindowOutcomes& w :
                 r.recording->operations[layout.firstOperation(1) + o]) {
                total += w.total();
                ok += w.ok();
                timed += w.timed;
            }
            QVERIFY(total > 100);
            QCOMPARE(total, cart.operations[o].requests.outcomes.total());
            QCOMPARE(ok, cart.operations[o].requests.outcomes.ok());
            QCOMPARE(timed, cart.operations[o].requests.latency.count());
        }
        run::RecordingInfo info;
        info.scenario = s.name;
        info.engine = "fast";
        info.seed = r.seed;
        info.view = r.view;
        QCOMPARE(r.view.components[r.view.firstTier + 1].operations,
                 (std::vector<std::string>{"get", "add"}));
        const std::string bytes = run::encodeRecording(info, *r.recording, false);
        run::RecordingDecoder decoder;
        QVERIFY2(decoder.file(bytes), decoder.error() ? decoder.error()->c_str() : "");
        QCOMPARE(decoder.recording().operations.size(), std::size_t{2});
        QCOMPARE(decoder.recording().operations[1].size(), r.recording->operations[1].size());
        QCOMPARE(run::encodeRecording(decoder.info(), decoder.recording(), false), bytes);
        info.view.components[r.view.firstTier + 1].operations = {"get"};
        run::RecordingDecoder bad;
        QVERIFY(!bad.file(run::encodeRecording(info, *r.recording, false)));
        QVERIFY(bad.error()->find("operations") != std::string::npos);
    }

    void olderFilesHaveFourKindsOfProxy()
    {
        // Files written before waypoints hold four proxy series per window; they read back with
        // an empty fifth.
        const auto& s = scenario(kMeshStress);
        const run::RunResult r
            = run(s, m::Recorder::kDefaultBudget, engine::SimDuration{3'000'000'000});
        m::Recording older = *r.recording;
        older.proxies.resize(4);
        run::RecordingInfo info;
        info.engine = "fast";
        info.view = r.view;
        run::RecordingDecoder decoder;
        QVERIFY2(decoder.file(run::encodeRecording(info, older, false)),
                 decoder.error() ? decoder.error()->c_str() : "");
        const m::Recording& back = decoder.recording();
        QCOMPARE(back.proxies.size(), m::kProxyKinds);
        QCOMPARE(back.proxies[3].size(), std::size_t{back.windows});
        QCOMPARE(back.proxies[0][1].traversals, older.proxies[0][1].traversals);
        QVERIFY(back.proxies[0][1].traversals > 0);
        for (const m::ProxyWindow& w : back.proxies[4])
            QCOMPARE(w.traversals, 0U);
        QCOMPARE(back.proxies[4].size(), std::size_t{back.windows});
    }

    // A window's p50/p95/p99 are the quantiles of its latency buckets, and the buckets count
    // exactly its timed latencies: the buckets of several windows add up to their range's.
    void windowPercentilesAreTheirBuckets()
    {
        const auto& s = scenario(kGatewayStress);
        const run::RunResult r
            = run(s, m::Recorder::kDefaultBudget, engine::SimDuration{5'000'000'000});
        const m::Recording& rec = *r.recording;
        std::size_t checked = 0;
        const auto check = [&](const m::WindowOutcomes& w) {
            std::vector<std::uint64_t> dense(m::kLatencyBuckets, 0);
            std::uint64_t total = 0;
            for (const m::LatencyBucket& b : w.latency) {
                dense[b.bucket] += b.count;
                total += b.count;
            }
            QCOMPARE(total, std::uint64_t{w.timed});
            if (w.timed == 0)
                return;
            QCOMPARE(m::latencyQuantile(dense, total, 0.50), w.p50);
            QCOMPARE(m::latencyQuantile(dense, total, 0.95), w.p95);
            QCOMPARE(m::latencyQuantile(dense, total, 0.99), w.p99);
            ++checked;
        };
        for (std::uint32_t w = 0; w < rec.windows; ++w) {
            for (const auto& series : rec.routes)
                check(series[w].answered);
            for (const auto& series : rec.tiers)
                check(series[w].responses);
            for (const auto& series : rec.edges)
                check(series[w].calls);
        }
        QVERIFY(checked > 10);
    }

    void brokenFilesAreRefused()
    {
        // Every truncation, and a byte flipped at every position of a small recording, gives an
        // error or a valid recording: never a crash (ASan and UBSan watch this test).
        const auto& s = scenario(kGatewayStress);
        const run::RunResult r = run(s, std::uint64_t{1} << 20, engine::SimDuration{2'000'000'000});
        run::RecordingInfo info;
        info.view = r.view;
        const std::string bytes = run::encodeRecording(info, *r.recording, false);
        QVERIFY(bytes.size() > 100);
        for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 64) {
            run::RecordingDecoder decoder;
            QVERIFY(!decoder.file(std::string_view(bytes).substr(0, cut)));
            QVERIFY(decoder.error().has_value());
        }
        std::size_t refused = 0;
        for (std::size_t at = 0; at < bytes.size(); at += 1 + at / 256) {
            std::string broken = bytes;
            broken[at] = static_cast<char>(broken[at] ^ 0x5A);
            run::RecordingDecoder decoder;
            refused += decoder.file(broken) ? 0 : 1;
        }
        QVERIFY(refused > 0);
        run::RecordingDecoder empty;
        QVERIFY(!empty.file(""));
        QCOMPARE(*empty.error(), std::string("not a meshsim recording (no signature)"));
    }

    void budgetHolds()
    {
        // A budget far below what every request would take: the sample halves until it fits,
        // keeps exactly the requests whose key is below the threshold, and says its share.
        const auto& s = scenario("builtin:bench-social-network");
        const std::uint64_t budget = std::uint64_t{4} << 20;
        const run::RunResult r = run(s, budget, engine::SimDuration{3'000'000'000});
        const m::Recording& rec = *r.recording;
        QVERIFY(rec.sampleShare() < 1.0);
        QVERIFY(rec.sampleShare() > 0.0);
        QCOMPARE(rec.budgetBytes, budget);
        std::uint64_t bytes = 0;
        for (const m::RecordedRequest& q : rec.requests) {
            QVERIFY(q.sampleKey < rec.sampleThreshold);
            QCOMPARE(q.sampleKey, m::Recorder::sampleKey(r.seed, q.id));
            bytes += sizeof(q) + q.hops.capacity() * sizeof(m::RecordedHop);
        }
        QVERIFY(bytes <= budget);
        // Every request sent whose key is below the threshold was kept (and complete by the end).
        std::uint64_t below = 0;
        for (std::uint64_t id = 1; id <= rec.requestsSeen; ++id)
            below += m::Recorder::sampleKey(r.seed, id) < rec.sampleThreshold ? 1 : 0;
        QCOMPARE(static_cast<std::uint64_t>(rec.requests.size()), below);
    }

    void sampleNotHalvedTooFar()
    {
        // A long run, projected early: the sample halves only when the requests it would hold
        // by the end of the arrivals outgrow the budget, so with one halving fewer they would
        // have taken more than half of what the budget leaves them; allowing for a projection
        // that is off by a factor of two either way, the requests hold more than an eighth of
        // the budget. (A projection from a handful of early requests once kept 1/16 of that.)
        const auto& s = scenario("builtin:bench-social-network");
        const std::uint64_t budget = std::uint64_t{4} << 20;
        const run::RunResult r = run(s, budget, engine::SimDuration{30'000'000'000});
        const m::Recording& rec = *r.recording;
        std::uint64_t bytes = 0;
        for (const m::RecordedRequest& q : rec.requests)
            bytes += sizeof(q) + q.hops.capacity() * sizeof(m::RecordedHop);
        QVERIFY2(bytes <= budget, qPrintable(QString::number(bytes)));
        QVERIFY2(bytes > budget / 8, qPrintable(QString::number(bytes)));
        QVERIFY(rec.sampleShare() < 0.25);
    }

    void cancelStopsCleanly()
    {
        struct CancelAfter : run::RunObserver
        {
            int reports = 0;
            int lastReports = 0;
            void onProgress(const run::Progress& p) override
            {
                ++reports;
                lastReports += p.last ? 1 : 0;
                QVERIFY(!p.last || p.cancelled);
            }
            bool cancelled() override { return reports >= 3; }
        } observer;
        const auto& s = scenario(kMeshStress);
        const run::RunResult r = run(s, m::Recorder::kDefaultBudget, std::nullopt, &observer);
        QVERIFY(r.cancelled);
        QCOMPARE(observer.reports, 4); // three slices, then the last report
        QCOMPARE(observer.lastReports, 1);
        QVERIFY(r.recording);
        QVERIFY(r.simulatedSeconds < 1.0);
    }

    void viewDescribesTheSystem()
    {
        // The view names every part a picture draws, numbered as the recording numbers them.
        const auto& s = scenario("builtin:bookstore");
        const run::RunResult r
            = run(s, m::Recorder::kDefaultBudget, engine::SimDuration{12'000'000'000});
        const topologies::SystemView& v = r.view;
        QCOMPARE(v.architecture, std::string("gateway+mesh"));
        QCOMPARE(v.zones.size(), std::size_t{2});
        QCOMPARE(v.nodes.size(), std::size_t{4}); // three declared, and the clients
        QVERIFY(v.nodes.back().clients);
        QCOMPARE(v.firstTier, std::uint32_t{3}); // three workloads
        std::size_t services = 0;
        for (const auto& c : v.components) {
            if (c.kind == m::ComponentKind::Service) {
                ++services;
                QVERIFY(c.sidecars);
            }
        }
        QCOMPARE(services, s.system.services.size());
        QCOMPARE(v.components.back().kind, m::ComponentKind::Gateway);
        std::uint32_t instances = 0;
        for (const auto& c : v.components)
            instances += c.replicas;
        QCOMPARE(static_cast<std::size_t>(instances), v.instances.size());
        // Every call edge of the run is an edge of the view.
        const auto edges = v.edges();
        for (const auto& e : r.recording->layout.edges)
            QVERIFY(std::find(edges.begin(), edges.end(), e) != edges.end());
    }
};

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
