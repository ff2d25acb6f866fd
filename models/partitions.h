#pragma once

// Partitions: the pairs of zones a `partition` fault has cut off from each other. A connection
// attempt across a cut gets no answer (the caller's connect timeout). The clients' node is never
// cut (its "zone" is the internet). Not thread-safe.

#include "engine/core/platform.h"
#include "models/config.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace meshsim::models {

class Partitions
{
public:
    void cut(ZoneIndex a, ZoneIndex b) { m_cuts.emplace_back(a, b); }
    // Ends the cut made by cut(a, b) (the same order of zones).
    void heal(ZoneIndex a, ZoneIndex b)
    {
        const auto it = std::find(m_cuts.begin(), m_cuts.end(), std::pair{a, b});
        if (it != m_cuts.end())
            m_cuts.erase(it);
    }
    bool empty() const { return m_cuts.empty(); }

    bool separates(const engine::PlatformSpec& spec, engine::NodeId a, engine::NodeId b) const
    {
        if (m_cuts.empty() || a == spec.clientNode || b == spec.clientNode)
            return false;
        const ZoneIndex za = spec.nodes[a].zone;
        const ZoneIndex zb = spec.nodes[b].zone;
        return std::any_of(m_cuts.begin(), m_cuts.end(), [za, zb](const auto& cut) {
            return (za == cut.first && zb == cut.second) || (za == cut.second && zb == cut.first);
        });
    }

private:
    std::vector<std::pair<ZoneIndex, ZoneIndex>> m_cuts;
};

} // namespace meshsim::models
