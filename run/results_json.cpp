#include "run/results_json.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace meshsim::run {

namespace m = meshsim::models;
using Json = nlohmann::ordered_json;

double roundTo(double value, int decimals)
{
    if (!std::isfinite(value))
        return 0.0;
    const double scale = std::pow(10.0, decimals);
    const double rounded = std::round(value * scale) / scale;
    return rounded == 0.0 ? 0.0 : rounded; // no "-0"
}

namespace {

double ms(double ns)
{
    return roundTo(ns * 1e-6, 6);
}

Json latencyBlock(const m::Histogram& h)
{
    Json j;
    j["mean"] = ms(h.mean());
    j["p50"] = ms(static_cast<double>(h.quantile(0.50)));
    j["p90"] = ms(static_cast<double>(h.quantile(0.90)));
    j["p95"] = ms(static_cast<double>(h.quantile(0.95)));
    j["p99"] = ms(static_cast<double>(h.quantile(0.99)));
    j["p999"] = ms(static_cast<double>(h.quantile(0.999)));
    j["max"] = ms(static_cast<double>(h.max()));
    return j;
}

Json errorsBlock(const m::OutcomeCounts& outcomes)
{
    Json j = Json::object();
    for (std::size_t i = 1; i < m::kOutcomeCount; ++i) {
        if (outcomes.counts[i] > 0)
            j[std::string(m::outcomeName(static_cast<m::Outcome>(i)))] = outcomes.counts[i];
    }
    return j;
}

Json requestBlock(const m::RequestStats& stats, double seconds)
{
    Json j;
    const std::uint64_t answered = stats.outcomes.total();
    j["requests"] = answered;
    j["ok"] = stats.outcomes.ok();
    j["errors"] = errorsBlock(stats.outcomes);
    j["error_rate"] = roundTo(answered ? static_cast<double>(stats.outcomes.errors())
                                             / static_cast<double>(answered)
                                       : 0.0,
                              6);
    j["throughput_rps"] = roundTo(static_cast<double>(answered) / seconds, 3);
    j["goodput_rps"] = roundTo(static_cast<double>(stats.outcomes.ok()) / seconds, 3);
    j["latency_ms"] = latencyBlock(stats.latency);
    j["latency_ok_ms"] = latencyBlock(stats.okLatency);
    return j;
}

} // namespace

