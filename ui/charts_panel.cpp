#include "ui/charts_panel.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QCoreApplication>
#include <QFileDialog>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHorizontalBarSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QScrollArea>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per-window values to chart points: about two per pixel, the largest of each pixel's windows.
QList<QPointF> thinned(const std::vector<double>& values,
                       WindowRange range,
                       std::int64_t windowNs,
                       int pixels,
                       bool steps = false)
{
    QList<QPointF> points;
    const std::uint32_t n = range.count();
    if (n == 0)
        return points;
    const std::uint32_t k
        = std::max<std::uint32_t>(1, (n + 2 * pixels - 1) / std::max(1, 2 * pixels));
    const double window = double(windowNs) / 1e9;
    for (std::uint32_t b = range.first; b < range.last; b += k) {
        double y = kNaN;
        for (std::uint32_t w = b; w < std::min(range.last, b + k); ++w)
            if (!std::isnan(values[w]))
                y = std::isnan(y) ? values[w] : std::max(y, values[w]);
        if (std::isnan(y))
            continue;
        if (steps) {
            points.append({double(b) * window, y});
            points.append({double(std::min(range.last, b + k)) * window, y});
        } else {
            points.append({(double(b) + double(std::min(k, range.last - b)) / 2) * window, y});
        }
    }
    return points;
}

// What one chart shows; applied to its QChart by apply(), which only replaces the points when the
// series are the same as before (a run that grows), and rebuilds the chart otherwise.
struct PlotLine
{
    QString name;
    QPen pen;
    QList<QPointF> upper;
    QList<QPointF> lower; // areas only
    bool area = false;
};

struct Plot
{
    std::vector<PlotLine> lines;
    double x0 = 0.0, x1 = 1.0, yTop = 1.0;
    QString yTitle;
};

void addLine(Plot& plot,
             const QString& name,
             const QColor& colour,
             const QList<QPointF>& points,
             Qt::PenStyle style = Qt::SolidLine,
             double width = 1.6)
{
    plot.lines.push_back({name, QPen(colour, width, style), points, {}, false});
}

void setAxes(Plot& plot, double x0, double x1, double yTop, const QString& yTitle)
{
    plot.x0 = x0;
    plot.x1 = x1;
    plot.yTop = yTop;
    plot.yTitle = yTitle;
}

double tickInterval(double span)
{
    if (!(span > 0) || span > 8 * 7200.0)
        return std::max(1.0, std::ceil(span / 8));
    for (const double s :
         {1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0})
        if (span / s <= 8)
            return s;
    return 7200.0;
}

void retitle(QChart* chart, const QString& title)
{
    if (chart->title() != title) // a new title lays the chart out again
        chart->setTitle(title);
}

