#pragma once

// SystemLayout: the components of a system and who calls whom, in its architecture — a pure
// function of the SystemConfig, shared by the cluster that runs the system, the metrics and the
// recording that name its parts, and the views that draw it.
//
// Components are numbered: the workloads (clients) first, then the tiers — the services in
// scenario order, then the gateway (gateway architectures), then the ingress (mesh). Tier t is
// component `firstTier + t`. A component's callees are the components it sends calls to:
//   clients  -> the gateway, the ingress, or (direct) every service their routes call
//   gateway  -> every service of every route;   ingress -> every service
//   service  -> the services of its steps

#include "models/config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

enum class ComponentKind : std::uint8_t { Client, Service, Gateway, Ingress };

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

} // namespace meshsim::models
