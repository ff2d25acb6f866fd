#include "topologies/placement.h"

#include "engine/core/assert.h"

#include <algorithm>

namespace meshsim::topologies {

namespace {

std::vector<models::NodeIndex> allowedNodes(const Scenario& s, const models::ServiceConfig& svc)
{
    std::vector<models::NodeIndex> allowed;
    const models::PlacementConstraint& c = svc.placement;
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
    if (!s.platform.declaredNodes) {
        for (const models::ServiceConfig& svc : s.services) {
            if (!svc.placement.nodes.empty() || !svc.placement.zones.empty())
                return "service \"" + svc.name
                       + "\" has a placement but the platform declares no nodes";
        }
        return {};
    }
    for (const models::ServiceConfig& svc : s.services) {
        if (allowedNodes(s, svc).empty())
            return "service \"" + svc.name
                   + "\" has no node to run on (its placement matches no declared node)";
    }
    return {};
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
        const std::vector<models::NodeIndex> allowed = allowedNodes(s, svc);
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
