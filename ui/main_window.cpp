#include "ui/main_window.h"

#include "run/recording_follower.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "ui/builtin_browser.h"
#include "ui/compare_window.h"
#include "ui/report_export.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QThread>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <utility>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

// What a row of the Components table shows: a component, or one of a service's named operations
// or versions.
enum class TablePart : int { Component = 0, Operation = 1, Version = 2 };

constexpr int kMaxRecent = 8;

QString seconds(std::int64_t ns)
{
    return QString::number(double(ns) / 1e9, 'f', 3) + " s";
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_session(std::make_unique<RunSession>())
    , m_playback(new Playback(this))
    , m_scene(new TopologyScene(this))
    , m_view(new TopologyView)
    , m_timeline(new Timeline)
    , m_charts(new ChartsPanel)
    , m_diagnostics(new QListWidget)
    , m_table(new QTableView)
    , m_tableModel(new QStandardItemModel(this))
    , m_editor(new ScenarioEditor)
    , m_inspector(new RequestInspector)
    , m_events(new EventList)
{
    setWindowTitle("meshsim");
    setAcceptDrops(true);
    resize(1400, 900);
    m_view->setScene(m_scene);
    m_view->setObjectName("topology");
    m_timeline->setObjectName("timeline");

    auto* centre = new QWidget;
    auto* layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_timeline);
    setCentralWidget(centre);

    buildMenus();
    buildTransport();
    buildDocks();

    // The views catch up with the recording in an event-loop turn of their own, after the chunks
    // were decoded: two shorter stalls instead of one long one, and one update for several
    // chunks that came together.
    m_grew = new QTimer(this);
    m_grew->setSingleShot(true);
    m_grew->setInterval(0);
    connect(m_grew, &QTimer::timeout, this, &MainWindow::onRecordingGrew);
    connect(m_session.get(), &RunSession::recordingGrew, m_grew, qOverload<>(&QTimer::start));
    connect(m_session.get(), &RunSession::progressed, this, &MainWindow::onProgress);
    connect(m_session.get(), &RunSession::finished, this, &MainWindow::onRunFinished);
    connect(m_playback, &Playback::timeChanged, this, &MainWindow::onTime);
    connect(m_playback, &Playback::playingChanged, this, [this](bool playing) {
        m_playAction->setText(playing ? tr("Pause") : tr("Play"));
        m_playAction->setIcon(
            style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
        m_playAction->setChecked(playing);
    });
    connect(m_playback, &Playback::limitChanged, m_timeline, &Timeline::setLimit);
    connect(m_timeline, &Timeline::timeRequested, m_playback, &Playback::setTime);
    connect(m_timeline, &Timeline::rangeSelected, this, [this](std::int64_t from, std::int64_t to) {
        selectRange(std::make_pair(from, to));
    });
    connect(m_timeline, &Timeline::rangeCleared, this, [this] { selectRange(std::nullopt); });
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &MainWindow::onSelection);
    connect(m_editor, &ScenarioEditor::applyRequested, this, &MainWindow::applyText);
    connect(m_editor, &ScenarioEditor::serviceAtCursor, this, [this](const QString& name) {
        // The node of the service the cursor is in; not while the topology drives the cursor.
        if (m_syncing || name.isEmpty() || !m_editor->editor().hasFocus())
            return;
        if (NodeItem* node = m_scene->nodeNamed(name)) {
            m_syncing = true;
            m_scene->clearSelection();
            node->setSelected(true);
            m_view->ensureVisible(node);
            m_syncing = false;
        }
    });
    // A time asked for by the inspector or the event list: the playback goes there and waits.
    auto showTime = [this](std::int64_t ns) {
        m_playback->pause();
        m_playback->setTime(std::min(ns, m_playback->limit()));
    };
    connect(m_inspector, &RequestInspector::timeRequested, this, showTime);
    connect(m_charts, &ChartsPanel::requestWanted, this, &MainWindow::inspectAnsweredAt);
    connect(m_events, &EventList::timeRequested, this, showTime);
    connect(m_events, &EventList::requestActivated, this, [this](std::uint64_t id) {
        if (m_inspector->showRequest(id)) {
            m_inspectorDock->show();
            m_inspectorDock->raise();
        }
    });
    m_view->viewport()->installEventFilter(this);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &MainWindow::topologyMenu);
    connect(m_view, &TopologyView::nodeDoubleClicked, this, [this](QGraphicsItem* item) {
        auto* node = dynamic_cast<NodeItem*>(item);
        m_scene->focus(node ? m_scene->neighbours(node->component())
                            : std::vector<std::uint32_t>{});
    });
    // Charts and the table are rebuilt from the recording as it grows, but at most four times a
    // second: a run reports about a hundred times, and a chart's update costs a repaint.
    m_slowViews = new QTimer(this);
    m_slowViews->setSingleShot(true);
    m_slowViews->setInterval(250);
    connect(m_slowViews, &QTimer::timeout, this, &MainWindow::refreshSlowViews);
    // What the user chose last time: theme, edge thresholds, folding, reduced motion, the layout
    // of the window.
    QSettings settings;
    setTheme(settings.value("theme", "light").toString());
    const double degraded
        = std::clamp(settings.value("thresholds/degraded", 0.001).toDouble(), 0.0, 1.0);
    setThresholds(
        {degraded,
         std::clamp(settings.value("thresholds/failing", 0.10).toDouble(), degraded, 1.0)});
    m_foldAction->setChecked(settings.value("fold", true).toBool());
    m_reducedMotion->setChecked(settings.value("reducedMotion", false).toBool());
    restoreGeometry(settings.value("geometry").toByteArray());
    restoreState(settings.value("windowState").toByteArray());
    updateStatus();
}

