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

const char* edgeLabelName(EdgeLabel label)
{
    switch (label) {
    case EdgeLabel::Rate:
        return "rps";
    case EdgeLabel::ErrorShare:
        return "error %";
    case EdgeLabel::P50:
        return "p50";
    case EdgeLabel::P95:
        return "p95";
    case EdgeLabel::P99:
        return "p99";
    case EdgeLabel::RetryRate:
        return "retries/s";
    }
    return "?";
}

namespace {

QString formatRate(double perSecond)
{
    if (perSecond >= 100)
        return QString::number(perSecond, 'f', 0);
    if (perSecond >= 10)
        return QString::number(perSecond, 'f', 1);
    return QString::number(perSecond, 'f', 2);
}

QString formatMs(double ms)
{
    if (ms >= 100)
        return QString::number(ms, 'f', 0) + " ms";
    if (ms >= 10)
        return QString::number(ms, 'f', 1) + " ms";
    return QString::number(ms, 'f', 2) + " ms";
}

QFont scaledFont(const Theme* theme, double points, bool bold = false)
{
    QFont font;
    font.setPointSizeF(points * (theme ? theme->fontScale : 1.0));
    font.setBold(bold);
    return font;
}

QPolygonF hexagon(QPointF c, double r)
{
    QPolygonF p;
    for (int i = 0; i < 6; ++i) {
        const double a = std::numbers::pi / 3 * i;
        p << c + QPointF(std::cos(a) * r, std::sin(a) * r);
    }
    return p;
}

} // namespace

// --- NodeItem ----------------------------------------------------------------------------------

NodeItem::NodeItem(const topologies::SystemView& view,
                   std::uint32_t component,
                   std::uint32_t instance)
    : m_component(component)
    , m_instance(instance)
{
    const auto& c = view.components[component];
    m_kind = c.kind;
    m_name = QString::fromStdString(c.name);
    m_replicas = c.replicas;
    m_sidecar = c.sidecars;
    if (instance != m::kNoIndex) {
        m_name += "-" + QString::number(view.instances[instance].index);
        m_radius = 22.0;
    }
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(5);
}

NodeItem::NodeItem(const topologies::SystemView& view, std::vector<std::uint32_t> members)
    : m_component(members.front())
    , m_instance(m::kNoIndex)
    , m_members(std::move(members))
{
    const auto& first = view.components[m_component];
    m_kind = first.kind;
    m_name = QString("+%1 more").arg(m_members.size());
    for (const std::uint32_t c : m_members)
        m_replicas += view.components[c].replicas;
    m_sidecar = first.sidecars;
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(5);
}

void NodeItem::setStats(const NodeStats& stats, bool singleWindow)
{
    m_stats = stats;
    m_singleWindow = singleWindow;
    QString tip
        = QString("%1\n%2 rps answered, %3 arrived\nerrors %4%")
              .arg(m_name, formatRate(stats.load.rate()), formatRate(stats.load.arrivalRate()))
              .arg(stats.load.errorShare() * 100, 0, 'f', 2);
    if (stats.load.p95)
        tip += QString("\np50 %1, p95 %2, p99 %3")
                   .arg(formatMs(double(*stats.load.p50) / 1e6),
                        formatMs(double(*stats.load.p95) / 1e6),
                        formatMs(double(*stats.load.p99) / 1e6));
    else if (stats.load.timed)
        tip += "\nmean latency " + formatMs(stats.load.meanLatencyMs());
    tip += QString("\nutilisation %1%, queue %2 (max %3)")
               .arg(stats.utilisation * 100, 0, 'f', 0)
               .arg(stats.load.queueMean, 0, 'f', 1)
               .arg(stats.load.queueMax);
    for (const QString& b : badges())
        tip += "\n" + b;
    if (!m_members.empty())
        tip += QString("\n%1 components folded together (the Components table lists each)")
                   .arg(m_members.size());
    setToolTip(tip);
    update();
}

QString NodeItem::rateText() const
{
    return formatRate(m_stats.load.rate()) + " rps";
}