void apply(QChart* chart, const Plot& plot)
{
    const QList<QAbstractSeries*> existing = chart->series();
    bool same = existing.size() == static_cast<qsizetype>(plot.lines.size());
    for (std::size_t i = 0; same && i < plot.lines.size(); ++i)
        same = existing[static_cast<qsizetype>(i)]->name() == plot.lines[i].name
               && (existing[static_cast<qsizetype>(i)]->type() == QAbstractSeries::SeriesTypeArea)
                      == plot.lines[i].area;
    auto* x = qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).value(0));
    auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0));
    if (!same || !x || !y) {
        chart->removeAllSeries();
        for (QAbstractAxis* a : chart->axes()) {
            chart->removeAxis(a);
            delete a;
        }
        for (const PlotLine& l : plot.lines) {
            QAbstractSeries* series = nullptr;
            if (l.area) {
                auto* upper = new QLineSeries;
                upper->replace(l.upper);
                QLineSeries* lower = nullptr;
                if (!l.lower.isEmpty()) {
                    lower = new QLineSeries;
                    lower->replace(l.lower);
                }
                auto* area = new QAreaSeries(upper, lower);
                area->setBrush(l.pen.color());
                area->setPen(QPen(l.pen.color().darker(130), 1));
                series = area;
            } else {
                auto* line = new QLineSeries;
                line->setPen(l.pen);
                line->replace(l.upper);
                series = line;
            }
            series->setName(l.name);
            chart->addSeries(series);
        }
        x = new QValueAxis;
        x->setTitleText(QObject::tr("simulated time (s)"));
        x->setLabelFormat("%g");
        x->setTickType(QValueAxis::TicksDynamic);
        x->setTickAnchor(0.0);
        y = new QValueAxis;
        y->setLabelFormat("%.4g");
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        for (QAbstractSeries* s : chart->series()) {
            s->attachAxis(x);
            s->attachAxis(y);
        }
    } else {
        for (std::size_t i = 0; i < plot.lines.size(); ++i) {
            QAbstractSeries* s = existing[static_cast<qsizetype>(i)];
            if (auto* area = qobject_cast<QAreaSeries*>(s)) {
                area->upperSeries()->replace(plot.lines[i].upper);
                if (area->lowerSeries())
                    area->lowerSeries()->replace(plot.lines[i].lower);
            } else if (auto* line = qobject_cast<QLineSeries*>(s)) {
                line->replace(plot.lines[i].upper);
            }
        }
    }
    const double yMax = y->max();
    x->setRange(plot.x0, plot.x1);
    x->setTickInterval(tickInterval(plot.x1 - plot.x0));
    y->setRange(0, plot.yTop > 0 ? plot.yTop * 1.1 : 1.0);
    y->applyNiceNumbers();
    y->setTitleText(plot.yTitle);
    if (y->max() != yMax) // wider labels need room: Qt Charts does not lay out again by itself
        chart->layout()->invalidate();
}

double maxOf(const QList<QPointF>& points, double floor = 0.0)
{
    for (const QPointF& p : points)
        floor = std::max(floor, p.y());
    return floor;
}

} // namespace

