#pragma once

// Deployment: where and how one run places the system on a platform (the nodes of every
// instance, the seed, the simulated period). The system itself is the scenario's SystemConfig.

#include "engine/core/platform.h"
#include "models/config.h"

#include <cstdint>
#include <vector>

namespace meshsim::models {

struct Deployment
{
    std::vector<std::vector<engine::NodeId>> instanceNodes; // per service, per replica
    std::vector<engine::NodeId> gatewayNodes;               // gateway architectures
    std::vector<engine::NodeId> ingressNodes;               // architecture mesh
    std::vector<std::vector<engine::NodeId>> waypointNodes; // per waypoint (mesh architectures)
    engine::NodeId clientNode = 0;
    std::uint64_t seed = 1;
    SimDuration duration{0}; // arrivals stop here
    SimDuration warmup{0};
};

} // namespace meshsim::models