MainWindow::~MainWindow()
{
    // Children (the scene) outlive the members: nothing may call back into this window while
    // they are destroyed.
    m_scene->disconnect(this);
    m_playback->disconnect(this);
    for (const QPointer<QThread>& loader : m_loaders)
        if (loader) {
            loader->disconnect();
            loader->wait();
            delete loader.data();
        }
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a scenario"), {}, tr("Scenarios (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty())
            open(path);
    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("&Built-in scenarios…"), QKeySequence(Qt::CTRL | Qt::Key_B), this, [this] {
        BuiltinBrowser browser(this);
        if (browser.exec() == QDialog::Accepted && !browser.chosen().isEmpty())
            open(browser.chosen());
    });
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::saveScenario);
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, [this] { saveScenarioAs(); });
    file->addAction(tr("Re&load"), QKeySequence::Refresh, this, &MainWindow::reload);
    file->addAction(tr("R&un again"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainWindow::rerun);
    file->addSeparator();
    file->addAction(tr("Compare &architectures"),
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                    this,
                    [this] { compareArchitectures(); });
    file->addAction(tr("Compare &gateway products (Envoy, Kong, NGINX)"), this, [this] {
        compareGatewayProducts();
    });
    file->addAction(tr("Compare m&esh products (Istio, Istio ambient, Linkerd)"), this, [this] {
        compareMeshProducts();
    });
    file->addAction(tr("Compare &with other scenarios…"), this, [this] {
        const QStringList paths
            = QFileDialog::getOpenFileNames(this,
                                            tr("Scenarios to compare with (1 to 3)"),
                                            {},
                                            tr("Scenarios (*.yaml *.yml);;All files (*)"));
        if (paths.isEmpty() || m_spec.isEmpty())
            return;
        std::vector<CompareDesign> designs{
            {m_spec, std::nullopt, m_editor->text(), std::nullopt, std::nullopt}};
        for (const QString& p : paths.mid(0, 3))
            designs.push_back({p, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
        compare(designs);
    });
    file->addSeparator();
    file->addAction(tr("Export &report…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this,
            tr("Export report"),
            QFileInfo(m_spec.section(':', -1)).completeBaseName() + "-report.html",
            tr("HTML report (*.html);;PDF report (*.pdf)"));
        if (!path.isEmpty())
            exportReport(path);
    });
    file->addAction(tr("Export &topology…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this,
            tr("Export topology"),
            QFileInfo(m_spec.section(':', -1)).completeBaseName() + "-topology.svg",
            tr("SVG drawing (*.svg);;PNG image (*.png)"));
        if (!path.isEmpty() && !exportTopology(path))
            statusBar()->showMessage(tr("Cannot write %1").arg(path), 8000);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    rebuildRecentMenu();

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = edit->addAction(
        tr("&Undo"), QKeySequence::Undo, this, [this] { m_editor->editor().undo(); });
    QAction* redo = edit->addAction(
        tr("&Redo"), QKeySequence::Redo, this, [this] { m_editor->editor().redo(); });
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(&m_editor->editor(), &QPlainTextEdit::undoAvailable, undo, &QAction::setEnabled);
    connect(&m_editor->editor(), &QPlainTextEdit::redoAvailable, redo, &QAction::setEnabled);
    // Shortcuts of the editor itself act when it has the focus; these when anything else has.
    undo->setShortcutContext(Qt::WidgetShortcut);
    redo->setShortcutContext(Qt::WidgetShortcut);
    edit->addAction(tr("&Apply and run"), QKeySequence(Qt::CTRL | Qt::Key_Return), this, [this] {
        applyText(m_editor->text());
    });
    edit->addAction(tr("&Scenario editor"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        m_editorDock->show();
        m_editorDock->raise();
        m_editor->editor().setFocus();
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Fit"), QKeySequence(Qt::Key_F), m_view, &TopologyView::fit);
    view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, this, [this] { m_view->zoomBy(1.25); });
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, this, [this] { m_view->zoomBy(0.8); });
    view->addAction(tr("&Unfocus"), QKeySequence(Qt::Key_Escape), this, [this] {
        m_scene->focus({});
        m_timeline->clearRange();
    });
    view->addAction(tr("Edge &health thresholds…"), this, [this] {
        bool ok = false;
        const double degraded = QInputDialog::getDouble(this,
                                                        tr("Edge health"),
                                                        tr("Degraded from this error share (%):"),
                                                        m_thresholds.degraded * 100,
                                                        0.0,
                                                        100.0,
                                                        3,
                                                        &ok);
        if (!ok)
            return;
        const double failing
            = QInputDialog::getDouble(this,
                                      tr("Edge health"),
                                      tr("Failing above this error share (%):"),
                                      std::max(m_thresholds.failing * 100, degraded),
                                      degraded,
                                      100.0,
                                      3,
                                      &ok);
        if (ok)
            setThresholds({degraded / 100, failing / 100});
    });
    m_foldAction = view->addAction(tr("F&old large layers"));
    m_foldAction->setCheckable(true);
    m_foldAction->setChecked(true);
    m_foldAction->setToolTip(
        tr("Draw at most %1 components per layer; one node stands for the rest")
            .arg(TopologyScene::kFoldAbove));
    connect(m_foldAction, &QAction::toggled, this, &MainWindow::setFolding);
    m_reducedMotion = view->addAction(tr("&Reduced motion"));
    m_reducedMotion->setCheckable(true);
    connect(m_reducedMotion, &QAction::toggled, this, &MainWindow::setReducedMotion);
}

void MainWindow::buildTransport()
{
    QToolBar* bar = addToolBar(tr("Transport"));
    bar->setObjectName("transport");
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QAction* back = bar->addAction(style()->standardIcon(QStyle::SP_MediaSkipBackward),
                                   tr("Back"),
                                   this,
                                   &MainWindow::stepBack);
    back->setToolTip(tr("Step back to the previous recorded event (Left)"));
    back->setShortcut(Qt::Key_Left);
    m_playAction = bar->addAction(
        style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"), m_playback, &Playback::toggle);
    m_playAction->setCheckable(true);
    m_playAction->setShortcut(Qt::Key_Space);
    QAction* step = bar->addAction(style()->standardIcon(QStyle::SP_MediaSkipForward),
                                   tr("Step"),
                                   this,
                                   &MainWindow::stepForward);
    step->setToolTip(tr("Step to the next recorded event (Right)"));
    step->setShortcut(Qt::Key_Right);
    m_speed = new QComboBox;
    m_speed->setObjectName("speed");
    for (const double s : {0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1000.0})
        m_speed->addItem(QString::number(s) + "×", s);
    m_speed->addItem(tr("as fast as the run"), 0.0);
    m_speed->setCurrentIndex(4);
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this] {
        const double s = m_speed->currentData().toDouble();
        m_playback->setFollowRun(s == 0.0);
        if (s > 0.0)
            m_playback->setSpeed(s);
    });
    bar->addWidget(m_speed);
    QToolButton* jump = new QToolButton;
    jump->setText(tr("Jump to"));
    jump->setPopupMode(QToolButton::InstantPopup);
    auto* jumps = new QMenu(jump);
    jumps->addAction(tr("Next fault"), this, [this] { jumpToNext(Jump::Fault); });
    jumps->addAction(tr("Next error"), this, [this] { jumpToNext(Jump::Error); });
    jumps->addAction(tr("Next breaker change"), this, [this] { jumpToNext(Jump::Breaker); });
    jumps->addAction(tr("Next ejection"), this, [this] { jumpToNext(Jump::Ejection); });
    jumps->addSeparator();
    // The request inspector's searches: the slowest sampled request, the first failed one.
    jumps->addAction(tr("Slowest request"), this, [this] {
        if (m_inspector->showSlowest()) {
            m_inspectorDock->show();
            m_inspectorDock->raise();
        }
    });
    jumps->addAction(tr("A failed request"), this, [this] {
        if (m_inspector->showFailed()) {
            m_inspectorDock->show();
            m_inspectorDock->raise();
        }
    });
    jump->setMenu(jumps);
    bar->addWidget(jump);
    m_timeLabel = new QLabel;
    m_timeLabel->setObjectName("time");
    m_timeLabel->setMinimumWidth(170);
    m_timeLabel->setContentsMargins(10, 0, 10, 0);
    bar->addWidget(m_timeLabel);
    bar->addSeparator();

    bar->addWidget(new QLabel(tr(" Platform ")));
    m_platform = new QComboBox;
    m_platform->setObjectName("platform");
    m_platform->addItem(tr("fast"), int(m::EngineKind::Fast));
    m_platform->addItem(tr("SimGrid"), int(m::EngineKind::SimGrid));
    connect(m_platform, &QComboBox::activated, this, [this] {
        setPlatform(static_cast<m::EngineKind>(m_platform->currentData().toInt()));
    });
    bar->addWidget(m_platform);
    bar->addSeparator();

    m_viewKind = new QComboBox;
    m_viewKind->addItems({tr("logical"), tr("physical")});
    connect(m_viewKind, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_scene->setView(i == 0 ? TopologyScene::View::Logical : TopologyScene::View::Physical);
        m_scene->setRecording(m_session->recording());
        onTime(m_playback->time());
        m_view->fit();
    });
    bar->addWidget(m_viewKind);
    m_layoutKind = new QComboBox;
    m_layoutKind->addItems({tr("layered"), tr("force")});
    connect(m_layoutKind, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_scene->setLayout(i == 0 ? TopologyScene::Layout::Layered : TopologyScene::Layout::Force);
        if (i == 1 && m_session->info()
            && m_session->info()->view.components.size() > kMaxForceComponents)
            m_statusLabel->setText(tr("The force layout is for up to %1 components: this system "
                                      "is drawn layered.")
                                       .arg(kMaxForceComponents));
        m_scene->setRecording(m_session->recording());
        onTime(m_playback->time());
        m_view->fit();
    });
    bar->addWidget(m_layoutKind);
    m_edgeLabel = new QComboBox;
    for (const EdgeLabel l : {EdgeLabel::Rate,
                              EdgeLabel::ErrorShare,
                              EdgeLabel::P50,
                              EdgeLabel::P95,
                              EdgeLabel::P99,
                              EdgeLabel::RetryRate})
        m_edgeLabel->addItem(edgeLabelName(l), int(l));
    connect(m_edgeLabel, &QComboBox::currentIndexChanged, this, [this] {
        m_scene->setEdgeLabel(static_cast<EdgeLabel>(m_edgeLabel->currentData().toInt()));
    });
    bar->addWidget(m_edgeLabel);
    m_themeKind = new QComboBox;
    m_themeKind->addItems({"light", "dark", "projector"});
    connect(m_themeKind, &QComboBox::currentTextChanged, this, &MainWindow::setTheme);
    bar->addWidget(m_themeKind);
    auto* findBox = new QLineEdit;
    findBox->setObjectName("find");
    findBox->setPlaceholderText(tr("Find a service…"));
    findBox->setMaximumWidth(180);
    connect(findBox, &QLineEdit::returnPressed, this, [this, findBox] { find(findBox->text()); });
    bar->addWidget(findBox);

    m_statusLabel = new QLabel;
    m_statusLabel->setObjectName("status");
    m_sampleLabel = new QLabel;
    m_sampleLabel->setObjectName("sample");
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setFormat("%p% simulated");
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName("cancel");
    connect(m_cancel, &QPushButton::clicked, m_session.get(), &RunSession::cancel);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_sampleLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
}

