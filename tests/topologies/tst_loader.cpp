// The scenario loader: the shipped scenarios load; every rejected-input fixture gives its
// diagnostic at the right place; hostile input gets an error, never a crash or a blow-up.

#include "models/system_layout.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "topologies/placement.h"
#include "topologies/topology_graph.h"

#include <QTest>

#include <string>
#include <tuple>

using namespace meshsim;
using namespace meshsim::topologies;

namespace {

std::string fixture(const char* name)
{
    return std::string(qgetenv("MESHSIM_SOURCE_DIR").constData()) + "/tests/topologies/data/"
           + name;
}

bool mentions(const std::vector<Diagnostic>& diagnostics,
              int line,
              int column,
              const std::string& path,
              const std::string& text,
              Diagnostic::Severity severity)
{
    for (const Diagnostic& d : diagnostics) {
        if ((line < 0 || d.line == line) && (column < 0 || d.column == column)
            && (path.empty() || d.path == path) && d.message.find(text) != std::string::npos
            && d.severity == severity)
            return true;
    }
    return false;
}

std::string dump(const std::vector<Diagnostic>& diagnostics)
{
    std::string out;
    for (const Diagnostic& d : diagnostics)
        out += "\n  " + d.format();
    return out;
}

// Empty when `text` fails to load with an error at `path` saying `message`; else what it got.
std::string missingError(const std::string& text, const QString& path, const QString& message)
{
    const LoadResult r = loadScenarioText(text, "bad.yaml");
    if (!r.ok()
        && mentions(r.diagnostics,
                    -1,
                    -1,
                    path.toStdString(),
                    message.toStdString(),
                    Diagnostic::Severity::Error))
        return {};
    return "no such error; the diagnostics:\n" + dump(r.diagnostics);
}

// The same for a scenario made of these `services` lines, a route to a and a workload.
std::string
missingServicesError(const QString& services, const QString& path, const QString& message)
{
    const std::string text = "meshsim: 1\nservices:\n" + services.toStdString()
                             + "routes: [{path: /x, to: a}]\n"
                               "workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]\n";
    return missingError(text, path, message);
}

// The row of a data-driven test of `services` lines (columns services, path, message): the
// scenario is rejected at `path` with `message`.
void verifyServicesRejected()
{
    QFETCH(QString, services);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const std::string problem = missingServicesError(services, path, message);
    QVERIFY2(problem.empty(), problem.c_str());
}

} // namespace

class TestLoader : public QObject
{
    Q_OBJECT

private slots:
    void builtinScenariosLoad()
    {
        const auto names = builtinScenarioNames();
        QVERIFY(names.size() >= 4);
        for (const std::string& name : names) {
            const LoadResult r = loadScenario("builtin:" + name);
            QVERIFY2(r.ok(), (name + dump(r.diagnostics)).c_str());
            if (name == "bookstore") {
                // The architects' example keeps a library breaker for the architectures without
                // sidecars; in its own architecture (gateway+mesh) the loader says it is unused.
                QCOMPARE(r.diagnostics.size(), std::size_t{1});
                QVERIFY(r.diagnostics[0].message.find("library resilience is ignored")
                        != std::string::npos);
                continue;
            }
            QVERIFY2(r.diagnostics.empty(), (name + dump(r.diagnostics)).c_str());
        }
    }

