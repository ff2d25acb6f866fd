#pragma once

// The compare view: two to four designs — scenario files, or one scenario in several
// architectures — run with the same seed and shown side by side: one topology per design, all at
// the same simulated time (one Playback), charts with one line per design (the clients' latency
// CDF, p99 over time, throughput, errors by cause) and a table of the differences with the first
// design as the baseline. Every number is ui/series_stats' over each run's recording, after the
// scenario's warmup (as results.json counts).
//
// One run is one sample: the table says so, and shows no confidence intervals (replications are
// `meshsim-cli compare --replications`' job, docs/cli.md).

#include "models/config/run.h"
#include "ui/playback.h"
#include "ui/run_session.h"
#include "ui/series_stats.h"
#include "ui/theme.h"
#include "ui/topology_scene.h"
#include "ui/topology_view.h"

#include <QLabel>
#include <QMainWindow>
#include <QPointer>
#include <QSlider>
#include <QTableWidget>
#include <QThread>

#include <memory>
#include <optional>
#include <vector>

class QChart;
class QTabWidget;

namespace meshsim::ui {

struct CompareDesign
{
    QString spec;                        // a file or "builtin:<name>"
    std::optional<QString> architecture; // run it in this architecture instead of its own
    std::optional<QString> text; // the scenario's text (an editor's buffer), else the spec's
    std::optional<QString> gatewayKind = std::nullopt; // gateway.kind: envoy, kong, nginx
    std::optional<QString> meshKind = std::nullopt;    // mesh.kind: istio, istio-ambient, linkerd
    QString label() const;
};

class CompareWindow : public QMainWindow
{
    Q_OBJECT

public:
    static constexpr std::size_t kMaxDesigns = 4;

    explicit CompareWindow(QWidget* parent = nullptr);
    ~CompareWindow() override;

    // Loads and runs the designs (2 to 4), every one with the first design's seed, on `engine`
    // (or each scenario's own). Loading happens off the GUI thread; designsLoaded or loadFailed
    // follow, then allFinished.
    void compare(std::vector<CompareDesign> designs, std::optional<models::EngineKind> engine);

    std::size_t designCount() const { return m_designs.size(); }
    QString designLabel(std::size_t i) const;
    RunSession& session(std::size_t i) { return *m_designs[i]->session; }
    TopologyScene& scene(std::size_t i) { return *m_designs[i]->scene; }
    Playback& playback() { return *m_playback; }
    QTableWidget& table() { return *m_table; }
    // The charts by title: "Latency CDF", "p99 over time", "Throughput", "Errors by cause".
    QChart* chart(const QString& title) const;
    QString message() const { return m_message->text(); }
    bool finished() const;
    // The report of the finished designs (HTML or PDF by suffix), written in a worker thread;
    // reportExported follows. False when a run has not finished.
    bool exportReport(const QString& path);

signals:
    void loadFailed(const QString& why);
    void allFinished(); // every run ended (finished, or failed: finished() tells)
    void reportExported(const QString& path, const QString& error); // error empty on success

private:
    struct Design
    {
        CompareDesign design;
        std::shared_ptr<const topologies::Scenario> scenario;
        QString text; // what was loaded (a SimGrid child runs it)
        std::unique_ptr<RunSession> session;
        TopologyScene* scene = nullptr;
        TopologyView* view = nullptr;
        QLabel* title = nullptr;
    };
    void loaded(std::uint64_t generation,
                std::vector<std::shared_ptr<const topologies::Scenario>> scenarios,
                QStringList texts,
                QString error);
    void onGrew(std::size_t i);
    void onTime(std::int64_t timeNs);
    void refreshCharts();
    void refreshTable();
    WindowRange measured(std::size_t i) const; // after the warmup, to the end of the recording

    std::vector<std::unique_ptr<Design>> m_designs;
    std::optional<models::EngineKind> m_engine;
    Playback* m_playback;
    QWidget* m_grid;
    QSlider* m_slider;
    QLabel* m_time;
    QLabel* m_message;
    QTabWidget* m_charts;
    QTableWidget* m_table;
    Theme m_theme = Theme::make(Theme::Kind::Light);
    std::uint64_t m_generation = 0;
    std::vector<QPointer<QThread>> m_loaders;
};

} // namespace meshsim::ui
