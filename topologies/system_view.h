#pragma once

// SystemView: everything a picture of a run needs, in the numbering the run's metrics and
// recording use — zones and nodes (the platform's, the clients' node last), components (clients,
// services, gateway, ingress; models/system_layout.h), their instances with the node each runs on
// and whether a sidecar runs beside it, who calls whom, and the routes. TopologyGraph is the
// scenario's call graph for validation and layout algorithms; this is its drawable companion,
// built once per run from the scenario and its placement. Plain data.

#include "models/system_layout.h"
#include "topologies/placement.h"
#include "topologies/scenario.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::topologies {

struct SystemView
{
    struct Node
    {
        std::string name;
        std::uint32_t zone = 0;
        std::uint32_t cores = 1;
        double speed = 1.0;
        bool clients = false; // "the internet", where the clients run
    };
    struct Component
    {
        std::string name;
        models::ComponentKind kind = models::ComponentKind::Service;
        std::uint32_t replicas = 0;         // instances (0 for clients)
        std::uint32_t workers = 0;          // requests an instance serves at once (0: clients)
        std::uint32_t firstInstance = 0;    // its instances in `instances`
        bool sidecars = false;              // a sidecar beside each instance (mesh)
        std::vector<std::uint32_t> callees; // component indices
        // A service's versions (subsets), in order, and the instances of each: version v's
        // instances follow those of the versions before it. None without versions.
        std::vector<std::string> versions;
        std::vector<std::uint32_t> versionReplicas;
        std::vector<std::string> operations; // a service's named operations (none: plain)
    };
    struct Instance
    {
        std::uint32_t component = 0;
        std::uint32_t index = 0;
        std::uint32_t node = 0;
    };
    struct Route
    {
        std::string path;
        std::vector<std::uint32_t> targets; // components
    };

    std::string name;
    std::string architecture;
    std::uint32_t firstTier = 0; // components before it are clients
    std::vector<std::string> zones;
    std::vector<Node> nodes;
    std::vector<Component> components;
    std::vector<Instance> instances;
    std::vector<Route> routes;

    // The call edges (from, to), components, in the order of `components` and their callees.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges() const;
    // The instances (indices among the component's) of version `version` of a component.
    std::pair<std::uint32_t, std::uint32_t> versionInstances(std::uint32_t component,
                                                             std::uint32_t version) const;
};

SystemView makeSystemView(const Scenario& scenario, const Placement& placement);

} // namespace meshsim::topologies
