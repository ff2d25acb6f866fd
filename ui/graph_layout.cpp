#include "ui/graph_layout.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
#include <boost/graph/random_layout.hpp>
#include <boost/graph/topological_sort.hpp>
#include <boost/graph/topology.hpp>
#include <boost/random/linear_congruential.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <numeric>

namespace meshsim::ui {

namespace {

using CallGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

CallGraph callGraph(const topologies::SystemView& view)
{
    CallGraph g(view.components.size());
    for (const auto& [from, to] : view.edges())
        if (from != to)
            boost::add_edge(from, to, g);
    return g;
}

} // namespace

std::vector<std::uint32_t> callDepths(const topologies::SystemView& view)
{
    const CallGraph g = callGraph(view);
    std::vector<std::uint32_t> depth(view.components.size(), 0);
    std::vector<CallGraph::vertex_descriptor> order;
    try {
        boost::topological_sort(g, std::back_inserter(order));
    } catch (const boost::not_a_dag&) {
        // Validation refuses call cycles; a view from elsewhere gets plain index order.
        order.resize(view.components.size());
        std::iota(order.rbegin(), order.rend(), 0);
    }
    // topological_sort gives the reverse order: callees first.
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        for (auto [e, end] = boost::out_edges(*it, g); e != end; ++e) {
            const auto to = boost::target(*e, g);
            depth[to] = std::max(depth[to], depth[*it] + 1);
        }
    return depth;
}

std::vector<std::vector<std::uint32_t>> layeredOrder(const topologies::SystemView& view)
{
    const std::size_t n = view.components.size();
    const std::vector<std::uint32_t> depth = callDepths(view);
    const std::uint32_t layers = n ? *std::max_element(depth.begin(), depth.end()) + 1 : 0;
    std::vector<std::vector<std::uint32_t>> members(layers);
    for (std::uint32_t c = 0; c < n; ++c)
        members[depth[c]].push_back(c);

    // Order within layers by the barycentre of the callers' positions (three sweeps).
    const CallGraph g = callGraph(view);
    std::vector<double> rank(n, 0.0);
    for (const auto& layer : members)
        for (std::size_t i = 0; i < layer.size(); ++i)
            rank[layer[i]] = double(i);
    for (int sweep = 0; sweep < 3; ++sweep)
        for (std::uint32_t l = 1; l < layers; ++l) {
            auto& layer = members[l];
            std::map<std::uint32_t, double> key;
            for (const std::uint32_t c : layer) {
                double sum = 0.0;
                int count = 0;
                for (auto [e, end] = boost::in_edges(c, g); e != end; ++e) {
                    sum += rank[boost::source(*e, g)];
                    ++count;
                }
                key[c] = count ? sum / count : rank[c];
            }
            std::stable_sort(layer.begin(), layer.end(), [&](std::uint32_t a, std::uint32_t b) {
                return key[a] < key[b];
            });
            for (std::size_t i = 0; i < layer.size(); ++i)
                rank[layer[i]] = double(i);
        }

    return members;
}

std::vector<LayoutPoint> layeredLayout(const topologies::SystemView& view,
                                       const LayoutSpacing& spacing)
{
    const std::vector<std::vector<std::uint32_t>> members = layeredOrder(view);
    std::vector<LayoutPoint> points(view.components.size());
    for (std::uint32_t l = 0; l < members.size(); ++l) {
        const auto& layer = members[l];
        const double height = double(layer.size() - 1) * spacing.row;
        for (std::size_t i = 0; i < layer.size(); ++i)
            points[layer[i]] = {double(l) * spacing.layer, double(i) * spacing.row - height / 2};
    }
    return points;
}

std::vector<LayoutPoint> forceLayout(const topologies::SystemView& view,
                                     const LayoutSpacing& spacing)
{
    using Topology = boost::rectangle_topology<boost::minstd_rand>;
    using Point = Topology::point_type;
    const std::size_t n = view.components.size();
    if (n < 2 || n > kMaxForceComponents)
        return layeredLayout(view, spacing);

    // An undirected copy: forces do not care about call direction.
    using Undirected = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
    Undirected g(n);
    for (const auto& [from, to] : view.edges())
        if (from != to)
            boost::add_edge(from, to, g);

    const double side = std::sqrt(double(n)) * spacing.row * 2.0;
    boost::minstd_rand generator(42); // a fixed seed: the same picture every time
    Topology topology(generator, -side / 2, -side / 2, side / 2, side / 2);
    std::vector<Point> position(n);
    // Start from the layered picture, scaled into the square (not clamped: clamping would put
    // many components on one spot).
    const std::vector<LayoutPoint> start = layeredLayout(view, spacing);
    double maxX = 1.0, maxY = 1.0;
    for (const LayoutPoint& p : start) {
        maxX = std::max(maxX, std::abs(p.x));
        maxY = std::max(maxY, std::abs(p.y));
    }
    for (std::size_t v = 0; v < n; ++v) {
        position[v][0] = (start[v].x / maxX - 0.5) * side * 0.9;
        position[v][1] = start[v].y / maxY * side * 0.45;
    }
    auto map
        = boost::make_iterator_property_map(position.begin(), boost::get(boost::vertex_index, g));
    boost::fruchterman_reingold_force_directed_layout(g, map, topology);
    std::vector<LayoutPoint> points(n);
    for (std::size_t v = 0; v < n; ++v)
        points[v] = {position[v][0], position[v][1]};
    return points;
}

} // namespace meshsim::ui
