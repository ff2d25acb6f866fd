#include "models/system_layout.h"

#include "models/program.h"

#include <algorithm>
#include <array>

namespace meshsim::models {

std::string SystemLayout::instanceLabel(std::uint32_t component, std::uint32_t instance) const
{
    if (!isTier(component))
        return components[component].name;
    return components[component].name + "/" + std::to_string(instance);
}

namespace {

constexpr std::array<const char*, 5> kKindNames{
    "client", "service", "gateway", "ingress", "waypoint"};

} // namespace

const char* componentKindName(ComponentKind kind)
{
    return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<ComponentKind> componentKindFromName(std::string_view name)
{
    for (std::size_t k = 0; k < kKindNames.size(); ++k)
        if (name == kKindNames[k])
            return static_cast<ComponentKind>(k);
    return std::nullopt;
}

std::vector<std::optional<std::uint32_t>> waypointsOf(const SystemConfig& system)
{
    std::vector<std::optional<std::uint32_t>> out(system.services.size());
    if (!system.hasMesh())
        return out;
    for (std::uint32_t w = 0; w < system.mesh.waypoints.size(); ++w)
        for (const ServiceIndex s : system.mesh.waypoints[w].services)
            out[s] = w;
    return out;
}

SystemLayout layoutOf(const SystemConfig& system)
{
    SystemLayout layout;
    for (const WorkloadConfig& w : system.workloads)
        layout.components.push_back({w.name, ComponentKind::Client, 0, {}});
    layout.firstTier = static_cast<std::uint32_t>(layout.components.size());
    for (const ServiceConfig& s : system.services)
        layout.components.push_back({s.name, ComponentKind::Service, s.replicas, {}});
    if (system.hasGateway()) {
        layout.gateway = static_cast<std::uint32_t>(layout.components.size());
        layout.components.push_back(
            {"gateway", ComponentKind::Gateway, system.gateway.replicas, {}});
    }
    if (system.hasIngress()) {
        layout.ingress = static_cast<std::uint32_t>(layout.components.size());
        layout.components.push_back(
            {"ingress", ComponentKind::Ingress, system.mesh.ingress.replicas, {}});
    }
    layout.firstWaypoint = static_cast<std::uint32_t>(layout.components.size());
    if (system.hasMesh())
        for (const WaypointConfig& w : system.mesh.waypoints)
            layout.components.push_back({w.name, ComponentKind::Waypoint, w.replicas, {}});
    const std::vector<std::optional<std::uint32_t>> waypoints = waypointsOf(system);
    for (ServiceIndex s = 0; s < system.services.size(); ++s)
        layout.entryOf.push_back(waypoints[s] ? layout.firstWaypoint + *waypoints[s]
                                              : layout.componentOfTier(s));

    // A client or the ingress reaches the services themselves; a service or the gateway their
    // waypoints.
    const auto addCalleesOf
        = [&](const Program& program, std::vector<std::uint32_t>& out, bool viaWaypoints) {
              std::vector<ServiceIndex> tiers;
              collectCallees(program, tiers);
              for (const ServiceIndex t : tiers)
                  out.push_back(viaWaypoints ? layout.entryOf[t] : layout.componentOfTier(t));
          };
    std::vector<std::vector<Program>> routePrograms;
    for (const RouteConfig& route : system.routes)
        routePrograms.push_back(compileRoute(route));
    for (std::uint32_t c = 0; c < layout.components.size(); ++c) {
        ComponentLayout& component = layout.components[c];
        std::vector<std::uint32_t>& callees = component.callees;
        switch (component.kind) {
        case ComponentKind::Client:
            for (const MixEntry& entry : system.workloads[c].mix) {
                if (layout.gateway)
                    callees.push_back(*layout.gateway);
                else if (layout.ingress)
                    callees.push_back(*layout.ingress);
                else
                    for (const Program& program : routePrograms[entry.route])
                        addCalleesOf(program, callees, false);
            }
            break;
        case ComponentKind::Service:
            for (const OperationConfig& operation :
                 operationVariants(system.services[c - layout.firstTier]))
                addCalleesOf(compileSteps(operation.steps), callees, true);
            break;
        case ComponentKind::Gateway:
            for (const auto& programs : routePrograms)
                for (const Program& program : programs)
                    addCalleesOf(program, callees, true);
            break;
        case ComponentKind::Ingress:
            for (ServiceIndex s = 0; s < system.services.size(); ++s)
                callees.push_back(layout.componentOfTier(s));
            break;
        case ComponentKind::Waypoint:
            for (const ServiceIndex s : system.mesh.waypoints[c - layout.firstWaypoint].services)
                callees.push_back(layout.componentOfTier(s));
            break;
        }
        std::sort(callees.begin(), callees.end());
        callees.erase(std::unique(callees.begin(), callees.end()), callees.end());
    }
    return layout;
}

} // namespace meshsim::models
