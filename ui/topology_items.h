#pragma once

// The items of the topology (ui/topology_scene.h): a node (a component, an instance or a folded
// group) with its outcome ring, numbers, utilisation arc, queue and badges, and a call edge with
// its width, health colour, tries band and label. They draw the NodeStats and Aggregate they are
// given; the scene computes those from the recording.

#include "models/system_layout.h"
#include "topologies/system_view.h"
#include "ui/series_stats.h"
#include "ui/theme.h"

#include <QGraphicsItem>

#include <cstdint>
#include <optional>
#include <utility>
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

} // namespace meshsim::ui