QString NodeItem::latencyText() const
{
    if (m_stats.load.p95)
        return "p95 " + formatMs(double(*m_stats.load.p95) / 1e6);
    if (m_stats.load.timed)
        return "mean " + formatMs(m_stats.load.meanLatencyMs());
    return "–";
}

QStringList NodeItem::badges() const
{
    QStringList b;
    if (m_stats.breakersOpen)
        b << QString("breaker open (%1 callers)").arg(m_stats.breakersOpen);
    if (m_stats.breakersHalfOpen)
        b << QString("breaker half-open (%1 callers)").arg(m_stats.breakersHalfOpen);
    if (m_stats.ejected)
        b << (m_instance == m::kNoIndex
                  ? QString("%1 instance(s) ejected by outlier detection").arg(m_stats.ejected)
                  : QString("ejected by %1 caller(s)").arg(m_stats.ejected));
    if (m_stats.killed)
        b << QString("%1 instance(s) down").arg(m_stats.killed);
    if (m_stats.rateLimited)
        b << "rate limiting";
    if (m_stats.faultActive)
        b << "fault active";
    return b;
}

QRectF NodeItem::boundingRect() const
{
    const double r = m_radius + 12;
    return QRectF(-r - 40, -r - 14, 2 * r + 80, 2 * r + 44);
}

QPainterPath NodeItem::shape() const
{
    QPainterPath path;
    path.addEllipse(QPointF(0, 0), m_radius + 8, m_radius + 8);
    return path;
}

void NodeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const Theme fallback = Theme::make(Theme::Kind::Light);
    const Theme& t = m_theme ? *m_theme : fallback;
    const double r = m_radius;
    const double line = t.lineScale;
    p->setRenderHint(QPainter::Antialiasing);
    const bool selected = option && (option->state & QStyle::State_Selected);
    p->setPen(QPen(selected ? t.healthy : t.nodeOutline, (selected ? 3.0 : 1.5) * line));
    p->setBrush(t.nodeFill);
    switch (m_kind) {
    case m::ComponentKind::Client:
        p->drawRoundedRect(QRectF(-r, -r * 0.7, 2 * r, 1.4 * r), 10, 10);
        break;
    case m::ComponentKind::Gateway:
    case m::ComponentKind::Ingress:
        p->drawPolygon(hexagon({0, 0}, r));
        break;
    case m::ComponentKind::Service:
        p->drawEllipse(QPointF(0, 0), r, r);
        break;
    }

    // The outcome ring: the share of each outcome of what ended in the range.
    const Aggregate& a = m_stats.load;
    const QRectF ring(-r - 5, -r - 5, 2 * r + 10, 2 * r + 10);
    if (a.total > 0) {
        double angle = 90.0;
        for (std::size_t c = 0; c < kOutcomeClassCount; ++c) {
            if (!a.classes[c])
                continue;
            const double span = 360.0 * double(a.classes[c]) / double(a.total);
            p->setPen(QPen(Theme::outcomeColour(static_cast<OutcomeClass>(c)),
                           5 * line,
                           Qt::SolidLine,
                           Qt::FlatCap));
            p->drawArc(
                ring, static_cast<int>(angle * 16), static_cast<int>(-std::max(span, 2.0) * 16));
            angle -= span;
        }
    }
    // The utilisation arc, inside.
    if (m_stats.utilisation > 0.0) {
        const QRectF inner(-r + 5, -r + 5, 2 * r - 10, 2 * r - 10);
        p->setPen(QPen(t.utilisation, 3 * line, Qt::SolidLine, Qt::FlatCap));
        p->drawArc(
            inner, 90 * 16, static_cast<int>(-std::min(m_stats.utilisation, 1.0) * 360 * 16));
    }
    // Sidecar: a small box attached to the instance.
    if (m_sidecar) {
        p->setPen(QPen(t.nodeOutline, 1.2 * line));
        p->setBrush(t.zoneFill);
        p->drawRect(QRectF(r * 0.55, r * 0.45, r * 0.5, r * 0.5));
    }
    // Queued requests: a stack of dots on the right.
    const int queued = static_cast<int>(std::lround(a.queueMean));
    if (queued > 0) {
        p->setPen(Qt::NoPen);
        p->setBrush(t.mutedText);
        for (int i = 0; i < std::min(queued, 8); ++i)
            p->drawEllipse(QPointF(r + 12, r * 0.6 - i * 7.0), 2.5, 2.5);
        if (queued > 8) {
            p->setPen(t.mutedText);
            p->setFont(scaledFont(m_theme, 7));
            p->drawText(QPointF(r + 8, r * 0.6 - 8 * 7.0 - 2), "+" + QString::number(queued - 8));
        }
    }

    p->setPen(t.text);
    p->setFont(scaledFont(m_theme, m_instance == m::kNoIndex ? 8 : 6.5, true));
    p->drawText(QRectF(-r, -14, 2 * r, 14), Qt::AlignCenter, rateText());
    p->setFont(scaledFont(m_theme, m_instance == m::kNoIndex ? 7.5 : 6));
    p->drawText(QRectF(-r, 0, 2 * r, 14), Qt::AlignCenter, latencyText());
    p->setFont(scaledFont(m_theme, 9, true));
    QString title = m_name;
    if (m_instance == m::kNoIndex && m_members.empty() && m_replicas > 1)
        title += QString(" ×%1").arg(m_replicas);
    p->drawText(QRectF(-r - 40, r + 6, 2 * r + 80, 18), Qt::AlignHCenter | Qt::AlignTop, title);

    // Badges, top right: B breaker open / half-open, E ejected, ✕ down, RL, F fault.
    QStringList marks;
    if (m_stats.breakersOpen)
        marks << "B";
    else if (m_stats.breakersHalfOpen)
        marks << "b";
    if (m_stats.ejected)
        marks << QString("E%1").arg(m_stats.ejected);
    if (m_stats.killed)
        marks << QString("✕%1").arg(m_stats.killed);
    if (m_stats.rateLimited)
        marks << "RL";
    if (m_stats.faultActive)
        marks << "F";
    double x = r * 0.3;
    p->setFont(scaledFont(m_theme, 7, true));
    for (const QString& mark : marks) {
        const double w = 8 + 6 * mark.size();
        const QRectF box(x, -r - 12, w, 14);
        p->setPen(Qt::NoPen);
        p->setBrush(mark == "RL" ? Theme::outcomeColour(OutcomeClass::RateLimited) : t.failing);
        p->drawRoundedRect(box, 4, 4);
        p->setPen(Qt::white);
        if (mark == "RL")
            p->setPen(Qt::black);
        p->drawText(box, Qt::AlignCenter, mark);
        x += w + 2;
    }
}

// --- EdgeItem ----------------------------------------------------------------------------------

EdgeItem::EdgeItem(std::uint32_t from, std::uint32_t to, std::optional<std::uint32_t> recorded)
    : m_from(from)
    , m_to(to)
{
    if (recorded)
        m_recorded.push_back(*recorded);
    setZValue(1);
    setFlag(ItemIsSelectable);
}

void EdgeItem::setEnds(QPointF a, QPointF b, double trimA, double trimB)
{
    prepareGeometryChange();
    const QPointF d = b - a;
    const double length = std::hypot(d.x(), d.y());
    if (length > trimA + trimB + 1) {
        m_a = a + d * (trimA / length);
        m_b = b - d * (trimB / length);
    } else {
        m_a = a;
        m_b = b;
    }
}

double EdgeItem::width() const
{
    const double perSecond = m_stats.rate();
    const double scale = m_theme ? m_theme->lineScale : 1.0;
    return (1.0 + 2.0 * std::log10(1.0 + perSecond)) * scale;
}

