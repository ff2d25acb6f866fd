#pragma once

// The vocabulary of the validated configuration (models/config/*.h).
//
// The configuration structs are plain data: the loader (topologies/) fills them from a scenario
// file and checks every value, so models may trust them (no negative rates, probabilities in
// [0, 1], references resolved to indices). Durations carry their unit in the type; sizes are
// bytes; rates are per second; fractions are in [0, 1]. Defaults are the documented defaults of
// docs/scenario-format.md and, for proxies, of reference/semantics.md §8.

#include "engine/core/distribution.h"
#include "engine/core/sim_time.h"

#include <cstdint>
#include <limits>

namespace meshsim::models {

using engine::Distribution;
using engine::SimDuration;

using ServiceIndex = std::uint32_t;
using OperationIndex = std::uint16_t; // an operation of a service (OperationConfig)
using RouteIndex = std::uint32_t;
using NodeIndex = std::uint32_t;
using ZoneIndex = std::uint32_t;

inline constexpr std::uint32_t kUnlimited = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint64_t kKilobyte = 1000;

enum class Architecture { Direct, Gateway, Mesh, GatewayMesh };
enum class EngineKind { Fast, SimGrid };

// What an architecture puts in front of and beside the services.
constexpr bool hasGateway(Architecture a)
{
    return a == Architecture::Gateway || a == Architecture::GatewayMesh;
}
constexpr bool hasMesh(Architecture a)
{
    return a == Architecture::Mesh || a == Architecture::GatewayMesh;
}
// The mesh's own ingress proxy is the edge only when there is no gateway.
constexpr bool hasIngress(Architecture a)
{
    return a == Architecture::Mesh;
}

} // namespace meshsim::models
