// The platform section: zones, nodes, the network classes between them, placement strategy.

#include "topologies/internal/sections.h"
#include "topologies/units.h"

#include <algorithm>

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

namespace {

void readLink(Reader& reader, const Fields& f, std::string_view key, m::LinkConfig& out)
{
    const YAML::Node* node = f.find(key);
    if (!node)
        return;
    Fields l(reader, *node, f.pathOf(key), {"latency", "bandwidth"});
    if (!l.valid())
        return;
    reader.readDuration(l, "latency", out.latency);
    reader.readBandwidth(l, "bandwidth", out.bitsPerSecond);
}

} // namespace

void readPlatform(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    Fields f(reader,
             node,
             "platform",
             {"zones", "nodes", "network", "client_network", "placement", "connect_timeout"});
    if (!f.valid())
        return;
    m::PlatformConfig& p = s.platform;
    if (const YAML::Node* zones = f.find("zones")) {
        p.zones.clear();
        reader.forEachItem(
            *zones,
            f.pathOf("zones"),
            "zone names",
            [&](const YAML::Node& item, const std::string& path) {
                if (!reader.scalar(item, path, "a zone name"))
                    return;
                if (std::find(p.zones.begin(), p.zones.end(), item.Scalar()) != p.zones.end()) {
                    reader.error(item, path, "duplicate zone " + quote(item.Scalar()));
                    return;
                }
                p.zones.push_back(item.Scalar());
            });
        if (p.zones.empty())
            p.zones.emplace_back("default");
    }
    ctx.names.setZones(p.zones);
    if (const YAML::Node* nodes = f.find("nodes")) {
        reader.forEachItem(
            *nodes,
            f.pathOf("nodes"),
            "nodes",
            [&](const YAML::Node& item, const std::string& path) {
                if (p.nodes.size() >= limits.maxNodes) {
                    if (p.nodes.size() == limits.maxNodes)
                        reader.error(item,
                                     path,
                                     "too many nodes (at most " + std::to_string(limits.maxNodes)
                                         + ")");
                    p.nodes.emplace_back();
                    return;
                }
                Fields n(reader, item, path, {"name", "zone", "cores", "speed"});
                if (!n.valid())
                    return;
                m::NodeConfig config;
                if (!n.find("name"))
                    reader.error(item, path, "missing key \"name\"");
                reader.readName(n, "name", config.name);
                if (const YAML::Node* z = n.find("zone")) {
                    if (const auto index = ctx.names.zone(*z, n.pathOf("zone")))
                        config.zone = *index;
                } else if (p.zones.size() > 1) {
                    reader.error(
                        item, path, "missing key \"zone\" (the platform has several zones)");
                }
                reader.readCount(n, "cores", config.cores, 1, 4096);
                reader.readNumber(n,
                                  "speed",
                                  config.speed,
                                  0.001,
                                  1000.0,
                                  "a relative speed between 0.001 and 1000 (1 = reference CPU)");
                const std::vector<std::string>& declared = ctx.names.nodes();
                if (!config.name.empty()
                    && std::find(declared.begin(), declared.end(), config.name) != declared.end())
                    reader.error(
                        *n.find("name"), n.pathOf("name"), "duplicate node " + quote(config.name));
                ctx.names.addNode(config.name);
                p.nodes.push_back(config);
            });
        p.declaredNodes = !p.nodes.empty();
    }
    if (const YAML::Node* network = f.find("network")) {
        reader.visit(*network);
        if (network->IsScalar() && network->Scalar() == "ideal") {
            p.sameNode = p.sameZone = p.crossZone = m::LinkConfig{SimDuration{0}, 0.0};
        } else if (network->IsScalar()) {
            reader.expected(
                *network,
                f.pathOf("network"),
                "ideal (no network cost) or a mapping of same_node, same_zone, cross_zone");
        } else {
            Fields n(
                reader, *network, f.pathOf("network"), {"same_node", "same_zone", "cross_zone"});
            if (n.valid()) {
                readLink(reader, n, "same_node", p.sameNode);
                readLink(reader, n, "same_zone", p.sameZone);
                readLink(reader, n, "cross_zone", p.crossZone);
            }
        }
    }
    readLink(reader, f, "client_network", p.client);
    // A transfer between zones also crosses each zone's own network (the SimGrid platform builds
    // it that way), so the cross-zone class cannot be faster than the same-zone one.
    const bool slowerBandwidth = p.sameZone.bitsPerSecond == 0.0
                                 || (p.crossZone.bitsPerSecond > 0.0
                                     && p.crossZone.bitsPerSecond <= p.sameZone.bitsPerSecond);
    if (p.zones.size() > 1 && (p.crossZone.latency < p.sameZone.latency || !slowerBandwidth))
        reader.error(
            f.nodeOr("network", node),
            f.pathOf("network.cross_zone"),
            "impossible value (expected cross_zone to be no faster than same_zone: a latency of "
            "at least "
                + formatDuration(p.sameZone.latency)
                + " and a bandwidth no higher; a "
                  "transfer between zones also crosses each zone's network)");
    static constexpr EnumName<m::PlacementStrategy> kPlacement[]
        = {{"spread", m::PlacementStrategy::Spread}, {"pack", m::PlacementStrategy::Pack}};
    reader.readEnum(f, "placement", p.placement, kPlacement);
    reader.readDuration(f, "connect_timeout", s.system.connectTimeout, true);
}

} // namespace meshsim::topologies::internal
