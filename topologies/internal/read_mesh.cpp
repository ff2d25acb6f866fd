// The mesh section: sidecars, the ingress, default and per-destination traffic policies,
// authorization rules and fault injection.

#include "topologies/internal/enum_names.h"
#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

#include <algorithm>
#include <stdexcept>

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

namespace {

void readWaypoints(Context& ctx, const YAML::Node& node, const std::string& path, Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    m::MeshConfig& mesh = s.system.mesh;
    std::vector<std::string> owner(s.system.services.size()); // the waypoint of each service
    reader.forEachItem(node, path, "waypoints", [&](const YAML::Node& item, const std::string& p) {
        Fields wf(reader,
                  item,
                  p,
                  {"name", "services", "replicas", "workers", "cpu", "latency", "placement"});
        if (!wf.valid())
            return;
        m::WaypointConfig w;
        reader.readString(wf, "name", w.name);
        const std::string name = wf.find("name") ? wf.pathOf("name") : p;
        const YAML::Node& nameNode = wf.find("name") ? *wf.find("name") : item;
        const bool taken
            = w.name == "gateway" || w.name == "ingress"
              || std::any_of(s.system.services.begin(),
                             s.system.services.end(),
                             [&](const m::ServiceConfig& svc) { return svc.name == w.name; })
              || std::any_of(mesh.waypoints.begin(),
                             mesh.waypoints.end(),
                             [&](const m::WaypointConfig& o) { return o.name == w.name; });
        if (taken)
            reader.error(nameNode,
                         name,
                         "the name " + quote(w.name)
                             + " is taken (a service, the gateway, the ingress or another "
                               "waypoint); give this waypoint a name of its own");
        if (const YAML::Node* list = wf.find("services")) {
            reader.forEachItem(*list,
                               wf.pathOf("services"),
                               "service names",
                               [&](const YAML::Node& e, const std::string& ep) {
                                   const auto sv = ctx.names.service(e, ep);
                                   if (!sv)
                                       return;
                                   if (!owner[*sv].empty()) {
                                       reader.error(e,
                                                    ep,
                                                    "service " + quote(s.system.services[*sv].name)
                                                        + " already uses waypoint "
                                                        + quote(owner[*sv])
                                                        + " (a service has one waypoint)");
                                       return;
                                   }
                                   owner[*sv] = w.name;
                                   w.services.push_back(*sv);
                               });
        } else { // the namespace's waypoint: every service not yet taken
            for (m::ServiceIndex sv = 0; sv < s.system.services.size(); ++sv) {
                if (owner[sv].empty()) {
                    owner[sv] = w.name;
                    w.services.push_back(sv);
                }
            }
        }
        reader.readCount(wf, "replicas", w.replicas, 1, limits.maxReplicas);
        reader.readCount(wf, "workers", w.workers, 1, limits.maxWorkers);
        readDistribution(reader, wf, "cpu", w.cpu);
        reader.readDuration(wf, "latency", w.latency);
        if (const YAML::Node* pl = wf.find("placement"))
            readPlacement(ctx, *pl, wf.pathOf("placement"), w.placement);
        ctx.totalInstances += w.replicas;
        mesh.waypoints.push_back(std::move(w));
    });
    if (ctx.totalInstances > limits.maxInstances)
        reader.error(node,
                     path,
                     "too many instances in all (services and waypoints: at most "
                         + std::to_string(limits.maxInstances) + ")");
}

void readMeshPolicy(Reader& reader, const Fields& f, m::MeshKind kind, m::MeshPolicy& out)
{
    // Istio DestinationRule settings Linkerd does not have: said, then applied as written.
    if (kind == m::MeshKind::Linkerd) {
        for (const char* istioOnly : {"circuit_breaker", "outlier_detection", "health_check"})
            if (const YAML::Node* n = f.find(istioOnly))
                reader.warning(*n,
                               f.pathOf(istioOnly),
                               std::string("Linkerd has no ") + istioOnly
                                   + " (an Istio DestinationRule setting); meshsim applies it "
                                     "as written");
    }
    if (const YAML::Node* lb = f.find("load_balancer")) {
        m::LoadBalancerConfig config;
        // Istio >= 1.14: least request; Linkerd: P2C over peak EWMA.
        config.policy = kind == m::MeshKind::Linkerd ? m::LoadBalancerPolicy::PeakEwma
                                                     : m::LoadBalancerPolicy::LeastRequest;
        readLoadBalancer(reader, *lb, f.pathOf("load_balancer"), config);
        out.loadBalancer = config;
    }
    reader.readDuration(f, "timeout", out.timeout, true);
    if (const YAML::Node* r = f.find("retries")) {
        m::RetryConfig config;
        // Istio's default attempts; Linkerd's retry.linkerd.io/limit defaults to 1.
        config.attempts = kind == m::MeshKind::Linkerd ? 1 : 2;
        readRetries(reader, *r, f.pathOf("retries"), config);
        out.retries = config;
    }
    if (const YAML::Node* cb = f.find("circuit_breaker")) {
        // Istio leaves every threshold at 2^32 - 1 unless the DestinationRule sets it, and reads
        // 0 as unset (reference/semantics.md §2.1).
        m::CircuitBreakerThresholds t{m::kUnlimited, m::kUnlimited, m::kUnlimited, m::kUnlimited};
        readThresholds(reader, *cb, f.pathOf("circuit_breaker"), t, true);
        out.circuitBreaker = t;
    }
    if (const YAML::Node* od = f.find("outlier_detection")) {
        Fields o(reader,
                 *od,
                 f.pathOf("outlier_detection"),
                 {"consecutive_5xx",
                  "consecutive_gateway_failure",
                  "enforcing_consecutive_gateway_failure",
                  "interval",
                  "base_ejection_time",
                  "max_ejection_time",
                  "max_ejection_percent",
                  "success_rate_minimum_hosts",
                  "success_rate_request_volume",
                  "success_rate_stdev_factor",
                  "failure_percentage_threshold",
                  "enforcing_failure_percentage",
                  "enforcing_success_rate",
                  "failure_percentage_minimum_hosts",
                  "failure_percentage_request_volume",
                  "successful_active_health_check_uneject_host",
                  "always_eject_one_host"});
        if (o.valid()) {
            m::OutlierDetectionConfig c;
            reader.readCount(o, "consecutive_5xx", c.consecutive5xx, 1, 1'000'000);
            reader.readCount(
                o, "consecutive_gateway_failure", c.consecutiveGatewayFailure, 1, 1'000'000);
            reader.readFraction(
                o, "enforcing_consecutive_gateway_failure", c.enforcingConsecutiveGatewayFailure);
            reader.readDuration(o, "interval", c.interval, true);
            reader.readDuration(o, "base_ejection_time", c.baseEjectionTime, true);
            if (!o.find("max_ejection_time"))
                c.maxEjectionTime = std::max(SimDuration{300'000'000'000}, c.baseEjectionTime);
            reader.readDuration(o, "max_ejection_time", c.maxEjectionTime, true);
            reader.readFraction(o, "max_ejection_percent", c.maxEjectionPercent);
            reader.readCount(
                o, "success_rate_minimum_hosts", c.successRateMinimumHosts, 1, 1'000'000);
            reader.readCount(
                o, "success_rate_request_volume", c.successRateRequestVolume, 1, 100'000'000);
            reader.readNumber(o,
                              "success_rate_stdev_factor",
                              c.successRateStdevFactor,
                              0.0,
                              100.0,
                              "a factor between 0 and 100");
            reader.readFraction(o, "failure_percentage_threshold", c.failurePercentageThreshold);
            reader.readFraction(o, "enforcing_failure_percentage", c.enforcingFailurePercentage);
            reader.readFraction(o, "enforcing_success_rate", c.enforcingSuccessRate);
            reader.readCount(o,
                             "failure_percentage_minimum_hosts",
                             c.failurePercentageMinimumHosts,
                             1,
                             1'000'000);
            reader.readCount(o,
                             "failure_percentage_request_volume",
                             c.failurePercentageRequestVolume,
                             1,
                             100'000'000);
            reader.readBool(o,
                            "successful_active_health_check_uneject_host",
                            c.successfulActiveHealthCheckUnejectHost);
            reader.readBool(o, "always_eject_one_host", c.alwaysEjectOneHost);
            out.outlierDetection = c;
        }
    }
    if (const YAML::Node* fa = f.find("failure_accrual")) {
        // linkerd's balancer.linkerd.io/failure-accrual-consecutive-* annotations.
        Fields a(reader,
                 *fa,
                 f.pathOf("failure_accrual"),
                 {"consecutive_failures", "min_penalty", "max_penalty", "jitter"});
        if (kind != m::MeshKind::Linkerd) {
            // Said and left out, so that one file compares the products (--mesh-kinds).
            reader.warning(*fa,
                           f.pathOf("failure_accrual"),
                           "failure accrual is Linkerd's (mesh.kind: linkerd); ignored here, "
                           "Istio's proxies eject hosts by outlier_detection");
        } else if (a.valid()) {
            m::FailureAccrualConfig c;
            reader.readCount(a, "consecutive_failures", c.consecutiveFailures, 1, 1'000'000);
            reader.readDuration(a, "min_penalty", c.minPenalty, true);
            reader.readDuration(a, "max_penalty", c.maxPenalty, true);
            reader.readNumber(a, "jitter", c.jitter, 0.0, 100.0, "a ratio between 0 and 100");
            if (c.maxPenalty < c.minPenalty)
                reader.error(a.find("max_penalty") ? *a.find("max_penalty") : *fa,
                             f.pathOf("failure_accrual"),
                             "max_penalty is below min_penalty");
            out.failureAccrual = c;
        }
    }
    if (const YAML::Node* hc = f.find("health_check")) {
        Fields h(reader,
                 *hc,
                 f.pathOf("health_check"),
                 {"interval", "timeout", "unhealthy_threshold", "healthy_threshold"});
        if (h.valid()) {
            m::HealthCheckConfig c;
            reader.readDuration(h, "interval", c.interval, true);
            reader.readDuration(h, "timeout", c.timeout, true);
            reader.readCount(h, "unhealthy_threshold", c.unhealthyThreshold, 1, 1000);
            reader.readCount(h, "healthy_threshold", c.healthyThreshold, 1, 1000);
            out.healthCheck = c;
        }
    }
}

} // namespace

void readMesh(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    m::MeshConfig& mesh = s.system.mesh;
    mesh.present = true;
    Fields f(reader,
             node,
             "mesh",
             {"kind",
              "version",
              "connect_timeout",
              "sidecar",
              "ingress",
              "defaults",
              "destinations",
              "authorization",
              "faults",
              "waypoints"});
    if (!f.valid())
        return;
    // The product and its release first: their defaults are what the other keys change.
    m::MeshKind kind = m::MeshKind::Istio;
    reader.readEnum(f, "kind", kind, kMeshKindNames);
    std::string version;
    if (reader.readString(f, "version", version) && kind != m::MeshKind::Istio)
        reader.error(*f.find("version"),
                     f.pathOf("version"),
                     "only Istio's sidecar releases have calibrations of their own (mesh.kind "
                     "istio)");
    try {
        mesh = m::meshDefaults(kind, kind == m::MeshKind::Istio ? version : std::string{});
    } catch (const std::invalid_argument& e) {
        reader.error(*f.find("version"), f.pathOf("version"), e.what());
    }
    mesh.present = true;
    reader.readDuration(f, "connect_timeout", mesh.connectTimeout, true);
    if (const YAML::Node* sc = f.find("sidecar")) {
        Fields sf(reader, *sc, f.pathOf("sidecar"), {"cpu", "latency", "mtls"});
        if (sf.valid()) {
            readDistribution(reader, sf, "cpu", mesh.sidecar.cpu);
            reader.readDuration(sf, "latency", mesh.sidecar.latency);
            if (const YAML::Node* mt = sf.find("mtls")) {
                reader.visit(*mt);
                if (mt->IsScalar()) {
                    reader.readBool(sf, "mtls", mesh.sidecar.mtls);
                } else {
                    Fields mf(reader, *mt, sf.pathOf("mtls"), {"handshake_cpu", "request_cpu"});
                    if (mf.valid()) {
                        mesh.sidecar.mtls = true;
                        reader.readDuration(mf, "handshake_cpu", mesh.sidecar.mtlsHandshakeCpu);
                        reader.readDuration(mf, "request_cpu", mesh.sidecar.mtlsRequestCpu);
                    }
                }
            }
        }
    }
    if (const YAML::Node* in = f.find("ingress")) {
        Fields inf(reader, *in, f.pathOf("ingress"), {"replicas", "workers", "placement"});
        if (inf.valid()) {
            reader.readCount(inf, "replicas", mesh.ingress.replicas, 1, limits.maxReplicas);
            reader.readCount(inf, "workers", mesh.ingress.workers, 1, limits.maxWorkers);
            if (const YAML::Node* pl = inf.find("placement"))
                readPlacement(ctx, *pl, inf.pathOf("placement"), mesh.ingress.placement);
        }
    }
    const std::initializer_list<std::string_view> policyKeys{"load_balancer",
                                                             "timeout",
                                                             "retries",
                                                             "circuit_breaker",
                                                             "outlier_detection",
                                                             "health_check",
                                                             "failure_accrual"};
    if (const YAML::Node* d = f.find("defaults")) {
        Fields df(reader, *d, f.pathOf("defaults"), policyKeys);
        if (df.valid())
            readMeshPolicy(reader, df, mesh.kind, mesh.defaults);
    }
    if (const YAML::Node* ds = f.find("destinations")) {
        reader.forEachItem(*ds,
                           f.pathOf("destinations"),
                           "destination policies",
                           [&](const YAML::Node& item, const std::string& p) {
                               Fields df(reader,
                                         item,
                                         p,
                                         {"service",
                                          "load_balancer",
                                          "timeout",
                                          "retries",
                                          "circuit_breaker",
                                          "outlier_detection",
                                          "health_check",
                                          "failure_accrual"});
                               if (!df.valid())
                                   return;
                               m::DestinationPolicy dp;
                               if (!df.find("service")) {
                                   reader.error(item, p, "missing key \"service\"");
                                   return;
                               }
                               const auto target
                                   = ctx.names.service(*df.find("service"), df.pathOf("service"));
                               readMeshPolicy(reader, df, mesh.kind, dp.policy);
                               if (target) {
                                   dp.service = *target;
                                   mesh.destinations.push_back(dp);
                               }
                           });
    }
    if (const YAML::Node* az = f.find("authorization")) {
        reader.forEachItem(
            *az,
            f.pathOf("authorization"),
            "authorization rules",
            [&](const YAML::Node& item, const std::string& p) {
                Fields af(reader, item, p, {"to", "allow_from", "deny_from"});
                if (!af.valid())
                    return;
                m::AuthorizationRule rule;
                if (!af.find("to")) {
                    reader.error(item, p, "missing key \"to\"");
                    return;
                }
                const auto to = ctx.names.service(*af.find("to"), af.pathOf("to"));
                for (const char* key : {"allow_from", "deny_from"}) {
                    const YAML::Node* list = af.find(key);
                    if (!list)
                        continue;
                    auto& target
                        = std::string_view(key) == "allow_from" ? rule.allowFrom : rule.denyFrom;
                    reader.forEachItem(*list,
                                       af.pathOf(key),
                                       "service names",
                                       [&](const YAML::Node& e, const std::string& ep) {
                                           if (const auto sv = ctx.names.service(e, ep))
                                               target.push_back(*sv);
                                       });
                }
                if (to) {
                    rule.to = *to;
                    mesh.authorization.push_back(rule);
                }
            });
    }
    if (const YAML::Node* fs = f.find("faults")) {
        reader.forEachItem(
            *fs,
            f.pathOf("faults"),
            "fault injections",
            [&](const YAML::Node& item, const std::string& p) {
                Fields ff(reader, item, p, {"to", "delay", "abort"});
                if (!ff.valid())
                    return;
                m::FaultInjectionConfig fi;
                if (!ff.find("to")) {
                    reader.error(item, p, "missing key \"to\"");
                    return;
                }
                const auto to = ctx.names.service(*ff.find("to"), ff.pathOf("to"));
                if (const YAML::Node* d = ff.find("delay")) {
                    Fields df(reader, *d, ff.pathOf("delay"), {"fixed", "percent"});
                    if (df.valid()) {
                        if (!df.find("fixed") || !df.find("percent"))
                            reader.error(*d,
                                         ff.pathOf("delay"),
                                         "a delay needs \"fixed\" (how long) and \"percent\" "
                                         "(of requests), as in Istio");
                        reader.readDuration(df, "fixed", fi.delay);
                        reader.readFraction(df, "percent", fi.delayFraction);
                    }
                }
                if (const YAML::Node* a = ff.find("abort")) {
                    Fields af(reader, *a, ff.pathOf("abort"), {"status", "percent"});
                    if (af.valid()) {
                        if (!af.find("status") || !af.find("percent"))
                            reader.error(*a,
                                         ff.pathOf("abort"),
                                         "an abort needs \"status\" (HTTP code) and "
                                         "\"percent\" (of requests), as in Istio");
                        reader.readCount(af, "status", fi.abortStatus, 200, 599);
                        reader.readFraction(af, "percent", fi.abortFraction);
                    }
                }
                if (!ff.find("delay") && !ff.find("abort"))
                    reader.error(item, p, "a fault injection needs \"delay\" or \"abort\"");
                if (to) {
                    fi.service = *to;
                    mesh.faults.push_back(fi);
                }
            });
    }
    // Keys the product does not have (a policy's: readMeshPolicy): said, then applied as
    // written (Linkerd) or where they can apply (ambient: at the ingress, an Envoy).
    const auto say = [&](std::string_view key, const std::string& what) {
        if (const YAML::Node* n = f.find(key))
            reader.warning(*n, f.pathOf(key), what);
    };
    if (kind == m::MeshKind::Linkerd)
        say("faults", "Linkerd has no fault injection; meshsim applies it as Istio would");
    if (const YAML::Node* wp = f.find("waypoints")) {
        if (kind == m::MeshKind::IstioAmbient)
            readWaypoints(ctx, *wp, f.pathOf("waypoints"), s);
        else // said and left out, so that one file compares the products (--mesh-kinds)
            reader.warning(*wp,
                           f.pathOf("waypoints"),
                           "waypoint proxies belong to Istio's ambient mode (mesh.kind: "
                           "istio-ambient); ignored here, sidecars apply L7 policy themselves");
    }
    if (kind == m::MeshKind::IstioAmbient && mesh.waypoints.empty()) {
        const std::string atIngress
            = "in ambient mode without waypoints the ztunnels do L4 only: this L7 policy applies "
              "at the ingress alone (a health_check's verdict, shared by every caller, excepted); "
              "add mesh.waypoints for L7 between services";
        say("defaults", atIngress);
        say("destinations", atIngress);
        say("faults",
            "in ambient mode without waypoints nothing injects faults between services (only "
            "calls from the ingress get them)");
    } else if (kind == m::MeshKind::IstioAmbient) {
        // Policies of services without a waypoint: only the ingress applies them.
        std::vector<bool> waypoint(s.system.services.size(), false);
        for (const m::WaypointConfig& w : mesh.waypoints)
            for (const m::ServiceIndex sv : w.services)
                waypoint[sv] = true;
        const auto sayUnserved = [&](std::string_view key, const auto& entries, auto serviceOf) {
            const YAML::Node* list = f.find(key);
            if (!list || !list->IsSequence() || list->size() != entries.size())
                return; // an entry was in error
            for (std::size_t i = 0; i < entries.size(); ++i) {
                const m::ServiceIndex sv = serviceOf(entries[i]);
                if (!waypoint[sv])
                    reader.warning((*list)[i],
                                   f.pathOf(key) + "[" + std::to_string(i) + "]",
                                   "service " + quote(s.system.services[sv].name)
                                       + " has no waypoint: only the ingress's calls to it get "
                                         "this L7 policy");
            }
        };
        sayUnserved("destinations", mesh.destinations, [](const m::DestinationPolicy& d) {
            return d.service;
        });
        sayUnserved(
            "faults", mesh.faults, [](const m::FaultInjectionConfig& fi) { return fi.service; });
    }
}

} // namespace meshsim::topologies::internal