Json resultsToJson(const RunResult& r, double wallSeconds)
{
    const topologies::Scenario& s = *r.scenario;
    const m::Metrics& metrics = *r.metrics;
    const double seconds = std::max(r.measuredSeconds, 1e-9);
    Json j;
    j["format"] = "meshsim-results/1";
    j["scenario"] = {{"name", s.name},
                     {"file", s.file},
                     {"architecture", topologies::architectureName(s.system.architecture)}};
    // The products the architecture's gateway and mesh stand for.
    if (s.system.hasGateway())
        j["scenario"]["gateway_kind"] = topologies::gatewayKindName(s.system.gateway.kind);
    if (s.system.hasMesh()) {
        j["scenario"]["mesh_kind"] = topologies::meshKindName(s.system.mesh.kind);
        if (!s.system.mesh.version.empty())
            j["scenario"]["mesh_version"] = s.system.mesh.version;
    }
    j["seed"] = r.seed;
    j["engine"] = topologies::engineName(r.engine);
    j["simulated_seconds"] = roundTo(r.simulatedSeconds, 9);
    j["wall_seconds"] = roundTo(wallSeconds, 3);
    j["warmup_seconds"] = roundTo(toSeconds(s.warmup), 9);
    j["measured_seconds"] = roundTo(r.measuredSeconds, 9);
    j["events"] = r.events;

    Json summary = requestBlock(metrics.summary(), seconds);
    summary["sent"] = metrics.sent();
    summary["unanswered_at_end"] = r.requestsUnanswered;
    // The distribution of client latency: percentiles 1 to 99, then p99.9 and the maximum.
    Json cdf = Json::array();
    for (int q = 1; q <= 99; ++q)
        cdf.push_back(ms(static_cast<double>(metrics.summary().latency.quantile(q / 100.0))));
    cdf.push_back(ms(static_cast<double>(metrics.summary().latency.quantile(0.999))));
    cdf.push_back(ms(static_cast<double>(metrics.summary().latency.max())));
    summary["latency_cdf_ms"] = cdf;
    j["summary"] = summary;

    Json routes = Json::array();
    for (std::size_t i = 0; i < metrics.routes().size(); ++i) {
        Json route;
        route["path"] = metrics.layout().routes[i];
        route.update(requestBlock(metrics.routes()[i], seconds));
        routes.push_back(route);
    }
    j["routes"] = routes;

    // Tiers: the scenario's services, then the gateway, the mesh ingress and the waypoints.
    const m::SystemLayout layout = m::layoutOf(s.system);
    Json services = Json::array();
    for (std::size_t i = 0; i < metrics.services().size(); ++i) {
        const m::ServiceStats& stats = metrics.services()[i];
        const std::uint32_t component = layout.componentOfTier(static_cast<std::uint32_t>(i));
        const m::ComponentKind kind = layout.components[component].kind;
        const std::vector<m::NodeIndex>& tierNodes
            = kind == m::ComponentKind::Service   ? r.placement.instances[i]
              : kind == m::ComponentKind::Gateway ? r.placement.gateway
              : kind == m::ComponentKind::Ingress
                  ? r.placement.ingress
                  : r.placement.waypoints[component - layout.firstWaypoint];
        Json svc;
        svc["name"] = metrics.layout().services[i];
        svc["kind"] = componentKindName(kind);
        svc["replicas"] = metrics.layout().replicas[i];
        svc.update(requestBlock(stats.requests, seconds));
        svc["dependency_failures"] = stats.dependencyFailures;
        if (!stats.operations.empty()) {
            Json operations = Json::array();
            for (std::size_t o = 0; o < stats.operations.size(); ++o) {
                Json op;
                op["name"] = metrics.layout().operations[i][o];
                op.update(requestBlock(stats.operations[o].requests, seconds));
                op["dependency_failures"] = stats.operations[o].dependencyFailures;
                operations.push_back(op);
            }
            svc["operations"] = operations;
        }
        if (!stats.versions.empty()) {
            const m::ServiceConfig& config = s.system.services[i];
            Json versions = Json::array();
            for (std::size_t v = 0; v < stats.versions.size(); ++v) {
                Json version;
                version["name"] = config.versions[v].name;
                version["replicas"] = config.versions[v].replicas;
                Json labels = Json::object();
                for (const auto& [key, value] : config.versions[v].labels)
                    labels[key] = value;
                version["labels"] = labels;
                version.update(requestBlock(stats.versions[v].requests, seconds));
                version["dependency_failures"] = stats.versions[v].dependencyFailures;
                versions.push_back(version);
            }
            svc["versions"] = versions;
        }
        Json instances = Json::array();
        for (std::size_t k = 0; k < stats.instances.size(); ++k) {
            const m::InstanceStats& in = stats.instances[k];
            instances.push_back({{"index", k},
                                 {"node", r.placement.nodes[tierNodes[k]].name},

                                 {"arrivals", in.arrivals},
                                 {"served", in.served},
                                 {"rejected", in.rejected},
                                 {"max_queue", in.maxQueue},
                                 {"latency_ms", latencyBlock(in.latency)}});
            if (!stats.versions.empty())
                instances.back()["version"]
                    = s.system.services[i].versions[metrics.layout().instanceVersions[i][k]].name;
        }
        svc["instances"] = instances;
        services.push_back(svc);
    }
    j["services"] = services;

    Json edges = Json::array();
    for (const m::EdgeStats& e : metrics.edges()) {
        Json flags = Json::object();
        for (std::size_t bit = 0; bit < m::kFlagCount; ++bit) {
            if (e.flags[bit] > 0)
                flags[std::string(m::flagName(bit))] = e.flags[bit];
        }
        edges.push_back({{"from", metrics.layout().components[e.from]},
                         {"to", metrics.layout().components[e.to]},
                         {"requests", e.calls},
                         {"attempts", e.attempts},
                         {"retries", e.attempts - std::min(e.attempts, e.calls)},
                         {"errors", errorsBlock(e.outcomes)},
                         {"flags", flags},
                         {"latency_ms", latencyBlock(e.latency)}});
    }
    j["edges"] = edges;

    // What the proxies cost: CPU in vCPUs (at the reference speed) and the latency they add.
    const double answeredRps = static_cast<double>(metrics.summary().outcomes.total()) / seconds;
    Json proxies = Json::array();
    constexpr std::array<const char*, m::kProxyKinds> kProxyNames{
        "sidecar_outbound", "sidecar_inbound", "gateway", "ingress", "waypoint"};
    double proxyVcpu = 0.0;
    for (std::size_t k = 0; k < m::kProxyKinds; ++k) {
        const m::ProxyStats& p = metrics.proxies()[k];
        if (p.traversals == 0)
            continue;
        const double vcpu = p.cpuSeconds / seconds;
        proxyVcpu += vcpu;
        proxies.push_back({{"kind", kProxyNames[k]},
                           {"traversals", p.traversals},
                           {"cpu_vcpu", roundTo(vcpu, 6)},
                           {"cpu_us_per_traversal",
                            roundTo(p.cpuSeconds * 1e6 / static_cast<double>(p.traversals), 3)},
                           {"added_latency_ms",
                            {{"mean", ms(p.addedLatency.mean())},
                             {"p50", ms(static_cast<double>(p.addedLatency.quantile(0.50)))},
                             {"p90", ms(static_cast<double>(p.addedLatency.quantile(0.90)))},
                             {"p99", ms(static_cast<double>(p.addedLatency.quantile(0.99)))}}}});
    }
    Json proxyBlock;
    proxyBlock["total_vcpu"] = roundTo(proxyVcpu, 6);
    proxyBlock["vcpu_per_1000_rps"]
        = roundTo(answeredRps > 0.0 ? proxyVcpu * 1000.0 / answeredRps : 0.0, 6);
    proxyBlock["kinds"] = proxies;
    j["proxies"] = proxyBlock;

    if (metrics.cacheLookups() > 0) {
        const auto lookups = metrics.cacheLookups();
        j["gateway_cache"] = {
            {"lookups", lookups},
            {"hits", metrics.cacheHits()},
            {"hit_ratio",
             roundTo(static_cast<double>(metrics.cacheHits()) / static_cast<double>(lookups), 6)}};
    }

    Json nodes = Json::array();
    for (const NodeResult& n : r.nodes) {
        Json node{{"name", n.name},
                  {"zone", n.zone},
                  {"cores", n.cores},
                  {"utilisation", roundTo(n.utilisation, 6)}};
        if (n.cpuQuota > 0.0) { // an instance's cpu_limit: CFS throttling in the window
            node["cpu_limit_cores"] = roundTo(n.cpuQuota, 6);
            node["throttled_seconds"] = roundTo(n.throttledSeconds, 6);
            node["throttled_periods"] = n.throttledPeriods;
        }
        nodes.push_back(node);
    }
    j["nodes"] = nodes;

    // Columnar time series: one entry per window, requests grouped by the time they were sent.
    const auto& windows = metrics.windows();
    const double windowSeconds = toSeconds(metrics.layout().window);
    Json series;
    series["window_seconds"] = roundTo(windowSeconds, 9);
    Json start = Json::array(), sent = Json::array(), ok = Json::array(), errors = Json::array(),
         mean = Json::array(), p50 = Json::array(), p99 = Json::array();
    for (std::size_t w = 0; w < windows.size(); ++w) {
        const m::WindowStats& window = windows[w];
        start.push_back(roundTo(static_cast<double>(w) * windowSeconds, 9));
        sent.push_back(window.sent);
        ok.push_back(window.requests.outcomes.ok());
        errors.push_back(window.requests.outcomes.errors());
        mean.push_back(ms(window.requests.latency.mean()));
        p50.push_back(ms(static_cast<double>(window.requests.latency.quantile(0.5))));
        p99.push_back(ms(static_cast<double>(window.requests.latency.quantile(0.99))));
    }
    series["start_seconds"] = start;
    series["sent"] = sent;
    series["ok"] = ok;
    series["errors"] = errors;
    series["latency_ms_mean"] = mean;
    series["latency_ms_p50"] = p50;
    series["latency_ms_p99"] = p99;
    j["windows"] = series;

    Json timeline = Json::array();
    for (const m::StateChange& change : metrics.timeline()) {
        const m::TimelineEvent event = metrics.describe(change);
        timeline.push_back({{"at_seconds", roundTo(toSeconds(event.at - kSimStart), 9)},
                            {"kind", event.kind},
                            {"where", event.where},
                            {"detail", event.detail}});
    }
    j["timeline"] = timeline;

    Json traces = Json::array();
    for (const m::TraceRecord& trace : metrics.traces()) {
        Json spans = Json::array();
        for (std::size_t k = 0; k < trace.spans.size(); ++k) {
            const m::SpanRecord& span = trace.spans[k];
            Json js;
            js["id"] = k;
            js["parent"] = span.parent;
            js["name"] = span.name;
            js["start_ms"] = ms(static_cast<double>(span.startNs - trace.spans.front().startNs));
            js["duration_ms"] = span.endNs < 0
                                    ? Json(nullptr)
                                    : Json(ms(static_cast<double>(span.endNs - span.startNs)));
            js["outcome"] = std::string(m::outcomeName(span.outcome));
            js["flags"] = m::flagsText(span.flags);
            js["attempts"] = span.attempts;
            spans.push_back(js);
        }
        traces.push_back(
            {{"route", trace.route},
             {"request", trace.request},
             {"start_seconds", roundTo(static_cast<double>(trace.spans.front().startNs) * 1e-9, 9)},
             {"spans", spans}});
    }
    j["traces"] = traces;

    Json slo;
    slo["pass"] = r.sloPass;
    Json objectives = Json::array();
    for (const SloResult& o : r.slo) {
        const bool latency = o.metric != "error_rate";
        objectives.push_back({{"metric", o.metric},
                              {"limit", roundTo(o.limit, 6)},
                              {"actual", roundTo(o.actual, 6)},
                              {"unit", latency ? "ms" : "fraction"},
                              {"pass", o.pass}});
    }
    slo["objectives"] = objectives;
    j["slo"] = slo;
    return j;
}

std::string resultsToJsonText(const RunResult& result, double wallSeconds)
{
    return resultsToJson(result, wallSeconds).dump(2) + "\n";
}

} // namespace meshsim::run
