#pragma once

// SystemConfig: the simulated system as the scenario describes it, everything the models need
// from a scenario file (the platform, SLOs and run settings stay in topologies::Scenario, which
// owns the one SystemConfig of a run and lends it by reference).

#include "models/config/fault.h"
#include "models/config/gateway.h"
#include "models/config/mesh.h"
#include "models/config/route.h"
#include "models/config/run.h"
#include "models/config/service.h"
#include "models/config/workload.h"

#include <string>
#include <utility>
#include <vector>

namespace meshsim::models {

struct SystemConfig
{
    Architecture architecture = Architecture::Direct;
    std::vector<ServiceConfig> services;
    std::vector<RouteConfig> routes;
    GatewayConfig gateway;
    MeshConfig mesh;
    std::vector<WorkloadConfig> workloads;
    std::vector<FaultConfig> faults;
    // The distinct header sets of the workloads' requests, each sorted; [0] is the empty one.
    std::vector<std::vector<std::pair<std::string, std::string>>> headerSets{{}};
    DiscoveryConfig discovery;
    TraceConfig traces;
    SimDuration connectTimeout{5'000'000'000}; // Envoy's default connect_timeout

    bool hasGateway() const { return models::hasGateway(architecture); }
    bool hasMesh() const { return models::hasMesh(architecture); }
    bool hasIngress() const { return models::hasIngress(architecture); }
};

} // namespace meshsim::models
