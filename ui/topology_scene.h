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

#include <QGraphicsItem>
#include <QGraphicsScene>

#include <map>
#include <optional>
#include <vector>

namespace meshsim::ui {

enum class EdgeLabel { Rate, ErrorShare, P50, P95, P99, RetryRate };
const char* edgeLabelName(EdgeLabel label);

// What a node shows.
struct NodeStats
{
    Aggregate load;           // tier responses (services, gateway, ingress) or what clients saw
    double utilisation = 0.0; // busy workers / (workers x instances), or the node's CPU
    std::uint32_t killed = 0; // instances down (kill, node_down) at the shown time
    std::uint32_t breakersOpen = 0, breakersHalfOpen = 0; // callers' breakers towards it
    std::uint32_t ejected = 0; // instances ejected by some caller (the window's most)
    bool rateLimited = false;  // it turned requests away with 429 in the range
    bool faultActive = false;  // a slow, errors or kill fault of the scenario is on
};

class NodeItem : public QGraphicsItem
{
public:
    NodeItem(const topologies::SystemView& view, std::uint32_t component, std::uint32_t instance);
    // A folded group of components (a layer too large to draw one by one).
    NodeItem(const topologies::SystemView& view, std::vector<std::uint32_t> members);

    std::uint32_t component() const { return m_component; }
    std::uint32_t instance() const { return m_instance; } // kNoIndex in the logical view
    // The components a folded node stands for (empty: it is one component or instance).
    const std::vector<std::uint32_t>& members() const { return m_members; }
    QString name() const { return m_name; }
    const NodeStats& stats() const { return m_stats; }
    void setStats(const NodeStats& stats, bool singleWindow);
    void setTheme(const Theme* theme)
    {
        m_theme = theme;
        update();
    }
    // The two lines inside the node: its rate and its latency, as shown.
    QString rateText() const;
    QString latencyText() const;
    QStringList badges() const;
    double radius() const { return m_radius; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    std::uint32_t m_component;
    std::uint32_t m_instance;
    std::vector<std::uint32_t> m_members;
    models::ComponentKind m_kind;
    QString m_name;
    bool m_sidecar = false;
    std::uint32_t m_replicas = 0;
    double m_radius = 34.0;
    NodeStats m_stats;
    bool m_singleWindow = true;
    std::optional<WindowRange> m_statsWindow; // what the numbers were last read for
    std::size_t m_statesPassed = 0;
    const Theme* m_theme = nullptr;
};

class EdgeItem : public QGraphicsItem
{
public:
    EdgeItem(std::uint32_t from, std::uint32_t to, std::optional<std::uint32_t> recorded);

    std::uint32_t from() const { return m_from; }
    std::uint32_t to() const { return m_to; }
    // The recorded edge it shows (one call edge; an edge to or from a folded group shows the sum
    // of several, and has none).
    std::optional<std::uint32_t> recordedEdge() const
    {
        return m_recorded.size() == 1 ? std::optional(m_recorded.front()) : std::nullopt;
    }
    const std::vector<std::uint32_t>& recordedEdges() const { return m_recorded; }
    void setRecordedEdges(std::vector<std::uint32_t> edges) { m_recorded = std::move(edges); }
    // The call edges (from, to) it stands for.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> calls;
    void setEnds(QPointF a, QPointF b, double trimA, double trimB);
    void setStats(const Aggregate& stats)
    {
        m_stats = stats;
        update();
    }
    const Aggregate& stats() const { return m_stats; }
    void setLabelMode(EdgeLabel mode)
    {
        m_mode = mode;
        update();
    }
    void setTheme(const Theme* theme, const HealthThresholds* thresholds)
    {
        m_theme = theme;
        m_thresholds = thresholds;
        update();
    }
    QString labelText() const;
    QColor healthColour() const;
    double width() const;

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    std::uint32_t m_from, m_to;
    std::vector<std::uint32_t> m_recorded;
    QPointF m_a, m_b;
    Aggregate m_stats;
    EdgeLabel m_mode = EdgeLabel::Rate;
    const Theme* m_theme = nullptr;
    const HealthThresholds* m_thresholds = nullptr;
};

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
