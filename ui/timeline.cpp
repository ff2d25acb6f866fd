#include "ui/timeline.h"

#include "ui/series_stats.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace meshsim::ui {

namespace m = meshsim::models;

Timeline::Timeline(QWidget* parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::ClickFocus);
    setMouseTracking(false);
    setToolTip(tr("Click or drag to move in time; Shift+drag to select a range (Esc clears it)"));
}

void Timeline::setRun(std::int64_t durationNs,
                      std::vector<m::FaultConfig> faults,
                      topologies::SystemView view)
{
    m_duration = std::max<std::int64_t>(1, durationNs);
    m_faults = std::move(faults);
    m_view = std::move(view);
    m_recording = nullptr;
    m_range.reset();
    m_time = 0;
    m_limit = 0;
    update();
}

void Timeline::setRecording(const m::Recording* recording)
{
    m_recording = recording;
    // The sparklines change only when the recording grows: computed here, not at every frame.
    m_sent.clear();
    m_errors.clear();
    m_top = 1.0;
    if (recording)
        for (std::uint32_t w = 0; w < recording->windows; ++w) {
            const Aggregate a = clientAggregate(*recording, {w, w + 1});
            m_sent.push_back(a.arrivalRate());
            m_errors.push_back(a.seconds > 0 ? double(a.errors()) / a.seconds : 0.0);
            m_top = std::max(m_top, m_sent.back());
        }
    update();
}

void Timeline::setTime(std::int64_t timeNs)
{
    if (timeNs == m_time)
        return;
    m_time = timeNs;
    update();
}

void Timeline::setLimit(std::int64_t limitNs)
{
    m_limit = limitNs;
    update();
}

void Timeline::setTheme(const Theme& theme)
{
    m_theme = theme;
    update();
}

void Timeline::clearRange()
{
    if (!m_range)
        return;
    m_range.reset();
    update();
    emit rangeCleared();
}

void Timeline::selectRange(std::int64_t fromNs, std::int64_t toNs)
{
    const auto [from, to] = std::minmax(fromNs, toNs);
    if (to <= from)
        return clearRange();
    m_range = std::make_pair(from, to);
    update();
    emit rangeSelected(from, to);
}

QRect Timeline::plotRect() const
{
    return rect().adjusted(8, 4, -8, -18);
}

int Timeline::xOf(std::int64_t timeNs) const
{
    const QRect r = plotRect();
    const double u = std::clamp(double(timeNs) / double(m_duration), -0.01, 1.01);
    return r.left() + static_cast<int>(double(r.width()) * u);
}

std::int64_t Timeline::timeAt(int x) const
{
    const QRect r = plotRect();
    const double u = std::clamp(double(x - r.left()) / std::max(1, r.width()), 0.0, 1.0);
    return static_cast<std::int64_t>(u * double(m_duration));
}

QString Timeline::describeAt(int x) const
{
    constexpr int kNear = 3; // pixels
    auto name = [this](std::uint32_t component, std::uint32_t instance) {
        QString text = component < m_view.components.size()
                           ? QString::fromStdString(m_view.components[component].name)
                           : QStringLiteral("clients");
        if (instance != m::kNoIndex)
            text += "/" + QString::number(instance);
        return text;
    };
    QStringList lines;
    for (const m::FaultConfig& f : m_faults)
        for (const auto t : {std::optional(f.at.count()),
                             f.until ? std::optional(f.until->count()) : std::nullopt})
            if (t && std::abs(xOf(*t) - x) <= kNear) {
                const char* kinds[]
                    = {"kill", "node down", "slow", "errors", "partition", "degrade", "policy"};
                lines << tr("%1 s: a %2 fault %3")
                             .arg(double(*t) / 1e9, 0, 'f', 3)
                             .arg(kinds[static_cast<int>(f.kind)])
                             .arg(*t == f.at.count() ? tr("starts") : tr("ends"));
            }
    if (m_recording)
        for (const m::StateChange& s : m_recording->states) {
            const std::int64_t t = engine::toNanos(s.at);
            if (std::abs(xOf(t) - x) > kNear)
                continue;
            QString what = QString("%1 s: %2 %3")
                               .arg(double(t) / 1e9, 0, 'f', 3)
                               .arg(name(s.component, s.instance), m::stateKindName(s.kind));
            if (s.kind == m::StateChange::Kind::Breaker)
                what += QString(" → %1 towards %2")
                            .arg(m::breakerStateName(s.breaker), name(s.target, m::kNoIndex));
            if (s.kind == m::StateChange::Kind::Ejection || s.kind == m::StateChange::Kind::Return)
                what += QString(" %1 (%2)")
                            .arg(name(s.target, s.host), m::ejectionReasonName(s.reason));
            lines << what;
            if (lines.size() >= 12) {
                lines << tr("…");
                break;
            }
        }
    return lines.join("\n");
}

bool Timeline::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const QString text = describeAt(help->pos().x());
        QToolTip::showText(help->globalPos(), text.isEmpty() ? toolTip() : text, this);
        return true;
    }
    return QWidget::event(event);
}

