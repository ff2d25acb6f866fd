// meshsim: the desktop application (docs/gui.md).
//
// clang-format off
//   meshsim [FILE | builtin:NAME]           open a scenario (default: the built-in default), run it
//   meshsim --engine fast|simgrid ...       run on that platform instead of the scenario's engine
//   meshsim --screenshots DIR [--at S] ...  run headless to the end, write PNGs of the window at
//                                           simulated second S (default: the middle), exit
//   meshsim --first-frame ...               print the wall time from start to the first frame with
//                                           particles, exit (bench: docs/performance.md)
//   meshsim --responsiveness ...            play the run as it streams in, then print how long the
//                                           GUI thread's frames and event-loop gaps took, exit
//   meshsim --compare A B [C D]             compare 2 to 4 scenarios side by side
//   meshsim --compare --architectures direct,mesh FILE
//                                           compare one scenario in several architectures
// clang-format on

#include "topologies/builtin_scenarios.h"
#include "ui/compare_window.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

using meshsim::ui::MainWindow;

// Measures the GUI thread while a run streams in (from its first recorded window): how late a 5 ms
// timer fires (the longest the event loop was busy: a frame, a chunk decoded, a chart rebuilt) and
// how long the topology's frames took to paint.
class Responsiveness : public QObject
{
public:
    explicit Responsiveness(const meshsim::ui::TopologyView& view)
        : m_view(view)
    {
        m_timer.setInterval(5);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            m_gaps.push_back(double(m_sinceTick.nsecsElapsed()) / 1e6);
            m_sinceTick.restart();
        });
    }

    void start()
    {
        if (m_timer.isActive())
            return;
        m_sinceTick.start();
        m_timer.start();
    }

    void report() const
    {
        const auto& f = m_view.frameTimes();
        std::printf("topology frames painted: %zu, mean %.2f ms, max %.2f ms\n",
                    f.count,
                    f.count ? f.totalMs / double(f.count) : 0.0,
                    f.maxMs);
        std::vector<double> v = m_gaps;
        if (v.empty())
            return;
        std::sort(v.begin(), v.end());
        const auto at = [&v](double q) {
            return v[std::min(v.size() - 1, static_cast<std::size_t>(q * double(v.size())))];
        };
        std::printf("event loop (5 ms timer): %zu ticks, median %.2f ms, p99 %.2f ms, max %.2f ms, "
                    "%zu over 50 ms\n",
                    v.size(),
                    at(0.5),
                    at(0.99),
                    v.back(),
                    static_cast<std::size_t>(
                        std::count_if(v.begin(), v.end(), [](double g) { return g > 50.0; })));
    }

private:
    const meshsim::ui::TopologyView& m_view;
    QTimer m_timer;
    QElapsedTimer m_sinceTick;
    std::vector<double> m_gaps;
};

bool saveShots(MainWindow& window, const QString& dir, double atSeconds, QStringList& written)
{
    QDir().mkpath(dir);
    window.resize(1600, 1000);
    const auto at = static_cast<std::int64_t>(atSeconds * 1e9);
    window.playback().pause();
    window.playback().setTime(at);
    window.view().fit();
    QApplication::processEvents();
    auto save = [&](QWidget* widget, const QString& name) {
        const QString path = QDir(dir).filePath(name);
        if (!widget->grab().save(path, "PNG"))
            return false;
        written << path;
        return true;
    };
    bool ok = save(&window, "main-window.png") && save(&window.view(), "topology.png")
              && save(&window.charts(), "charts.png");
    window.scene().setView(meshsim::ui::TopologyScene::View::Physical);
    window.scene().setRecording(window.session().recording());
    window.scene().show(at, std::nullopt);
    window.view().fit();
    QApplication::processEvents();
    ok = ok && save(&window.view(), "physical.png");
    return ok;
}

} // namespace

