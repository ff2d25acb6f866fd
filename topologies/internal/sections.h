#pragma once

// The readers of the top-level sections of a scenario file (internal to the loader), one source
// file each: read_run.cpp (the root's own settings, slo, discovery, traces), read_platform.cpp,
// read_services.cpp, read_routes.cpp, read_gateway.cpp, read_mesh.cpp, read_workloads.cpp,
// read_faults.cpp; and validate.cpp, the checks once every section is read. loader.cpp calls
// them in a fixed order, whatever the order of the keys in the file: the diagnostics come out
// in that order before they are sorted by place, and the workloads need the routes read.
//
// Each reader fills its part of the Scenario and reports every problem through the Context's
// Reader; none stops at the first error. The Context lives for the load of one file.

#include "topologies/internal/names.h"
#include "topologies/internal/yaml_reader.h"
#include "topologies/scenario.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace meshsim::topologies::internal {

// What the section readers share while one file is read.
struct Context
{
    Reader& reader;
    Names& names;
    // Where each call edge (caller, callee) was written, to point at the step that closes a
    // cycle: the first place wins.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<YAML::Mark, std::string>> callSites;
    // Replicas of all services, for the limit on instances in all.
    std::uint64_t totalInstances = 0;
};

// read_run.cpp. `root` is the document's own mapping.
void readRunSettings(Context& ctx, const Fields& root, Scenario& s);
void readSlo(Context& ctx, const YAML::Node& node, Scenario& s);
void readDiscovery(Context& ctx, const YAML::Node& node, Scenario& s);
void readTraces(Context& ctx, const YAML::Node& node, Scenario& s);

void readPlatform(Context& ctx, const YAML::Node& node, Scenario& s);
void readServices(Context& ctx, const YAML::Node& node, Scenario& s);
void readRoutes(Context& ctx, const YAML::Node& node, Scenario& s);
void readGateway(Context& ctx, const YAML::Node& node, Scenario& s);
void readMesh(Context& ctx, const YAML::Node& node, Scenario& s);
void readWorkloads(Context& ctx, const YAML::Node& node, Scenario& s);
void readFaults(Context& ctx, const YAML::Node& node, Scenario& s);

// validate.cpp. What one section cannot check alone: settings the architecture ignores, empty
// sections, instances in all, events after the end of the run.
void checkAcrossSections(Context& ctx, const Fields& root, const Scenario& s);
// The topology on its graph: call cycles (an error), unreachable services and unused routes
// (warnings), placement. Only for a scenario without errors: indices must be valid.
void validateTopology(Context& ctx, const YAML::Node& root, const Scenario& s);

} // namespace meshsim::topologies::internal
