#pragma once

// SystemLayout: the components of a system and who calls whom, in its architecture — a pure
// function of the SystemConfig, shared by the cluster that runs the system, the metrics and the
// recording that name its parts, and the views that draw it.
//
// Components are numbered: the workloads (clients) first, then the tiers — the services in
// scenario order, then the gateway (gateway architectures), then the ingress (mesh), then the
// waypoints (istio-ambient). Tier t is component `firstTier + t`. A component's callees are the
// components it sends calls to:
//   clients  -> the gateway, the ingress, or (direct) every service their routes call
//   gateway  -> every service of every route;   ingress -> every service
//   service  -> the services of its steps;      waypoint -> its services
// A call of a service or of the gateway to a service with a waypoint goes to the waypoint
// instead (the ztunnels send it there); the ingress calls services directly.

#include "models/config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::models {

enum class ComponentKind : std::uint8_t { Client, Service, Gateway, Ingress, Waypoint };

// "client", "service", "gateway", "ingress", "waypoint": as results.json and recordings name it.
const char* componentKindName(ComponentKind kind);
std::optional<ComponentKind> componentKindFromName(std::string_view name);

struct ComponentLayout
{
    std::string name;
    ComponentKind kind = ComponentKind::Service;
    std::uint32_t replicas = 0;         // instances (0 for clients)
    std::vector<std::uint32_t> callees; // component indices, sorted, unique
};

struct SystemLayout
{
    std::vector<ComponentLayout> components;
    std::uint32_t firstTier = 0;          // = the number of workloads
    std::optional<std::uint32_t> gateway; // component index
    std::optional<std::uint32_t> ingress; // component index
    std::uint32_t firstWaypoint = 0;      // component index of mesh.waypoints[0]
    // Per service: the component its callers (services, the gateway) reach it through — its
    // waypoint, else the service itself.
    std::vector<std::uint32_t> entryOf;

    std::uint32_t tierCount() const
    {
        return static_cast<std::uint32_t>(components.size()) - firstTier;
    }
    std::uint32_t componentOfTier(std::uint32_t tier) const { return firstTier + tier; }
    bool isTier(std::uint32_t component) const { return component >= firstTier; }
    // "frontend/2", or the workload's name for a client.
    std::string instanceLabel(std::uint32_t component, std::uint32_t instance) const;
};

SystemLayout layoutOf(const SystemConfig& system);

// Per service: the index in mesh.waypoints of the waypoint that takes its calls, when the
// architecture has the mesh.
std::vector<std::optional<std::uint32_t>> waypointsOf(const SystemConfig& system);

} // namespace meshsim::models
