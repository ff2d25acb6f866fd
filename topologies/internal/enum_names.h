#pragma once

// The scenario file's spellings of the enumerations that are also named outside the loader
// (results.json, experiment labels): one table each, read by the loader and by the *Name()
// functions of topologies/scenario.h.

#include "models/config.h"
#include "topologies/internal/yaml_reader.h"

#include <string>

namespace meshsim::topologies::internal {

inline constexpr EnumName<models::EngineKind> kEngineNames[]
    = {{"fast", models::EngineKind::Fast}, {"simgrid", models::EngineKind::SimGrid}};
inline constexpr EnumName<models::Architecture> kArchitectureNames[]
    = {{"direct", models::Architecture::Direct},
       {"gateway", models::Architecture::Gateway},
       {"mesh", models::Architecture::Mesh},
       {"gateway+mesh", models::Architecture::GatewayMesh}};
inline constexpr EnumName<models::GatewayKind> kGatewayKindNames[]
    = {{"envoy", models::GatewayKind::Envoy},
       {"kong", models::GatewayKind::Kong},
       {"nginx", models::GatewayKind::Nginx}};
inline constexpr EnumName<models::MeshKind> kMeshKindNames[]
    = {{"istio", models::MeshKind::Istio},
       {"istio-ambient", models::MeshKind::IstioAmbient},
       {"linkerd", models::MeshKind::Linkerd}};

// The spelling of `value` (every value has one: the tables are complete).
template <typename E, std::size_t N>
std::string nameIn(const EnumName<E> (&names)[N], E value)
{
    for (const EnumName<E>& n : names)
        if (n.value == value)
            return std::string(n.name);
    return std::string(names[0].name);
}

} // namespace meshsim::topologies::internal
