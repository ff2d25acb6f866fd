#include "run/simulation.h"

#include "engine/core/fast_platform.h"
#include "engine/simgrid/simgrid_platform.h"
#include "models/cluster.h"
#include "models/recorder.h"
#include "topologies/topology_graph.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace meshsim::run {

namespace m = meshsim::models;

namespace {

engine::LinkSpec toLink(const m::LinkConfig& c)
{
    return engine::LinkSpec{c.latency, c.bitsPerSecond / 8.0};
}

void evaluateSlo(const topologies::Scenario& scenario, RunResult& result)
{
    const m::RequestStats& summary = result.metrics->summary();
    const auto& h = summary.latency;
    const double answered = static_cast<double>(summary.outcomes.total());
    for (const m::SloConfig::Objective& objective : scenario.slo.objectives) {
        SloResult r;
        r.metric = m::sloMetricName(objective.metric);
        double actual = 0.0;
        double limit = objective.limit;
        switch (objective.metric) {
        case m::SloConfig::Metric::Mean:
            actual = h.mean();
            break;
        case m::SloConfig::Metric::P50:
            actual = static_cast<double>(h.quantile(0.50));
            break;
        case m::SloConfig::Metric::P90:
            actual = static_cast<double>(h.quantile(0.90));
            break;
        case m::SloConfig::Metric::P95:
            actual = static_cast<double>(h.quantile(0.95));
            break;
        case m::SloConfig::Metric::P99:
            actual = static_cast<double>(h.quantile(0.99));
            break;
        case m::SloConfig::Metric::P999:
            actual = static_cast<double>(h.quantile(0.999));
            break;
        case m::SloConfig::Metric::ErrorRate:
            actual = answered > 0 ? static_cast<double>(summary.outcomes.errors()) / answered : 0.0;
            break;
        }
        if (objective.metric != m::SloConfig::Metric::ErrorRate) {
            actual *= 1e-6; // ns -> ms
            limit *= 1e-6;
        }
        r.actual = actual;
        r.limit = limit;
        // No answered request proves nothing: an objective without data fails.
        r.pass = answered > 0 && actual <= limit;
        result.sloPass = result.sloPass && r.pass;
        result.slo.push_back(r);
    }
}

} // namespace

std::vector<std::pair<NodeId, NodeId>> communicatingNodes(const topologies::Scenario& scenario,
                                                          const topologies::Placement& placement,
                                                          NodeId clientNode)
{
    // Service-to-service edges come from the topology graph; the edge tier (clients, gateway,
    // ingress) depends on the architecture.
    const topologies::TopologyGraph topology(scenario);
    const auto& g = topology.graph();
    std::set<std::pair<NodeId, NodeId>> pairs;
    const auto link = [&](const std::vector<NodeId>& from, const std::vector<NodeId>& to) {
        for (const NodeId a : from)
            for (const NodeId b : to)
                pairs.emplace(std::min(a, b), std::max(a, b));
    };
    const auto serviceNodes = [&](std::size_t service) {
        const auto& nodes = placement.instances[service];
        return std::vector<NodeId>(nodes.begin(), nodes.end());
    };
    std::vector<NodeId> front{clientNode};
    if (!placement.gateway.empty())
        front.assign(placement.gateway.begin(), placement.gateway.end());
    else if (!placement.ingress.empty())
        front.assign(placement.ingress.begin(), placement.ingress.end());
    if (front.front() != clientNode)
        link({clientNode}, front);
    for (const auto edge : boost::make_iterator_range(boost::edges(g))) {
        const topologies::TopologyVertex& source = g[boost::source(edge, g)];
        const topologies::TopologyVertex& target = g[boost::target(edge, g)];
        const std::vector<NodeId> to = serviceNodes(static_cast<std::size_t>(target.service));
        if (source.kind == topologies::TopologyVertex::Kind::Clients)
            link(front, to);
        else
            link(serviceNodes(static_cast<std::size_t>(source.service)), to);
    }
    // Waypoints take calls from the services and the gateway and make them to their services.
    for (const auto& waypoint : placement.waypoints) {
        const std::vector<NodeId> nodes(waypoint.begin(), waypoint.end());
        link(nodes, std::vector<NodeId>(placement.gateway.begin(), placement.gateway.end()));
        for (std::size_t service = 0; service < placement.instances.size(); ++service)
            link(nodes, serviceNodes(service));
    }
    // Sidecars talk to their applications over the node's loopback.
    for (const auto& nodes : placement.instances)
        for (const NodeId n : nodes)
            pairs.emplace(n, n);
    return {pairs.begin(), pairs.end()};
}