void MainWindow::buildDocks()
{
    auto* charts = new QDockWidget(tr("Charts"), this);
    charts->setObjectName("chartsDock");
    charts->setWidget(m_charts);
    addDockWidget(Qt::BottomDockWidgetArea, charts);
    resizeDocks({charts}, {340}, Qt::Vertical); // the topology keeps most of the height

    auto* table = new QDockWidget(tr("Components"), this);
    table->setObjectName("tableDock");
    m_table->setModel(m_tableModel);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        // A version's row finds its service.
        const run::RecordingInfo* info = m_session->info();
        const std::uint32_t c = m_tableModel->item(index.row(), 0)->data(Qt::UserRole).toUInt();
        find(info && c < info->view.components.size()
                 ? QString::fromStdString(info->view.components[c].name)
                 : m_tableModel->item(index.row(), 0)->text());
    });
    table->setWidget(m_table);
    addDockWidget(Qt::RightDockWidgetArea, table);

    auto* legend = new QDockWidget(tr("Legend"), this);
    legend->setObjectName("legendDock");
    m_legend = new Legend;
    legend->setWidget(m_legend);
    addDockWidget(Qt::RightDockWidgetArea, legend);
    tabifyDockWidget(table, legend);
    legend->raise();

    m_diagnosticsDock = new QDockWidget(tr("Diagnostics"), this);
    m_diagnosticsDock->setObjectName("diagnosticsDock");
    m_diagnostics->setObjectName("diagnostics");
    m_diagnosticsDock->setWidget(m_diagnostics);
    addDockWidget(Qt::RightDockWidgetArea, m_diagnosticsDock);
    m_diagnosticsDock->hide();

    m_inspectorDock = new QDockWidget(tr("Request"), this);
    m_inspectorDock->setObjectName("inspectorDock");
    m_inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::BottomDockWidgetArea, m_inspectorDock);
    tabifyDockWidget(charts, m_inspectorDock);
    m_eventsDock = new QDockWidget(tr("Events"), this);
    m_eventsDock->setObjectName("eventsDock");
    m_eventsDock->setWidget(m_events);
    addDockWidget(Qt::BottomDockWidgetArea, m_eventsDock);
    tabifyDockWidget(charts, m_eventsDock);
    charts->raise();

    m_editorDock = new QDockWidget(tr("Scenario"), this);
    m_editorDock->setObjectName("editorDock");
    m_form = new ScenarioForm(m_editor);
    auto* editorSplit = new QSplitter(Qt::Vertical);
    editorSplit->addWidget(m_editor);
    auto* formScroll = new QScrollArea;
    formScroll->setWidget(m_form);
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    editorSplit->addWidget(formScroll);
    editorSplit->setSizes({620, 220});
    m_editorDock->setWidget(editorSplit);
    addDockWidget(Qt::LeftDockWidgetArea, m_editorDock);
    resizeDocks({m_editorDock}, {460}, Qt::Horizontal);
}

