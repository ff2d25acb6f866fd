#pragma once

// Scenario: a validated scenario file, the input of a simulation run.
//
// Produced only by the loader (topologies/loader.h), which guarantees every field is valid and
// every reference is resolved to an index. The format is documented key by key in
// docs/scenario-format.md.

#include "models/config.h"

#include <string>
#include <vector>

namespace meshsim::topologies {

struct Scenario
{
    std::string file; // where it was loaded from ("builtin:<name>" for built-in scenarios)
    std::string name;
    std::string description;
    std::uint64_t seed = 1;
    engine::SimDuration duration{60'000'000'000};
    engine::SimDuration warmup{0};
    engine::SimDuration drain{30'000'000'000}; // how long in-flight requests may finish
    engine::SimDuration window{1'000'000'000}; // time-series window
    models::EngineKind engine = models::EngineKind::SimGrid; // the reference model

    models::PlatformConfig platform;
    models::SystemConfig system; // services, routes, gateway, mesh, workloads, faults, ...
    models::SloConfig slo;

    int serviceIndex(const std::string& name) const;
    // By the route's name: its path, or "METHOD path" for a route with a method; -1 if none.
    int routeIndex(const std::string& routeName) const;
};

std::string architectureName(models::Architecture a);
std::string engineName(models::EngineKind e);
// The scenario keys' names of the products: envoy, kong, nginx; istio, linkerd.
std::string gatewayKindName(models::GatewayKind k);
std::string meshKindName(models::MeshKind k);

} // namespace meshsim::topologies
