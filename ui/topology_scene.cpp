#include "ui/topology_scene.h"

#include <QFont>
#include <QGraphicsSimpleTextItem>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace meshsim::ui {

namespace m = meshsim::models;

// --- TopologyScene -----------------------------------------------------------------------------

TopologyScene::TopologyScene(QObject* parent)
    : QGraphicsScene(parent)
{
    setItemIndexMethod(QGraphicsScene::NoIndex); // particles move every frame
}

void TopologyScene::setSystem(const topologies::SystemView& view,
                              std::vector<m::FaultConfig> faults)
{
    m_system = view;
    m_faults = std::move(faults);
    m_recording = nullptr;
    m_index.clear();
    rebuild();
}

void TopologyScene::setView(View view)
{
    if (view == m_view)
        return;
    m_view = view;
    rebuild();
}

void TopologyScene::setLayout(Layout layout)
{
    if (layout == m_layout)
        return;
    m_layout = layout;
    rebuild();
}

void TopologyScene::setTheme(const Theme& theme)
{
    m_theme = theme;
    setBackgroundBrush(m_theme.background);
    if (m_particles)
        m_particles->setTheme(m_theme);
    rebuild();
}

void TopologyScene::setFolding(bool fold)
{
    if (fold == m_fold)
        return;
    m_fold = fold;
    rebuild();
}

NodeItem* TopologyScene::displayOf(std::uint32_t component) const
{
    return component < m_displayOf.size() ? m_displayOf[component] : nullptr;
}

void TopologyScene::setEdgeLabel(EdgeLabel label)
{
    m_edgeLabel = label;
    for (EdgeItem* e : m_edges)
        e->setLabelMode(label);
}

void TopologyScene::setThresholds(const HealthThresholds& thresholds)
{
    m_thresholds = thresholds;
    for (EdgeItem* e : m_edges)
        e->update();
}

