#pragma once

// Placement: which node each service instance runs on.
//
// With declared nodes, instances go to the nodes their service's `placement` allows (all nodes
// when it says nothing), following the platform's strategy:
//   spread  each instance to the allowed node holding the fewest instances so far;
//   pack    each instance to the first allowed node with fewer instances than cores, else to the
//           allowed node with the fewest instances per core.
// Ties go to the node declared first. Without declared nodes, every instance gets a dedicated
// node with one core per worker, in the scenario's first zone, so CPUs never contend. The gateway
// (architectures gateway and gateway+mesh) and the mesh ingress (architecture mesh) are placed
// after the services, the same way; a sidecar runs on its application's node.

#include "topologies/scenario.h"

#include <string>
#include <vector>

namespace meshsim::topologies {

struct Placement
{
    std::vector<models::NodeConfig> nodes;
    std::vector<std::vector<models::NodeIndex>> instances; // per service, per replica
    std::vector<models::NodeIndex> gateway;                // per gateway replica (gateway archs)
    std::vector<models::NodeIndex> ingress;                // per ingress replica (mesh)
    std::vector<std::vector<models::NodeIndex>> waypoints; // per waypoint, per replica (mesh)
};

// "" when every instance can be placed, else what is wrong.
std::string checkPlacement(const Scenario& scenario);
// Precondition: checkPlacement(scenario) is empty (the loader guarantees it).
Placement computePlacement(const Scenario& scenario);

} // namespace meshsim::topologies