void Timeline::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), m_theme.background);
    const QRect r = plotRect();
    p.setPen(QPen(m_theme.edgeIdle, 1));
    p.drawRect(r);

    // Faults of the scenario: bands.
    for (const m::FaultConfig& f : m_faults) {
        const int x0 = xOf(f.at.count());
        const int x1 = f.until ? xOf(f.until->count()) : x0 + 3;
        QColor band = m_theme.failing;
        band.setAlpha(40);
        p.fillRect(QRect(x0, r.top(), std::max(3, x1 - x0), r.height()), band);
    }

    // Sparklines: requests sent per window, and errors, on one scale.
    if (m_recording && m_recording->windows > 0) {
        const m::Recording& rec = *m_recording;
        const double top = m_top;
        auto line = [&](const std::vector<double>& v, const QColor& colour, bool fill) {
            QPainterPath path;
            const double windowNs = double(rec.layout.windowNs);
            path.moveTo(xOf(0), r.bottom());
            for (std::size_t w = 0; w < v.size(); ++w) {
                const double y = r.bottom() - (r.height() - 4) * v[w] / top;
                path.lineTo(xOf(static_cast<std::int64_t>(double(w) * windowNs)), y);
                path.lineTo(xOf(static_cast<std::int64_t>(double(w + 1) * windowNs)), y);
            }
            path.lineTo(xOf(static_cast<std::int64_t>(double(v.size()) * windowNs)), r.bottom());
            QColor c = colour;
            if (fill) {
                c.setAlpha(60);
                p.fillPath(path, c);
            }
            p.setPen(QPen(colour, 1.2));
            p.setBrush(Qt::NoBrush);
            p.drawPath(path);
        };
        line(m_sent, m_theme.healthy, true);
        line(m_errors, m_theme.failing, true);

        // State changes: ticks at the top, a colour per kind.
        for (const m::StateChange& s : rec.states) {
            QColor c = m_theme.mutedText;
            switch (s.kind) {
            case m::StateChange::Kind::Breaker:
                c = Theme::outcomeColour(OutcomeClass::Refused);
                break;
            case m::StateChange::Kind::Ejection:
            case m::StateChange::Kind::Return:
                c = m_theme.degraded;
                break;
            case m::StateChange::Kind::Killed:
            case m::StateChange::Kind::NodeDown:
            case m::StateChange::Kind::Restored:
                c = m_theme.failing;
                break;
            default:
                break;
            }
            const int x = xOf(engine::toNanos(s.at));
            p.setPen(QPen(c, 2));
            p.drawLine(x, r.top() + 1, x, r.top() + 9);
        }
    }

    // Not recorded yet.
    if (m_limit < m_duration) {
        QColor grey = m_theme.mutedText;
        grey.setAlpha(50);
        p.fillRect(QRect(QPoint(xOf(m_limit), r.top()), r.bottomRight()),
                   QBrush(grey, Qt::BDiagPattern));
    }
    if (m_range) {
        QColor sel = m_theme.healthy;
        sel.setAlpha(45);
        p.fillRect(
            QRect(QPoint(xOf(m_range->first), r.top()), QPoint(xOf(m_range->second), r.bottom())),
            sel);
    }
    // Axis: seconds.
    p.setPen(m_theme.mutedText);
    QFont font = p.font();
    font.setPointSizeF(7.5 * m_theme.fontScale);
    p.setFont(font);
    const double seconds = double(m_duration) / 1e9;
    double step = 1;
    for (const double s :
         {1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0})
        if (seconds / s <= 12) {
            step = s;
            break;
        }
    for (double s = 0; s <= seconds + 1e-9; s += step) {
        const int x = xOf(static_cast<std::int64_t>(s * 1e9));
        p.drawLine(x, r.bottom(), x, r.bottom() + 3);
        p.drawText(QRect(x - 30, r.bottom() + 3, 60, 14),
                   Qt::AlignHCenter | Qt::AlignTop,
                   QString::number(s, 'g', 6) + " s");
    }
    // The cursor.
    const int x = xOf(m_time);
    p.setPen(QPen(m_theme.text, 2));
    p.drawLine(x, r.top() - 2, x, r.bottom() + 2);
}

void Timeline::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    const std::int64_t t = timeAt(event->position().toPoint().x());
    m_selecting = event->modifiers().testFlag(Qt::ShiftModifier);
    m_dragFrom = t;
    if (!m_selecting) {
        clearRange();
        emit timeRequested(t);
    }
}

void Timeline::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_dragFrom)
        return;
    const std::int64_t t = timeAt(event->position().toPoint().x());
    if (m_selecting) {
        m_range = std::minmax(*m_dragFrom, t);
        update();
    } else {
        emit timeRequested(t);
    }
}

void Timeline::mouseReleaseEvent(QMouseEvent* event)
{
    if (!m_dragFrom)
        return;
    const std::int64_t t = timeAt(event->position().toPoint().x());
    if (m_selecting) {
        const auto [from, to] = std::minmax(*m_dragFrom, t);
        if (to > from) {
            m_range = std::make_pair(from, to);
            update();
            emit rangeSelected(from, to);
        }
    }
    m_dragFrom.reset();
    m_selecting = false;
}

void Timeline::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape)
        clearRange();
    else
        QWidget::keyPressEvent(event);
}

} // namespace meshsim::ui
