#pragma once

// Where the topology view draws each component, computed on a Boost.Graph of the system's calls
// (topologies/system_view.h): a layered layout by default, a force-directed one on demand.
//
// Layered: clients in layer 0, every other component one layer right of its deepest caller (the
// longest call path from the clients, by a topological order), so the picture reads left to right
// as requests flow: clients, the edge (gateway, ingress), services in call depth order. Within a
// layer, components are ordered by the barycentre of their callers (a few sweeps), which keeps
// most edges from crossing. Force-directed: Fruchterman-Reingold from the layered start, for
// graphs that are wider than deep. Coordinates are in scene units; deterministic.

#include "topologies/system_view.h"

#include <cstdint>
#include <vector>

namespace meshsim::ui {

struct LayoutPoint
{
    double x = 0.0;
    double y = 0.0;
};

struct LayoutSpacing
{
    double layer = 260.0; // between layers
    double row = 120.0;   // between components of a layer
};

// Layer of every component (longest call path from a client).
std::vector<std::uint32_t> callDepths(const topologies::SystemView& view);

// The layers of the layered layout, each in its drawing order (top to bottom).
std::vector<std::vector<std::uint32_t>> layeredOrder(const topologies::SystemView& view);

std::vector<LayoutPoint> layeredLayout(const topologies::SystemView& view,
                                       const LayoutSpacing& spacing = {});
// Fruchterman-Reingold costs about n^2 per iteration: above this, forceLayout gives the layered
// layout (the GUI says so).
inline constexpr std::size_t kMaxForceComponents = 300;
std::vector<LayoutPoint> forceLayout(const topologies::SystemView& view,
                                     const LayoutSpacing& spacing = {});

} // namespace meshsim::ui
