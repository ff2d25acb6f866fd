#include "ui/compare_window.h"

#include "run/recording_follower.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "topologies/overrides.h"
#include "topologies/yaml_outline.h"
#include "ui/report_export.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChartView>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

// One colour and one dash pattern per design (Okabe–Ito; the pattern tells them apart without
// colour).
QPen designPen(std::size_t i)
{
    static const QColor kColours[] = {QColor(0x00, 0x72, 0xB2),
                                      QColor(0xD5, 0x5E, 0x00),
                                      QColor(0x00, 0x9E, 0x73),
                                      QColor(0xCC, 0x79, 0xA7)};
    static const Qt::PenStyle kStyles[]
        = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    QPen pen(kColours[i % 4], 2.0);
    pen.setStyle(kStyles[i % 4]);
    return pen;
}

// The text with `key: value` at the top level (set in place, or added at the end).
std::string withTopLevel(const std::string& text, const std::string& key, const std::string& value)
{
    const auto edit = topologies::YamlOutline::fromText(text).setScalar({{key, -1}}, value);
    return edit ? topologies::applyEdit(text, *edit) : text;
}

} // namespace

QString CompareDesign::label() const
{
    QString name = spec;
    if (!name.startsWith("builtin:"))
        name = name.section('/', -1);
    QStringList what;
    for (const auto* part : {&architecture, &gatewayKind, &meshKind})
        if (*part)
            what << **part;
    return what.isEmpty() ? name : name + " [" + what.join(", ") + "]";
}

CompareWindow::CompareWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_playback(new Playback(this))
    , m_grid(new QWidget)
    , m_slider(new QSlider(Qt::Horizontal))
    , m_time(new QLabel)
    , m_message(new QLabel)
    , m_charts(new QTabWidget)
    , m_table(new QTableWidget)
{
    setWindowTitle(tr("meshsim — compare designs"));
    setObjectName("compareWindow");
    resize(1500, 950);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto* transport = new QHBoxLayout;
    auto* play = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"));
    play->setCheckable(true);
    connect(play, &QPushButton::toggled, m_playback, [this](bool on) {
        on ? m_playback->play() : m_playback->pause();
    });
    connect(m_playback, &Playback::playingChanged, play, &QPushButton::setChecked);
    transport->addWidget(play);
    m_slider->setRange(0, 1000);
    connect(m_slider, &QSlider::sliderMoved, this, [this](int v) {
        m_playback->setTime(m_playback->limit() * v / 1000);
    });
    transport->addWidget(m_slider, 1);
    m_time->setMinimumWidth(160);
    transport->addWidget(m_time);
    auto* exportButton = new QPushButton(tr("Export report…"));
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this,
                                           tr("Export the comparison"),
                                           "comparison-report.html",
                                           tr("HTML report (*.html);;PDF report (*.pdf)"));
        if (!path.isEmpty() && !exportReport(path))
            m_message->setText(tr("The runs have not all finished: nothing to report yet."));
    });
    transport->addWidget(exportButton);
    topLayout->addLayout(transport);
    topLayout->addWidget(m_grid, 1);
    m_message->setWordWrap(true);
    topLayout->addWidget(m_message);

    for (const char* title : {"Latency CDF", "p99 over time", "Throughput", "Errors by cause"}) {
        auto* chart = new QChart;
        chart->setTitle(tr(title));
        chart->setObjectName(title);
        auto* view = new QChartView(chart);
        view->setRenderHint(QPainter::Antialiasing);
        m_charts->addTab(view, tr(title));
    }
    m_table->setObjectName("differences");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_charts->addTab(m_table, tr("Differences"));

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(m_charts);
    split->setSizes({560, 390}); // the topologies keep most of the height
    setCentralWidget(split);
    connect(m_playback, &Playback::timeChanged, this, &CompareWindow::onTime);
}

CompareWindow::~CompareWindow()
{
    m_playback->disconnect(this);
    for (const QPointer<QThread>& t : m_loaders)
        if (t) {
            t->disconnect();
            t->wait();
            delete t.data();
        }
}

QString CompareWindow::designLabel(std::size_t i) const
{
    return m_designs[i]->design.label();
}

