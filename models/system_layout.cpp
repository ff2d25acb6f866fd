#include "models/system_layout.h"

#include "models/program.h"

#include <algorithm>

namespace meshsim::models {

std::string SystemLayout::instanceLabel(std::uint32_t component, std::uint32_t instance) const
{
    if (!isTier(component))
        return components[component].name;
    return components[component].name + "/" + std::to_string(instance);
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

    const auto addCalleesOf = [&](const Program& program, std::vector<std::uint32_t>& out) {
        std::vector<ServiceIndex> tiers;
        collectCallees(program, tiers);
        for (const ServiceIndex t : tiers)
            out.push_back(layout.componentOfTier(t));
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
                        addCalleesOf(program, callees);
            }
            break;
        case ComponentKind::Service:
            addCalleesOf(compileSteps(system.services[c - layout.firstTier].steps), callees);
            break;
        case ComponentKind::Gateway:
            for (const auto& programs : routePrograms)
                for (const Program& program : programs)
                    addCalleesOf(program, callees);
            break;
        case ComponentKind::Ingress:
            for (ServiceIndex s = 0; s < system.services.size(); ++s)
                callees.push_back(layout.componentOfTier(s));
            break;
        }
        std::sort(callees.begin(), callees.end());
        callees.erase(std::unique(callees.begin(), callees.end()), callees.end());
    }
    return layout;
}

} // namespace meshsim::models
