#include "topologies/scenario.h"

#include "topologies/internal/enum_names.h"

namespace meshsim::topologies {

int Scenario::serviceIndex(const std::string& serviceName) const
{
    for (std::size_t i = 0; i < system.services.size(); ++i) {
        if (system.services[i].name == serviceName)
            return static_cast<int>(i);
    }
    return -1;
}

int Scenario::routeIndex(const std::string& routeName) const
{
    for (std::size_t i = 0; i < system.routes.size(); ++i) {
        if (system.routes[i].name() == routeName)
            return static_cast<int>(i);
    }
    return -1;
}

std::string architectureName(models::Architecture a)
{
    return internal::nameIn(internal::kArchitectureNames, a);
}

std::string engineName(models::EngineKind e)
{
    return internal::nameIn(internal::kEngineNames, e);
}

std::string gatewayKindName(models::GatewayKind k)
{
    return internal::nameIn(internal::kGatewayKindNames, k);
}

std::string meshKindName(models::MeshKind k)
{
    return internal::nameIn(internal::kMeshKindNames, k);
}

} // namespace meshsim::topologies