// --- opening and running -------------------------------------------------------------------------

void MainWindow::open(const QString& nameOrPath)
{
    startLoad(nameOrPath, std::nullopt);
}

void MainWindow::applyText(const QString& text)
{
    if (m_spec.isEmpty())
        return;
    startLoad(m_spec, text); // a load under way is superseded (its result is ignored)
}

// Loads a scenario off the GUI thread: the file (with its text, for the editor) or, when `text`
// is given, the editor's buffer under the spec's name.
void MainWindow::startLoad(const QString& spec, std::optional<QString> text)
{
    const bool fromEditor = text.has_value();
    // A re-run of the buffer shows the time shown now; a scenario opened starts at 0.
    m_pendingResume = fromEditor ? std::optional(m_playback->time()) : std::nullopt;
    m_appliedText = text;
    m_spec = spec;
    const std::uint64_t generation = ++m_loadGeneration;
    m_loading = true;
    if (!fromEditor)
        m_session->cancel();
    m_statusLabel->setText(tr("Loading %1…").arg(spec));
    const std::string name = spec.toStdString();
    std::optional<std::string> buffer;
    if (text)
        buffer = text->toStdString();
    QThread* loader = QThread::create([this, generation, name, spec, buffer, fromEditor] {
        topologies::LoadResult result;
        std::optional<QString> source;
        if (buffer) {
            result = topologies::loadScenarioText(*buffer, name);
        } else {
            result = topologies::loadScenario(name);
            // The text the editor shows: a built-in scenario's, or the file's.
            if (const auto t = topologies::scenarioSourceText(name))
                source = QString::fromStdString(*t);
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, spec, result = std::move(result), source, fromEditor]() mutable {
                loaded(generation, spec, std::move(result), source, fromEditor);
            },
            Qt::QueuedConnection);
    });
    connect(loader, &QThread::finished, loader, &QObject::deleteLater);
    std::erase_if(m_loaders, [](const QPointer<QThread>& t) { return t.isNull(); });
    m_loaders.emplace_back(loader);
    loader->start();
}

void MainWindow::reload()
{
    if (!m_spec.isEmpty())
        open(m_spec);
}

void MainWindow::loaded(std::uint64_t generation,
                        const QString& spec,
                        topologies::LoadResult result,
                        std::optional<QString> source,
                        bool fromEditor)
{
    if (generation != m_loadGeneration)
        return;
    m_loading = false;
    if (source)
        m_editor->setScenario(spec, *source);
    else if (!fromEditor && m_editor->spec() != spec)
        m_editor->setScenario(spec, QString()); // a scenario without a text of its own
    if (fromEditor && !result.ok()) {
        // The buffer does not validate: the editor lists why; the last run stays on screen.
        m_statusLabel->setText(tr("The scenario as edited does not validate (%1 problem(s), see "
                                  "the editor); the last run is still shown.")
                                   .arg(result.diagnostics.size()));
        m_editorDock->show();
        emit openFailed();
        return;
    }
    m_diagnostics->clear();
    for (const topologies::Diagnostic& d : result.diagnostics) {
        auto* item = new QListWidgetItem(QString::fromStdString(d.format()));
        item->setForeground(d.severity == topologies::Diagnostic::Severity::Error
                                ? QColor(0xD5, 0x5E, 0x00)
                                : QColor(0x80, 0x60, 0x00));
        m_diagnostics->addItem(item);
    }
    m_diagnosticsDock->setVisible(!result.diagnostics.empty());
    if (!result.ok()) {
        m_scenario.reset();
        m_session->cancel();
        m_scene->setSystem({}, {});
        m_charts->setRun({}, {});
        m_timeline->setRun(1, {});
        m_statusLabel->setText(tr("%1 does not validate: %2 problem(s), nothing was run.")
                                   .arg(spec)
                                   .arg(result.diagnostics.size()));
        setWindowTitle(QString("meshsim — %1 (invalid)").arg(spec));
        emit openFailed();
        return;
    }
    m_scenario = std::make_shared<const topologies::Scenario>(std::move(*result.scenario));
    addRecent(spec);
    setWindowTitle(QString("meshsim — %1").arg(QString::fromStdString(m_scenario->name)));
    if (!fromEditor) // a re-run of the buffer stays on the platform chosen
        m_chosenEngine = m_override;
    m_platform->setCurrentIndex(
        m_chosenEngine.value_or(m_scenario->engine) == m::EngineKind::SimGrid ? 1 : 0);
    emit scenarioOpened();
    startRun();
}

void MainWindow::setPlatform(m::EngineKind engine)
{
    m_chosenEngine = engine;
    m_platform->setCurrentIndex(engine == m::EngineKind::SimGrid ? 1 : 0);
    rerun();
}

void MainWindow::rerun()
{
    if (m_scenario)
        startRun();
}

void MainWindow::startRun()
{
    const m::EngineKind engine = m_chosenEngine.value_or(m_scenario->engine);
    const run::RecordingInfo info = run::makeRecordingInfo(*m_scenario, engine, m_scenario->seed);
    m_playback->pause();
    m_playback->setLimit(0);
    m_playback->setTime(0);
    m_resumeAt = std::exchange(m_pendingResume, std::nullopt);
    m_autoPlayed = m_resumeAt.has_value(); // a re-run shows the time it was at, paused
    m_scene->setSystem(info.view, m_scenario->system.faults);
    m_view->fit();
    m_charts->setRun(info.view, m_scenario->slo);
    m_timeline->setRun(m_scenario->duration.count(), m_scenario->system.faults, info.view);
    m_tableModel->clear();
    m_inspected = nullptr;
    m_inspector->setData(nullptr, nullptr);
    m_events->setData(nullptr, nullptr);
    m_session->start(m_scenario, engine, m_appliedText);
    m_cancel->setEnabled(m_session->running());
    updateStatus();
}

bool MainWindow::inspectParticleAt(const QPoint& viewportPos)
{
    ParticleLayer* particles = m_scene->particles();
    if (!particles || !m_inspected)
        return false;
    // A few pixels around the click, whatever the zoom.
    const double scale = std::max(1e-6, m_view->transform().m11());
    const auto id = particles->requestAt(m_view->mapToScene(viewportPos), 6.0 / scale);
    if (!id || !m_inspector->showRequest(*id))
        return false;
    m_inspectorDock->show();
    m_inspectorDock->raise();
    m_statusLabel->setText(tr("Request %1: see the Request dock.").arg(*id));
    return true;
}