int main(int argc, char* argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QApplication app(argc, argv);
    QApplication::setApplicationName("meshsim");
    QApplication::setOrganizationName("meshsim");
    QApplication::setApplicationVersion(MESHSIM_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "meshsim: simulate and watch API gateways and service meshes.");
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addPositionalArgument(
        "FILE",
        "A scenario file or builtin:<name> (default: "
            + QString::fromUtf8(meshsim::topologies::kDefaultScenario.data(),
                                meshsim::topologies::kDefaultScenario.size())
            + ").");
    // Not --platform: Qt's own -platform (offscreen, xcb, ...) takes that name.
    const QCommandLineOption platform(
        "engine", "Run on fast or simgrid (default: the scenario's engine).", "NAME");
    const QCommandLineOption shots(
        "screenshots", "Run to the end, write PNG screenshots into DIR, exit.", "DIR");
    const QCommandLineOption at(
        "at", "With --screenshots: the simulated second shown (default: the middle).", "SECONDS");
    const QCommandLineOption theme("theme", "light, dark or projector.", "NAME");
    const QCommandLineOption firstFrame(
        "first-frame", "Print the wall time to the first frame with particles, exit.");
    const QCommandLineOption responsiveness("responsiveness",
                                            "Play the run as it streams in, print the GUI thread's "
                                            "frame and event-loop times, exit.");
    const QCommandLineOption compare(
        "compare", "Compare the scenarios given (2 to 4) side by side, with the same seed.");
    const QCommandLineOption architectures(
        "architectures",
        "With --compare: run the one scenario given in each of these architectures "
        "(comma-separated: direct, gateway, mesh, gateway+mesh).",
        "LIST");
    parser.addOptions(
        {platform, shots, at, theme, firstFrame, responsiveness, compare, architectures});
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "meshsim: %s\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(help))
        parser.showHelp(0);
    if (parser.isSet(version))
        parser.showVersion();
    if (parser.isSet(architectures) && !parser.isSet(compare)) {
        std::fprintf(stderr, "meshsim: --architectures goes with --compare\n");
        return 2;
    }
    if (!parser.isSet(compare) && parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "meshsim: expected at most one scenario\n");
        return 2;
    }
    std::optional<meshsim::models::EngineKind> engine;
    if (parser.isSet(platform)) {
        const QString name = parser.value(platform).toLower();
        if (name == "fast")
            engine = meshsim::models::EngineKind::Fast;
        else if (name == "simgrid")
            engine = meshsim::models::EngineKind::SimGrid;
        else {
            std::fprintf(stderr, "meshsim: --engine must be fast or simgrid\n");
            return 2;
        }
    }
    const QString spec = parser.positionalArguments().value(
        0,
        QString::fromUtf8(meshsim::topologies::kDefaultScenario.data(),
                          meshsim::topologies::kDefaultScenario.size()));

    if (parser.isSet(compare)) {
        std::vector<meshsim::ui::CompareDesign> designs;
        const QStringList specs = parser.positionalArguments();
        if (parser.isSet(architectures)) {
            if (specs.size() != 1) {
                std::fprintf(stderr, "meshsim: --architectures takes one scenario\n");
                return 2;
            }
            for (const QString& a : parser.value(architectures).split(',', Qt::SkipEmptyParts))
                designs.push_back(
                    {specs.front(), a.trimmed(), std::nullopt, std::nullopt, std::nullopt});
        } else {
            for (const QString& s : specs)
                designs.push_back({s, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
        }
        if (designs.size() < 2 || designs.size() > meshsim::ui::CompareWindow::kMaxDesigns) {
            std::fprintf(stderr, "meshsim: --compare needs 2 to 4 designs\n");
            return 2;
        }
        meshsim::ui::CompareWindow compareWindow;
        int compareStatus = 0;
        QObject::connect(&compareWindow,
                         &meshsim::ui::CompareWindow::loadFailed,
                         &compareWindow,
                         [&](const QString& why) {
                             std::fprintf(stderr, "meshsim: %s\n", qPrintable(why));
                             if (parser.isSet(shots)) {
                                 compareStatus = 1;
                                 QApplication::exit(1);
                             }
                         });
        if (parser.isSet(shots)) {
            QObject::connect(
                &compareWindow, &meshsim::ui::CompareWindow::allFinished, &compareWindow, [&] {
                    if (!compareWindow.finished()) {
                        for (std::size_t i = 0; i < compareWindow.designCount(); ++i)
                            if (!compareWindow.session(i).message().isEmpty())
                                std::fprintf(stderr,
                                             "meshsim: %s: %s\n",
                                             qPrintable(compareWindow.designLabel(i)),
                                             qPrintable(compareWindow.session(i).message()));
                        compareStatus = 1;
                        QApplication::exit(1);
                        return;
                    }
                    const double seconds = parser.isSet(at)
                                               ? parser.value(at).toDouble()
                                               : compareWindow.session(0).durationSeconds() / 2;
                    compareWindow.playback().setTime(static_cast<std::int64_t>(seconds * 1e9));
                    QApplication::processEvents();
                    const QString path = QDir(parser.value(shots)).filePath("compare.png");
                    QDir().mkpath(parser.value(shots));
                    if (!compareWindow.grab().save(path)) {
                        std::fprintf(stderr, "meshsim: could not write %s\n", qPrintable(path));
                        QApplication::exit(1);
                        return;
                    }
                    std::printf("wrote %s\n", qPrintable(path));
                    QApplication::exit(0);
                });
        }
        compareWindow.show();
        compareWindow.compare(designs, engine);
        const int code = app.exec();
        return compareStatus ? compareStatus : code;
    }

    MainWindow window;
    if (parser.isSet(theme))
        window.setTheme(parser.value(theme));
    int status = 0;
    window.setPlatformOverride(engine);
    QObject::connect(&window, &MainWindow::openFailed, &window, [&] {
        if (parser.isSet(shots) || parser.isSet(firstFrame)) {
            for (int i = 0; i < window.diagnostics().count(); ++i)
                std::fprintf(stderr, "%s\n", qPrintable(window.diagnostics().item(i)->text()));
            status = 1;
            QApplication::exit(1);
        }
    });
    if (parser.isSet(shots)) {
        QObject::connect(&window, &MainWindow::runFinished, &window, [&] {
            if (window.session().state() != meshsim::ui::RunSession::State::Finished) {
                std::fprintf(stderr, "meshsim: %s\n", qPrintable(window.session().message()));
                QApplication::exit(1);
                return;
            }
            const double seconds = parser.isSet(at) ? parser.value(at).toDouble()
                                                    : window.session().durationSeconds() / 2;
            QStringList written;
            if (!saveShots(window, parser.value(shots), seconds, written)) {
                std::fprintf(stderr,
                             "meshsim: could not write the screenshots into %s\n",
                             qPrintable(parser.value(shots)));
                QApplication::exit(1);
                return;
            }
            for (const QString& path : written)
                std::printf("wrote %s\n", qPrintable(path));
            QApplication::exit(0);
        });
    }
    if (parser.isSet(firstFrame)) {
        auto check = [&] {
            window.view().viewport()->repaint();
            if (window.scene().particles() && window.scene().particles()->drawnLastFrame() > 0) {
                std::printf("first frame with %zu particles after %.3f s\n",
                            window.scene().particles()->drawnLastFrame(),
                            double(sinceStart.nsecsElapsed()) / 1e9);
                QApplication::exit(0);
            }
        };
        QObject::connect(&window.playback(), &meshsim::ui::Playback::timeChanged, &window, check);
        QObject::connect(&window, &MainWindow::runFinished, &window, [] {
            std::fprintf(stderr, "meshsim: the run ended before a frame had particles\n");
            QApplication::exit(1);
        });
    }
    std::unique_ptr<Responsiveness> meter;
    if (parser.isSet(responsiveness)) {
        meter = std::make_unique<Responsiveness>(window.view());
        // From the first recorded window on: while the run streams in (the start-up is what
        // --first-frame measures).
        QObject::connect(&window.session(),
                         &meshsim::ui::RunSession::recordingGrew,
                         meter.get(),
                         [&meter] { meter->start(); });
        QObject::connect(&window, &MainWindow::runFinished, &window, [&] {
            std::printf("run: %s, %s\n",
                        window.session().state() == meshsim::ui::RunSession::State::Finished
                            ? "complete"
                            : "failed",
                        qPrintable(window.statusText()));
            meter->report();
            QApplication::exit(
                window.session().state() == meshsim::ui::RunSession::State::Finished ? 0 : 1);
        });
    }
    window.show();
    window.open(spec);
    const int code = QApplication::exec();
    return status ? status : code;
}