QChart* CompareWindow::chart(const QString& title) const
{
    for (int i = 0; i < m_charts->count(); ++i)
        if (auto* view = qobject_cast<QChartView*>(m_charts->widget(i));
            view && view->chart()->objectName() == title)
            return view->chart();
    return nullptr;
}

bool CompareWindow::finished() const
{
    if (m_designs.empty())
        return false;
    return std::all_of(m_designs.begin(), m_designs.end(), [](const auto& d) {
        return d->session->state() == RunSession::State::Finished;
    });
}

void CompareWindow::compare(std::vector<CompareDesign> designs, std::optional<m::EngineKind> engine)
{
    for (auto& d : m_designs)
        d->session->cancel();
    m_designs.clear();
    delete m_grid->layout();
    qDeleteAll(m_grid->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly));
    m_engine = engine;
    if (designs.size() < 2 || designs.size() > kMaxDesigns) {
        m_message->setText(tr("Compare needs 2 to %1 designs.").arg(kMaxDesigns));
        emit loadFailed(m_message->text());
        return;
    }
    for (const CompareDesign& design : designs) {
        auto d = std::make_unique<Design>();
        d->design = design;
        d->session = std::make_unique<RunSession>();
        m_designs.push_back(std::move(d));
    }
    m_message->setText(tr("Loading %1 designs…").arg(designs.size()));
    const std::uint64_t generation = ++m_generation;
    QThread* loader = QThread::create([this, generation, designs] {
        std::vector<std::shared_ptr<const topologies::Scenario>> scenarios;
        QStringList texts;
        QString error;
        std::optional<std::uint64_t> seed;
        for (const CompareDesign& design : designs) {
            const std::string spec = design.spec.toStdString();
            auto text = design.text ? std::optional(design.text->toStdString())
                                    : topologies::scenarioSourceText(spec);
            if (!text) {
                error = tr("Cannot read %1.").arg(design.spec);
                break;
            }
            if (design.architecture)
                *text = withTopLevel(*text, "architecture", design.architecture->toStdString());
            // The products, as `meshsim-cli compare --gateway-kinds/--mesh-kinds` sets them.
            std::vector<topologies::Override> products;
            if (design.gatewayKind)
                products.push_back({"gateway.kind", design.gatewayKind->toStdString()});
            if (design.meshKind)
                products.push_back({"mesh.kind", design.meshKind->toStdString()});
            if (!products.empty()) {
                std::string why;
                auto withProducts = topologies::applyOverrides(*text, products, why);
                if (!withProducts) {
                    error = tr("%1: %2").arg(design.label(), QString::fromStdString(why));
                    break;
                }
                *text = std::move(*withProducts);
            }
            topologies::LoadResult result = topologies::loadScenarioText(*text, spec);
            if (!result.ok()) {
                error = tr("%1 does not validate: %2")
                            .arg(design.label(),
                                 QString::fromStdString(result.diagnostics.front().format()));
                break;
            }
            // Every design runs with the first one's seed: the same draws where they can be.
            if (!seed)
                seed = result.scenario->seed;
            result.scenario->seed = *seed;
            scenarios.push_back(
                std::make_shared<const topologies::Scenario>(std::move(*result.scenario)));
            texts.append(QString::fromStdString(*text));
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, scenarios, texts, error] {
                loaded(generation, scenarios, texts, error);
            },
            Qt::QueuedConnection);
    });
    connect(loader, &QThread::finished, loader, &QObject::deleteLater);
    std::erase_if(m_loaders, [](const QPointer<QThread>& t) { return t.isNull(); });
    m_loaders.emplace_back(loader);
    loader->start();
}

