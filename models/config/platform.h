#pragma once

// Validated configuration of the platform: nodes with cores and speed, zones, the network's
// path classes, placement constraints.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/common.h"

#include <string>
#include <vector>

namespace meshsim::models {

struct LinkConfig
{
    SimDuration latency{0};
    double bitsPerSecond = 0.0; // 0 = unlimited
};

struct NodeConfig
{
    std::string name;
    ZoneIndex zone = 0;
    std::uint32_t cores = 1;
    double speed = 1.0;
    // CFS quota of the instance that runs alone on it (its CPU limit), in cores; 0 = none.
    double cpuQuota = 0.0;
};

enum class PlacementStrategy { Spread, Pack };

// Where the instances of one component may run: nodes and/or zones (empty = anywhere).
struct PlacementConstraint
{
    std::vector<NodeIndex> nodes;
    std::vector<ZoneIndex> zones;
};

struct PlatformConfig
{
    // Without declared nodes every instance runs on a node of its own with one core per worker
    // ("dedicated" CPUs: no CPU contention between instances).
    bool declaredNodes = false;
    std::vector<std::string> zones{"default"};
    std::vector<NodeConfig> nodes;
    LinkConfig sameNode{SimDuration{20'000}, 40e9};
    LinkConfig sameZone{SimDuration{150'000}, 10e9};
    LinkConfig crossZone{SimDuration{1'000'000}, 5e9};
    LinkConfig client{SimDuration{0}, 0.0};
    PlacementStrategy placement = PlacementStrategy::Spread;
};

} // namespace meshsim::models
