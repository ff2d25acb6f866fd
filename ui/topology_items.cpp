#include "ui/topology_items.h"

#include <QFont>
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
    case m::ComponentKind::Waypoint:
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

} // namespace meshsim::ui
