#include "topologies/system_view.h"

namespace meshsim::topologies {

std::vector<std::pair<std::uint32_t, std::uint32_t>> SystemView::edges() const
{
    std::vector<std::pair<std::uint32_t, std::uint32_t>> result;
    for (std::uint32_t c = 0; c < components.size(); ++c)
        for (const std::uint32_t callee : components[c].callees)
            result.emplace_back(c, callee);
    return result;
}

std::pair<std::uint32_t, std::uint32_t> SystemView::versionInstances(std::uint32_t component,
                                                                     std::uint32_t version) const
{
    const Component& c = components[component];
    std::uint32_t first = 0;
    for (std::uint32_t v = 0; v < version; ++v)
        first += c.versionReplicas[v];
    return {first, first + c.versionReplicas[version]};
}

SystemView makeSystemView(const Scenario& scenario, const Placement& placement)
{
    SystemView view;
    view.name = scenario.name;
    view.architecture = architectureName(scenario.system.architecture);
    view.zones = scenario.platform.zones;
    for (const models::NodeConfig& n : placement.nodes)
        view.nodes.push_back({n.name, n.zone, n.cores, n.speed, false});
    view.nodes.push_back({"clients", 0, 1, 1.0, true});

    const models::SystemLayout layout = models::layoutOf(scenario.system);
    view.firstTier = layout.firstTier;
    for (std::uint32_t c = 0; c < layout.components.size(); ++c) {
        const models::ComponentLayout& from = layout.components[c];
        SystemView::Component component;
        component.name = from.name;
        component.kind = from.kind;
        component.replicas = from.replicas;
        component.callees = from.callees;
        component.firstInstance = static_cast<std::uint32_t>(view.instances.size());
        component.sidecars
            = from.kind == models::ComponentKind::Service && scenario.system.hasMesh();
        const std::vector<models::NodeIndex>* nodes = nullptr;
        if (from.kind == models::ComponentKind::Service) {
            nodes = &placement.instances[c - layout.firstTier];
            const models::ServiceConfig& service = scenario.system.services[c - layout.firstTier];
            component.workers = service.workers;
            for (const models::OperationConfig& operation : service.operations)
                component.operations.push_back(operation.name);
            for (const models::VersionConfig& version : service.versions) {
                component.versions.push_back(version.name);
                component.versionReplicas.push_back(version.replicas);
            }
        } else if (from.kind == models::ComponentKind::Gateway) {
            nodes = &placement.gateway;
            component.workers = scenario.system.gateway.workers;
        } else if (from.kind == models::ComponentKind::Ingress) {
            nodes = &placement.ingress;
            component.workers = scenario.system.mesh.ingress.workers;
        } else if (from.kind == models::ComponentKind::Waypoint) {
            nodes = &placement.waypoints[c - layout.firstWaypoint];
            component.workers = scenario.system.mesh.waypoints[c - layout.firstWaypoint].workers;
        }
        for (std::uint32_t i = 0; nodes && i < nodes->size(); ++i)
            view.instances.push_back({c, i, (*nodes)[i]});
        view.components.push_back(std::move(component));
    }
    for (const models::RouteConfig& r : scenario.system.routes) {
        SystemView::Route route;
        route.path = r.name();
        for (const models::ServiceIndex t : r.targets)
            route.targets.push_back(layout.componentOfTier(t));
        view.routes.push_back(std::move(route));
    }
    return view;
}

} // namespace meshsim::topologies