void TopologyScene::rebuild()
{
    clear(); // deletes every item
    m_nodes.clear();
    m_displayOf.clear();
    m_edges.clear();
    m_backgrounds.clear();
    m_particles = nullptr;
    setBackgroundBrush(m_theme.background);
    const std::size_t n = m_system.components.size();
    if (n == 0)
        return;

    const std::vector<LayoutPoint> layout
        = m_layout == Layout::Force ? forceLayout(m_system) : layeredLayout(m_system);
    PlacePositions positions;
    positions.components.resize(n);
    for (std::size_t c = 0; c < n; ++c)
        positions.components[c] = QPointF(layout[c].x, layout[c].y);

    m_displayOf.assign(n, nullptr);
    if (m_view == View::Logical) {
        // Layers too large to draw one by one keep their first kFoldAbove - 1 components, and
        // one node stands for the rest; the folded components' particles go to it.
        std::vector<std::vector<std::uint32_t>> groups;
        if ((m_layout == Layout::Layered || n > kMaxForceComponents) && m_fold) {
            const LayoutSpacing spacing;
            const auto layers = layeredOrder(m_system);
            for (std::size_t l = 0; l < layers.size(); ++l) {
                const auto& layer = layers[l];
                if (layer.size() <= kFoldAbove)
                    continue;
                const std::size_t shown = kFoldAbove - 1;
                const double height = double(kFoldAbove - 1) * spacing.row;
                for (std::size_t i = 0; i < shown; ++i)
                    positions.components[layer[i]]
                        = QPointF(double(l) * spacing.layer, double(i) * spacing.row - height / 2);
                groups.emplace_back(layer.begin() + static_cast<std::ptrdiff_t>(shown),
                                    layer.end());
                for (const std::uint32_t c : groups.back())
                    positions.components[c] = QPointF(double(l) * spacing.layer,
                                                      double(shown) * spacing.row - height / 2);
            }
        }
        for (auto& group : groups) {
            auto* node = new NodeItem(m_system, group);
            node->setPos(positions.components[group.front()]);
            node->setTheme(&m_theme);
            addItem(node);
            m_nodes.push_back(node);
            for (const std::uint32_t c : group)
                m_displayOf[c] = node;
        }
        for (std::uint32_t c = 0; c < n; ++c) {
            if (m_displayOf[c])
                continue;
            auto* node = new NodeItem(m_system, c, m::kNoIndex);
            node->setPos(positions.components[c]);
            node->setTheme(&m_theme);
            addItem(node);
            m_nodes.push_back(node);
            m_displayOf[c] = node;
        }
        positions.waitRadius = 20.0;
    } else {
        // Zones side by side right of the clients, their nodes stacked, instances in a grid
        // inside their node; clients on the left.
        const double cell = 120.0, pad = 16.0;
        std::vector<std::vector<std::uint32_t>> perNode(m_system.nodes.size());
        for (std::uint32_t i = 0; i < m_system.instances.size(); ++i)
            if (m_system.instances[i].node < perNode.size())
                perNode[m_system.instances[i].node].push_back(i);
        positions.instances.resize(m_system.instances.size());
        double zoneX = 260.0;
        for (std::uint32_t z = 0; z < std::max<std::size_t>(1, m_system.zones.size()); ++z) {
            double y = 0.0, widest = 0.0;
            std::vector<QGraphicsItem*> hosts;
            for (std::uint32_t nd = 0; nd < m_system.nodes.size(); ++nd) {
                const auto& node = m_system.nodes[nd];
                if (node.clients || node.zone != z)
                    continue;
                const auto& members = perNode[nd];
                const int columns
                    = std::max(1, static_cast<int>(std::ceil(std::sqrt(double(members.size())))));
                const int rows
                    = std::max(1, static_cast<int>((members.size() + columns - 1) / columns));
                const QRectF box(
                    zoneX + pad, y + 28, columns * cell + pad, rows * cell * 0.85 + 28);
                auto* host = addRect(box, QPen(m_theme.nodeOutline, 1), m_theme.hostFill);
                host->setZValue(-5);
                auto* label = addSimpleText(QString("%1  (%2 cores)")
                                                .arg(QString::fromStdString(node.name))
                                                .arg(node.cores));
                label->setBrush(m_theme.mutedText);
                label->setPos(box.topLeft() + QPointF(6, 4));
                label->setZValue(-4);
                m_backgrounds.push_back(host);
                for (std::size_t k = 0; k < members.size(); ++k) {
                    const double x = box.left() + pad / 2 + cell / 2 + double(k % columns) * cell;
                    const double yy
                        = box.top() + 20 + cell * 0.4 + double(k / columns) * cell * 0.85;
                    positions.instances[members[k]] = QPointF(x, yy);
                }
                y = box.bottom() + pad;
                widest = std::max(widest, box.width());
            }
            if (!m_system.zones.empty()) {
                auto* zone = addRect(
                    QRectF(zoneX, -30, widest + 2 * pad, y + 30), Qt::NoPen, m_theme.zoneFill);
                zone->setZValue(-6);
                auto* label = addSimpleText(QString::fromStdString(m_system.zones[z]));
                label->setBrush(m_theme.text);
                label->setPos(zoneX + 8, -26);
                label->setZValue(-4);
                m_backgrounds.push_back(zone);
            }
            zoneX += widest + 3 * pad;
        }
        // A component's own position: the centre of its instances (clients keep theirs, left).
        double clientY = 0.0;
        for (std::uint32_t c = 0; c < n; ++c) {
            const auto& comp = m_system.components[c];
            if (comp.replicas == 0) {
                positions.components[c] = QPointF(60, clientY);
                clientY += 120;
                continue;
            }
            QPointF sum;
            for (std::uint32_t i = 0; i < comp.replicas; ++i)
                sum += positions.instances[comp.firstInstance + i];
            positions.components[c] = sum / comp.replicas;
        }
        for (std::uint32_t c = 0; c < n; ++c) {
            const auto& comp = m_system.components[c];
            if (comp.replicas == 0) {
                auto* node = new NodeItem(m_system, c, m::kNoIndex);
                node->setPos(positions.components[c]);
                node->setTheme(&m_theme);
                addItem(node);
                m_nodes.push_back(node);
                continue;
            }
            for (std::uint32_t i = 0; i < comp.replicas; ++i) {
                auto* node = new NodeItem(m_system, c, comp.firstInstance + i);
                node->setPos(positions.instances[comp.firstInstance + i]);
                node->setTheme(&m_theme);
                addItem(node);
                m_nodes.push_back(node);
            }
        }
        positions.waitRadius = 12.0;
    }

    // Call edges between components (the logical view) — in the physical view between the
    // components' centres too: an edge per pair of instances would be unreadable.
    // One edge item per pair of drawn nodes: calls to or from a folded group share one.
    std::map<std::pair<const void*, const void*>, EdgeItem*> byEnds;
    for (const auto& [from, to] : m_system.edges()) {
        const void* a = m_displayOf[from] ? static_cast<const void*>(m_displayOf[from]) : nullptr;
        const void* b = m_displayOf[to] ? static_cast<const void*>(m_displayOf[to]) : nullptr;
        EdgeItem*& edge
            = byEnds[{a ? a : &m_system.components[from], b ? b : &m_system.components[to]}];
        if (!edge) {
            edge = new EdgeItem(from, to, std::nullopt);
            const double trim = m_view == View::Logical ? 40.0 : 10.0;
            edge->setEnds(positions.components[from], positions.components[to], trim, trim + 4);
            edge->setTheme(&m_theme, &m_thresholds);
            edge->setLabelMode(m_edgeLabel);
            if (m_view == View::Physical)
                edge->setOpacity(0.35);
            addItem(edge);
            m_edges.push_back(edge);
        }
        edge->calls.emplace_back(from, to);
    }
    mapRecordedEdges();

    m_particles = new ParticleLayer;
    m_particles->setTheme(m_theme);
    m_particles->setReducedMotion(m_reducedMotion);
    m_particles->setIndex(&m_index);
    m_particles->setPositions(std::move(positions));
    const QRectF bounds = itemsBoundingRect().adjusted(-80, -80, 80, 80);
    m_particles->setSceneBounds(bounds);
    addItem(m_particles);
    setSceneRect(bounds);
    refresh();
}

