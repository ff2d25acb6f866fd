#pragma once

// The topology: a QGraphicsScene of the system's components (logical view) or of its zones,
// nodes and instances with their sidecars (physical view), the call edges between them, and the
// particle layer on top. Every number on it is read from the run's recording through
// ui/series_stats.h, for the window at the shown time or for the selected range.

#include "models/config/fault.h"
#include "models/recording.h"
#include "topologies/system_view.h"
#include "ui/graph_layout.h"
#include "ui/particle_layer.h"
#include "ui/series_stats.h"
#include "ui/theme.h"
#include "ui/topology_items.h"

#include <QGraphicsItem>
#include <QGraphicsScene>

#include <map>
#include <optional>
#include <vector>

namespace meshsim::ui {

class TopologyScene : public QGraphicsScene
{
    Q_OBJECT

public:
    enum class View { Logical, Physical };
    enum class Layout { Layered, Force };

    explicit TopologyScene(QObject* parent = nullptr);

    // A new system to draw (a new run); faults for the badges.
    void setSystem(const topologies::SystemView& view, std::vector<models::FaultConfig> faults);
    void setView(View view);
    View view() const { return m_view; }
    void setLayout(Layout layout);
    Layout layoutKind() const { return m_layout; }
    void setTheme(const Theme& theme);
    const Theme& theme() const { return m_theme; }
    void setEdgeLabel(EdgeLabel label);
    void setThresholds(const HealthThresholds& thresholds);
    // Folding: in the logical view, a layer of more than kFoldAbove components shows its first
    // kFoldAbove - 1 and one node for the rest (their numbers summed). On by default.
    static constexpr std::size_t kFoldAbove = 24;
    void setFolding(bool fold);
    bool folding() const { return m_fold; }
    // The node that shows a component (itself, or its folded group); null in the physical view.
    NodeItem* displayOf(std::uint32_t component) const;

    // The recording grew, or another instant or range is shown.
    void setRecording(const models::Recording* recording);
    void show(std::int64_t timeNs, std::optional<WindowRange> range);
    std::int64_t shownTime() const { return m_time; }

    ParticleLayer* particles() { return m_particles; }
    // Reduced motion: no particles (kept across rebuilds of the scene).
    void setReducedMotion(bool reduced)
    {
        m_reducedMotion = reduced;
        if (m_particles)
            m_particles->setReducedMotion(reduced);
    }
    const ParticleIndex& particleIndex() const { return m_index; }
    const std::vector<NodeItem*>& nodes() const { return m_nodes; }
    const std::vector<EdgeItem*>& edges() const { return m_edges; }
    NodeItem* nodeNamed(const QString& name) const;
    EdgeItem* edgeBetween(const QString& from, const QString& to) const;
    // The components within one call of `component` (its callers and callees) and itself.
    std::vector<std::uint32_t> neighbours(std::uint32_t component) const;
    // Dims every node but these (empty: none dimmed).
    void focus(const std::vector<std::uint32_t>& components);
    WindowRange shownRange() const { return m_range; }

private:
    // The states passed at the shown time: instances down, breakers open, per component.
    struct StateSummary
    {
        std::map<std::uint32_t, std::map<std::uint32_t, bool>>
            down; // component -> instance -> down
        std::map<std::uint32_t,
                 std::map<std::pair<std::uint32_t, std::uint32_t>, models::BreakerState>>
            breakers; // target component -> (caller, instance) -> state
    };
    void rebuild();
    void refresh();
    StateSummary summarise() const;
    void mapRecordedEdges();
    NodeStats statsOf(const NodeItem& node, const StateSummary& states) const;
    NodeStats componentStats(std::uint32_t component,
                             std::uint32_t instance,
                             const StateSummary& states) const;

    topologies::SystemView m_system;
    std::vector<models::FaultConfig> m_faults;
    View m_view = View::Logical;
    Layout m_layout = Layout::Layered;
    Theme m_theme = Theme::make(Theme::Kind::Light);
    HealthThresholds m_thresholds;
    EdgeLabel m_edgeLabel = EdgeLabel::Rate;
    const models::Recording* m_recording = nullptr;
    std::int64_t m_time = 0;
    WindowRange m_range;
    bool m_singleWindow = true;
    std::optional<WindowRange> m_statsWindow; // what the numbers were last read for
    std::size_t m_statesPassed = 0;

    bool m_fold = true;
    bool m_reducedMotion = false;
    std::vector<NodeItem*> m_displayOf; // by component, logical view
    std::vector<NodeItem*> m_nodes;
    std::vector<EdgeItem*> m_edges;
    std::vector<QGraphicsItem*> m_backgrounds;
    ParticleLayer* m_particles = nullptr;
    ParticleIndex m_index;
};

} // namespace meshsim::ui