    void defaultScenarioLoadsAsWritten()
    {
        // The default scenario, key for key: the architects' example file, recalibrated so that
        // it tells a story (docs/default-scenario.md).
        const LoadResult r = loadScenario("builtin:bookstore");
        QVERIFY(r.ok());
        const Scenario& s = *r.scenario;
        QCOMPARE(s.name, std::string("bookstore"));
        QCOMPARE(s.seed, std::uint64_t{42});
        QVERIFY(s.system.architecture == models::Architecture::GatewayMesh);
        QVERIFY(s.engine == models::EngineKind::SimGrid);
        QCOMPARE(s.duration.count(), std::int64_t{120'000'000'000});
        QCOMPARE(s.system.services.size(), std::size_t{8});
        QCOMPARE(s.platform.nodes.size(), std::size_t{3});
        QCOMPARE(s.platform.nodes[2].speed, 0.8);
        QCOMPARE(s.platform.crossZone.latency.count(), std::int64_t{1'200'000});
        QCOMPARE(s.platform.client.bitsPerSecond, 50e6);
        const auto& frontend = s.system.services[0];
        QCOMPARE(frontend.workers, std::uint32_t{32});
        QCOMPARE(frontend.responseBytes, std::uint64_t{24'000});
        QCOMPARE(frontend.steps.size(), std::size_t{2});
        QVERIFY(frontend.steps[1].kind == models::Step::Kind::Parallel);
        QCOMPARE(frontend.steps[1].children[1].probability, 0.4);
        QCOMPARE(s.system.services[2].errorRate, 0.002);
        QCOMPARE(s.system.services[6].name, std::string("checkout"));
        QVERIFY(s.system.services[6].client.circuitBreaker.has_value());
        QCOMPARE(s.system.services[6].client.circuitBreaker->failureRateThreshold, 0.5);
        QCOMPARE(s.system.routes[0].targets.size(), std::size_t{2});
        QCOMPARE(s.system.gateway.rateLimit->ratePerSecond, 2000.0);
        QCOMPARE(s.system.mesh.destinations.size(), std::size_t{1});
        QCOMPARE(s.system.mesh.destinations[0].policy.retries->attempts, std::uint32_t{0});
        QCOMPARE(s.system.mesh.defaults.outlierDetection->maxEjectionPercent, 0.50);
        QCOMPARE(s.system.workloads.size(), std::size_t{3});
        QCOMPARE(s.system.workloads[1].arrival.schedule.size(), std::size_t{2});
        QCOMPARE(s.system.workloads[0].mix[1].keys.count, std::uint64_t{20'000});
        QCOMPARE(s.system.faults.size(), std::size_t{3});
        QCOMPARE(s.slo.objectives.size(), std::size_t{2});
    }

    void rejected_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        // Positions are 1-based and point at the offending value (or key).
        QTest::newRow("unknown key, with did-you-mean") << "unknown_key.yaml" << 4 << 1 << "servics"
                                                        << "did you mean \"services\"?";
        QTest::newRow("bad duration") << "bad_duration.yaml" << 3 << 11 << "duration"
                                      << "expected a duration with a unit";
        QTest::newRow("unknown service reference")
            << "unknown_service.yaml" << 8 << 15 << "services[0].steps[0].call"
            << "unknown service \"catalg\" (did you mean \"catalog\"?)";
        QTest::newRow("call cycle named") << "call_cycle.yaml" << 11 << 13 << "services[1].steps[0]"
                                          << "call cycle: frontend -> catalog -> frontend";
        QTest::newRow("negative rate")
            << "negative_rate.yaml" << 14 << 53 << "workloads[0].arrival.rate"
            << "not negative";
        QTest::newRow("zero rate") << "zero_rate.yaml" << 14 << 53 << "workloads[0].arrival.rate"
                                   << "greater than 0";
        QTest::newRow("probability above 1")
            << "probability_out_of_range.yaml" << 8 << 38 << "services[0].steps[0].probability"
            << "fraction between 0 and 1";
        QTest::newRow("percentage without %")
            << "percent_without_sign.yaml" << 11 << 13 << "services[1].errors"
            << "e.g. 5%";
        QTest::newRow("zero workers") << "zero_workers.yaml" << 7 << 14 << "services[0].workers"
                                      << "impossible value";
        QTest::newRow("warmup not below duration")
            << "warmup_not_below_duration.yaml" << 4 << 9 << "warmup"
            << "shorter than the duration";
        QTest::newRow("unknown node in placement")
            << "unknown_node.yaml" << 13 << 25 << "services[1].placement.nodes[0]"
            << "unknown node \"node-b\"";
        QTest::newRow("unknown zone") << "unknown_zone.yaml" << 6 << 32 << "platform.nodes[0].zone"
                                      << "unknown zone \"z2\"";
        QTest::newRow("a billion replicas")
            << "billion_replicas.yaml" << 11 << 15 << "services[1].replicas"
            << "too large";
        QTest::newRow("number beyond 64 bits")
            << "huge_number.yaml" << 11 << 15 << "services[1].replicas"
            << "too large";
        QTest::newRow("wrong type") << "wrong_type.yaml" << 11 << 9 << "routes"
                                    << "expected a list of routes";
        QTest::newRow("missing version") << "missing_version.yaml" << 1 << 1 << ""
                                         << "missing key \"meshsim\"";
        QTest::newRow("unsupported version") << "unsupported_version.yaml" << 1 << 10 << "meshsim"
                                             << "unsupported format version 2";
        QTest::newRow("YAML syntax error") << "syntax_error.yaml" << 10 << 4 << ""
                                           << "YAML syntax error";
        QTest::newRow("duplicate key") << "duplicate_key.yaml" << 4 << 1 << "duration"
                                       << "duplicate key";
        QTest::newRow("bandwidth unit")
            << "bad_bandwidth.yaml" << 5 << 45 << "platform.client_network.bandwidth"
            << "found \"10Gb\"";
        QTest::newRow("unknown route in mix")
            << "unknown_route.yaml" << 14 << 73 << "workloads[0].mix[0].path"
            << "did you mean \"/home\"?";
        QTest::newRow("unknown distribution")
            << "unknown_distribution.yaml" << 10 << 17 << "services[1].cpu.dist"
            << "did you mean exponential?";
        QTest::newRow("empty file") << "empty.yaml" << 0 << 0 << ""
                                    << "empty file";
        QTest::newRow("only comments") << "comments_only.yaml" << 0 << 0 << ""
                                       << "empty file";
        QTest::newRow("not a mapping") << "not_a_mapping.yaml" << 1 << 1 << ""
                                       << "expected a mapping";
        QTest::newRow("unknown fault target")
            << "unknown_fault_target.yaml" << 16 << 30 << "faults[0].kill.service"
            << "unknown service \"payments\"";
        QTest::newRow("policy change without retries or timeout")
            << "policy_without_change.yaml" << 16 << 22 << "faults[0].policy"
            << "needs \"retries\" and/or \"timeout\"";
        QTest::newRow("kill more instances than exist")
            << "kill_more_than_replicas.yaml" << 16 << 50 << "faults[0].kill.instances"
            << "from 1 to 1";
        QTest::newRow("cross zone faster than same zone")
            << "cross_zone_faster.yaml" << 6 << 5 << "platform.network.cross_zone"
            << "no faster than same_zone";
        QTest::newRow("binary garbage") << "binary.yaml" << 2 << 7 << ""
                                        << "binary data";
        QTest::newRow("alias bomb") << "alias_bomb.yaml" << -1 << -1 << ""
                                    << "document too large to read";
        QTest::newRow("deep YAML nesting") << "deep_yaml_nesting.yaml" << -1 << -1 << ""
                                           << "nested too deeply";
        QTest::newRow("no route matches a request path")
            << "unmatched_path.yaml" << 14 << 16 << "workloads[0].mix[1].path"
            << "no route matches GET \"/home\"";
        QTest::newRow("headers not a mapping")
            << "bad_headers.yaml" << 6 << 45 << "routes[0].headers"
            << "expected a mapping of header names to values";
        QTest::newRow("slow fault on a missing instance")
            << "slow_instance_out_of_range.yaml" << 10 << 47 << "faults[0].slow.instance"
            << "from 0 to 1";
        QTest::newRow("reserved service name")
            << "reserved_name.yaml" << 5 << 12 << "services[0].name"
            << "reserved for the proxy tier";
        QTest::newRow("deep step nesting") << "deep_step_nesting.yaml" << 8 << -1 << ""
                                           << "steps nested too deeply";
    }

    void rejected()
    {
        QFETCH(QString, file);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const LoadResult r = loadScenarioFile(fixture(file.toUtf8().constData()));
        QVERIFY(!r.ok());
        QVERIFY2(mentions(r.diagnostics,
                          line,
                          column,
                          path.toStdString(),
                          message.toStdString(),
                          Diagnostic::Severity::Error),
                 dump(r.diagnostics).c_str());
        for (const Diagnostic& d : r.diagnostics)
            QVERIFY(d.file.find(file.toStdString()) != std::string::npos);
    }

    void everyErrorAtOnce()
    {
        const LoadResult r = loadScenarioFile(fixture("several_errors.yaml"));
        QVERIFY(!r.ok());
        QCOMPARE(r.diagnostics.size(), std::size_t{3});
        QCOMPARE(r.diagnostics[0].path, std::string("duration"));
        QCOMPARE(r.diagnostics[1].path, std::string("services[1].workers"));
        QCOMPARE(r.diagnostics[2].path, std::string("workloads[0].arrival.rate"));
    }

    void noCascadeFromAMissingSection()
    {
        // A misspelt "services" gives the unknown key and the missing section, not one more
        // error per reference to a service.
        const LoadResult r = loadScenarioFile(fixture("unknown_key.yaml"));
        QCOMPARE(r.diagnostics.size(), std::size_t{2});
    }

    void unreachableServiceIsAWarning()
    {
        const LoadResult r = loadScenarioFile(fixture("unreachable_service.yaml"));
        QVERIFY(r.ok());
        QVERIFY(mentions(r.diagnostics,
                         11,
                         5,
                         "services[2]",
                         "not reached by any route",
                         Diagnostic::Severity::Warning));
    }

    void diagnosticFormat()
    {
        const LoadResult r = loadScenarioFile(fixture("bad_duration.yaml"));
        QCOMPARE(r.diagnostics.size(), std::size_t{1});
        const std::string text = r.diagnostics[0].format();
        QVERIFY2(text.find("bad_duration.yaml:3:11: duration: invalid value (expected a duration "
                           "with a unit")
                     != std::string::npos,
                 text.c_str());
        QVERIFY(text.find("found \"12 parsecs\")") != std::string::npos);
    }

    void oversizedFileIsRefusedUnread()
    {
        LoadLimits limits;
        limits.maxFileBytes = 1000;
        const std::string big = "meshsim: 1\n" + std::string(5000, '#');
        const LoadResult r = loadScenarioText(big, "big.yaml", limits);
        QVERIFY(!r.ok());
        QVERIFY(r.diagnostics[0].message.find("file too large") != std::string::npos);
    }

    void manyValuesAreRefused()
    {
        // A 1.5 MB flat list is under the file limit but over the value budget.
        std::string text = "meshsim: 1\nservices: [";
        for (int i = 0; i < 300'000; ++i)
            text += "1,";
        text += "1]\n";
        const LoadResult r = loadScenarioText(text, "flat.yaml");
        QVERIFY(!r.ok());
        QVERIFY2(mentions(r.diagnostics,
                          -1,
                          -1,
                          "",
                          "document too large to read",
                          Diagnostic::Severity::Error),
                 dump(r.diagnostics).c_str());
    }

    void missingFile()
    {
        const LoadResult r = loadScenarioFile(fixture("does_not_exist.yaml"));
        QVERIFY(!r.ok());
        QVERIFY(r.diagnostics[0].message.find("cannot open") != std::string::npos);
    }

    void unknownBuiltin()
    {
        const LoadResult r = loadScenario("builtin:bookstor");
        QVERIFY(!r.ok());
        QVERIFY(r.diagnostics[0].message.find("did you mean builtin:bookstore?")
                != std::string::npos);
    }

    void distributionsFromYaml()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - {name: a, cpu: {dist: lognormal, median: 2ms, p99: 12ms}}
  - {name: b, cpu: {dist: lognormal, mean: 4ms, sigma: 0.5}}
  - {name: c, cpu: {dist: uniform, min: 1ms, max: 3ms}}
  - {name: d, cpu: {dist: empirical, values: [1ms, 5ms], weights: [3, 1]}}
  - {name: e, cpu: {dist: normal, mean: 8ms, stddev: 2ms}}
routes: [{path: /a, aggregate: [a, b, c, d, e]}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
)",
                                              "d.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const auto& s = r.scenario->system.services;
        QVERIFY(std::abs(s[1].cpu.mean() - 4e6) < 1e-3);
        QCOMPARE(s[2].cpu.mean(), 2e6);
        QCOMPARE(s[3].cpu.mean(), 2e6);
        QVERIFY(std::abs(s[0].cpu.param1() - std::log(2e6)) < 1e-12);
    }

    void productsSetDefaultsThatKeysChange()
    {
        // A kind sets its product's defaults (docs/mechanisms/products.md); the section's
        // other keys change them, a block starting from the product's values.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
architecture: gateway+mesh
services:
  - {name: a, cpu: 1ms, steps: [b], client: {kind: resilience4j, bulkhead: 5, retries: {attempts: 1}}}
  - {name: b, cpu: 1ms, client: {kind: hystrix, timeout: 0}}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
gateway: {kind: kong, retries: {attempts: 2}, timeout: 30s}
mesh:
  kind: istio
  version: "1.13"
  defaults: {circuit_breaker: {max_connections: 0, max_retries: 5}}
)",
                                              "p.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const models::SystemConfig& s = r.scenario->system;
        QVERIFY(s.gateway.kind == models::GatewayKind::Kong);
        QCOMPARE(s.gateway.retries->attempts, 2U); // the key
        QCOMPARE(s.gateway.retries->retryOn,
                 (std::vector<std::string>{"reset", "connect-failure"})); // Kong's
        QCOMPARE(s.gateway.retries->perTryTimeout->count(), std::int64_t{60'000'000'000});
        QCOMPARE(s.gateway.timeout->count(), std::int64_t{30'000'000'000});
        QVERIFY(!s.gateway.circuitBreaker);
        QCOMPARE(s.gateway.connectTimeout.count(), std::int64_t{60'000'000'000});
        // Istio 1.13's calibration: 335 us + 15 us of mTLS per traversal; 0 is unset in Istio.
        QCOMPARE(s.mesh.sidecar.cpu.mean(), 335e3);
        QCOMPARE(s.mesh.defaults.circuitBreaker->maxConnections, models::kUnlimited);
        QCOMPARE(s.mesh.defaults.circuitBreaker->maxRetries, 5U);
        QCOMPARE(s.mesh.connectTimeout.count(), std::int64_t{10'000'000'000});
        // resilience4j: its Retry with the attempts changed, its bulkhead changed.
        const models::LibraryClientConfig& a = s.services[0].client;
        QVERIFY(a.retries->retryAll && a.retries->fixedBackoff);
        QCOMPARE(a.retries->attempts, 1U);
        QCOMPARE(a.retries->backoffBase.count(), std::int64_t{500'000'000});
        QCOMPARE(*a.bulkhead, 5U);
        QVERIFY(a.circuitBreaker->kind == models::LibraryCircuitBreakerConfig::Kind::Resilience4j);
        // Hystrix: its breaker and pool, its timeout turned off.
        const models::LibraryClientConfig& b = s.services[1].client;
        QVERIFY(b.circuitBreaker->kind == models::LibraryCircuitBreakerConfig::Kind::Hystrix);
        QCOMPARE(b.circuitBreaker->minimumCalls, 20U);
        QCOMPARE(*b.bulkhead, 10U);
        QVERIFY(!b.timeout);
    }

    void waypointsTakeTheirServicesCalls()
    {
        // A waypoint names its services, or takes every service not yet taken (a namespace's
        // waypoint); its defaults are Istio's generated Deployment (1 replica, 2 workers) and
        // 1.24's cost (235 us + 15 us of mTLS). The layout sends a service's and the gateway's
        // calls to a service with a waypoint through the waypoint; the ingress's go direct.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
architecture: mesh
services:
  - {name: a, cpu: 1ms, steps: [b, c]}
  - {name: b, cpu: 1ms}
  - {name: c, cpu: 1ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
mesh:
  kind: istio-ambient
  waypoints:
    - {name: b-waypoint, services: [b], replicas: 3, workers: 4, cpu: 100us, latency: 0}
    - {name: rest}
  destinations: [{service: b, timeout: 1s}]
)",
                                              "w.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        QVERIFY2(r.diagnostics.empty(), dump(r.diagnostics).c_str()); // b has a waypoint
        const auto& w = r.scenario->system.mesh.waypoints;
        QCOMPARE(w.size(), std::size_t{2});
        QCOMPARE(w[0].services, (std::vector<models::ServiceIndex>{1}));
        QCOMPARE(w[0].replicas, 3U);
        QCOMPARE(w[0].workers, 4U);
        QCOMPARE(w[0].cpu.mean(), 100e3);
        QCOMPARE(w[0].latency.count(), std::int64_t{0});
        QCOMPARE(w[1].services, (std::vector<models::ServiceIndex>{0, 2}));
        QCOMPARE(w[1].replicas, 1U);
        QCOMPARE(w[1].workers, 2U);
        QCOMPARE(w[1].cpu.mean(), 235e3);
        QCOMPARE(w[1].latency.count(), std::int64_t{750'000});
        // Components: w, a, b, c, ingress, b-waypoint, rest.
        const models::SystemLayout layout = models::layoutOf(r.scenario->system);
        QCOMPARE(layout.components.size(), std::size_t{7});
        QCOMPARE(layout.components[5].name, std::string("b-waypoint"));
        QVERIFY(layout.components[5].kind == models::ComponentKind::Waypoint);
        QCOMPARE(layout.components[1].callees, (std::vector<std::uint32_t>{5, 6}));    // a
        QCOMPARE(layout.components[4].callees, (std::vector<std::uint32_t>{1, 2, 3})); // ingress
        QCOMPARE(layout.components[5].callees, (std::vector<std::uint32_t>{2}));
        QCOMPARE(layout.components[6].callees, (std::vector<std::uint32_t>{1, 3}));
        // In an architecture without the mesh the waypoints are not there.
        topologies::Scenario direct = *r.scenario;
        direct.system.architecture = models::Architecture::Direct;
        QCOMPARE(models::layoutOf(direct.system).components.size(), std::size_t{4});
    }

    void keysOfAnotherProductAreIgnoredWithAWarning()
    {
        // A file written for one product still runs as another (compare --mesh-kinds): what
        // the product lacks is said and left out.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
architecture: mesh
services: [{name: a, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
mesh:
  kind: istio
  waypoints: [{services: [a]}]
  defaults: {failure_accrual: {}}
)",
                                              "k.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        QVERIFY(r.scenario->system.mesh.waypoints.empty());
        QVERIFY(!r.scenario->system.mesh.defaults.failureAccrual);
        QVERIFY2(mentions(r.diagnostics,
                          9,
                          -1,
                          "mesh.waypoints",
                          "belong to Istio's ambient mode",
                          Diagnostic::Severity::Warning),
                 dump(r.diagnostics).c_str());
        QVERIFY2(mentions(r.diagnostics,
                          10,
                          -1,
                          "mesh.defaults.failure_accrual",
                          "failure accrual is Linkerd's",
                          Diagnostic::Severity::Warning),
                 dump(r.diagnostics).c_str());
    }

    void nginxPassiveHealthChecks()
    {
        // NGINX's server defaults max_fails=1 fail_timeout=10s; the keys change them, 0 turns
        // them off; Kong and Envoy have none.
        const auto gatewayOf = [](const std::string& section) {
            const LoadResult r = loadScenarioText("meshsim: 1\narchitecture: gateway\n"
                                                  "services: [{name: a, cpu: 1ms}]\n"
                                                  "routes: [{path: /x, to: a}]\n"
                                                  "workloads: [{name: w, arrival: {process: "
                                                  "poisson, rate: 5/s}}]\n"
                                                      + section + "\n",
                                                  "g.yaml");
            if (!r.ok())
                qFatal("%s", dump(r.diagnostics).c_str());
            return r.scenario->system.gateway;
        };
        const auto nginx = gatewayOf("gateway: {kind: nginx}");
        QVERIFY(nginx.passiveHealth->style == models::FailureAccrualConfig::Style::Nginx);
        QCOMPARE(nginx.passiveHealth->consecutiveFailures, 1U);
        QCOMPARE(nginx.passiveHealth->minPenalty.count(), std::int64_t{10'000'000'000});
        QCOMPARE(nginx.passiveHealth->maxPenalty.count(), std::int64_t{10'000'000'000});
        QCOMPARE(nginx.passiveHealth->jitter, 0.0);
        const auto tuned = gatewayOf(
            "gateway: {kind: nginx, passive_health: {max_fails: 3, fail_timeout: 30s}}");
        QCOMPARE(tuned.passiveHealth->consecutiveFailures, 3U);
        QCOMPARE(tuned.passiveHealth->maxPenalty.count(), std::int64_t{30'000'000'000});
        QVERIFY(!gatewayOf("gateway: {kind: nginx, passive_health: {max_fails: 0}}").passiveHealth);
        QVERIFY(!gatewayOf("gateway: {kind: kong}").passiveHealth);
        QVERIFY(!gatewayOf("gateway: {kind: envoy}").passiveHealth);
        QVERIFY(gatewayOf("gateway: {kind: kong, passive_health: {}}").passiveHealth);
    }

    void linkerdFailureAccrualReadsItsKeys()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
architecture: mesh
services: [{name: a, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
mesh:
  kind: linkerd
  defaults: {failure_accrual: {}}
  destinations: [{service: a, failure_accrual: {consecutive_failures: 3, max_penalty: 10s, jitter: 0}}]
)",
                                              "f.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const models::MeshConfig& mesh = r.scenario->system.mesh;
        // Linkerd's defaults (the failure-accrual-consecutive-* annotations).
        const models::FailureAccrualConfig& d = *mesh.defaults.failureAccrual;
        QCOMPARE(d.consecutiveFailures, 7U);
        QCOMPARE(d.minPenalty.count(), std::int64_t{1'000'000'000});
        QCOMPARE(d.maxPenalty.count(), std::int64_t{60'000'000'000});
        QCOMPARE(d.jitter, 0.5);
        const models::FailureAccrualConfig& a = *mesh.destinations[0].policy.failureAccrual;
        QCOMPARE(a.consecutiveFailures, 3U);
        QCOMPARE(a.maxPenalty.count(), std::int64_t{10'000'000'000});
        QCOMPARE(a.jitter, 0.0);
    }

    void ambientPolicyOfAServiceWithoutAWaypointIsSaid()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
architecture: mesh
services:
  - {name: a, cpu: 1ms, steps: [b]}
  - {name: b, cpu: 1ms}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
mesh:
  kind: istio-ambient
  waypoints: [{services: [b]}]
  destinations: [{service: b, timeout: 1s}, {service: a, timeout: 1s}]
)",
                                              "w.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        QCOMPARE(r.diagnostics.size(), std::size_t{1});
        QVERIFY2(mentions(r.diagnostics,
                          12,
                          -1,
                          "mesh.destinations[1]",
                          "service \"a\" has no waypoint",
                          Diagnostic::Severity::Warning),
                 dump(r.diagnostics).c_str());
    }

    void badProductsSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("section");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("gateway kind") << "gateway: {kind: traefik}"
                                      << "gateway.kind"
                                      << "expected one of envoy, kong, nginx";
        QTest::newRow("mesh kind") << "mesh: {kind: consul}"
                                   << "mesh.kind"
                                   << "expected one of istio, istio-ambient, linkerd";
        QTest::newRow("version format") << "mesh: {version: latest}"
                                        << "mesh.version"
                                        << "a release such as \"1.24\"";
        QTest::newRow("version too old") << "mesh: {version: \"1.1\"}"
                                         << "mesh.version"
                                         << "no published calibration before";
        QTest::newRow("version of linkerd") << "mesh: {kind: linkerd, version: \"2.14\"}"
                                            << "mesh.version"
                                            << "only Istio's sidecar releases";
        QTest::newRow("failure accrual penalties")
            << "mesh: {kind: linkerd, defaults: {failure_accrual: {min_penalty: 2s, max_penalty: "
               "1s}}}"
            << "mesh.defaults.failure_accrual"
            << "max_penalty is below min_penalty";
        QTest::newRow("waypoint name taken")
            << "mesh: {kind: istio-ambient, waypoints: [{name: a}]}"
            << "mesh.waypoints[0].name"
            << "the name \"a\" is taken";
        QTest::newRow("two waypoints for a service")
            << "mesh: {kind: istio-ambient, waypoints: [{}, {name: w2, services: [a]}]}"
            << "mesh.waypoints[1].services[0]"
            << "service \"a\" already uses waypoint \"waypoint\"";
        QTest::newRow("waypoint of no service")
            << "mesh: {kind: istio-ambient, waypoints: [{services: [z]}]}"
            << "mesh.waypoints[0].services[0]"
            << "unknown service \"z\"";
        QTest::newRow("client kind") << "services: [{name: a, client: {kind: polly}}]"
                                     << "services[0].client.kind"
                                     << "expected one of resilience4j, hystrix";
    }

    void badProductsSayWhatIsExpected()
    {
        // Each error at its key, saying what was expected (file:line:column in the message).
        QFETCH(QString, section);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const std::string services
            = section.startsWith("services") ? "" : "services: [{name: a, cpu: 1ms}]\n";
        const std::string problem
            = missingError("meshsim: 1\narchitecture: gateway+mesh\n" + services
                               + "routes: [{path: /x, to: a}]\n"
                                 "workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]\n"
                               + section.toStdString() + "\n",
                           path,
                           message);
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void stepsOfTheSecondEditionRead()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - name: a
    workers: unlimited
    after_cpu: 3ms
    steps:
      - {call: b, repeat: 9}
      - {call: c, async: true, repeat: {min: 1, max: 4, parallel: true}}
      - sequence: [b, c]
        probability: 30%
        optional: true
      - choice:
          - {weight: 3, steps: [b]}
          - {weight: 1}
  - {name: b}
  - {name: c}
routes: [{path: /a, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
)",
                                              "steps.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const models::ServiceConfig& a = r.scenario->system.services[0];
        QCOMPARE(a.workers, models::kUnlimited);
        QVERIFY(a.afterCpu.has_value());
        QCOMPARE(a.afterCpu->mean(), 3e6);
        QCOMPARE(a.steps.size(), std::size_t{4});
        QCOMPARE(a.steps[0].repeatMin, 9U);
        QCOMPARE(a.steps[0].repeatMax, 9U);
        QVERIFY(!a.steps[0].repeatParallel);
        QVERIFY(a.steps[1].async);
        QCOMPARE(a.steps[1].repeatMin, 1U);
        QCOMPARE(a.steps[1].repeatMax, 4U);
        QVERIFY(a.steps[1].repeatParallel);
        QCOMPARE(a.steps[2].kind, models::Step::Kind::Sequence);
        QCOMPARE(a.steps[2].probability, 0.3);
        QVERIFY(a.steps[2].optional);
        QCOMPARE(a.steps[3].kind, models::Step::Kind::Choice);
        QCOMPARE(a.steps[3].children.size(), std::size_t{2});
        QCOMPARE(a.steps[3].children[0].weight, 3.0);
        QCOMPARE(a.steps[3].children[1].weight, 1.0);
        QVERIFY(a.steps[3].children[1].children.empty());
        // An event-driven server without declared nodes runs on one core.
        const Placement placement = computePlacement(*r.scenario);
        QCOMPARE(placement.nodes[placement.instances[0][0]].cores, 1U);
        QCOMPARE(placement.nodes[placement.instances[1][0]].cores, 16U); // 16 workers: 16 cores
    }

    void operationsRead()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - name: cart
    cpu: 3ms
    errors: 1%
    operations:
      - {name: get, steps: [redis.get]}
      - {name: add, cpu: 2ms, response: 200B, steps: [{call: redis.set, repeat: 2}]}
  - name: redis
    operations: [{name: get}, {name: set}]
  - {name: web, steps: [cart.add]}
routes:
  - {path: /get, to: cart.get}
  - {path: /page, sequence: [web, cart.add]}
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}, mix: [{path: /get}, {path: /page}]}]
)",
                                              "ops.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const auto& cart = r.scenario->system.services[0];
        QCOMPARE(cart.operations.size(), std::size_t{2});
        QCOMPARE(cart.operations[0].name, std::string("get"));
        QCOMPARE(cart.operations[0].cpu.mean(), 3e6); // the service's cpu by default
        QCOMPARE(cart.operations[0].errorRate, 0.01);
        QCOMPARE(cart.operations[1].cpu.mean(), 2e6);
        QCOMPARE(cart.operations[1].responseBytes, std::uint64_t{200});
        QCOMPARE(cart.operations[0].steps[0].service, 1U);
        QCOMPARE(cart.operations[0].steps[0].operation, models::OperationIndex{0});
        QCOMPARE(cart.operations[1].steps[0].operation, models::OperationIndex{1});
        QCOMPARE(r.scenario->system.services[2].steps[0].operation, models::OperationIndex{1});
        const auto& page = r.scenario->system.routes[1];
        QCOMPARE(page.targets, (std::vector<std::uint32_t>{2, 0}));
        QCOMPARE(page.operations, (std::vector<models::OperationIndex>{0, 1}));
    }

    void protocolsRead()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - {name: a, steps: [b, c]}
  - {name: b, protocol: grpc, max_connection_age: 30s}
  - {name: c, protocol: http2}
  - {name: d}
routes: [{path: /x, to: a}, {path: /d, to: d}]
workloads:
  - {name: w, arrival: {process: poisson, rate: 5/s}, mix: [{path: /x}, {path: /d}]}
)",
                                              "protocols.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const auto& services = r.scenario->system.services;
        QVERIFY(services[1].protocol == models::Protocol::Grpc);
        QCOMPARE(services[1].maxConnectionAge,
                 std::optional<engine::SimDuration>(engine::SimDuration{30'000'000'000}));
        QVERIFY(services[2].protocol == models::Protocol::Http2);
        QVERIFY(!services[2].maxConnectionAge);
        QVERIFY(services[3].protocol == models::Protocol::Http1); // the default
    }

    void badProtocolsSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("services");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown protocol") << "  - {name: a, protocol: http3}\n"
                                          << "services[0].protocol"
                                          << "expected one of http1, http2, grpc";
        QTest::newRow("age of http1")
            << "  - {name: a, max_connection_age: 10s}\n"
            << "services[0].max_connection_age"
            << "max_connection_age applies to long-lived connections: write \"protocol: grpc\" or "
               "\"protocol: http2\" beside it";
        QTest::newRow("age not a duration")
            << "  - {name: a, protocol: grpc, max_connection_age: 0s}\n"
            << "services[0].max_connection_age"
            << "";
    }

    void badProtocolsSayWhatIsExpected() { verifyServicesRejected(); }

    void versionsRead()
    {
        // reviews: v1 (2 replicas, no calls), v2 (1, b's steps), v3 (1, its own CPU); jason's
        // requests go to v2, the rest 80:20 to v1 and v3. cart: per-operation changes.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - name: reviews
    cpu: 2ms
    errors: 0.01
    steps: [ratings]
    versions:
      - {name: v1, replicas: 2, steps: []}
      - {name: v2, labels: {track: canary}}
      - {name: v3, cpu: 6ms, errors: 0.1}
    traffic:
      - {match: {headers: {End-User: jason}}, version: v2}
      - {split: {v1: 80, v3: 20}}
  - {name: ratings}
  - name: cart
    operations: [{name: get, cpu: 1ms}, {name: add, cpu: 3ms}]
    versions:
      - {name: stable, replicas: 3}
      - {name: next, operations: [{name: add, cpu: 9ms, steps: [ratings]}]}
routes: [{path: /r, to: reviews}, {path: /c, to: cart.get}]
workloads:
  - name: w
    arrival: {process: poisson, rate: 5/s}
    mix: [{path: /r, headers: {end-user: jason}}, {path: /r}, {path: /c}]
)",
                                              "versions.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        QVERIFY2(r.diagnostics.empty(), dump(r.diagnostics).c_str());
        const auto& reviews = r.scenario->system.services[0];
        QCOMPARE(reviews.replicas, 4U); // the versions' sum
        QCOMPARE(reviews.versions.size(), std::size_t{3});
        QCOMPARE(reviews.versions[0].replicas, 2U);
        QVERIFY(reviews.versions[0].operations[0].steps.empty());
        QCOMPARE(reviews.versions[1].operations[0].steps.size(), std::size_t{1}); // inherited
        QCOMPARE(reviews.versions[1].labels.front().second, std::string("canary"));
        QCOMPARE(reviews.versions[1].operations[0].errorRate, 0.01);
        QCOMPARE(reviews.versions[2].operations[0].cpu.mean(), 6e6);
        QCOMPARE(reviews.versions[2].operations[0].errorRate, 0.1);
        QCOMPARE(reviews.traffic.size(), std::size_t{2});
        QCOMPARE(reviews.traffic[0].headers.front().first, std::string("end-user"));
        QCOMPARE(reviews.traffic[0].versions, std::vector<std::uint32_t>{1});
        QCOMPARE(reviews.traffic[1].versions, (std::vector<std::uint32_t>{0, 2}));
        QCOMPARE(reviews.traffic[1].weights, (std::vector<double>{80, 20}));
        // The mix's headers are a header set of the system, propagated with each request.
        const auto& sets = r.scenario->system.headerSets;
        QCOMPARE(sets.size(), std::size_t{2});
        QCOMPARE(r.scenario->system.workloads[0].mix[0].headerSet, 1U);
        QCOMPARE(r.scenario->system.workloads[0].mix[1].headerSet, 0U);
        const auto& cart = r.scenario->system.services[2];
        QCOMPARE(cart.replicas, 4U);
        QCOMPARE(cart.versions[1].operations.size(), std::size_t{2});
        QCOMPARE(cart.versions[1].operations[0].cpu.mean(), 1e6); // get: unchanged
        QCOMPARE(cart.versions[1].operations[1].cpu.mean(), 9e6);
        QCOMPARE(cart.versions[1].operations[1].steps.size(), std::size_t{1});
        QCOMPARE(cart.versions[0].operations[1].steps.size(), std::size_t{0});
        // Without traffic rules a service with versions is balanced over all its instances.
        QVERIFY(cart.traffic.empty());
    }

    void badVersionsSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("services");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        const QString two = "  - name: a\n    versions: [{name: v1}, {name: v2}]\n";
        QTest::newRow("replicas beside versions")
            << "  - {name: a, replicas: 2, versions: [{name: v1}]}\n"
            << "services[0].replicas"
            << "a service with versions has its replicas in each version";
        QTest::newRow("unnamed version") << "  - {name: a, versions: [{replicas: 2}]}\n"
                                         << "services[0].versions[0]"
                                         << "missing key \"name\"";
        QTest::newRow("duplicate version") << "  - {name: a, versions: [{name: v1}, {name: v1}]}\n"
                                           << "services[0].versions[1].name"
                                           << "duplicate version \"v1\" of service \"a\"";
        QTest::newRow("no replicas at all")
            << "  - {name: a, versions: [{name: v1, replicas: 0}]}\n"
            << "services[0].versions"
            << "the versions have no replicas in all";
        QTest::newRow("operations of a plain service")
            << "  - {name: a, versions: [{name: v1, operations: [{name: get}]}]}\n"
            << "services[0].versions[0].operations"
            << "the service has no operations";
        QTest::newRow("cpu of a service with operations")
            << "  - {name: a, operations: [{name: get}], versions: [{name: v1, cpu: 2ms}]}\n"
            << "services[0].versions[0].cpu"
            << "a version changes \"cpu\" per operation";
        QTest::newRow("unknown operation")
            << "  - {name: a, operations: [{name: get}], versions: [{name: v1, operations: "
               "[{name: gte}]}]}\n"
            << "services[0].versions[0].operations[0].name"
            << "did you mean get?";
        QTest::newRow("traffic without versions") << "  - {name: a, traffic: [{version: v1}]}\n"
                                                  << "services[0].traffic"
                                                  << "add \"versions\" to the service";
        QTest::newRow("unknown version") << two + "    traffic: [{version: v3}]\n"
                                         << "services[0].traffic[0].version"
                                         << "v3";
        QTest::newRow("misspelt split") << two + "    traffic: [{split: {v1: 50, v22: 50}}]\n"
                                        << "services[0].traffic[0].split.v22"
                                        << "did you mean \"v2\"?";
        QTest::newRow("both version and split")
            << two + "    traffic: [{version: v1, split: {v1: 1}}]\n"
            << "services[0].traffic[0]"
            << "a traffic rule has exactly one of \"version\"";
        QTest::newRow("zero weights") << two + "    traffic: [{split: {v1: 0, v2: 0}}]\n"
                                      << "services[0].traffic[0].split"
                                      << "the weights add up to 0";
        QTest::newRow("negative weight") << two + "    traffic: [{split: {v1: -1, v2: 2}}]\n"
                                         << "services[0].traffic[0].split.v1"
                                         << "a weight (a number >= 0)";
        QTest::newRow("last rule matches")
            << two + "    traffic: [{match: {headers: {x: y}}, version: v2}]\n"
            << "services[0].traffic"
            << "the last traffic rule has a \"match\"";
        QString seventeen = "  - name: a\n    versions:\n";
        for (int v = 0; v < 17; ++v)
            seventeen += QString("      - {name: v%1}\n").arg(v);
        QTest::newRow("too many versions") << seventeen << "services[0].versions"
                                           << "too many versions (at most 16 per service)";
        QString rules = two + "    traffic:\n";
        for (int r = 0; r < 101; ++r)
            rules += "      - {version: v1}\n";
        QTest::newRow("too many rules") << rules << "services[0].traffic"
                                        << "too many traffic rules (at most 100 per service)";
        QTest::newRow("match without headers")
            << two + "    traffic: [{match: {}, version: v2}, {version: v1}]\n"
            << "services[0].traffic[0].match"
            << "missing key \"headers\"";
    }

    void badVersionsSayWhatIsExpected() { verifyServicesRejected(); }

    void faultsSelectAVersion()
    {
        const std::string head = "meshsim: 1\n"
                                 "services:\n"
                                 "  - {name: a, versions: [{name: v1, replicas: 2}, {name: v2, "
                                 "replicas: 3}, {name: v3, replicas: 0}]}\n"
                                 "  - {name: b}\n"
                                 "routes: [{path: /x, to: a}, {path: /y, to: b}]\n"
                                 "workloads: [{name: w, arrival: {process: poisson, rate: 5/s}, "
                                 "mix: [{path: /x}, {path: /y}]}]\n";
        const LoadResult r = loadScenarioText(
            head
                + "faults:\n"
                  "  - {at: 1s, kill: {service: a, version: v2, instance: 1}}\n"
                  "  - {at: 1s, errors: {service: a, version: v2, rate: 1%, instances: 2}}\n"
                  "  - {at: 1s, slow: {service: a, version: v1, factor: 2}}\n",
            "faults.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const auto& faults = r.scenario->system.faults;
        QCOMPARE(faults[0].instances, std::vector<std::uint32_t>{3}); // v2's second: 2 + 1
        QCOMPARE(faults[1].instances, (std::vector<std::uint32_t>{2, 3}));
        QCOMPARE(faults[2].instances, (std::vector<std::uint32_t>{0, 1}));
        for (const auto& [fault, path, message] :
             std::vector<std::tuple<std::string, std::string, std::string>>{
                 {"{service: a, version: v4}", "faults[0].kill.version", "did you mean"},
                 {"{service: b, version: v1}", "faults[0].kill.version", "has no versions"},
                 {"{service: a, version: v3}", "faults[0].kill.version", "has no replicas"},
                 {"{service: a, version: v1, instance: 2}", "faults[0].kill.instance", ""}}) {
            const std::string problem
                = missingError(head + "faults: [{at: 1s, kill: " + fault + "}]\n",
                               QString::fromStdString(path),
                               QString::fromStdString(message));
            QVERIFY2(problem.empty(), (fault + ": " + problem).c_str());
        }
    }

    void tooManyHeaderSetsAreAnError()
    {
        // 1,001 distinct header sets in a mix: the rules over them would be matched against
        // each, so the loader refuses more than 1,000 (the same set twice counts once).
        std::string text = "meshsim: 1\nservices: [{name: a}]\nroutes: [{path: /x, to: a}]\n"
                           "workloads:\n  - name: w\n    arrival: {process: poisson, rate: 5/s}\n"
                           "    mix:\n      - {path: /x, headers: {user: u0}}\n";
        for (int i = 0; i < 1001; ++i)
            text += "      - {path: /x, headers: {user: u" + std::to_string(i) + "}}\n";
        const std::string problem = missingError(
            text, "workloads[0].mix[1001].headers", "too many distinct header sets in the mixes");
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void aRuleNoRequestMeetsIsWarned()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - name: a
    versions: [{name: v1}, {name: v2}]
    traffic: [{match: {headers: {end-user: jason}}, version: v2}, {version: v1}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}, mix: [{path: /x, headers: {end-user: ann}}]}]
)",
                                              "unmet.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        QCOMPARE(r.diagnostics.size(), std::size_t{1});
        QCOMPARE(r.diagnostics[0].path, std::string("services[0].traffic[0].match"));
        QVERIFY(r.diagnostics[0].message.find("no workload's requests carry these headers")
                != std::string::npos);
    }

    void methodsRead()
    {
        // GET /cart and POST /cart are two routes; a mix entry's method picks one (GET when it
        // names none, as a load generator sends), Envoy's :method matching.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services: [{name: cart, operations: [{name: get}, {name: add}]}]
routes:
  - {path: /cart, method: GET, to: cart.get}
  - {path: /cart, method: POST, to: cart.add}
  - {path: /any, to: cart.get}
workloads:
  - name: w
    arrival: {process: poisson, rate: 5/s}
    mix: [{path: /cart}, {path: /cart, method: POST}, {path: /any, method: DELETE}]
)",
                                              "methods.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const auto& routes = r.scenario->system.routes;
        QCOMPARE(routes[0].name(), std::string("GET /cart"));
        QCOMPARE(routes[1].name(), std::string("POST /cart"));
        QCOMPARE(routes[2].name(), std::string("/any")); // any method
        const auto& mix = r.scenario->system.workloads[0].mix;
        QCOMPARE(mix.size(), std::size_t{3});
        QCOMPARE(mix[0].route, 0U);
        QCOMPARE(mix[1].route, 1U);
        QCOMPARE(mix[2].route, 2U);
        QCOMPARE(r.scenario->routeIndex("POST /cart"), 1);
    }

    void badMethodsSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("routes");
        QTest::addColumn<QString>("mix");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("lower case") << "[{path: /x, method: post, to: a}]"
                                    << "[{path: /x}]"
                                    << "routes[0].method"
                                    << "write \"POST\"";
        QTest::newRow("not a method") << "[{path: /x, method: \"GET /x\", to: a}]"
                                      << "[{path: /x}]"
                                      << "routes[0].method"
                                      << "expected an HTTP method in capitals";
        QTest::newRow("same path, no method")
            << "[{path: /x, to: a}, {path: /x, to: a}]"
            << "[{path: /x}]"
            << "routes[1].path"
            << "duplicate route \"/x\" (routes with the same path differ by \"method\")";
        QTest::newRow("same path and method")
            << "[{path: /x, method: GET, to: a}, {path: /x, method: GET, to: a}]"
            << "[{path: /x}]"
            << "routes[1].path"
            << "duplicate route \"GET /x\"";
        QTest::newRow("no route for the method") << "[{path: /x, method: GET, to: a}]"
                                                 << "[{path: /x, method: PUT}]"
                                                 << "workloads[0].mix[0].path"
                                                 << "no route matches PUT \"/x\"";
    }

    void badMethodsSayWhatIsExpected()
    {
        QFETCH(QString, routes);
        QFETCH(QString, mix);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const std::string text
            = "meshsim: 1\nservices: [{name: a}]\nroutes: " + routes.toStdString()
              + "\nworkloads: [{name: w, arrival: {process: poisson, rate: "
                "5/s}, mix: "
              + mix.toStdString() + "}]\n";
        const std::string problem = missingError(text, path, message);
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void resourcesRead()
    {
        // Kubernetes quantities: millicores or cores; the request may be left to the limit.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - {name: a, steps: [b], resources: {cpu_request: 250m, cpu_limit: 1.5}}
  - {name: b, resources: {cpu_limit: "2"}}
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
)",
                                              "resources.yaml");
        QVERIFY2(r.ok(), dump(r.diagnostics).c_str());
        const auto& a = r.scenario->system.services[0].resources;
        QCOMPARE(*a.cpuRequest, 0.25);
        QCOMPARE(*a.cpuLimit, 1.5);
        QVERIFY(!r.scenario->system.services[1].resources.cpuRequest);
        QCOMPARE(*r.scenario->system.services[1].resources.cpuLimit, 2.0);
        // With declared nodes they are ignored, and the loader says so.
        const LoadResult declared = loadScenarioText(R"(
meshsim: 1
platform: {nodes: [{name: n1, cores: 8}]}
services: [{name: a, resources: {cpu_limit: 500m}}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
)",
                                                     "declared.yaml");
        QVERIFY2(declared.ok(), dump(declared.diagnostics).c_str());
        QVERIFY(!declared.scenario->system.services[0].resources.cpuLimit);
        QVERIFY2(mentions(declared.diagnostics,
                          -1,
                          -1,
                          "services[0].resources",
                          "ignored with declared nodes",
                          Diagnostic::Severity::Warning),
                 dump(declared.diagnostics).c_str());
    }

    void badResourcesSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("services");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        const QString quantity = "a CPU quantity from 1m to 10000 cores";
        QTest::newRow("units") << "  - {name: a, resources: {cpu_limit: 500mc}}\n"
                               << "services[0].resources.cpu_limit" << quantity;
        QTest::newRow("zero") << "  - {name: a, resources: {cpu_limit: 0}}\n"
                              << "services[0].resources.cpu_limit" << quantity;
        QTest::newRow("request above limit")
            << "  - {name: a, resources: {cpu_request: 2, cpu_limit: 1}}\n"
            << "services[0].resources.cpu_request"
            << "the CPU request exceeds the limit";
        QTest::newRow("unknown key") << "  - {name: a, resources: {memory_limit: 1Gi}}\n"
                                     << "services[0].resources.memory_limit"
                                     << "unknown key";
    }

    void badResourcesSayWhatIsExpected() { verifyServicesRejected(); }

    void badOperationsSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("services");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        const QString ops = "  - {name: b, operations: [{name: get}, {name: put}]}\n";
        QTest::newRow("bare name") << "  - {name: a, steps: [b]}\n" + ops << "services[0].steps[0]"
                                   << "service \"b\" has operations (get, put): name one, as in "
                                      "\"b.get\"";
        QTest::newRow("unknown operation")
            << "  - {name: a, steps: [{call: b.gte}]}\n" + ops << "services[0].steps[0].call"
            << "service \"b\" has no operation \"gte\" (did you mean \"b.get\"?)";
        QTest::newRow("operation of a plain service")
            << "  - {name: a, steps: [b.get]}\n  - {name: b}\n"
            << "services[0].steps[0]"
            << "service \"b\" has no operations (call it as \"b\")";
        QTest::newRow("steps beside operations")
            << "  - {name: a, steps: [b.get], operations: [{name: x}]}\n" + ops
            << "services[0].steps"
            << "a service with operations has its steps in each operation";
        QTest::newRow("duplicate operation")
            << "  - {name: a, operations: [{name: x}, {name: x}]}\n" + ops
            << "services[0].operations[1].name"
            << "duplicate operation \"x\" of service \"a\"";
        QTest::newRow("dotted operation") << "  - {name: a, operations: [{name: x.y}]}\n" + ops
                                          << "services[0].operations[0].name"
                                          << "an operation's name has no \".\"";
        QTest::newRow("no operations")
            << "  - {name: a, operations: []}\n" + ops << "services[0].operations"
            << "no operations";
    }

    void badOperationsSayWhatIsExpected() { verifyServicesRejected(); }

    void diagnosticsPointToTheRightBlock()
    {
        // A count where a policy is expected, and Istio's and Envoy's names in the wrong block:
        // the message says what to write and where.
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
architecture: gateway+mesh
services: [{name: a, client: {circuit_breaker: {consecutive_errors: 3}}}]
routes: [{path: /x, to: a, retries: 3}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
mesh:
  defaults:
    circuit_breaker: {consecutive_errors: 5, failure_rate_threshold: 50%}
    outlier_detection: {max_requests: 3, consecutive_5xx: 2, consecutive_5xx_errors: 1}
)",
                                              "teach.yaml");
        QVERIFY(!r.ok());
        const auto has = [&](const char* path, const char* message) {
            return mentions(r.diagnostics, -1, -1, path, message, Diagnostic::Severity::Error);
        };
        QVERIFY2(has("routes[0].retries", "write \"retries: {attempts: 3}\""),
                 dump(r.diagnostics).c_str());
        QVERIFY2(has("mesh.defaults.circuit_breaker.consecutive_errors",
                     "it belongs in the \"outlier_detection\" block as \"consecutive_5xx\""),
                 dump(r.diagnostics).c_str());
        QVERIFY2(has("mesh.defaults.circuit_breaker.failure_rate_threshold",
                     "it belongs in the \"client.circuit_breaker\" block"),
                 dump(r.diagnostics).c_str());
        QVERIFY2(has("mesh.defaults.outlier_detection.max_requests",
                     "it belongs in the \"circuit_breaker\" block"),
                 dump(r.diagnostics).c_str());
        QVERIFY2(has("services[0].client.circuit_breaker.consecutive_errors",
                     "it belongs in the \"outlier_detection\" block"),
                 dump(r.diagnostics).c_str());
        // In its own block a misspelt name still gets "did you mean".
        QVERIFY2(has("mesh.defaults.outlier_detection.consecutive_5xx_errors",
                     "did you mean \"consecutive_5xx\""),
                 dump(r.diagnostics).c_str());
    }

    void badStepsSayWhatIsExpected_data()
    {
        QTest::addColumn<QString>("steps");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("async group") << "[{sequence: [b], async: true}]"
                                     << "services[0].steps[0].async"
                                     << "applies to a call, not to a group";
        QTest::newRow("repeat both") << "[{call: b, repeat: {count: 2, min: 1, max: 3}}]"
                                     << "services[0].steps[0].repeat"
                                     << "\"count\" or \"min\" and \"max\", not both";
        QTest::newRow("repeat half") << "[{call: b, repeat: {min: 1}}]"
                                     << "services[0].steps[0].repeat"
                                     << "both \"min\" and \"max\"";
        QTest::newRow("repeat reversed") << "[{call: b, repeat: {min: 3, max: 1}}]"
                                         << "services[0].steps[0].repeat.max"
                                         << "\"max\" is below \"min\"";
        QTest::newRow("repeat too many") << "[{call: b, repeat: 10001}]"
                                         << "services[0].steps[0].repeat"
                                         << "10000";
        QTest::newRow("choice without weight") << "[{choice: [{steps: [b]}]}]"
                                               << "services[0].steps[0].choice[0]"
                                               << "missing key \"weight\"";
        QTest::newRow("choice empty") << "[{choice: []}]"
                                      << "services[0].steps[0].choice"
                                      << "at least one branch";
        QTest::newRow("two kinds") << "[{call: b, choice: []}]"
                                   << "services[0].steps[0]"
                                   << "exactly one of \"call\", \"parallel\", \"sequence\" or "
                                      "\"choice\"";
        // 10,000 + 10,000 x 10,000 calls: over the limit of a million per request.
        QTest::newRow("fan-out")
            << "[{call: b, repeat: 10000}, {sequence: [{call: b, repeat: 10000}], repeat: 10000}]"
            << "services[0].steps"
            << "can make up to 100010000 calls";
    }

    void badStepsSayWhatIsExpected()
    {
        QFETCH(QString, steps);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const std::string text
            = "meshsim: 1\nservices:\n  - {name: a, steps: " + steps.toStdString()
              + "}\n  - {name: b}\nroutes: [{path: /x, to: a}]\n"
                "workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]\n";
        const std::string problem = missingError(text, path, message);
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void cycleDetectionOnTheGraph()
    {
        const LoadResult r = loadScenarioText(R"(
meshsim: 1
services:
  - {name: a, steps: [b]}
  - {name: b, steps: [{parallel: [c, d]}]}
  - {name: c}
  - {name: d, steps: [b]}
routes: [{path: /a, to: a}]
workloads: [{name: w, arrival: {process: poisson, rate: 5/s}}]
)",
                                              "cycle.yaml");
        QVERIFY(!r.ok());
        QVERIFY2(
            mentions(
                r.diagnostics, -1, -1, "", "call cycle: b -> d -> b", Diagnostic::Severity::Error),
            dump(r.diagnostics).c_str());
    }
};

QTEST_GUILESS_MAIN(TestLoader)
#include "tst_loader.moc"
