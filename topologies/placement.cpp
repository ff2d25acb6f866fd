#include "topologies/placement.h"

#include "engine/core/assert.h"

#include <algorithm>

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
    for (const models::ServiceConfig& svc : s.services)
        check("service \"" + svc.name + "\"", svc.placement);
    if (s.gateway.present)
        check("the gateway", s.gateway.placement);
    return problems;
}

Placement computePlacement(const Scenario& s)
{
    Placement p;
    p.instances.resize(s.services.size());
    if (!s.platform.declaredNodes) {
        for (std::size_t i = 0; i < s.services.size(); ++i) {
            const models::ServiceConfig& svc = s.services[i];
            for (std::uint32_t r = 0; r < svc.replicas; ++r) {
                models::NodeConfig node;
                node.name = svc.name + "-" + std::to_string(r);
                node.zone = 0;
                node.cores = svc.workers;
                node.speed = 1.0;
                p.instances[i].push_back(static_cast<models::NodeIndex>(p.nodes.size()));
                p.nodes.push_back(node);
            }
        }
        return p;
    }
    p.nodes = s.platform.nodes;
    std::vector<std::uint32_t> load(p.nodes.size(), 0);
    for (std::size_t i = 0; i < s.services.size(); ++i) {
        const models::ServiceConfig& svc = s.services[i];
        const std::vector<models::NodeIndex> allowed = allowedNodes(s, svc.placement);
        MESHSIM_ASSERT(!allowed.empty(), "the loader checked that every service can be placed");
        for (std::uint32_t r = 0; r < svc.replicas; ++r) {
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
            p.instances[i].push_back(chosen);
        }
    }
    return p;
}

} // namespace meshsim::topologies