void TopologyScene::setRecording(const m::Recording* recording)
{
    const bool edgesUnknown = recording && !m_recording;
    m_recording = recording;
    if (!recording) {
        m_index.clear();
    } else {
        m_index.update(*recording, m_system);
        m_statsWindow.reset(); // the windows may have grown: numbers are read again
        if (edgesUnknown)
            mapRecordedEdges();
    }
    refresh();
}

void TopologyScene::show(std::int64_t timeNs, std::optional<WindowRange> range)
{
    // Numbers change with the window, the range and the state changes passed; particles with
    // every instant. Most frames move particles only.
    const WindowRange shownRange = range ? *range : WindowRange{};
    const bool single = !range;
    std::optional<WindowRange> window;
    std::size_t statesPassed = 0;
    if (m_recording) {
        window = windowAt(*m_recording, timeNs);
        statesPassed = static_cast<std::size_t>(
            std::partition_point(
                m_recording->states.begin(),
                m_recording->states.end(),
                [timeNs](const m::StateChange& s) { return engine::toNanos(s.at) <= timeNs; })
            - m_recording->states.begin());
    }
    const bool same = m_recording && single == m_singleWindow && shownRange == m_range
                      && window == m_statsWindow && statesPassed == m_statesPassed;
    m_time = timeNs;
    m_range = shownRange;
    m_singleWindow = single;
    if (same) {
        if (m_particles)
            m_particles->setTime(m_time);
        return;
    }
    m_statsWindow = window;
    m_statesPassed = statesPassed;
    refresh();
}

void TopologyScene::mapRecordedEdges()
{
    for (EdgeItem* e : m_edges) {
        std::vector<std::uint32_t> recorded;
        if (m_recording)
            for (const auto& [from, to] : e->calls)
                if (const auto index = edgeIndex(*m_recording, from, to))
                    recorded.push_back(*index);
        e->setRecordedEdges(std::move(recorded));
    }
}

TopologyScene::StateSummary TopologyScene::summarise() const
{
    StateSummary summary;
    if (!m_recording)
        return summary;
    for (const m::StateChange& st : m_recording->states) {
        if (engine::toNanos(st.at) > m_time)
            break; // states are in time order
        switch (st.kind) {
        case m::StateChange::Kind::Killed:
        case m::StateChange::Kind::NodeDown:
        case m::StateChange::Kind::Restored:
            summary.down[st.component][st.instance] = st.kind != m::StateChange::Kind::Restored;
            break;
        case m::StateChange::Kind::Breaker:
            summary.breakers[st.target][{st.component, st.instance}] = st.breaker;
            break;
        default:
            break;
        }
    }
    return summary;
}

