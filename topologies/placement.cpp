#include "topologies/placement.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace meshsim::topologies {

namespace {

std::vector<models::NodeIndex> allowedNodes(const Scenario& s, const models::PlacementConstraint& c)
{
    std::vector<models::NodeIndex> allowed;
    for (models::NodeIndex n = 0; n < s.platform.nodes.size(); ++n) {
        const bool nodeOk
            = c.nodes.empty() || std::find(c.nodes.begin(), c.nodes.end(), n) != c.nodes.end();
        const bool zoneOk = c.zones.empty()
                            || std::find(c.zones.begin(), c.zones.end(), s.platform.nodes[n].zone)
                                   != c.zones.end();
        if (nodeOk && zoneOk)
            allowed.push_back(n);
    }
    return allowed;
}

} // namespace

std::string checkPlacement(const Scenario& s)
{
    std::string problems;
    const auto check = [&](const std::string& who, const models::PlacementConstraint& c) {
        const bool constrained = !c.nodes.empty() || !c.zones.empty();
        if (!s.platform.declaredNodes && constrained)
            problems += (problems.empty() ? "" : "; ") + who
                        + " has a placement but the platform declares no nodes";
        else if (s.platform.declaredNodes && allowedNodes(s, c).empty())
            problems += (problems.empty() ? "" : "; ") + who
                        + " has no node to run on (its placement matches no declared node)";
    };
    for (const models::ServiceConfig& svc : s.system.services)
        check("service \"" + svc.name + "\"", svc.placement);
    if (s.system.gateway.present)
        check("the gateway", s.system.gateway.placement);
    if (s.system.mesh.present) {
        check("the mesh ingress", s.system.mesh.ingress.placement);
        for (const models::WaypointConfig& w : s.system.mesh.waypoints)
            check("waypoint \"" + w.name + "\"", w.placement);
    }
    return problems;
}

namespace {

struct Group
{
    std::string name;
    std::uint32_t replicas;
    std::uint32_t cores; // of a dedicated node
    const models::PlacementConstraint* constraint;
    std::vector<models::NodeIndex>* out;
    double cpuQuota = 0.0; // of a dedicated node: the instance's CPU limit in cores
};

} // namespace

Placement computePlacement(const Scenario& s)
{
    Placement p;
    p.instances.resize(s.system.services.size());
    std::vector<Group> groups;
    for (std::size_t i = 0; i < s.system.services.size(); ++i) {
        const models::ServiceConfig& svc = s.system.services[i];
        // A dedicated node gets a core per worker (first edition); an event-driven server
        // (`workers: unlimited`) one core, its event loop; an instance with resources the
        // cores of its CPU request (Kubernetes: the limit when no request is given), rounded
        // up, and its limit as a CFS quota.
        std::uint32_t cores = svc.workers == models::kUnlimited ? 1 : svc.workers;
        const models::ResourcesConfig& r = svc.resources;
        if (const auto request = r.cpuRequest ? r.cpuRequest : r.cpuLimit)
            cores = static_cast<std::uint32_t>(std::max(1.0, std::ceil(*request - 1e-9)));
        groups.push_back({svc.name,
                          svc.replicas,
                          cores,
                          &svc.placement,
                          &p.instances[i],
                          r.cpuLimit.value_or(0.0)});
    }
    // Proxies of the edge: a dedicated node gets as many cores as the proxy has workers, at most
    // 16 (an Envoy or Kong instance does not use more).
    if (s.system.hasGateway())
        groups.push_back({"gateway",
                          s.system.gateway.replicas,
                          std::min(16U, s.system.gateway.workers),
                          &s.system.gateway.placement,
                          &p.gateway});
    if (s.system.hasIngress())
        groups.push_back({"ingress",
                          s.system.mesh.ingress.replicas,
                          std::min(16U, s.system.mesh.ingress.workers),
                          &s.system.mesh.ingress.placement,
                          &p.ingress});
    if (s.system.hasMesh()) {
        p.waypoints.resize(s.system.mesh.waypoints.size());
        for (std::size_t w = 0; w < p.waypoints.size(); ++w) {
            const models::WaypointConfig& config = s.system.mesh.waypoints[w];
            groups.push_back({config.name,
                              config.replicas,
                              std::min(16U, config.workers),
                              &config.placement,
                              &p.waypoints[w]});
        }
    }

    if (!s.platform.declaredNodes) {
        for (const Group& g : groups) {
            for (std::uint32_t r = 0; r < g.replicas; ++r) {
                models::NodeConfig node;
                node.name = g.name + "-" + std::to_string(r);
                node.zone = 0;
                node.cores = g.cores;
                node.speed = 1.0;
                node.cpuQuota = g.cpuQuota;
                g.out->push_back(static_cast<models::NodeIndex>(p.nodes.size()));
                p.nodes.push_back(node);
            }
        }
        return p;
    }
    p.nodes = s.platform.nodes;
    std::vector<std::uint32_t> load(p.nodes.size(), 0);
    for (const Group& g : groups) {
        const std::vector<models::NodeIndex> allowed = allowedNodes(s, *g.constraint);
        MESHSIM_ASSERT(!allowed.empty(), "the loader checked that every instance can be placed");
        for (std::uint32_t r = 0; r < g.replicas; ++r) {
            models::NodeIndex chosen = allowed.front();
            if (s.platform.placement == models::PlacementStrategy::Spread) {
                for (const models::NodeIndex n : allowed) {
                    if (load[n] < load[chosen])
                        chosen = n;
                }
            } else {
                const auto firstFree
                    = std::find_if(allowed.begin(), allowed.end(), [&](models::NodeIndex n) {
                          return load[n] < p.nodes[n].cores;
                      });
                if (firstFree != allowed.end()) {
                    chosen = *firstFree;
                } else {
                    for (const models::NodeIndex n : allowed) {
                        // load[n] / cores[n] < load[chosen] / cores[chosen], in integers
                        if (std::uint64_t{load[n]} * p.nodes[chosen].cores
                            < std::uint64_t{load[chosen]} * p.nodes[n].cores)
                            chosen = n;
                    }
                }
            }
            ++load[chosen];
            g.out->push_back(chosen);
        }
    }
    return p;
}

} // namespace meshsim::topologies