RunResult
runScenario(const topologies::Scenario& scenario, const RunOptions& options, RunObserver* observer)
{
    RunResult result;
    result.scenario = &scenario;
    result.seed = options.seed.value_or(scenario.seed);
    result.engine = options.engine.value_or(scenario.engine);
    const SimDuration duration = options.duration.value_or(scenario.duration);

    result.placement = topologies::computePlacement(scenario);
    engine::PlatformSpec spec;
    spec.zones = scenario.platform.zones;
    for (const m::NodeConfig& n : result.placement.nodes)
        spec.nodes.push_back(engine::NodeSpec{n.name, n.zone, n.cores, n.speed, n.cpuQuota});
    spec.clientNode = static_cast<NodeId>(spec.nodes.size());
    spec.nodes.push_back(engine::NodeSpec{"clients", 0, 1, 1.0});
    spec.sameNode = toLink(scenario.platform.sameNode);
    spec.sameZone = toLink(scenario.platform.sameZone);
    spec.crossZone = toLink(scenario.platform.crossZone);
    spec.client = toLink(scenario.platform.client);
    std::unique_ptr<engine::Platform> platformOwner;
    if (result.engine == m::EngineKind::SimGrid)
        platformOwner = std::make_unique<engine::SimGridPlatform>(
            spec, communicatingNodes(scenario, result.placement, spec.clientNode));
    else
        platformOwner = std::make_unique<engine::FastPlatform>(spec);
    engine::Platform& platform = *platformOwner;

    m::Deployment deployment;
    deployment.gatewayNodes.assign(result.placement.gateway.begin(),
                                   result.placement.gateway.end());
    deployment.ingressNodes.assign(result.placement.ingress.begin(),
                                   result.placement.ingress.end());
    for (const auto& nodes : result.placement.waypoints)
        deployment.waypointNodes.emplace_back(nodes.begin(), nodes.end());
    deployment.warmup = std::min(scenario.warmup, duration);
    for (const auto& nodes : result.placement.instances)
        deployment.instanceNodes.emplace_back(nodes.begin(), nodes.end());
    deployment.clientNode = spec.clientNode;
    deployment.seed = result.seed;
    deployment.duration = duration;

    m::Metrics::Layout layout;
    for (const m::RouteConfig& r : scenario.system.routes)
        layout.routes.push_back(r.name());
    const m::SystemLayout system = m::layoutOf(scenario.system);
    for (std::uint32_t c = 0; c < system.components.size(); ++c) {
        layout.components.push_back(system.components[c].name);
        if (system.isTier(c)) {
            layout.services.push_back(system.components[c].name);
            layout.replicas.push_back(system.components[c].replicas);
            std::vector<std::string> operations;
            const std::uint32_t tier = c - system.firstTier;
            if (tier < scenario.system.services.size())
                for (const m::OperationConfig& o : scenario.system.services[tier].operations)
                    operations.push_back(o.name);
            layout.operations.push_back(std::move(operations));
            std::vector<std::string> versions;
            std::vector<std::uint32_t> instanceVersions;
            if (tier < scenario.system.services.size())
                for (std::uint32_t v = 0; v < scenario.system.services[tier].versions.size(); ++v) {
                    const m::VersionConfig& version = scenario.system.services[tier].versions[v];
                    versions.push_back(version.name);
                    instanceVersions.insert(instanceVersions.end(), version.replicas, v);
                }
            layout.versions.push_back(std::move(versions));
            layout.instanceVersions.push_back(std::move(instanceVersions));
        }
    }
    layout.warmup = std::min(scenario.warmup, duration);
    layout.window = scenario.window;
    layout.windowCount = static_cast<std::size_t>((duration.count() + scenario.window.count() - 1)
                                                  / scenario.window.count());
    result.metrics = std::make_unique<m::Metrics>(std::move(layout));

    std::unique_ptr<m::Recorder> recorder;
    if (options.recordBudget) {
        m::Recorder::Options recordOptions;
        recordOptions.budgetBytes = *options.recordBudget;
        recordOptions.seed = result.seed;
        recordOptions.window = scenario.window;
        recordOptions.horizon = duration + scenario.drain;
        recordOptions.arrivals = duration;
        recorder = std::make_unique<m::Recorder>(recordOptions, platform);
    }
    m::Cluster cluster(
        scenario.system, std::move(deployment), platform, *result.metrics, recorder.get());
    result.view = topologies::makeSystemView(scenario, result.placement);
    if (recorder)
        recorder->begin(*result.metrics, cluster.layout(), cluster);
    cluster.start();
    // Run in slices so that an observer can follow, stopping before every window boundary too;
    // a stop changes nothing in the simulation.
    const SimTime end = kSimStart + duration + scenario.drain;
    const SimDuration slice = std::max(SimDuration{1'000'000}, duration / 100);
    SimTime nextWindow = kSimStart + scenario.window;
    const auto progress = [&](SimTime now, bool last) {
        return Progress{now,
                        duration,
                        cluster.requestsStarted(),
                        cluster.requestsAnswered(),
                        result.cancelled,
                        recorder ? &recorder->recording() : nullptr,
                        last};
    };
    // The nodes' busy core-seconds where the measured window starts and ends (the warmup's end,
    // the last arrival): utilisation is over that window, as every other statistic.
    const std::array<SimTime, 2> marks{kSimStart + std::min(scenario.warmup, duration),
                                       kSimStart + duration};
    std::array<std::vector<double>, 2> busyAtMark;
    std::array<std::vector<double>, 2> throttledAtMark; // seconds
    std::array<std::vector<std::uint64_t>, 2> periodsAtMark;
    std::size_t nextMark = 0;
    const auto readMarks = [&](SimTime upTo) { // no event before upTo is left to run
        for (; nextMark < marks.size() && marks[nextMark] <= upTo; ++nextMark)
            for (std::size_t n = 0; n + 1 < spec.nodes.size(); ++n) {
                const auto node = static_cast<NodeId>(n);
                busyAtMark[nextMark].push_back(platform.busyCoreSecondsAt(node, marks[nextMark]));
                throttledAtMark[nextMark].push_back(
                    platform.throttledSecondsAt(node, marks[nextMark]));
                periodsAtMark[nextMark].push_back(platform.throttledPeriods(node));
            }
    };
    // Runs every event up to `limit`, stopping just before each mark to read it.
    const auto runTo = [&](SimTime limit) {
        while (nextMark < marks.size() && marks[nextMark] <= limit) {
            if (marks[nextMark] > kSimStart
                && !platform.runUntil(marks[nextMark] - SimDuration{1})) {
                readMarks(engine::kSimNever); // nothing left to run: the load stays as it is
                return false;
            }
            readMarks(marks[nextMark]);
        }
        const bool more = platform.runUntil(limit);
        if (!more)
            readMarks(engine::kSimNever);
        return more;
    };
    SimTime reached = kSimStart;
    for (SimTime until = kSimStart + slice;; until += slice) {
        const SimTime limit = std::min(until, end);
        bool more = true;
        for (; more && nextWindow <= limit; nextWindow += scenario.window) {
            more = runTo(nextWindow - SimDuration{1});
            if (recorder)
                recorder->advanceTo(nextWindow);
        }
        if (more)
            more = runTo(limit);
        reached = limit;
        if (observer && (more && until < end)) {
            observer->onProgress(progress(limit, false));
            if (observer->cancelled()) {
                result.cancelled = true;
                break;
            }
        }
        if (!more || until >= end)
            break;
    }
    if (recorder) {
        recorder->finish(result.cancelled ? reached : platform.lastEventTime());
        if (observer)
            observer->onProgress(progress(reached, true));
        result.recording = std::make_unique<m::Recording>(recorder->takeRecording());
    } else if (observer) {
        observer->onProgress(progress(reached, true));
    }

    result.simulatedSeconds = toSeconds(platform.lastEventTime());
    result.measuredSeconds = toSeconds(duration - std::min(scenario.warmup, duration));
    result.events = platform.eventCount();
    result.requestsStarted = cluster.requestsStarted();
    result.requestsUnanswered = cluster.requestsUnanswered();
    // Over the measured window; a cancelled run that never reached its end: over what ran.
    const bool measured = nextMark == marks.size() && result.measuredSeconds > 0.0;
    const double elapsed
        = measured ? result.measuredSeconds : std::max(result.simulatedSeconds, 1e-9);
    for (std::size_t i = 0; i + 1 < spec.nodes.size(); ++i) {
        NodeResult node;
        node.name = spec.nodes[i].name;
        node.zone = spec.zones[spec.nodes[i].zone];
        node.cores = spec.nodes[i].cores;
        const double busy = measured ? busyAtMark[1][i] - busyAtMark[0][i]
                                     : platform.busyCoreSeconds(static_cast<NodeId>(i));
        node.utilisation = busy / (static_cast<double>(node.cores) * elapsed);
        node.cpuQuota = spec.nodes[i].cpuQuota;
        const auto id = static_cast<NodeId>(i);
        node.throttledSeconds = measured ? throttledAtMark[1][i] - throttledAtMark[0][i]
                                         : platform.throttledSecondsAt(id, platform.now());
        node.throttledPeriods
            = measured ? periodsAtMark[1][i] - periodsAtMark[0][i] : platform.throttledPeriods(id);
        result.nodes.push_back(node);
    }
    evaluateSlo(scenario, result);
    return result;
}

} // namespace meshsim::run