void CompareWindow::loaded(std::uint64_t generation,
                           std::vector<std::shared_ptr<const topologies::Scenario>> scenarios,
                           QStringList texts,
                           QString error)
{
    if (generation != m_generation)
        return;
    if (!error.isEmpty()) {
        m_message->setText(error);
        emit loadFailed(error);
        return;
    }
    auto* grid = new QGridLayout(m_grid);
    grid->setContentsMargins(0, 0, 0, 0);
    constexpr int columns = 2; // two side by side; three or four in two rows
    m_playback->pause();
    m_playback->setLimit(0);
    m_playback->setTime(0);
    for (std::size_t i = 0; i < m_designs.size(); ++i) {
        Design& d = *m_designs[i];
        d.scenario = scenarios[i];
        d.text = texts[static_cast<qsizetype>(i)];
        auto* cell = new QWidget;
        auto* layout = new QVBoxLayout(cell);
        layout->setContentsMargins(2, 2, 2, 2);
        d.title = new QLabel;
        d.title->setText("<b>" + d.design.label().toHtmlEscaped() + "</b>");
        d.scene = new TopologyScene(cell);
        d.view = new TopologyView;
        d.view->setScene(d.scene);
        d.view->setObjectName(QString("topology%1").arg(i));
        layout->addWidget(d.title);
        layout->addWidget(d.view, 1);
        grid->addWidget(cell, static_cast<int>(i) / columns, static_cast<int>(i) % columns);
        const m::EngineKind engine = m_engine.value_or(d.scenario->engine);
        const run::RecordingInfo info
            = run::makeRecordingInfo(*d.scenario, engine, d.scenario->seed);
        d.scene->setTheme(m_theme);
        d.scene->setSystem(info.view, d.scenario->system.faults);
        connect(d.session.get(), &RunSession::recordingGrew, this, [this, i] { onGrew(i); });
        connect(d.session.get(), &RunSession::finished, this, [this, i] {
            onGrew(i);
            m_designs[i]->view->fit();
            refreshCharts();
            refreshTable();
            const bool ended
                = std::none_of(m_designs.begin(), m_designs.end(), [](const auto& other) {
                      return other->session->running();
                  });
            if (ended)
                emit allFinished();
        });
        d.session->start(d.scenario, engine, d.text);
    }
    m_message->setText(tr("Same seed (%1) for every design; one run each, so differences are one "
                          "sample's: no confidence intervals.")
                           .arg(scenarios.front()->seed));
    QMetaObject::invokeMethod(
        this,
        [this] {
            for (auto& d : m_designs)
                d->view->fit();
        },
        Qt::QueuedConnection);
}

void CompareWindow::onGrew(std::size_t i)
{
    Design& d = *m_designs[i];
    d.scene->setRecording(d.session->recording());
    // The clock may go as far as every design has recorded.
    std::int64_t limit = std::numeric_limits<std::int64_t>::max();
    for (const auto& other : m_designs) {
        const m::Recording* r = other->session->recording();
        limit = std::min(limit, r ? std::int64_t{r->windows} * r->layout.windowNs : 0);
    }
    m_playback->setLimit(limit);
    if (d.session->state() == RunSession::State::Failed)
        m_message->setText(tr("%1: %2").arg(d.design.label(), d.session->message()));
    onTime(m_playback->time());
}

void CompareWindow::onTime(std::int64_t timeNs)
{
    for (auto& d : m_designs)
        if (d->scene)
            d->scene->show(timeNs, std::nullopt);
    const std::int64_t limit = std::max<std::int64_t>(1, m_playback->limit());
    m_slider->setValue(static_cast<int>(1000 * timeNs / limit));
    m_time->setText(QString::number(double(timeNs) / 1e9, 'f', 3) + " s");
}

WindowRange CompareWindow::measured(std::size_t i) const
{
    const Design& d = *m_designs[i];
    const m::Recording* r = d.session->recording();
    if (!r)
        return {};
    return windowsBetween(
        *r, d.scenario->warmup.count(), std::int64_t{r->windows} * r->layout.windowNs);
}