ChartsPanel::ChartsPanel(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_latency(new QChart)
    , m_throughput(new QChart)
    , m_errors(new QChart)
    , m_load(new QChart)
    , m_states(new QChart)
    , m_services(new QChart)
    , m_spectrum(new QChart)
    , m_histogram(new QChart)
{
    // The charts scroll when the dock is smaller than they need.
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget;
    scroll->setWidget(inner);
    outer->addWidget(scroll);
    auto* grid = new QGridLayout(inner);
    grid->setContentsMargins(2, 2, 2, 2);
    m_summary->setObjectName("chartsSummary");
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(m_summary, 0, 0, 1, 2);
    m_grid = grid;
    m_latency->setTitle(tr("Latency"));
    m_throughput->setTitle(tr("Throughput"));
    m_errors->setTitle(tr("Errors by cause"));
    m_load->setTitle(tr("Load"));
    addChart(m_latency, 1, 0);
    addChart(m_throughput, 1, 1);
    addChart(m_errors, 2, 0);
    addChart(m_load, 2, 1);
    addChart(m_states, 3, 0);
    addChart(m_services, 3, 1);
    addChart(m_spectrum, 4, 0);
    addChart(m_histogram, 4, 1);
    m_spectrum->setTitle(tr("Latency percentiles"));
    m_histogram->setTitle(tr("Latency histogram"));
    m_states->setTitle(tr("Breakers and ejections"));
    m_services->setTitle(tr("Services"));
    for (QChart* chart : {m_latency, m_throughput, m_errors, m_load, m_states})
        connect(chart, &QChart::plotAreaChanged, this, [this] {
            std::fill(m_cursorPixels.begin(), m_cursorPixels.end(), -1);
            moveCursor();
        });
}

QChartView* ChartsPanel::addChart(QChart* chart, int row, int column)
{
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    auto* view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(260, 220);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(
        view, &QWidget::customContextMenuRequested, this, [this, chart, view](const QPoint& at) {
            QMenu menu;
            QAction* png = menu.addAction(tr("Export as PNG…"));
            QAction* svg = menu.addAction(tr("Export as SVG…"));
            // On a chart over simulated time: a sampled request answered where it was clicked.
            QAction* slowest = nullptr;
            QAction* failed = nullptr;
            const double seconds = chart->mapToValue(chart->mapFromScene(view->mapToScene(at))).x();
            if (chart == m_latency || chart == m_throughput || chart == m_errors || chart == m_load
                || chart == m_states) {
                menu.addSeparator();
                slowest = menu.addAction(tr("Inspect the slowest request answered here"));
                failed = menu.addAction(tr("Inspect a failed request answered here"));
            }
            QAction* chosen = menu.exec(view->mapToGlobal(at));
            if (!chosen)
                return;
            if (chosen == slowest || chosen == failed) {
                emit requestWanted(static_cast<std::int64_t>(std::max(0.0, seconds) * 1e9),
                                   chosen == failed);
                return;
            }
            const bool asPng = chosen == png;
            (void)svg;
            const QString path = QFileDialog::getSaveFileName(
                this,
                tr("Export chart"),
                chart->title() + (asPng ? ".png" : ".svg"),
                asPng ? tr("PNG image (*.png)") : tr("SVG drawing (*.svg)"));
            if (path.isEmpty())
                return;
            asPng ? exportPng(chart, path) : exportSvg(chart, path);
        });
    m_grid->addWidget(view, row, column);
    m_views.push_back(view);
    return view;
}

void ChartsPanel::setRun(const topologies::SystemView& view, const m::SloConfig& slo)
{
    m_view = view;
    m_slo = slo;
    m_recording = nullptr;
    m_subject = {};
    m_range.reset();
    rebuild();
}

void ChartsPanel::setRecording(const m::Recording* recording)
{
    m_recording = recording;
    rebuild();
}

void ChartsPanel::setSubject(const Subject& subject)
{
    m_subject = subject;
    rebuild();
}

void ChartsPanel::setRange(std::optional<WindowRange> range)
{
    m_range = range;
    rebuild();
}

void ChartsPanel::setTheme(const Theme& theme)
{
    m_theme = theme;
    const QChart::ChartTheme chartTheme
        = theme.kind == Theme::Kind::Dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    for (QChart* c : {m_latency,
                      m_throughput,
                      m_errors,
                      m_load,
                      m_states,
                      m_services,
                      m_spectrum,
                      m_histogram}) {
        c->setTheme(chartTheme);
        QFont f = c->titleFont();
        f.setPointSizeF(9 * theme.fontScale);
        c->setTitleFont(f);
    }
    rebuild();
}

WindowRange ChartsPanel::shownWindows() const
{
    if (!m_recording)
        return {};
    return m_range ? *m_range : wholeRun(*m_recording);
}

void ChartsPanel::setTime(std::int64_t timeNs)
{
    m_time = timeNs;
    moveCursor();
}

void ChartsPanel::moveCursor()
{
    const double x = double(m_time) / 1e9;
    const QChart* charts[] = {m_latency, m_throughput, m_errors, m_load, m_states};
    m_cursors.resize(5, nullptr);
    m_cursorPixels.resize(5, -1);
    for (std::size_t i = 0; i < 5; ++i) {
        QChart* chart = const_cast<QChart*>(charts[i]);
        if (chart->series().isEmpty() || !chart->scene()) {
            if (m_cursors[i])
                m_cursors[i]->hide();
            continue;
        }
        const QRectF area = chart->plotArea();
        const QPointF at = chart->mapToPosition({x, 0.0}, chart->series().front());
        const int pixel = static_cast<int>(std::lround(at.x()));
        if (!m_cursors[i]) {
            m_cursors[i] = new QGraphicsLineItem(chart);
            m_cursors[i]->setZValue(1000);
        }
        if (m_cursors[i]->pen().color() != m_theme.text)
            m_cursors[i]->setPen(QPen(m_theme.text, 1.0));
        m_cursors[i]->setVisible(at.x() >= area.left() - 0.5 && at.x() <= area.right() + 0.5);
        if (pixel == m_cursorPixels[i])
            continue;
        m_cursorPixels[i] = pixel;
        m_cursors[i]->setLine(QLineF(at.x(), area.top(), at.x(), area.bottom()));
    }
}

QString ChartsPanel::summary() const
{
    return m_summary->text();
}

void ChartsPanel::rebuild()
{
    if (!m_recording || m_recording->windows == 0) {
        for (QChart* c : {m_latency, m_throughput, m_errors, m_load, m_states})
            apply(c, Plot{});
        m_services->removeAllSeries();
        distribution({});
        m_summary->setText(tr("No recorded window yet."));
        return;
    }
    Plot latency, throughput, errors, load;
    const m::Recording& r = *m_recording;
    const WindowRange range = shownWindows();
    const std::int64_t windowNs = r.layout.windowNs;
    const double x0 = double(range.first) * double(windowNs) / 1e9;
    const double x1 = double(range.last) * double(windowNs) / 1e9;
    const int pixels = std::max(100, m_views.empty() ? 400 : m_views.front()->width());
    const std::size_t n = r.windows;
    auto perWindow = [&](auto f) {
        std::vector<double> v(n, kNaN);
        for (std::uint32_t w = range.first; w < range.last; ++w)
            v[w] = f(w);
        return v;
    };
    // A chart line of per-window values, thinned to the pixels (steps: one flat step per window).
    const auto series = [&](auto f) { return thinned(perWindow(f), range, windowNs, pixels); };
    const auto steps = [&](auto f) { return thinned(perWindow(f), range, windowNs, pixels, true); };
    auto aggregateAt = [&](std::uint32_t w) {
        const WindowRange one{w, w + 1};
        switch (m_subject.kind) {
        case Subject::Kind::Tier:
            return tierAggregate(r, m_subject.index, one);
        case Subject::Kind::Edge:
            return edgeAggregate(r, m_subject.index, one);
        case Subject::Kind::System:
            break;
        }
        return clientAggregate(r, one);
    };
    const QColor p50(0x00, 0x9E, 0x73), p95(0xE6, 0x9F, 0x00), p99(0xD5, 0x5E, 0x00);

    // Latency.
    double latencyTop = 0.0;
    auto ms = [](std::optional<std::int64_t> v) { return v ? double(*v) / 1e6 : kNaN; };
    // p50, p90 and p99 of each window, from its latency buckets (all routes together for the
    // clients); a recording without buckets has the windows' own p50, p95 and p99.
    retitle(m_latency,
            tr("Latency of %1 (ms)")
                .arg(m_subject.kind == Subject::Kind::System ? tr("the clients' requests")
                                                             : m_subject.name));
    std::vector<Aggregate> windows(n);
    bool buckets = true;
    for (std::uint32_t w = range.first; w < range.last; ++w) {
        windows[w] = aggregateAt(w);
        buckets = buckets && (windows[w].timed == 0 || !windows[w].bucketsMissing);
    }
    const auto quantileLine = [&](double q) {
        return series([&](std::uint32_t w) {
            const Aggregate& a = windows[w];
            if (a.timed == 0 || a.latencyBuckets.empty())
                return kNaN;
            return double(m::latencyQuantile(a.latencyBuckets, a.timed, q)) / 1e6;
        });
    };
    const auto ownLine = [&](std::optional<std::int64_t> Aggregate::*p) {
        return series([&](std::uint32_t w) { return ms(windows[w].*p); });
    };
    const auto s50 = buckets ? quantileLine(0.50) : ownLine(&Aggregate::p50);
    const auto s90 = buckets ? quantileLine(0.90) : ownLine(&Aggregate::p95);
    const auto s99 = buckets ? quantileLine(0.99) : ownLine(&Aggregate::p99);
    latencyTop = maxOf(s99, maxOf(s90, maxOf(s50)));
    addLine(latency, "p50", p50, s50);
    addLine(latency, buckets ? "p90" : "p95", p95, s90);
    addLine(latency, "p99", p99, s99);
    for (const auto& objective : m_slo.objectives) {
        if (objective.metric == m::SloConfig::Metric::ErrorRate)
            continue;
        const double limit = objective.limit / 1e6;
        addLine(latency,
                QString("SLO %1 %2 ms").arg(m::sloMetricName(objective.metric)).arg(limit),
                m_theme.mutedText,
                {{x0, limit}, {x1, limit}},
                Qt::DashLine,
                1.2);
        latencyTop = std::max(latencyTop, limit);
    }
    setAxes(latency, x0, x1, latencyTop, "ms");

    // Throughput: ok and failed per second.
    const auto ok = series([&](std::uint32_t w) {
        const Aggregate a = aggregateAt(w);
        return a.seconds > 0 ? double(a.classes[0]) / a.seconds : 0.0;
    });
    const auto failed = series([&](std::uint32_t w) {
        const Aggregate a = aggregateAt(w);
        return a.seconds > 0 ? double(a.errors()) / a.seconds : 0.0;
    });
    retitle(m_throughput,
            tr("Throughput of %1 (per s)")
                .arg(m_subject.kind == Subject::Kind::System ? tr("the clients") : m_subject.name));
    addLine(throughput, tr("ok"), Theme::outcomeColour(OutcomeClass::Ok), ok);
    addLine(throughput, tr("failed"), Theme::outcomeColour(OutcomeClass::ServerError), failed);
    setAxes(throughput, x0, x1, maxOf(ok, maxOf(failed)), "per s");

    // Errors by cause, stacked areas (step shaped: one value per window).
    std::vector<double> lowerBound(n, 0.0);
    double errorsTop = 0.0;
    QList<QPointF> previous;
    for (std::size_t c = 1; c < kOutcomeClassCount; ++c) {
        std::vector<double> upper(n, kNaN);
        bool any = false;
        for (std::uint32_t w = range.first; w < range.last; ++w) {
            const Aggregate a = aggregateAt(w);
            const double perSecond = a.seconds > 0 ? double(a.classes[c]) / a.seconds : 0.0;
            any = any || perSecond > 0;
            lowerBound[w] += perSecond;
            upper[w] = lowerBound[w];
        }
        if (!any)
            continue;
        const auto top = thinned(upper, range, windowNs, pixels, true);
        errorsTop = maxOf(top, errorsTop);
        errors.lines.push_back({outcomeClassName(static_cast<OutcomeClass>(c)),
                                QPen(Theme::outcomeColour(static_cast<OutcomeClass>(c))),
                                top,
                                previous,
                                true});
        previous = top;
    }
    retitle(m_errors, tr("Errors by cause (per s)"));
    setAxes(errors, x0, x1, errorsTop, "per s");

    // Load: queue and utilisation of a tier; tries against calls on an edge; nodes' CPU.
    double loadTop = 0.0;
    if (m_subject.kind == Subject::Kind::Tier) {
        retitle(m_load, tr("Queue and busy workers of %1").arg(m_subject.name));
        const auto queue = series([&](std::uint32_t w) { return aggregateAt(w).queueMean; });
        const auto busy = series([&](std::uint32_t w) { return aggregateAt(w).busyMean; });
        addLine(load, tr("queued (mean)"), p95, queue);
        addLine(load, tr("busy workers (mean)"), QColor(0x00, 0x72, 0xB2), busy);
        loadTop = maxOf(queue, maxOf(busy));
        setAxes(load, x0, x1, loadTop, tr("requests"));
    } else if (m_subject.kind == Subject::Kind::Edge) {
        retitle(m_load, tr("Tries and calls on %1 (per s)").arg(m_subject.name));
        const auto tries = series([&](std::uint32_t w) { return aggregateAt(w).attemptRate(); });
        const auto calls = series([&](std::uint32_t w) { return aggregateAt(w).rate(); });
        addLine(load, tr("tries"), p99, tries);
        addLine(load, tr("calls"), QColor(0x00, 0x72, 0xB2), calls);
        loadTop = maxOf(tries, maxOf(calls));
        setAxes(load, x0, x1, loadTop, tr("per s"));
    } else {
        retitle(m_load, tr("CPU utilisation of the nodes (%)"));
        const QColor palette[] = {QColor(0x00, 0x72, 0xB2),
                                  QColor(0xD5, 0x5E, 0x00),
                                  QColor(0x00, 0x9E, 0x73),
                                  QColor(0xCC, 0x79, 0xA7),
                                  QColor(0xE6, 0x9F, 0x00),
                                  QColor(0x56, 0xB4, 0xE9)};
        const std::uint32_t shown = std::min<std::uint32_t>(r.layout.nodes, 12);
        for (std::uint32_t node = 0; node < shown; ++node) {
            const auto u = series([&](std::uint32_t w) {
                return 100.0 * nodeUtilisation(r, node, {w, w + 1});
            });
            const QString name = node < m_view.nodes.size()
                                     ? QString::fromStdString(m_view.nodes[node].name)
                                     : QString::number(node);
            addLine(load, name, palette[node % 6], u);
        }
        loadTop = 100.0;
        setAxes(load, x0, x1, loadTop / 1.1, "%");
    }
    apply(m_latency, latency);
    apply(m_throughput, throughput);
    apply(m_errors, errors);
    apply(m_load, load);

    // Breakers open (callers' library breakers, the most open at once in each window) and
    // instances ejected by outlier detection, as step bands.
    Plot states;
    std::vector<std::uint32_t> edgesIn; // the recorded edges the subject's numbers come from
    for (std::uint32_t e = 0; e < r.layout.edges.size(); ++e) {
        const auto to = r.layout.edges[e].second;
        if (m_subject.kind == Subject::Kind::System
            || (m_subject.kind == Subject::Kind::Tier && to == m_view.firstTier + m_subject.index)
            || (m_subject.kind == Subject::Kind::Edge && e == m_subject.index))
            edgesIn.push_back(e);
    }
    const auto breakers = steps([&](std::uint32_t w) {
        double open = 0;
        for (const std::uint32_t e : edgesIn)
            open += r.edges[e][w].breakersOpen;
        return open;
    });
    const auto ejected = steps([&](std::uint32_t w) {
        double count = 0;
        if (m_subject.kind == Subject::Kind::Edge)
            return m_subject.index < r.edges.size() ? double(r.edges[m_subject.index][w].ejections)
                                                    : 0.0;
        for (std::uint32_t t = 0; t < r.tiers.size(); ++t)
            if (m_subject.kind == Subject::Kind::System || t == m_subject.index)
                count += r.tiers[t][w].ejectedMax;
        return count;
    });
    // Each edge's most breakers open at once in the window, summed over the edges.
    states.lines.push_back({tr("breakers open"),
                            QPen(Theme::outcomeColour(OutcomeClass::Refused)),
                            breakers,
                            {},
                            true});
    QColor ejectColour = m_theme.degraded;
    ejectColour.setAlpha(160);
    states.lines.push_back({tr("instances ejected"), QPen(ejectColour), ejected, {}, true});
    setAxes(states, x0, x1, std::max(1.0, maxOf(ejected, maxOf(breakers))), tr("count"));
    retitle(m_states,
            tr("Breakers open (most per edge, summed) and instances ejected: %1")
                .arg(m_subject.kind == Subject::Kind::System ? tr("all") : m_subject.name));
    apply(m_states, states);

    // The services side by side over the range: mean latency of each (the slowest 15).
    m_services->removeAllSeries();
    for (QAbstractAxis* a : m_services->axes()) {
        m_services->removeAxis(a);
        delete a;
    }
    std::vector<std::pair<double, QString>> slowest;
    for (std::uint32_t t = 0; t < r.tiers.size(); ++t) {
        const Aggregate a = tierAggregate(r, t, range);
        if (a.timed)
            slowest.emplace_back(
                a.meanLatencyMs(),
                QString::fromStdString(m_view.components[m_view.firstTier + t].name));
    }
    std::sort(slowest.begin(), slowest.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    slowest.resize(std::min<std::size_t>(slowest.size(), 15));
    auto* set = new QBarSet(tr("mean latency (ms)"));
    QStringList names;
    for (auto it = slowest.rbegin(); it != slowest.rend(); ++it) { // slowest on top
        *set << it->first;
        names << (it->second.size() > 18 ? it->second.left(17) + "…" : it->second);
    }
    set->setColor(QColor(0x00, 0x72, 0xB2));
    auto* bars = new QHorizontalBarSeries;
    bars->append(set);
    m_services->addSeries(bars);
    auto* categories = new QBarCategoryAxis;
    categories->append(names);
    auto* values = new QValueAxis;
    values->setLabelFormat("%.4g");
    values->setTitleText(tr("ms"));
    m_services->addAxis(categories, Qt::AlignLeft);
    m_services->addAxis(values, Qt::AlignBottom);
    bars->attachAxis(categories);
    bars->attachAxis(values);
    values->setRange(0, slowest.empty() ? 1.0 : slowest.front().first * 1.1);
    values->applyNiceNumbers();
    retitle(m_services,
            tr("Services: mean latency, %1–%2 s").arg(x0, 0, 'f', 0).arg(x1, 0, 'f', 0));

    std::fill(m_cursorPixels.begin(), m_cursorPixels.end(), -1);
    moveCursor();

    // The summary: the range's totals, exact sums of its windows.
    Aggregate total;
    switch (m_subject.kind) {
    case Subject::Kind::Tier:
        total = tierAggregate(r, m_subject.index, range);
        break;
    case Subject::Kind::Edge:
        total = edgeAggregate(r, m_subject.index, range);
        break;
    case Subject::Kind::System:
        total = clientAggregate(r, range);
        break;
    }
    distribution(total);
    m_summary->setText(
        tr("%1, %2–%3 s: %4 answered (%5 per s), errors %6%, mean latency %7 ms")
            .arg(m_subject.kind == Subject::Kind::System ? tr("Clients") : m_subject.name)
            .arg(x0, 0, 'f', 0)
            .arg(x1, 0, 'f', 0)
            .arg(total.total)
            .arg(total.rate(), 0, 'f', 1)
            .arg(total.errorShare() * 100, 0, 'f', 2)
            .arg(total.meanLatencyMs(), 0, 'f', 2));
}

void ChartsPanel::distribution(const Aggregate& total)
{
    for (QChart* c : {m_spectrum, m_histogram}) {
        c->removeAllSeries();
        for (QAbstractAxis* a : c->axes()) {
            c->removeAxis(a);
            delete a;
        }
    }
    const QString of
        = m_subject.kind == Subject::Kind::System ? tr("all requests") : m_subject.name;
    if (total.timed == 0 || total.bucketsMissing || total.latencyBuckets.empty()) {
        retitle(m_spectrum, tr("Latency percentiles: no latencies in the range"));
        retitle(m_histogram, tr("Latency histogram: no latencies in the range"));
        return;
    }
    // Percentile spectrum: x is the number of nines (1 = p90, 2 = p99, 3 = p99.9), y the latency
    // at that percentile, from the range's buckets (the windows' own quantile definition).
    auto* spectrum = new QLineSeries;
    spectrum->setName(of);
    spectrum->setPen(QPen(QColor(0x00, 0x72, 0xB2), 1.8));
    double top = 0.0;
    for (int i = 0; i <= 80; ++i) {
        const double nines = i / 20.0; // 0 .. 4
        const double q = 1.0 - std::pow(10.0, -nines);
        const double ms = double(m::latencyQuantile(total.latencyBuckets, total.timed, q)) / 1e6;
        spectrum->append(nines, ms);
        top = std::max(top, ms);
    }
    m_spectrum->addSeries(spectrum);
    auto* nines = new QCategoryAxis;
    nines->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    nines->append("p0", 0.0);
    nines->append("p50", std::log10(2.0));
    nines->append("p90", 1.0);
    nines->append("p99", 2.0);
    nines->append("p99.9", 3.0);
    nines->append("p99.99", 4.0);
    nines->setRange(0.0, 4.0);
    auto* values = new QValueAxis;
    values->setRange(0.0, top > 0 ? top * 1.1 : 1.0);
    values->applyNiceNumbers();
    values->setLabelFormat("%.4g");
    values->setTitleText("ms");
    m_spectrum->addAxis(nines, Qt::AlignBottom);
    m_spectrum->addAxis(values, Qt::AlignLeft);
    spectrum->attachAxis(nines);
    spectrum->attachAxis(values);
    retitle(m_spectrum, tr("Latency percentiles of %1").arg(of));

    // Histogram: the share of latencies in each bucket, on a logarithmic time axis.
    auto* histogram = new QLineSeries;
    histogram->setName(of);
    histogram->setPen(QPen(QColor(0xD5, 0x5E, 0x00), 1.4));
    double lowest = 0.0, highest = 0.0, peak = 0.0;
    for (std::uint32_t b = 0; b + 1 < m::kLatencyBuckets; ++b) {
        if (total.latencyBuckets[b] == 0)
            continue;
        const double lower = double(std::max<std::uint64_t>(1, m::latencyBucketLower(b))) / 1e6;
        const double upper = double(m::latencyBucketLower(b + 1)) / 1e6;
        // Buckets are 1/32 of a power of two wide (at most: 1/64 at the top of each): on a log
        // axis they have nearly equal widths, so their shares compare as heights.
        const double share = 100.0 * double(total.latencyBuckets[b]) / double(total.timed);
        histogram->append(lower, 0.0);
        histogram->append(lower, share);
        histogram->append(upper, share);
        histogram->append(upper, 0.0);
        lowest = lowest == 0.0 ? lower : std::min(lowest, lower);
        highest = std::max(highest, upper);
        peak = std::max(peak, share);
    }
    m_histogram->addSeries(histogram);
    auto* time = new QLogValueAxis;
    time->setBase(10.0);
    time->setLabelFormat("%g");
    time->setTitleText("ms (log)");
    time->setRange(lowest * 0.8, highest * 1.25);
    auto* share = new QValueAxis;
    share->setRange(0.0, peak > 0 ? peak * 1.1 : 1.0);
    share->applyNiceNumbers();
    share->setLabelFormat("%.3g");
    share->setTitleText(tr("% per bucket"));
    m_histogram->addAxis(time, Qt::AlignBottom);
    m_histogram->addAxis(share, Qt::AlignLeft);
    histogram->attachAxis(time);
    histogram->attachAxis(share);
    retitle(m_histogram, tr("Latency histogram of %1").arg(of));
}

bool ChartsPanel::exportPng(QChart* chart, const QString& path) const
{
    for (QChartView* v : m_views)
        if (v->chart() == chart) {
            settle(chart);
            return v->grab().save(path, "PNG");
        }
    return false;
}

void ChartsPanel::settle(QChart* chart)
{
    // A chart lays itself out on its next event-loop turn: an export now must see the new one.
    // (And the items of axes it replaced go only when their deferred deletion runs.)
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::sendPostedEvents(chart);
    QCoreApplication::sendPostedEvents(chart->scene());
    chart->layout()->activate();
}

bool ChartsPanel::exportSvg(QChart* chart, const QString& path) const
{
    for (QChartView* v : m_views)
        if (v->chart() == chart) {
            settle(chart);
            QSvgGenerator svg;
            svg.setFileName(path);
            svg.setSize(v->size());
            svg.setViewBox(QRect(QPoint(0, 0), v->size()));
            svg.setTitle(chart->title());
            QPainter painter;
            if (!painter.begin(&svg))
                return false;
            v->render(&painter);
            return painter.end();
        }
    return false;
}

} // namespace meshsim::ui
