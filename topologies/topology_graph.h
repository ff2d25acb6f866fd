#pragma once

// TopologyGraph: the scenario's components and who calls whom, as a Boost.Graph.
//
// Vertex 0 is the clients; then one vertex per service (vertex = service index + 1). Edges are
// client -> service for every route target and service -> service for every call step, with the
// call's probability. Built once per scenario and read often (vecS storage, bundled
// properties). Validation uses it for call cycles and reachability; the GUI for layout.

#include "topologies/scenario.h"

#include <boost/graph/adjacency_list.hpp>

#include <optional>
#include <string>
#include <vector>

namespace meshsim::topologies {

struct TopologyVertex
{
    enum class Kind { Clients, Service };
    Kind kind = Kind::Service;
    std::string name;
    int service = -1; // index into Scenario::services for services
};

struct TopologyEdge
{
    double probability = 1.0;
};

using TopologyGraphType = boost::
    adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, TopologyVertex, TopologyEdge>;

class TopologyGraph
{
public:
    explicit TopologyGraph(const Scenario& scenario);

    const TopologyGraphType& graph() const { return m_graph; }

    // A cycle of service calls [s0, s1, ..., sk] (sk calls s0), or nothing.
    std::optional<std::vector<std::uint32_t>> findCallCycle() const;
    // Per service: can a client request reach it?
    std::vector<bool> servicesReachableFromRoutes() const;

private:
    TopologyGraphType m_graph;
};

} // namespace meshsim::topologies