bool MainWindow::inspectAnsweredAt(std::int64_t timeNs, bool failed)
{
    const m::Recording* r = m_session->recording();
    if (!r || r->windows == 0)
        return false;
    const WindowRange w = windowAt(*r, timeNs);
    const std::int64_t from = std::int64_t{w.first} * r->layout.windowNs;
    const std::int64_t to = std::int64_t{w.last} * r->layout.windowNs;
    const m::RecordedRequest* best = nullptr;
    for (const m::RecordedRequest& q : r->requests) {
        if (q.hops.empty() || q.hops[0].end < from || q.hops[0].end >= to)
            continue;
        const m::RecordedHop& h = q.hops[0];
        if (failed) {
            if (h.outcome != m::Outcome::Ok && (!best || h.end < best->hops[0].end))
                best = &q;
        } else if (!best || h.end - h.start > best->hops[0].end - best->hops[0].start) {
            best = &q;
        }
    }
    if (!best || !m_inspector->showRequest(best->id)) {
        m_statusLabel->setText(
            tr("No sampled request %1 answered between %2 and %3.")
                .arg(failed ? tr("that failed was") : tr("was"), seconds(from), seconds(to)));
        return false;
    }
    m_inspectorDock->show();
    m_inspectorDock->raise();
    return true;
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::MouseButtonPress) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton && mouse->modifiers() == Qt::NoModifier
            && inspectParticleAt(mouse->position().toPoint()))
            return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

CompareWindow* MainWindow::compare(std::vector<CompareDesign> designs)
{
    auto* window = new CompareWindow;
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    window->compare(std::move(designs), m_chosenEngine ? m_chosenEngine : m_override);
    return window;
}

CompareWindow* MainWindow::compareArchitectures()
{
    if (m_spec.isEmpty())
        return nullptr;
    std::vector<CompareDesign> designs;
    for (const char* a : {"direct", "gateway", "mesh", "gateway+mesh"})
        designs.push_back({m_spec, QString(a), m_editor->text(), std::nullopt, std::nullopt});
    return compare(std::move(designs));
}

CompareWindow* MainWindow::compareGatewayProducts()
{
    if (m_spec.isEmpty())
        return nullptr;
    std::vector<CompareDesign> designs;
    for (const char* kind : {"envoy", "kong", "nginx"})
        designs.push_back(
            {m_spec, QString("gateway"), m_editor->text(), QString(kind), std::nullopt});
    return compare(std::move(designs));
}

CompareWindow* MainWindow::compareMeshProducts()
{
    if (m_spec.isEmpty())
        return nullptr;
    std::vector<CompareDesign> designs;
    for (const char* kind : {"istio", "istio-ambient", "linkerd"})
        designs.push_back({m_spec, QString("mesh"), m_editor->text(), std::nullopt, QString(kind)});
    return compare(std::move(designs));
}

// --- editing, saving and injecting ---------------------------------------------------------------

bool MainWindow::saveScenario()
{
    if (m_editor->spec().startsWith("builtin:") || m_editor->spec().isEmpty())
        return saveScenarioAs();
    if (!m_editor->save()) {
        m_statusLabel->setText(m_editor->lastError());
        return false;
    }
    m_statusLabel->setText(tr("Saved %1.").arg(m_editor->spec()));
    return true;
}

bool MainWindow::exportReport(const QString& path)
{
    if (!m_session->results()) {
        statusBar()->showMessage(tr("No finished run to report yet"), 8000);
        return false;
    }
    statusBar()->showMessage(tr("Writing the report…"));
    // The report is written off the GUI thread (a PDF takes a moment).
    // The text that ran: the applied buffer, else the scenario's own (read in the worker).
    auto* worker
        = QThread::create([this,
                           runs = std::vector<nlohmann::ordered_json>{*m_session->results()},
                           applied = m_appliedText,
                           spec = m_spec.toStdString(),
                           path]() mutable {
              const std::string text = applied ? applied->toStdString()
                                               : topologies::scenarioSourceText(spec).value_or("");
              const QString error = writeReport(std::move(runs), {text}, path);
              QMetaObject::invokeMethod(
                  this,
                  [this, path, error] {
                      statusBar()->showMessage(
                          error.isEmpty() ? tr("Report written to %1").arg(path) : error, 8000);
                      emit reportExported(path, error);
                  },
                  Qt::QueuedConnection);
          });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    std::erase_if(m_loaders, [](const QPointer<QThread>& t) { return t.isNull(); });
    m_loaders.emplace_back(worker); // waited for if the window closes first
    worker->start();
    return true;
}

bool MainWindow::exportTopology(const QString& path)
{
    return writeScenePicture(*m_scene, path);
}

bool MainWindow::saveScenarioAs(const QString& path)
{
    QString target = path;
    if (target.isEmpty())
        target = QFileDialog::getSaveFileName(
            this, tr("Save the scenario"), {}, tr("Scenarios (*.yaml *.yml);;All files (*)"));
    if (target.isEmpty())
        return false;
    if (!m_editor->save(target)) {
        m_statusLabel->setText(m_editor->lastError());
        return false;
    }
    m_spec = target;
    addRecent(target);
    m_statusLabel->setText(tr("Saved %1.").arg(target));
    return true;
}

void MainWindow::injectFault(const FaultRequest& fault)
{
    if (!m_editor->appendToList("faults", {faultYaml(fault)})) {
        m_statusLabel->setText(tr("The scenario's faults are written in a way that cannot be "
                                  "extended here: add %1 in the editor.")
                                   .arg(faultYaml(fault)));
        return;
    }
    m_statusLabel->setText(
        tr("Added %1 to the scenario's faults; running it again.").arg(faultYaml(fault)));
    applyText(m_editor->text());
}

bool MainWindow::injectLoadStep(const LoadStep& step)
{
    QString why;
    if (!writeLoadStep(*m_editor, step, &why)) {
        m_statusLabel->setText(tr("No load step: %1.").arg(why));
        return false;
    }
    m_statusLabel->setText(tr("%1 sends %2 requests/s from %3 s; running again.")
                               .arg(step.workload)
                               .arg(step.ratePerSecond)
                               .arg(step.atSeconds));
    applyText(m_editor->text());
    return true;
}

void MainWindow::askFault(FaultRequest proposal)
{
    const double duration = m_scenario ? double(m_scenario->duration.count()) / 1e9 : 60.0;
    FaultDialog dialog(proposal, duration, this);
    if (dialog.exec() == QDialog::Accepted)
        injectFault(dialog.request());
}

