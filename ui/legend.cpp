#include "ui/legend.h"

#include "ui/particle_layer.h"

#include <QPainter>

namespace meshsim::ui {

namespace {
constexpr int kRow = 18;
}

Legend::Legend(QWidget* parent)
    : QWidget(parent)
{
    setObjectName("legend");
}

void Legend::setTheme(const Theme& theme, const HealthThresholds& thresholds)
{
    m_theme = theme;
    m_thresholds = thresholds;
    updateGeometry();
    update();
}

QSize Legend::sizeHint() const
{
    return {260, static_cast<int>(kRow * 20 * std::max(1.0, m_theme.fontScale * 0.8))};
}

void Legend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.background);
    QFont font = p.font();
    font.setPointSizeF(8.5 * m_theme.fontScale);
    p.setFont(font);
    const int row = static_cast<int>(kRow * std::max(1.0, m_theme.fontScale * 0.8));
    int y = row;
    auto heading = [&](const QString& text) {
        QFont bold = font;
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(m_theme.text);
        p.drawText(QPoint(6, y), text);
        p.setFont(font);
        y += row;
    };
    auto entry = [&](auto draw, const QString& text) {
        draw(QPointF(18, y - row / 3.0));
        p.setPen(m_theme.text);
        p.drawText(QPoint(36, y), text);
        y += row;
    };
    heading(tr("Particles: one per sampled request"));
    for (std::size_t c = 0; c < kOutcomeClassCount; ++c) {
        const ParticleStyle style{static_cast<OutcomeClass>(c), false, false};
        entry([&](QPointF at) { drawParticleShape(p, at, m_theme.particleSize + 2, style); },
              outcomeClassName(static_cast<OutcomeClass>(c)));
    }
    entry(
        [&](QPointF at) {
            drawParticleShape(p, at, m_theme.particleSize + 2, {OutcomeClass::Ok, true, false});
        },
        tr("hollow: a response on its way back"));
    entry(
        [&](QPointF at) {
            drawParticleShape(p, at, m_theme.particleSize + 2, {OutcomeClass::Ok, false, true});
        },
        tr("ringed: a retry or a hedged try"));
    heading(tr("Edges: width by rate, colour by errors"));
    const auto edge = [&](const QColor& c, Qt::PenStyle style) {
        return [&p, c, style](QPointF at) {
            p.setPen(QPen(c, 3, style));
            p.drawLine(at - QPointF(10, 0), at + QPointF(10, 0));
        };
    };
    entry(edge(m_theme.healthy, Qt::SolidLine),
          tr("errors below %1%").arg(m_thresholds.degraded * 100, 0, 'g', 3));
    entry(edge(m_theme.degraded, Qt::SolidLine),
          tr("from %1% (degraded)").arg(m_thresholds.degraded * 100, 0, 'g', 3));
    entry(edge(m_theme.failing, Qt::SolidLine),
          tr("above %1% (failing)").arg(m_thresholds.failing * 100, 0, 'g', 3));
    entry(edge(m_theme.edgeIdle, Qt::DashLine), tr("idle"));
    heading(tr("Nodes"));
    p.setPen(m_theme.text);
    for (const QString& line : {tr("ring: outcomes; inner arc: busy workers"),
                                tr("dots: queued requests; small box: sidecar"),
                                tr("B / b: a caller's breaker open / half-open"),
                                tr("E n: instances ejected; ✕ n: instances down"),
                                tr("RL: rate limiting; F: a fault is on")}) {
        p.drawText(QPoint(6, y), line);
        y += row;
    }
}

} // namespace meshsim::ui