void CompareWindow::refreshCharts()
{
    QChart* cdf = chart("Latency CDF");
    QChart* p99 = chart("p99 over time");
    QChart* throughput = chart("Throughput");
    QChart* errors = chart("Errors by cause");
    for (QChart* c : {cdf, p99, throughput, errors}) {
        c->removeAllSeries();
        for (QAbstractAxis* axis : c->axes())
            c->removeAxis(axis);
    }
    auto* bars = new QBarSeries;
    double maxLatency = 1.0, maxP99 = 1.0, maxRate = 1.0, maxErrors = 1.0, maxTime = 1.0;
    double minLatency = 1e9;
    for (std::size_t i = 0; i < m_designs.size(); ++i) {
        const Design& d = *m_designs[i];
        const m::Recording* r = d.session->recording();
        if (!r)
            continue;
        const Aggregate whole = clientAggregate(*r, measured(i));
        // The CDF of the clients' latencies, from the summed buckets.
        auto* line = new QLineSeries;
        line->setName(d.design.label());
        line->setPen(designPen(i));
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < whole.latencyBuckets.size(); ++b) {
            if (whole.latencyBuckets[b] == 0)
                continue;
            seen += whole.latencyBuckets[b];
            const double x = std::max(
                1e-3, double(m::latencyBucketLower(static_cast<std::uint32_t>(b))) / 1e6);
            line->append(x, double(seen) / double(std::max<std::uint64_t>(whole.timed, 1)));
            maxLatency = std::max(maxLatency, x);
            minLatency = std::min(minLatency, x);
        }
        cdf->addSeries(line);
        // p99 and throughput per window.
        auto* p = new QLineSeries;
        p->setName(d.design.label());
        p->setPen(designPen(i));
        auto* t = new QLineSeries;
        t->setName(d.design.label() + tr(" (ok)"));
        t->setPen(designPen(i));
        for (std::uint32_t w = 0; w < r->windows; ++w) {
            const Aggregate a = clientAggregate(*r, {w, w + 1});
            const double x = double(w) * double(r->layout.windowNs) / 1e9;
            maxTime = std::max(maxTime, x);
            if (a.p99) {
                p->append(x, double(*a.p99) / 1e6);
                maxP99 = std::max(maxP99, double(*a.p99) / 1e6);
            }
            const double ok = a.seconds > 0 ? double(a.classes[0]) / a.seconds : 0.0;
            t->append(x, ok);
            maxRate = std::max(maxRate, ok);
        }
        p99->addSeries(p);
        throughput->addSeries(t);
        auto* set = new QBarSet(d.design.label());
        set->setColor(designPen(i).color());
        for (std::size_t c = 1; c < kOutcomeClassCount; ++c) {
            set->append(double(whole.classes[c]));
            maxErrors = std::max(maxErrors, double(whole.classes[c]));
        }
        bars->append(set);
    }
    errors->addSeries(bars);
    auto axes = [](QChart* c, QAbstractAxis* x, QAbstractAxis* y) {
        c->addAxis(x, Qt::AlignBottom);
        c->addAxis(y, Qt::AlignLeft);
        for (QAbstractSeries* s : c->series()) {
            s->attachAxis(x);
            s->attachAxis(y);
        }
    };
    auto value = [](const QString& title, double min, double max) {
        auto* a = new QValueAxis;
        a->setTitleText(title);
        a->setRange(min, max);
        return a;
    };
    auto* logX = new QLogValueAxis;
    logX->setTitleText(tr("latency (ms, log)"));
    logX->setBase(10);
    logX->setRange(std::min(minLatency, maxLatency / 10), maxLatency * 1.1);
    axes(cdf, logX, value(tr("share of requests"), 0, 1));
    axes(p99, value(tr("simulated time (s)"), 0, maxTime), value(tr("p99 (ms)"), 0, maxP99 * 1.1));
    axes(throughput,
         value(tr("simulated time (s)"), 0, maxTime),
         value(tr("answered ok per second"), 0, maxRate * 1.1));
    auto* categories = new QBarCategoryAxis;
    for (std::size_t c = 1; c < kOutcomeClassCount; ++c)
        categories->append(outcomeClassName(static_cast<OutcomeClass>(c)));
    axes(errors, categories, value(tr("requests"), 0, maxErrors * 1.1));
}