void MainWindow::topologyMenu(const QPoint& pos)
{
    const run::RecordingInfo* info = m_session->info();
    if (!info || !m_scenario)
        return;
    const auto& view = info->view;
    using K = FaultRequest::Kind;
    FaultRequest base;
    base.atSeconds = std::round(double(m_playback->time()) / 1e6) / 1e3; // "now", to the ms
    QMenu menu(this);
    auto offer = [&](const QString& text, FaultRequest proposal) {
        menu.addAction(text, this, [this, proposal] { askFault(proposal); });
    };
    auto* node = dynamic_cast<NodeItem*>(m_view->itemAt(pos));
    if (node && node->members().empty() && node->component() < view.components.size()) {
        const auto& c = view.components[node->component()];
        FaultRequest target = base;
        target.service = QString::fromStdString(c.name);
        QString who = target.service;
        if (node->instance() != m::kNoIndex && node->instance() < view.instances.size()) {
            target.instance = view.instances[node->instance()].index;
            who += "/" + QString::number(*target.instance);
        }
        if (c.kind == m::ComponentKind::Client) {
            LoadStep step;
            step.workload = target.service;
            step.atSeconds = base.atSeconds;
            // Twice the rate it had over the shown window, as a first proposal.
            if (const m::Recording* r = m_session->recording())
                step.ratePerSecond = std::max(
                    1.0,
                    2
                        * workloadAggregate(
                              *r, view, node->component(), windowAt(*r, m_playback->time()))
                              .rate());
            menu.addAction(tr("Change the load of %1…").arg(step.workload), this, [this, step] {
                const double duration
                    = m_scenario ? double(m_scenario->duration.count()) / 1e9 : 60.0;
                LoadStepDialog dialog(step, duration, this);
                if (dialog.exec() == QDialog::Accepted)
                    injectLoadStep(dialog.step());
            });
        }
        if (c.kind == m::ComponentKind::Service) {
            target.kind = K::Kill;
            offer(tr("Kill %1…").arg(who), target);
            target.kind = K::Slow;
            target.factor = 5.0;
            offer(tr("Slow %1 down…").arg(who), target);
            target.kind = K::Errors;
            offer(tr("Make %1 fail…").arg(who), target);
            if (!target.instance) {
                FaultRequest policy = target;
                policy.kind = K::Policy;
                policy.retryAttempts = 0;
                offer(tr("Change the calls to %1 (retries, timeout)…").arg(who), policy);
            }
        }
        // Its node, when the platform declares nodes.
        if (node->instance() != m::kNoIndex && node->instance() < view.instances.size()
            && !m_scenario->platform.nodes.empty()) {
            FaultRequest down = base;
            down.kind = K::NodeDown;
            down.node
                = QString::fromStdString(view.nodes[view.instances[node->instance()].node].name);
            offer(tr("Take node %1 down…").arg(down.node), down);
        }
    }
    // Zones: a partition or a degraded network between two of them, or inside one.
    if (view.zones.size() > 1) {
        QMenu* partition = menu.addMenu(tr("Partition zones"));
        QMenu* degrade = menu.addMenu(tr("Degrade the network"));
        for (std::size_t a = 0; a < view.zones.size(); ++a) {
            FaultRequest inside = base;
            inside.kind = K::Degrade;
            inside.latencyMs = 50;
            inside.zoneA = QString::fromStdString(view.zones[a]);
            degrade->addAction(
                tr("inside %1…").arg(inside.zoneA), this, [this, inside] { askFault(inside); });
            for (std::size_t b = a + 1; b < view.zones.size(); ++b) {
                FaultRequest pair = inside;
                pair.zoneB = QString::fromStdString(view.zones[b]);
                degrade->addAction(QString("%1 ↔ %2…").arg(pair.zoneA, pair.zoneB),
                                   this,
                                   [this, pair] { askFault(pair); });
                pair.kind = K::Partition;
                partition->addAction(QString("%1 ↔ %2…").arg(pair.zoneA, pair.zoneB),
                                     this,
                                     [this, pair] { askFault(pair); });
            }
        }
    }
    if (!menu.isEmpty())
        menu.exec(m_view->viewport()->mapToGlobal(pos));
}

std::int64_t MainWindow::recordedUntil() const
{
    const m::Recording* r = m_session->recording();
    return r ? std::int64_t{r->windows} * r->layout.windowNs : 0;
}

void MainWindow::onRecordingGrew()
{
    const m::Recording* r = m_session->recording();
    m_scene->setRecording(r);
    m_timeline->setRecording(r);
    if (r != m_inspected && m_session->info()) {
        m_inspected = r;
        m_inspector->setData(r, &m_session->info()->view);
        m_events->setData(r, &m_session->info()->view);
    }
    if (m_session->running()) {
        if (!m_slowViews->isActive())
            m_slowViews->start();
    } else {
        m_slowViews->stop();
        refreshSlowViews();
    }
    m_playback->setLimit(recordedUntil());
    if (m_resumeAt && (m_playback->limit() >= *m_resumeAt || !m_session->running())) {
        m_playback->setTime(std::min(*m_resumeAt, m_playback->limit()));
        m_resumeAt.reset();
    }
    // Playback starts as soon as the first simulated window is there.
    if (!m_autoPlayed && m_playback->limit() > 0) {
        m_autoPlayed = true;
        m_playback->play();
    }
    onTime(m_playback->time());
    updateStatus();
}

void MainWindow::refreshSlowViews()
{
    m_charts->setRecording(m_session->recording());
    if (m_inspected) {
        m_inspector->recordingGrew();
        m_events->recordingGrew();
    }
    updateTable();
}

void MainWindow::onProgress(double simulated, double duration)
{
    m_progress->setValue(duration > 0 ? static_cast<int>(1000 * std::min(1.0, simulated / duration))
                                      : 0);
    updateStatus();
}

void MainWindow::onRunFinished()
{
    m_grew->stop();
    m_cancel->setEnabled(false);
    if (m_session->state() == RunSession::State::Finished)
        m_progress->setValue(1000);
    onRecordingGrew();
    updateStatus();
    emit runFinished();
}

void MainWindow::onTime(std::int64_t timeNs)
{
    std::optional<WindowRange> range;
    if (const auto selected = m_timeline->range(); selected && m_session->recording())
        range = windowsBetween(*m_session->recording(), selected->first, selected->second);
    m_scene->show(timeNs, range);
    m_timeline->setTime(timeNs);
    m_charts->setTime(timeNs);
    m_timeLabel->setText(seconds(timeNs) + " / "
                         + seconds(m_scenario ? m_scenario->duration.count() : 0));
}

void MainWindow::selectRange(std::optional<std::pair<std::int64_t, std::int64_t>> range)
{
    std::optional<WindowRange> windows;
    if (range && m_session->recording())
        windows = windowsBetween(*m_session->recording(), range->first, range->second);
    m_charts->setRange(windows);
    onTime(m_playback->time());
    updateTable();
}