QColor EdgeItem::healthColour() const
{
    const Theme fallback = Theme::make(Theme::Kind::Light);
    const Theme& t = m_theme ? *m_theme : fallback;
    const HealthThresholds h = m_thresholds ? *m_thresholds : HealthThresholds{};
    if (m_stats.total == 0)
        return t.edgeIdle;
    const double e = m_stats.errorShare();
    if (e > h.failing)
        return t.failing;
    if (e >= h.degraded)
        return t.degraded;
    return t.healthy;
}

QString EdgeItem::labelText() const
{
    const Aggregate& a = m_stats;
    if (a.total == 0 && a.attempts == 0)
        return {};
    switch (m_mode) {
    case EdgeLabel::Rate:
        if (a.attempts > a.total)
            return QString("%1 rps (%2 tries/s)")
                .arg(formatRate(a.rate()), formatRate(a.attemptRate()));
        return formatRate(a.rate()) + " rps";
    case EdgeLabel::ErrorShare:
        return QString::number(a.errorShare() * 100, 'f', 2) + "% err";
    case EdgeLabel::P50:
        return a.p50 ? "p50 " + formatMs(double(*a.p50) / 1e6)
                     : "mean " + formatMs(a.meanLatencyMs());
    case EdgeLabel::P95:
        return a.p95 ? "p95 " + formatMs(double(*a.p95) / 1e6)
                     : "mean " + formatMs(a.meanLatencyMs());
    case EdgeLabel::P99:
        return a.p99 ? "p99 " + formatMs(double(*a.p99) / 1e6)
                     : "mean " + formatMs(a.meanLatencyMs());
    case EdgeLabel::RetryRate:
        return formatRate(a.seconds > 0
                              ? double(a.attempts - std::min(a.attempts, a.total)) / a.seconds
                              : 0.0)
               + " retries/s";
    }
    return {};
}

QRectF EdgeItem::boundingRect() const
{
    return QRectF(m_a, m_b).normalized().adjusted(-60, -20, 60, 20);
}

QPainterPath EdgeItem::shape() const
{
    QPainterPath path(m_a);
    path.lineTo(m_b);
    QPainterPathStroker stroker;
    stroker.setWidth(10);
    return stroker.createStroke(path);
}

void EdgeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const Theme fallback = Theme::make(Theme::Kind::Light);
    const Theme& t = m_theme ? *m_theme : fallback;
    p->setRenderHint(QPainter::Antialiasing);
    const QColor colour = healthColour();
    const double w = width();
    // Attempted rate (tries) as a pale band under the successful one: retry amplification shows
    // as a band wider than its line.
    if (m_stats.attempts > m_stats.classes[0] && m_stats.seconds > 0) {
        const double tries = (1.0 + 2.0 * std::log10(1.0 + m_stats.attemptRate())) * t.lineScale;
        QColor pale = colour;
        pale.setAlpha(70);
        p->setPen(QPen(pale, tries + 4, Qt::SolidLine, Qt::FlatCap));
        p->drawLine(m_a, m_b);
    }
    const bool selected = option && (option->state & QStyle::State_Selected);
    p->setPen(QPen(
        selected ? t.text : colour, w, m_stats.total ? Qt::SolidLine : Qt::DashLine, Qt::FlatCap));
    p->drawLine(m_a, m_b);
    // Arrow head at the callee.
    const QPointF d = m_b - m_a;
    const double length = std::hypot(d.x(), d.y());
    if (length > 1) {
        const QPointF u = d / length;
        const QPointF n(-u.y(), u.x());
        const double s = 7 + w;
        p->setPen(Qt::NoPen);
        p->setBrush(selected ? t.text : colour);
        p->drawPolygon(QPolygonF{m_b, m_b - u * s + n * s * 0.5, m_b - u * s - n * s * 0.5});
    }
    const QString label = labelText();
    if (!label.isEmpty()) {
        p->setFont(scaledFont(m_theme, 7.5));
        p->setPen(t.mutedText);
        const QPointF mid = (m_a + m_b) / 2;
        p->drawText(QRectF(mid.x() - 60, mid.y() - 16, 120, 14), Qt::AlignCenter, label);
    }
}

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