NodeStats TopologyScene::componentStats(std::uint32_t c,
                                        std::uint32_t instance,
                                        const StateSummary& states) const
{
    NodeStats s;
    const m::Recording& r = *m_recording;
    const WindowRange range = m_singleWindow ? windowAt(r, m_time) : m_range;
    const auto& comp = m_system.components[c];
    if (c < m_system.firstTier) {
        s.load = workloadAggregate(r, m_system, c, range);
    } else {
        const std::uint32_t tier = c - m_system.firstTier;
        if (instance == m::kNoIndex) {
            s.load = tierAggregate(r, tier, range);
            const double capacity = double(comp.workers) * comp.replicas;
            s.utilisation = capacity > 0 ? s.load.busyMean / capacity : 0.0;
        } else {
            s.load = instanceAggregate(r, tier, instance - comp.firstInstance, range);
            s.utilisation = comp.workers ? s.load.busyMean / comp.workers : 0.0;
        }
        s.ejected = s.load.ejectedMax;
        s.rateLimited = s.load.classes[static_cast<std::size_t>(OutcomeClass::RateLimited)] > 0;
    }
    if (const auto down = states.down.find(c); down != states.down.end())
        for (const auto& [i, isDown] : down->second)
            if (isDown && (instance == m::kNoIndex || instance - comp.firstInstance == i))
                ++s.killed;
    if (const auto b = states.breakers.find(c); b != states.breakers.end())
        for (const auto& [caller, state] : b->second) {
            s.breakersOpen += state == m::BreakerState::Open ? 1 : 0;
            s.breakersHalfOpen += state == m::BreakerState::HalfOpen ? 1 : 0;
        }
    if (c >= m_system.firstTier && comp.kind == m::ComponentKind::Service)
        for (const m::FaultConfig& f : m_faults) {
            const bool on = f.at.count() <= m_time && (!f.until || m_time < f.until->count());
            const bool mine
                = (f.kind == m::FaultConfig::Kind::Kill || f.kind == m::FaultConfig::Kind::Slow
                   || f.kind == m::FaultConfig::Kind::Errors)
                  && f.service == c - m_system.firstTier;
            s.faultActive = s.faultActive || (on && mine);
        }
    return s;
}

NodeStats TopologyScene::statsOf(const NodeItem& node, const StateSummary& states) const
{
    if (!m_recording)
        return {};
    if (node.members().empty())
        return componentStats(node.component(), node.instance(), states);
    // A folded group: the sum of its components (utilisation over their summed capacity).
    NodeStats sum;
    double capacity = 0.0;
    for (const std::uint32_t c : node.members()) {
        const NodeStats one = componentStats(c, m::kNoIndex, states);
        const auto& comp = m_system.components[c];
        sum.load = merged(sum.load, one.load);
        capacity += double(comp.workers) * comp.replicas;
        sum.killed += one.killed;
        sum.breakersOpen += one.breakersOpen;
        sum.breakersHalfOpen += one.breakersHalfOpen;
        sum.ejected += one.ejected;
        sum.rateLimited = sum.rateLimited || one.rateLimited;
        sum.faultActive = sum.faultActive || one.faultActive;
    }
    sum.utilisation = capacity > 0 ? sum.load.busyMean / capacity : 0.0;
    return sum;
}

void TopologyScene::refresh()
{
    const StateSummary states = summarise();
    for (NodeItem* node : m_nodes)
        node->setStats(statsOf(*node, states), m_singleWindow);
    if (m_recording) {
        const WindowRange range = m_singleWindow ? windowAt(*m_recording, m_time) : m_range;
        for (EdgeItem* e : m_edges) {
            Aggregate sum;
            for (const std::uint32_t index : e->recordedEdges())
                sum = merged(sum, edgeAggregate(*m_recording, index, range));
            e->setStats(sum);
        }
    }
    if (m_particles)
        m_particles->setTime(m_time);
}

NodeItem* TopologyScene::nodeNamed(const QString& name) const
{
    for (NodeItem* n : m_nodes)
        if (n->name() == name)
            return n;
    return nullptr;
}

EdgeItem* TopologyScene::edgeBetween(const QString& from, const QString& to) const
{
    for (EdgeItem* e : m_edges)
        if (QString::fromStdString(m_system.components[e->from()].name) == from
            && QString::fromStdString(m_system.components[e->to()].name) == to)
            return e;
    return nullptr;
}

std::vector<std::uint32_t> TopologyScene::neighbours(std::uint32_t component) const
{
    std::vector<std::uint32_t> result{component};
    for (const auto& [from, to] : m_system.edges()) {
        if (from == component)
            result.push_back(to);
        if (to == component)
            result.push_back(from);
    }
    std::sort(result.begin(), result.end());
    result.erase(std::unique(result.begin(), result.end()), result.end());
    return result;
}

void TopologyScene::focus(const std::vector<std::uint32_t>& components)
{
    auto in = [&](std::uint32_t c) {
        return components.empty() || std::binary_search(components.begin(), components.end(), c);
    };
    for (NodeItem* n : m_nodes)
        n->setOpacity(in(n->component()) ? 1.0 : 0.15);
    for (EdgeItem* e : m_edges)
        e->setOpacity(in(e->from()) && in(e->to()) ? (m_view == View::Logical ? 1.0 : 0.35) : 0.08);
}

} // namespace meshsim::ui