void MainWindow::onSelection()
{
    const QList<QGraphicsItem*> selected = m_scene->selectedItems();
    ChartsPanel::Subject subject;
    if (!selected.isEmpty()) {
        const run::RecordingInfo* info = m_session->info();
        const std::size_t components = info ? info->view.components.size() : 0;
        if (auto* node = dynamic_cast<NodeItem*>(selected.front());
            node && info && node->members().empty() && node->component() < components
            && node->component() >= info->view.firstTier) {
            subject.kind = ChartsPanel::Subject::Kind::Tier;
            subject.index = node->component() - m_session->info()->view.firstTier;
            subject.name = QString::fromStdString(
                m_session->info()->view.components[node->component()].name);
            // The editor shows the component's YAML (unless the user is typing in it).
            if (!m_syncing && !m_editor->editor().hasFocus()) {
                m_syncing = true;
                const auto kind = m_session->info()->view.components[node->component()].kind;
                if (kind == m::ComponentKind::Service)
                    m_editor->revealService(subject.name);
                else if (kind == m::ComponentKind::Gateway)
                    m_editor->revealSection("gateway");
                else if (kind == m::ComponentKind::Ingress || kind == m::ComponentKind::Waypoint)
                    m_editor->revealSection("mesh");
                m_syncing = false;
            }
        } else if (auto* edge = dynamic_cast<EdgeItem*>(selected.front());
                   edge && info && edge->recordedEdge() && edge->from() < components
                   && edge->to() < components) {
            const auto& c = m_session->info()->view.components;
            subject.kind = ChartsPanel::Subject::Kind::Edge;
            subject.index = *edge->recordedEdge();
            subject.name
                = QString::fromStdString(c[edge->from()].name + " → " + c[edge->to()].name);
        }
    }
    m_charts->setSubject(subject);
}

void MainWindow::updateTable()
{
    const m::Recording* r = m_session->recording();
    const run::RecordingInfo* info = m_session->info();
    if (!r || !info)
        return;
    std::optional<WindowRange> range;
    if (const auto selected = m_timeline->range())
        range = windowsBetween(*r, selected->first, selected->second);
    const WindowRange shown = range ? *range : wholeRun(*r);
    const auto& view = info->view;
    // A row per component, then one per named operation ("catalog.item") and per version
    // ("reviews@v2") of a service.
    std::size_t rows = view.components.size();
    for (const auto& c : view.components)
        rows += c.operations.size() + c.versions.size();
    if (m_tableModel->rowCount() != static_cast<int>(rows)) {
        m_tableModel->clear();
        m_tableModel->setHorizontalHeaderLabels({tr("component"),
                                                 tr("kind"),
                                                 tr("instances"),
                                                 tr("answered/s"),
                                                 tr("errors %"),
                                                 tr("mean ms"),
                                                 tr("busy workers")});
        for (std::uint32_t index = 0; index < view.components.size(); ++index) {
            const auto& c = view.components[index];
            QList<QStandardItem*> row;
            row << new QStandardItem(QString::fromStdString(c.name));
            row[0]->setData(index, Qt::UserRole); // the component, whatever the sort order
            row << new QStandardItem(
                c.kind == m::ComponentKind::Client ? "clients" : m::componentKindName(c.kind));
            for (int k = 0; k < 5; ++k)
                row << new QStandardItem;
            row[2]->setData(c.replicas, Qt::DisplayRole);
            m_tableModel->appendRow(row);
            // Its parts: UserRole + 1 says which (TablePart), UserRole + 2 its index.
            const auto addPart = [&](const std::string& name,
                                     TablePart part,
                                     std::uint32_t at,
                                     const QString& kind) {
                QList<QStandardItem*> partRow;
                partRow << new QStandardItem(QString::fromStdString(name));
                partRow[0]->setData(index, Qt::UserRole);
                partRow[0]->setData(static_cast<int>(part), Qt::UserRole + 1);
                partRow[0]->setData(at, Qt::UserRole + 2);
                partRow << new QStandardItem(kind);
                for (int k = 0; k < 5; ++k)
                    partRow << new QStandardItem;
                m_tableModel->appendRow(partRow);
                return partRow;
            };
            for (std::uint32_t o = 0; o < c.operations.size(); ++o)
                addPart(c.name + "." + c.operations[o], TablePart::Operation, o, tr("operation"));
            for (std::uint32_t v = 0; v < c.versions.size(); ++v)
                addPart(c.name + "@" + c.versions[v], TablePart::Version, v, tr("version"))[2]
                    ->setData(c.versionReplicas[v], Qt::DisplayRole);
        }
    }
    m_table->setSortingEnabled(false);
    for (int row = 0; row < m_tableModel->rowCount(); ++row) {
        const std::uint32_t c = m_tableModel->item(row, 0)->data(Qt::UserRole).toUInt();
        if (c >= view.components.size())
            continue;
        // The same numbers as the node's: a workload's calls, a tier's answers; an operation's
        // answers; a version's instances' answers together.
        const auto part
            = static_cast<TablePart>(m_tableModel->item(row, 0)->data(Qt::UserRole + 1).toInt());
        const std::uint32_t at = m_tableModel->item(row, 0)->data(Qt::UserRole + 2).toUInt();
        Aggregate a;
        if (c < view.firstTier)
            a = workloadAggregate(*r, view, c, shown);
        else if (part == TablePart::Operation)
            a = operationAggregate(*r, c - view.firstTier, at, shown);
        else if (part == TablePart::Version)
            a = versionAggregate(*r, view, c, at, shown);
        else
            a = tierAggregate(*r, c - view.firstTier, shown);
        m_tableModel->item(row, 3)->setData(std::round(a.rate() * 10) / 10, Qt::DisplayRole);
        m_tableModel->item(row, 4)->setData(std::round(a.errorShare() * 1e4) / 100,
                                            Qt::DisplayRole);
        m_tableModel->item(row, 5)->setData(std::round(a.meanLatencyMs() * 100) / 100,
                                            Qt::DisplayRole);
        m_tableModel->item(row, 6)->setData(std::round(a.busyMean * 10) / 10, Qt::DisplayRole);
    }
    m_table->setSortingEnabled(true);
}

QString MainWindow::statusText() const
{
    return m_statusLabel->text();
}

QString MainWindow::sampleText() const
{
    return m_sampleLabel->text();
}

