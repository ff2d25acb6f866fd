#include "topologies/scenario.h"

namespace meshsim::topologies {

int Scenario::serviceIndex(const std::string& serviceName) const
{
    for (std::size_t i = 0; i < system.services.size(); ++i) {
        if (system.services[i].name == serviceName)
            return static_cast<int>(i);
    }
    return -1;
}

int Scenario::routeIndex(const std::string& path) const
{
    for (std::size_t i = 0; i < system.routes.size(); ++i) {
        if (system.routes[i].path == path)
            return static_cast<int>(i);
    }
    return -1;
}

std::string architectureName(models::Architecture a)
{
    switch (a) {
    case models::Architecture::Direct:
        return "direct";
    case models::Architecture::Gateway:
        return "gateway";
    case models::Architecture::Mesh:
        return "mesh";
    case models::Architecture::GatewayMesh:
        return "gateway+mesh";
    }
    return "direct";
}

std::string engineName(models::EngineKind e)
{
    return e == models::EngineKind::SimGrid ? "simgrid" : "fast";
}

std::string gatewayKindName(models::GatewayKind k)
{
    switch (k) {
    case models::GatewayKind::Envoy:
        return "envoy";
    case models::GatewayKind::Kong:
        return "kong";
    case models::GatewayKind::Nginx:
        return "nginx";
    }
    return "envoy";
}

std::string meshKindName(models::MeshKind k)
{
    switch (k) {
    case models::MeshKind::Istio:
        return "istio";
    case models::MeshKind::IstioAmbient:
        return "istio-ambient";
    case models::MeshKind::Linkerd:
        return "linkerd";
    }
    return "istio";
}

} // namespace meshsim::topologies
