#include "engine/core/platform.h"

namespace meshsim::engine {

const LinkSpec& Platform::linkBetween(NodeId from, NodeId to) const
{
    const PlatformSpec& s = spec();
    if (from == to)
        return s.sameNode;
    if (from == s.clientNode || to == s.clientNode)
        return s.client;
    return s.nodes[from].zone == s.nodes[to].zone ? s.sameZone : s.crossZone;
}

SimDuration Platform::transferTime(const LinkSpec& link, std::uint64_t bytes)
{
    SimDuration t = link.latency;
    if (link.bytesPerSecond > 0.0 && bytes > 0)
        t += durationFromSeconds(static_cast<double>(bytes) / link.bytesPerSecond);
    return t;
}

} // namespace meshsim::engine