void MainWindow::updateStatus()
{
    const auto engine = m_session->engine() == m::EngineKind::SimGrid ? tr("SimGrid") : tr("fast");
    switch (m_session->state()) {
    case RunSession::State::Idle:
        m_statusLabel->setText(m_spec.isEmpty()
                                   ? tr("Open a scenario (File → Open, or drop a YAML file here).")
                                   : m_statusLabel->text());
        break;
    case RunSession::State::Running:
        m_statusLabel->setText(tr("Running on the %1 platform: %2 of %3 simulated")
                                   .arg(engine)
                                   .arg(m_session->simulatedSeconds(), 0, 'f', 1)
                                   .arg(m_session->durationSeconds(), 0, 'f', 0));
        break;
    case RunSession::State::Finished:
        m_statusLabel->setText(tr("Run complete on the %1 platform.").arg(engine));
        break;
    case RunSession::State::Failed:
    case RunSession::State::Cancelled:
        m_statusLabel->setText(m_session->message());
        break;
    }
    if (const m::Recording* r = m_session->recording())
        m_sampleLabel->setText(
            tr("drawing %1% of requests").arg(r->sampleShare() * 100, 0, 'g', 3));
    else
        m_sampleLabel->clear();
}

// --- time
// ------------------------------------------------------------------------------------------

void MainWindow::stepForward()
{
    m_playback->pause();
    if (const auto t = m_scene->particleIndex().nextEventAfter(m_playback->time()))
        m_playback->setTime(*t);
}

void MainWindow::stepBack()
{
    m_playback->pause();
    if (const auto t = m_scene->particleIndex().previousEventBefore(m_playback->time()))
        m_playback->setTime(*t);
}

bool MainWindow::jumpToNext(Jump what)
{
    const m::Recording* r = m_session->recording();
    const std::int64_t now = m_playback->time();
    std::optional<std::int64_t> best;
    auto consider = [&](std::int64_t t) {
        if (t > now && (!best || t < *best))
            best = t;
    };
    if (what == Jump::Fault && m_scenario)
        for (const m::FaultConfig& f : m_scenario->system.faults) {
            consider(f.at.count());
            if (f.until)
                consider(f.until->count());
        }
    if (r) {
        for (const m::StateChange& s : r->states) {
            const bool wanted
                = (what == Jump::Breaker && s.kind == m::StateChange::Kind::Breaker)
                  || (what == Jump::Ejection && s.kind == m::StateChange::Kind::Ejection)
                  || (what == Jump::Fault
                      && (s.kind == m::StateChange::Kind::Killed
                          || s.kind == m::StateChange::Kind::NodeDown
                          || s.kind == m::StateChange::Kind::Restored));
            if (wanted)
                consider(engine::toNanos(s.at));
        }
        if (what == Jump::Error) // a sampled request or one of its calls failed
            for (const m::RecordedRequest& q : r->requests)
                for (const m::RecordedHop& h : q.hops)
                    if ((h.kind == m::HopKind::Request || h.kind == m::HopKind::Call)
                        && h.outcome != m::Outcome::Ok && h.end >= 0)
                        consider(h.end);
    }
    if (!best || *best > m_playback->limit())
        return false;
    m_playback->pause();
    m_playback->setTime(*best);
    return true;
}

// --- looks
// -----------------------------------------------------------------------------------------

void MainWindow::setTheme(const QString& name)
{
    m_theme = Theme::byName(name);
    if (m_themeKind->currentText() != m_theme.name())
        m_themeKind->setCurrentText(m_theme.name());
    m_scene->setTheme(m_theme);
    m_scene->setRecording(m_session->recording());
    m_timeline->setTheme(m_theme);
    m_charts->setTheme(m_theme);
    m_legend->setTheme(m_theme, m_thresholds);
    m_inspector->setTheme(m_theme);
    onTime(m_playback->time());
}

void MainWindow::setFolding(bool fold)
{
    if (m_foldAction->isChecked() != fold) {
        m_foldAction->setChecked(fold); // its toggled() comes back here
        return;
    }
    m_scene->setFolding(fold);
    m_scene->setRecording(m_session->recording());
    onTime(m_playback->time());
    m_view->fit();
}

void MainWindow::setThresholds(const HealthThresholds& thresholds)
{
    m_thresholds = thresholds;
    m_scene->setThresholds(m_thresholds);
    m_legend->setTheme(m_theme, m_thresholds);
}

void MainWindow::setReducedMotion(bool reduced)
{
    if (m_reducedMotion->isChecked() != reduced)
        m_reducedMotion->setChecked(reduced);
    m_scene->setReducedMotion(reduced);
}

void MainWindow::find(const QString& text)
{
    if (text.isEmpty()) {
        m_scene->focus({});
        return;
    }
    auto show = [this](NodeItem* node) {
        m_scene->clearSelection();
        node->setSelected(true);
        m_view->centerOn(node);
        m_scene->focus(m_scene->neighbours(node->component()));
    };
    for (NodeItem* node : m_scene->nodes())
        if (node->members().empty() && node->name().contains(text, Qt::CaseInsensitive)) {
            show(node);
            return;
        }
    // A component folded into a group: show the group, and say so.
    if (const run::RecordingInfo* info = m_session->info())
        for (std::uint32_t c = 0; c < info->view.components.size(); ++c)
            if (QString::fromStdString(info->view.components[c].name)
                    .contains(text, Qt::CaseInsensitive))
                if (NodeItem* group = m_scene->displayOf(c); group && !group->members().empty()) {
                    show(group);
                    m_statusLabel->setText(
                        tr("%1 is folded into “%2” (View → Fold large layers shows every "
                           "component).")
                            .arg(QString::fromStdString(info->view.components[c].name),
                                 group->name()));
                    return;
                }
    m_statusLabel->setText(tr("No component matches “%1”.").arg(text));
}

// --- files
// -----------------------------------------------------------------------------------------

void MainWindow::addRecent(const QString& spec)
{
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(spec);
    recent.prepend(spec);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recent", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recent").toStringList();
    for (const QString& spec : recent)
        m_recentMenu->addAction(spec, this, [this, spec] { open(spec); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) {
            open(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_editor->isModified()) {
        const auto answer = QMessageBox::question(
            this,
            tr("Unsaved scenario"),
            tr("The scenario %1 has changes that are not saved.").arg(m_editor->spec()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
            QMessageBox::Save);
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !saveScenario())) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Discard)
            m_editor->discardRecovery();
    }
    QSettings settings;
    settings.setValue("theme", m_theme.name());
    settings.setValue("thresholds/degraded", m_thresholds.degraded);
    settings.setValue("thresholds/failing", m_thresholds.failing);
    settings.setValue("fold", m_foldAction->isChecked());
    settings.setValue("reducedMotion", m_reducedMotion->isChecked());
    settings.setValue("geometry", saveGeometry());
    settings.setValue("windowState", saveState());
    m_playback->pause();
    m_session->cancel();
    QMainWindow::closeEvent(event);
}

} // namespace meshsim::ui
