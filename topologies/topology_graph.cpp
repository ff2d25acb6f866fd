#include "topologies/topology_graph.h"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>

#include <functional>

namespace meshsim::topologies {

namespace {

using Vertex = boost::graph_traits<TopologyGraphType>::vertex_descriptor;
using Edge = boost::graph_traits<TopologyGraphType>::edge_descriptor;

void addCallEdges(TopologyGraphType& g, Vertex from, const std::vector<models::Step>& steps)
{
    for (const models::Step& step : steps) {
        if (step.kind == models::Step::Kind::Call)
            boost::add_edge(from, step.service + 1, TopologyEdge{step.probability}, g);
        else
            addCallEdges(g, from, step.children);
    }
}

// Records DFS tree parents; on the first back edge, reconstructs the cycle it closes.
class CycleRecorder : public boost::default_dfs_visitor
{
public:
    CycleRecorder(std::vector<Vertex>& parent, std::optional<std::vector<Vertex>>& cycle)
        : m_parent(parent)
        , m_cycle(cycle)
    {}
    void tree_edge(Edge e, const TopologyGraphType& g) // NOLINT(readability-identifier-naming)
    {
        m_parent[boost::target(e, g)] = boost::source(e, g);
    }
    void back_edge(Edge e, const TopologyGraphType& g) // NOLINT(readability-identifier-naming)
    {
        if (m_cycle)
            return;
        const Vertex from = boost::source(e, g);
        const Vertex to = boost::target(e, g);
        std::vector<Vertex> path{from};
        for (Vertex v = from; v != to;) {
            v = m_parent[v];
            path.push_back(v);
        }
        m_cycle = std::vector<Vertex>(path.rbegin(), path.rend());
    }

private:
    std::vector<Vertex>& m_parent;
    std::optional<std::vector<Vertex>>& m_cycle;
};

} // namespace

TopologyGraph::TopologyGraph(const Scenario& scenario)
    : m_graph(scenario.system.services.size() + 1)
{
    m_graph[0] = TopologyVertex{TopologyVertex::Kind::Clients, "clients", -1};
    for (std::size_t i = 0; i < scenario.system.services.size(); ++i)
        m_graph[i + 1] = TopologyVertex{
            TopologyVertex::Kind::Service, scenario.system.services[i].name, static_cast<int>(i)};
    for (const models::RouteConfig& route : scenario.system.routes) {
        for (const models::ServiceIndex target : route.targets)
            boost::add_edge(0, target + 1, TopologyEdge{1.0}, m_graph);
    }
    for (std::size_t i = 0; i < scenario.system.services.size(); ++i)
        for (const models::OperationConfig& operation :
             models::operationVariants(scenario.system.services[i]))
            addCallEdges(m_graph, i + 1, operation.steps);
}

std::optional<std::vector<std::uint32_t>> TopologyGraph::findCallCycle() const
{
    std::vector<Vertex> parent(boost::num_vertices(m_graph));
    std::optional<std::vector<Vertex>> cycle;
    std::vector<boost::default_color_type> colors(boost::num_vertices(m_graph));
    boost::depth_first_search(m_graph,
                              CycleRecorder(parent, cycle),
                              boost::make_iterator_property_map(
                                  colors.begin(), boost::get(boost::vertex_index, m_graph)));
    if (!cycle)
        return std::nullopt;
    std::vector<std::uint32_t> services;
    for (const Vertex v : *cycle)
        services.push_back(static_cast<std::uint32_t>(v - 1));
    return services;
}

std::vector<bool> TopologyGraph::servicesReachableFromRoutes() const
{
    std::vector<boost::default_color_type> colors(boost::num_vertices(m_graph), boost::white_color);
    boost::breadth_first_visit(m_graph,
                               Vertex{0},
                               boost::color_map(boost::make_iterator_property_map(
                                   colors.begin(), boost::get(boost::vertex_index, m_graph))));
    std::vector<bool> reachable(boost::num_vertices(m_graph) - 1);
    for (std::size_t i = 1; i < colors.size(); ++i)
        reachable[i - 1] = colors[i] != boost::white_color;
    return reachable;
}

} // namespace meshsim::topologies
