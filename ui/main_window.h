#pragma once

// The main window: a scenario opened (File → Open / Recent / Reload, drag and drop, the built-in
// scenarios), run in the background (RunSession) and played back as it streams in: the topology
// with its particles in the middle, the transport bar above, the timeline below, the charts, the
// component table and the diagnostics docked around.

#include "topologies/loader.h"
#include "ui/charts_panel.h"
#include "ui/compare_window.h"
#include "ui/event_list.h"
#include "ui/fault_injection.h"
#include "ui/legend.h"
#include "ui/playback.h"
#include "ui/request_inspector.h"
#include "ui/run_session.h"
#include "ui/scenario_editor.h"
#include "ui/scenario_form.h"
#include "ui/theme.h"
#include "ui/timeline.h"
#include "ui/topology_scene.h"
#include "ui/topology_view.h"

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QMainWindow>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolButton>

#include <memory>
#include <optional>

namespace meshsim::ui {

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens "builtin:<name>" or a file and runs it (a file that does not validate shows its
    // diagnostics and runs nothing). Loading happens off the GUI thread; scenarioOpened or
    // diagnostics follow.
    void open(const QString& nameOrPath);
    void reload();
    // Runs the editor's buffer (not saved): the scenario as typed. An invalid buffer runs nothing
    // and the last run stays on screen. The view keeps its time when the system is the same.
    void applyText(const QString& text);
    // Adds the fault to the scenario (the editor's buffer) and runs it again from the start; the
    // run up to the fault's time is the previous one (same seed, deterministic).
    void injectFault(const FaultRequest& fault);
    // Changes a workload's rate from a time on (ui/fault_injection.h) and runs again; false (and
    // the reason in the status bar) when its arrivals cannot take a step.
    bool injectLoadStep(const LoadStep& step);
    // Opens a compare window on these designs (the open scenario is the editor's buffer).
    CompareWindow* compare(std::vector<CompareDesign> designs);
    // The open scenario in the four architectures.
    CompareWindow* compareArchitectures();
    // The scenario behind each gateway product (architecture gateway), or in each mesh product
    // (architecture mesh).
    CompareWindow* compareGatewayProducts();
    CompareWindow* compareMeshProducts();
    bool saveScenario();
    bool saveScenarioAs(const QString& path = {});
    // Writes the report of the finished run on screen, HTML or PDF by the file's suffix
    // (report/), in a worker thread; reportExported follows. False (and why in the status bar)
    // when no run has finished.
    bool exportReport(const QString& path);
    // The topology as it is on screen, as SVG or PNG by the file's suffix.
    bool exportTopology(const QString& path);
    // Runs the open scenario again on the chosen platform.
    void rerun();
    void setPlatform(models::EngineKind engine);
    // Every scenario opened from now runs on this platform, not on its `engine` (--platform).
    void setPlatformOverride(std::optional<models::EngineKind> engine) { m_override = engine; }

    // What the tests and the screenshot script drive and read.
    RunSession& session() { return *m_session; }
    Playback& playback() { return *m_playback; }
    TopologyScene& scene() { return *m_scene; }
    TopologyView& view() { return *m_view; }
    Timeline& timeline() { return *m_timeline; }
    ChartsPanel& charts() { return *m_charts; }
    QListWidget& diagnostics() { return *m_diagnostics; }
    QTableView& table() { return *m_table; }
    Legend& legend() { return *m_legend; }
    ScenarioEditor& editor() { return *m_editor; }
    ScenarioForm& form() { return *m_form; }
    RequestInspector& inspector() { return *m_inspector; }
    EventList& events() { return *m_events; }
    // Shows the request of the particle under a point of the topology view (what a click does);
    // false when no particle is there.
    bool inspectParticleAt(const QPoint& viewportPos);
    // Shows the slowest sampled request answered in the window holding `timeNs` (or, `failed`,
    // the first one that failed there); false when there is none.
    bool inspectAnsweredAt(std::int64_t timeNs, bool failed);
    QString statusText() const;
    QString sampleText() const;
    QString scenarioSpec() const { return m_spec; }
    bool loading() const { return m_loading; }

    void stepForward();
    void stepBack();
    enum class Jump { Fault, Error, Breaker, Ejection };
    bool jumpToNext(Jump what);
    void setTheme(const QString& name);
    void setReducedMotion(bool reduced);
    void find(const QString& text);
    void selectRange(std::optional<std::pair<std::int64_t, std::int64_t>> range);
    // Edge health: error shares from which an edge is degraded, and failing.
    void setThresholds(const HealthThresholds& thresholds);
    void setFolding(bool fold); // layers of more than TopologyScene::kFoldAbove components
    const HealthThresholds& thresholds() const { return m_thresholds; }

signals:
    void scenarioOpened();
    void openFailed();
    void runFinished();
    void reportExported(const QString& path, const QString& error); // error empty on success

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildTransport();
    void buildDocks();
    void loaded(std::uint64_t generation,
                const QString& spec,
                topologies::LoadResult result,
                std::optional<QString> source,
                bool fromEditor);
    void startLoad(const QString& spec, std::optional<QString> text);
    void topologyMenu(const QPoint& pos);
    void askFault(FaultRequest proposal);
    void startRun();
    void onRecordingGrew();
    void refreshSlowViews(); // the charts and the table: at most a few times a second
    void onProgress(double simulated, double duration);
    void onRunFinished();
    void onTime(std::int64_t timeNs);
    void onSelection();
    void updateTable();
    void updateStatus();
    void addRecent(const QString& spec);
    void rebuildRecentMenu();
    std::int64_t recordedUntil() const;

    std::unique_ptr<RunSession> m_session;
    Playback* m_playback;
    TopologyScene* m_scene;
    TopologyView* m_view;
    Timeline* m_timeline;
    ChartsPanel* m_charts;
    QListWidget* m_diagnostics;
    QDockWidget* m_diagnosticsDock = nullptr;
    QTableView* m_table;
    QStandardItemModel* m_tableModel;
    ScenarioEditor* m_editor;
    QDockWidget* m_editorDock = nullptr;
    ScenarioForm* m_form = nullptr;
    std::optional<std::int64_t> m_pendingResume; // for the run of the load under way
    std::optional<std::int64_t> m_resumeAt;      // the run shows this time once it is recorded
    std::optional<QString> m_appliedText;        // the buffer being run (not the file), if it is
    bool m_syncing = false;                      // selection follows the editor's cursor, or back
    RequestInspector* m_inspector;
    EventList* m_events;
    QDockWidget* m_inspectorDock = nullptr;
    QDockWidget* m_eventsDock = nullptr;
    const models::Recording* m_inspected = nullptr; // what the inspector and events were given

    QComboBox* m_platform = nullptr;
    QComboBox* m_speed = nullptr;
    QComboBox* m_viewKind = nullptr;
    QComboBox* m_layoutKind = nullptr;
    QComboBox* m_edgeLabel = nullptr;
    QComboBox* m_themeKind = nullptr;
    QAction* m_playAction = nullptr;
    QAction* m_reducedMotion = nullptr;
    QAction* m_foldAction = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_timeLabel = nullptr;
    QLabel* m_sampleLabel = nullptr;
    QLabel* m_statusLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;

    QString m_spec;
    std::shared_ptr<const topologies::Scenario> m_scenario;
    std::optional<models::EngineKind> m_chosenEngine;
    std::optional<models::EngineKind> m_override;
    std::uint64_t m_loadGeneration = 0;
    bool m_loading = false;
    std::vector<QPointer<QThread>> m_loaders; // waited for on destruction
    bool m_autoPlayed = false;
    QTimer* m_slowViews = nullptr;
    QTimer* m_grew = nullptr;
    Theme m_theme = Theme::make(Theme::Kind::Light);
    HealthThresholds m_thresholds;
    Legend* m_legend = nullptr;
};

} // namespace meshsim::ui