void CompareWindow::refreshTable()
{
    struct Row
    {
        QString name;
        std::function<std::optional<double>(const Aggregate&)> value;
        int decimals;
    };
    const std::vector<Row> rows = {
        {tr("requests answered"), [](const Aggregate& a) { return double(a.total); }, 0},
        {tr("goodput (ok/s)"),
         [](const Aggregate& a) {
             return a.seconds > 0 ? std::optional(double(a.classes[0]) / a.seconds) : std::nullopt;
         },
         1},
        {tr("error share (%)"), [](const Aggregate& a) { return 100.0 * a.errorShare(); }, 3},
        {tr("mean latency (ms)"), [](const Aggregate& a) { return a.meanLatencyMs(); }, 2},
        {tr("p50 (ms)"),
         [](const Aggregate& a) {
             return a.p50 ? std::optional(double(*a.p50) / 1e6) : std::nullopt;
         },
         2},
        {tr("p95 (ms)"),
         [](const Aggregate& a) {
             return a.p95 ? std::optional(double(*a.p95) / 1e6) : std::nullopt;
         },
         2},
        {tr("p99 (ms)"),
         [](const Aggregate& a) {
             return a.p99 ? std::optional(double(*a.p99) / 1e6) : std::nullopt;
         },
         2},
    };
    std::vector<Row> all = rows;
    for (std::size_t c = 1; c < kOutcomeClassCount; ++c)
        all.push_back({tr("errors: %1").arg(outcomeClassName(static_cast<OutcomeClass>(c))),
                       [c](const Aggregate& a) { return double(a.classes[c]); },
                       0});
    m_table->clear();
    m_table->setRowCount(static_cast<int>(all.size()));
    m_table->setColumnCount(static_cast<int>(m_designs.size()));
    QStringList headers;
    std::vector<std::optional<Aggregate>> aggregates;
    for (std::size_t i = 0; i < m_designs.size(); ++i) {
        headers << m_designs[i]->design.label() + (i == 0 ? tr(" (baseline)") : QString());
        const m::Recording* r = m_designs[i]->session->recording();
        if (r && m_designs[i]->session->state() == RunSession::State::Finished)
            aggregates.push_back(clientAggregate(*r, measured(i)));
        else
            aggregates.push_back(std::nullopt);
    }
    m_table->setHorizontalHeaderLabels(headers);
    QStringList names;
    for (std::size_t row = 0; row < all.size(); ++row) {
        names << all[row].name;
        const std::optional<double> baseline
            = aggregates[0] ? all[row].value(*aggregates[0]) : std::nullopt;
        const bool hasBase = baseline.has_value() && *baseline != 0.0;
        const double base = baseline.value_or(0.0);
        for (std::size_t i = 0; i < m_designs.size(); ++i) {
            QString text = tr("running…");
            if (aggregates[i]) {
                const auto v = all[row].value(*aggregates[i]);
                text = v ? QString::number(*v, 'f', all[row].decimals) : QString("—");
                if (i > 0 && v && hasBase)
                    text += QString("  (%1%2%)")
                                .arg(*v >= base ? "+" : "")
                                .arg(100.0 * (*v - base) / base, 0, 'f', 1);
            }
            auto* item = new QTableWidgetItem(text);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(static_cast<int>(row), static_cast<int>(i), item);
        }
    }
    m_table->setVerticalHeaderLabels(names);
    m_table->resizeColumnsToContents();
}

bool CompareWindow::exportReport(const QString& path)
{
    std::vector<nlohmann::ordered_json> runs;
    std::vector<std::string> texts;
    for (const auto& d : m_designs) {
        if (d->session->state() != RunSession::State::Finished || !d->session->results())
            return false;
        runs.push_back(*d->session->results());
        // The architecture of a design run in another one is in its results.json.
        texts.push_back(d->text.toStdString());
    }
    if (runs.empty())
        return false;
    m_message->setText(tr("Writing the report…"));
    auto* worker = QThread::create([this, runs = std::move(runs), texts, path]() mutable {
        const QString error = writeReport(std::move(runs), texts, path);
        QMetaObject::invokeMethod(
            this,
            [this, path, error] {
                m_message->setText(error.isEmpty() ? tr("Report written to %1").arg(path) : error);
                emit reportExported(path, error);
            },
            Qt::QueuedConnection);
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    std::erase_if(m_loaders, [](const QPointer<QThread>& t) { return t.isNull(); });
    m_loaders.emplace_back(worker);
    worker->start();
    return true;
}

} // namespace meshsim::ui
