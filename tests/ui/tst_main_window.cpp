// The main window, driven as a user drives it, on the offscreen platform: open, run, read the
// numbers off the items, play, step, scrub, select a range, break a file, lose a child run.
// Expected numbers come from results.json of the same run, or are recomputed here from the raw
// recording, never from the GUI's own aggregation code.

#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "ui/builtin_browser.h"
#include "ui/main_window.h"

#include <QAreaSeries>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <utility>
#include <vector>

using namespace meshsim;
namespace m = meshsim::models;

namespace {

const QString kSmallMesh = QStringLiteral(MESHSIM_SOURCE_DIR "/tests/ui/scenarios/small-mesh.yaml");

// Waits for the window's run to end (fast runs take about a second here).
bool runToEnd(ui::MainWindow& w, int timeoutMs = 120000)
{
    QSignalSpy finished(&w, &ui::MainWindow::runFinished);
    if (!finished.wait(timeoutMs))
        return false;
    return w.session().state() == ui::RunSession::State::Finished;
}

const nlohmann::ordered_json* named(const nlohmann::ordered_json& list, const std::string& name)
{
    for (const auto& item : list)
        if (item.value("name", "") == name)
            return &item;
    return nullptr;
}

// The small mesh with `edits` (a text and its replacement each), run in the window: orders'
// `block` entries of results.json (its versions or operations, two of them) are rows of the
// Components table named `orders<separator><name>` of kind `kind`, whose numbers are results.json's
// (over the whole run: no warmup), the rates rounded to 0.1/s and the error shares to 0.01%; the
// second entry has the larger error share (its own errors, under the same faults as the first).
void verifyPartRows(const std::vector<std::pair<QString, QString>>& edits,
                    const std::string& block,
                    const QString& separator,
                    const QString& kind)
{
    QFile in(kSmallMesh);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(in.readAll());
    for (const auto& [from, to] : edits) {
        QVERIFY(text.contains(from));
        text.replace(from, to);
    }
    QTemporaryDir dir;
    const QString path = dir.filePath("parts.yaml");
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(text.toUtf8());
    out.close();
    ui::MainWindow w;
    w.show();
    w.open(path);
    QVERIFY(runToEnd(w));
    const auto* orders = named((*w.session().results())["services"], "orders");
    QVERIFY(orders);
    const auto& parts = (*orders)[block];
    QCOMPARE(parts.size(), std::size_t{2});
    const QAbstractItemModel& model = *w.table().model();
    const auto rowOf = [&](const QString& name) {
        for (int row = 0; row < model.rowCount(); ++row)
            if (model.index(row, 0).data().toString() == name)
                return row;
        return -1;
    };
    const auto cell
        = [&](int row, int column) { return model.index(row, column).data().toDouble(); };
    const int service = rowOf("orders");
    QVERIFY(service >= 0);
    const double serviceRequests = (*orders)["requests"].get<double>();
    std::vector<int> rows;
    for (const auto& part : parts) {
        const QString name
            = "orders" + separator + QString::fromStdString(part["name"].get<std::string>());
        const int row = rowOf(name);
        QVERIFY2(row >= 0, qPrintable(name));
        rows.push_back(row);
        QCOMPARE(model.index(row, 1).data().toString(), kind);
        if (part.contains("replicas"))
            QCOMPARE(cell(row, 2), part["replicas"].get<double>());
        const double share = part["requests"].get<double>() / serviceRequests;
        QVERIFY2(
            std::abs(cell(row, 3) - cell(service, 3) * share) <= 0.1 + 1e-9,
            qPrintable(QString("%1: %2 of %3").arg(name).arg(cell(row, 3)).arg(cell(service, 3))));
        QVERIFY(std::abs(cell(row, 4) - 100.0 * part["error_rate"].get<double>()) <= 0.005 + 1e-9);
    }
    QVERIFY(cell(rows[1], 4) > cell(rows[0], 4));
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // recent files go to a test location
        qputenv("MESHSIM_CLI", MESHSIM_CLI);
    }

    // The default scenario opens and its run (fast platform) completes, streaming into the view.
    void opensTheDefaultScenarioAndRuns()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        QSignalSpy grew(&w.session(), &ui::RunSession::recordingGrew);
        w.open(QString::fromUtf8(topologies::kDefaultScenario.data(),
                                 topologies::kDefaultScenario.size()));
        QVERIFY(runToEnd(w));
        QVERIFY(grew.count() > 2); // it streamed in, not in one piece at the end
        QVERIFY(w.session().results().has_value());
        QVERIFY(w.statusText().contains("Run complete"));
        QVERIFY(w.sampleText().startsWith("drawing "));
        QVERIFY(w.scene().nodeNamed("gateway"));
        QVERIFY(!w.scene().nodes().empty());
        // Playback started by itself and can reach the end of the recording.
        QVERIFY(w.playback().limit() >= w.session().scenario()->duration.count());
    }

    // File → Export report and Export topology: the report of the run on screen, from its
    // results.json (the p99 of the summary is in it, exactly), written without blocking; the
    // topology as SVG and PNG.
    void exportsTheReportAndTheTopology()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        QTemporaryDir dir;
        QVERIFY(!w.exportReport(dir.filePath("early.html"))); // nothing finished yet
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        QSignalSpy exported(&w, &ui::MainWindow::reportExported);
        QVERIFY(w.exportReport(dir.filePath("report.html")));
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.front().at(1).toString(), QString());
        QFile html(dir.filePath("report.html"));
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QByteArray text = html.readAll();
        const std::string p99 = (*w.session().results())["summary"]["latency_ms"]["p99"].dump();
        QVERIFY(text.contains(QByteArray::fromStdString("data-v=\"" + p99 + "\"")));
        QVERIFY(text.contains("<h2>Findings</h2>"));
        QVERIFY(text.contains("name: small-mesh") || text.contains("small-mesh"));
        QVERIFY(w.exportReport(dir.filePath("report.pdf")));
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.back().at(1).toString(), QString());
        QFile pdf(dir.filePath("report.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(w.exportTopology(dir.filePath("topology.svg")));
        QFile svg(dir.filePath("topology.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        QVERIFY(w.exportTopology(dir.filePath("topology.png")));
        QImage png(dir.filePath("topology.png"));
        QVERIFY(png.width() > 100 && png.height() > 50);
    }

    // The graph shows results.json's numbers: over the whole run (no warmup in this scenario) a
    // node's answered requests and errors are those of its service, an edge's calls, tries and
    // errors those of results.json's edge — read back from the items.
    void nodesAndEdgesShowTheResults()
    {
        ui::MainWindow w;
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        const auto& results = *w.session().results();
        w.timeline().selectRange(0, w.playback().limit());
        for (const char* service : {"web", "orders", "ingress"}) {
            const auto* s = named(results["services"], service);
            QVERIFY2(s, service);
            const ui::NodeItem* node = w.scene().nodeNamed(service);
            QVERIFY2(node, service);
            std::uint64_t errors = 0;
            for (const auto& [cause, n] : (*s)["errors"].items())
                errors += n.get<std::uint64_t>();
            QCOMPARE(node->stats().load.total, (*s)["requests"].get<std::uint64_t>());
            QCOMPARE(node->stats().load.errors(), errors);
            // What a user reads: the rate over the selected range, and the mean latency (the
            // same requests as results.json's, to its 6-decimal rounding).
            // The range covers the whole recording: its windows, the last one ending with the
            // run's last event (the recording's end_ns).
            const double seconds = double(w.session().recording()->endNs) / 1e9;
            QVERIFY(seconds >= 20.0); // its 20 s, and the drain until the last event
            const double rate = double((*s)["requests"].get<std::uint64_t>()) / seconds;
            QCOMPARE(node->rateText(),
                     QString::number(rate,
                                     'f',
                                     rate >= 100  ? 0
                                     : rate >= 10 ? 1
                                                  : 2)
                         + " rps");
            QVERIFY(std::abs(node->stats().load.meanLatencyMs()
                             - (*s)["latency_ms"]["mean"].get<double>())
                    < 1e-5);
            // Its p95 over the whole run: the windows' latency buckets together (32 per power
            // of two: within 1.6% of the value) against results.json's histogram (within 0.4%).
            const double p95 = double(node->stats().load.p95.value()) / 1e6;
            const double expected = (*s)["latency_ms"]["p95"].get<double>();
            QVERIFY2(std::abs(p95 - expected) <= 0.02 * expected,
                     qPrintable(QString("%1: %2 vs %3").arg(service).arg(p95).arg(expected)));
            QVERIFY(node->latencyText().startsWith("p95 "));
        }
        for (const auto& e : results["edges"]) {
            const ui::EdgeItem* edge = w.scene().edgeBetween(QString::fromStdString(e["from"]),
                                                             QString::fromStdString(e["to"]));
            QVERIFY(edge);
            std::uint64_t errors = 0;
            for (const auto& [cause, n] : e["errors"].items())
                errors += n.get<std::uint64_t>();
            QCOMPARE(edge->stats().total, e["requests"].get<std::uint64_t>());
            QCOMPARE(edge->stats().attempts, e["attempts"].get<std::uint64_t>());
            QCOMPARE(edge->stats().errors(), errors);
        }
        // Retries show on the web -> orders edge: more tries than calls, in its label.
        const ui::EdgeItem* retried = w.scene().edgeBetween("web", "orders");
        QVERIFY(retried->stats().attempts > retried->stats().total);
        QVERIFY(retried->labelText().contains("tries/s"));
        // Its colour follows the configurable error thresholds (Kiali's defaults: 0.1%, 10%).
        const double share = retried->stats().errorShare();
        QVERIFY(share > 0.0 && share < 0.10);
        const ui::Theme& theme = w.scene().theme();
        QCOMPARE(retried->healthColour(), share >= 0.001 ? theme.degraded : theme.healthy);
        w.setThresholds({share / 4, share / 2});
        QCOMPARE(retried->healthColour(), theme.failing);
        w.setThresholds({share * 2, share * 4});
        QCOMPARE(retried->healthColour(), theme.healthy);
    }

    void ambientWaypointIsANodeOfItsOwn()
    {
        // The small mesh in ambient mode with a waypoint for orders: the waypoint is a node of
        // the graph, between web and orders, and its numbers are results.json's.
        QFile in(kSmallMesh);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(in.readAll());
        text.replace("mesh:\n  defaults:",
                     "mesh:\n  kind: istio-ambient\n  waypoints: [{name: orders-waypoint, "
                     "services: [orders]}]\n  defaults:");
        QTemporaryDir dir;
        const QString path = dir.filePath("ambient.yaml");
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text.toUtf8());
        out.close();
        ui::MainWindow w;
        w.show();
        w.open(path);
        QVERIFY(runToEnd(w));
        const auto& results = *w.session().results();
        w.timeline().selectRange(0, w.playback().limit());
        const auto* s = named(results["services"], "orders-waypoint");
        QVERIFY(s);
        QCOMPARE((*s)["kind"].get<std::string>(), std::string("waypoint"));
        const ui::NodeItem* node = w.scene().nodeNamed("orders-waypoint");
        QVERIFY(node);
        QCOMPARE(node->stats().load.total, (*s)["requests"].get<std::uint64_t>());
        QVERIFY(node->stats().load.total > 1000);
        QVERIFY(w.scene().edgeBetween("web", "orders-waypoint"));
        QVERIFY(w.scene().edgeBetween("orders-waypoint", "orders"));
        QVERIFY(!w.scene().edgeBetween("web", "orders"));
    }

    void versionsAreRowsOfTheTable()
    {
        // orders as a stable version (2 instances) and a canary (1, 20% errors) taking a tenth
        // of the calls: a row per version, with its instances.
        verifyPartRows(
            {{"    replicas: 3\n    workers: 8",
              "    versions: [{name: stable, replicas: 2}, {name: canary, errors: 20%}]\n"
              "    traffic: [{split: {stable: 90, canary: 10}}]\n"
              "    workers: 8"}},
            "versions",
            "@",
            "version");
    }

    void operationsAreRowsOfTheTable()
    {
        // orders serving two operations (web calls get always and add, with 10% errors, on half
        // of its requests): a row per operation.
        verifyPartRows(
            {{"      - call: orders\n",
              "      - call: orders.get\n      - {call: orders.add, probability: 0.5}\n"},
             {"    errors: 1%\n",
              "    errors: 1%\n    operations: [{name: get}, {name: add, errors: 10%}]\n"}},
            "operations",
            ".",
            "operation");
    }

    // Play moves time forward, pause stops it, step goes to the next hop boundary, and
    // scrubbing on the timeline moves every view; the particles move with the time.
    void playPauseStepAndScrub()
    {
        ui::MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        auto& p = w.playback();
        p.pause();
        p.setTime(3'000'000'000);
        const auto before = w.scene().particles()->particles();
        QVERIFY(!before.empty());
        p.setSpeed(1.0);
        QElapsedTimer wall;
        wall.start();
        p.play();
        QTest::qWait(300);
        p.pause();
        const std::int64_t elapsed = wall.nsecsElapsed();
        const std::int64_t played = p.time();
        QVERIFY(played > 3'000'000'000);
        // At 1x the clock never moves more simulated time than the wall time that passed.
        QVERIFY2(
            played - 3'000'000'000 <= elapsed,
            qPrintable(QString("%1 ns played in %2 ns").arg(played - 3'000'000'000).arg(elapsed)));
        QTest::qWait(100);
        QCOMPARE(p.time(), played); // paused: still
        const auto after = w.scene().particles()->particles();
        QVERIFY(!after.empty());
        QVERIFY(after.size() != before.size() || after.front().at != before.front().at);

        // Step: to the next moment a hop starts or ends.
        const std::int64_t from = p.time();
        w.stepForward();
        QVERIFY(p.time() > from);
        bool boundary = false;
        for (const ui::Leg& leg : w.scene().particleIndex().legs())
            boundary = boundary || leg.start == p.time() || leg.end == p.time();
        QVERIFY(boundary);
        w.stepBack();
        QVERIFY(p.time() <= from);

        // Scrub: press and drag on the timeline.
        ui::Timeline& t = w.timeline();
        const int y = t.height() / 2;
        const int x1 = t.xOf(8'000'000'000);
        const int x2 = t.xOf(15'000'000'000);
        QTest::mousePress(&t, Qt::LeftButton, {}, QPoint(x1, y));
        QCOMPARE(p.time(), t.timeAt(x1));
        QMouseEvent move(QEvent::MouseMove,
                         QPointF(x2, y),
                         t.mapToGlobal(QPointF(x2, y)),
                         Qt::NoButton,
                         Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(&t, &move);
        QTest::mouseRelease(&t, Qt::LeftButton, {}, QPoint(x2, y));
        QCOMPARE(p.time(), t.timeAt(x2));
        // The particles drawn are the sampled requests' leaf hops under way at that instant,
        // counted here from the raw hops (a hop with no hop inside it, whose span holds the time).
        const auto scrubbed = w.scene().particles()->particles();
        QVERIFY(!scrubbed.empty());
        std::size_t underWay = 0;
        for (const m::RecordedRequest& q : w.session().recording()->requests) {
            std::vector<int> children(q.hops.size(), 0);
            for (const m::RecordedHop& h : q.hops)
                if (h.parent >= 0)
                    ++children[static_cast<std::size_t>(h.parent)];
            for (std::size_t i = 0; i < q.hops.size(); ++i) {
                const m::RecordedHop& h = q.hops[i];
                const bool span = h.kind == m::HopKind::Request || h.kind == m::HopKind::Call
                                  || h.kind == m::HopKind::Try || h.kind == m::HopKind::Job;
                if (children[i] == 0 && !span && h.start <= p.time() && p.time() < h.end)
                    ++underWay;
            }
        }
        QCOMPARE(scrubbed.size(), underWay); // (no refused call bounces in this scenario)

        // The timeline's markers say what they are: the kill at 6 s.
        QVERIFY2(t.describeAt(t.xOf(6'000'000'000)).contains("orders/0 killed"),
                 qPrintable(t.describeAt(t.xOf(6'000'000'000))));
        QVERIFY(t.describeAt(t.xOf(6'000'000'000)).contains("a kill fault starts"));

        // Jump to the next fault: the kill at 6 s from the start; then the restore at 12 s.
        p.setTime(0);
        QVERIFY(w.jumpToNext(ui::MainWindow::Jump::Fault));
        QCOMPARE(p.time(), 6'000'000'000);
        QVERIFY(w.scene().nodeNamed("orders")->stats().killed == 1);
        QVERIFY(w.jumpToNext(ui::MainWindow::Jump::Ejection));
        QVERIFY(p.time() > 6'000'000'000 && p.time() < 7'000'000'000);
        QVERIFY(w.jumpToNext(ui::MainWindow::Jump::Fault));
        QCOMPARE(p.time(), 12'000'000'000);
        QCOMPARE(w.scene().nodeNamed("orders")->stats().killed, 0U);
    }

    // A range selection narrows the charts and their summary to that range; the totals are
    // recomputed here from the raw windows.
    void rangeSelectionReaggregatesTheCharts()
    {
        ui::MainWindow w;
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        const m::Recording& r = *w.session().recording();
        w.timeline().selectRange(5'000'000'000, 9'000'000'000);
        const auto* x = qobject_cast<QValueAxis*>(
            w.charts().throughputChart()->axes(Qt::Horizontal).value(0));
        QVERIFY(x);
        QCOMPARE(x->min(), 5.0);
        QCOMPARE(x->max(), 9.0);
        std::uint64_t answered = 0, failed = 0;
        for (std::uint32_t route = 0; route < r.routes.size(); ++route)
            for (std::uint32_t win = 5; win < 9; ++win)
                for (std::size_t o = 0; o < m::kOutcomeCount; ++o) {
                    answered += r.routes[route][win].answered.outcomes[o];
                    failed += o ? r.routes[route][win].answered.outcomes[o] : 0;
                }
        QVERIFY2(w.charts().summary().contains(QString(": %1 answered").arg(answered)),
                 qPrintable(w.charts().summary()));
        // ... over 4 s, with its error share
        QVERIFY2(
            w.charts().summary().contains(
                QString("(%1 per s), errors %2%")
                    .arg(double(answered) / 4.0, 0, 'f', 1)
                    .arg(answered ? 100.0 * double(failed) / double(answered) : 0.0, 0, 'f', 2)),
            qPrintable(w.charts().summary()));
        // The throughput chart's "ok" points are the windows' ok counts per second.
        QLineSeries* ok = nullptr;
        for (QAbstractSeries* s : w.charts().throughputChart()->series())
            if (s->name() == "ok")
                ok = qobject_cast<QLineSeries*>(s);
        QVERIFY(ok);
        QCOMPARE(ok->count(), 4);
        for (int i = 0; i < 4; ++i) {
            std::uint64_t okInWindow = 0;
            for (std::uint32_t route = 0; route < r.routes.size(); ++route)
                okInWindow += r.routes[route][5 + i].answered.outcomes[0];
            QCOMPARE(ok->at(i).y(), double(okInWindow));
        }
        // The clients' latency: p90 of each window, of every route's latencies together.
        QLineSeries* p90 = nullptr;
        for (QAbstractSeries* series : w.charts().latencyChart()->series())
            if (series->name() == "p90")
                p90 = qobject_cast<QLineSeries*>(series);
        QVERIFY(p90);
        QCOMPARE(p90->count(), 4);
        for (int i = 0; i < 4; ++i) {
            std::vector<std::uint64_t> b(m::kLatencyBuckets, 0);
            std::uint64_t n = 0;
            for (std::uint32_t route = 0; route < r.routes.size(); ++route)
                for (const m::LatencyBucket& bucket : r.routes[route][5 + i].answered.latency) {
                    b[bucket.bucket] += bucket.count;
                    n += bucket.count;
                }
            QCOMPARE(p90->at(i).y(), double(m::latencyQuantile(b, n, 0.90)) / 1e6);
        }
        // Selecting a node makes it the charts' subject.
        w.scene().nodeNamed("orders")->setSelected(true);
        QVERIFY(w.charts().latencyChart()->title().contains("orders"));
        // ... and its breakers-and-ejections band follows the tier's ejected instances, window
        // by window, from the raw recording (orders-0 is killed from 6 s to 12 s and ejected).
        QAreaSeries* ejected = nullptr;
        for (QAbstractSeries* series : w.charts().statesChart()->series())
            if (series->name() == "instances ejected")
                ejected = qobject_cast<QAreaSeries*>(series);
        QVERIFY(ejected);
        const auto points = ejected->upperSeries()->points();
        QCOMPARE(points.size(), 2 * 4); // a step per window of the range 5-9 s
        std::uint32_t orders = 0;
        while (w.session().info()->view.components[orders].name != "orders")
            ++orders;
        orders -= w.session().info()->view.firstTier;
        bool anyEjected = false;
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(points[2 * i].y(), double(r.tiers[orders][5 + i].ejectedMax));
            anyEjected = anyEjected || r.tiers[orders][5 + i].ejectedMax > 0;
        }
        QVERIFY(anyEjected);
        // The latency distribution of orders over the range: the spectrum's p90 (one nine) is the
        // 0.9 quantile of the range's buckets added up here from the raw windows, and the
        // histogram's shares add up to 100%.
        std::vector<std::uint64_t> buckets(m::kLatencyBuckets, 0);
        std::uint64_t timed = 0;
        for (std::uint32_t win = 5; win < 9; ++win)
            for (const m::LatencyBucket& b : r.tiers[orders][win].responses.latency) {
                buckets[b.bucket] += b.count;
                timed += b.count;
            }
        QVERIFY(timed > 0);
        const auto* spectrum
            = qobject_cast<QLineSeries*>(w.charts().spectrumChart()->series().value(0));
        QVERIFY(spectrum);
        QCOMPARE(spectrum->count(), 81);
        QCOMPARE(spectrum->at(20).x(), 1.0);
        QCOMPARE(spectrum->at(20).y(), double(m::latencyQuantile(buckets, timed, 0.9)) / 1e6);
        const auto* histogram
            = qobject_cast<QLineSeries*>(w.charts().histogramChart()->series().value(0));
        QVERIFY(histogram);
        double shares = 0.0;
        for (int i = 1; i < histogram->count();
             i += 4) // each bucket: (lower, 0) (lower, share) ...
            shares += histogram->at(i).y();
        QVERIFY(std::abs(shares - 100.0) < 1e-6);
        if (qEnvironmentVariableIsSet("MESHSIM_SAVE_CHARTS")) // to look at them
            QVERIFY(
                w.charts().exportPng(w.charts().spectrumChart(),
                                     qEnvironmentVariable("MESHSIM_SAVE_CHARTS") + "/spectrum.png")
                && w.charts().exportPng(w.charts().histogramChart(),
                                        qEnvironmentVariable("MESHSIM_SAVE_CHARTS")
                                            + "/histogram.png"));
        w.timeline().clearRange(); // the charts are rebuilt: their axes are new
        x = qobject_cast<QValueAxis*>(w.charts().throughputChart()->axes(Qt::Horizontal).value(0));
        QCOMPARE(x->min(), 0.0);
    }

    // A file that does not validate: its diagnostics (file:line:column) are listed, nothing runs.
    void brokenFileShowsDiagnostics()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.yaml");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("meshsim: 1\nname: broken\nservices:\n  - name: a\n    replicas: lots\n");
        file.close();
        ui::MainWindow w;
        w.show();
        QSignalSpy failed(&w, &ui::MainWindow::openFailed);
        w.open(path);
        QVERIFY(failed.wait(10000));
        QVERIFY(w.diagnostics().count() > 0);
        bool located = false;
        for (int i = 0; i < w.diagnostics().count(); ++i)
            located = located || w.diagnostics().item(i)->text().startsWith(path + ":5:15:");
        QVERIFY2(located, qPrintable(w.diagnostics().item(0)->text()));
        QCOMPARE(w.session().state(), ui::RunSession::State::Idle);
        QVERIFY(w.scene().nodes().empty());
        QVERIFY(w.statusText().contains("nothing was run"));
        // The window stays usable: a good file opens and runs after it.
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
    }

    // A SimGrid child that dies: a clear message, and the window still works.
    void killedChildRunGivesAClearMessage()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::SimGrid);
        w.show();
        QSignalSpy grew(&w.session(), &ui::RunSession::recordingGrew);
        w.open(QString::fromUtf8(topologies::kDefaultScenario.data(),
                                 topologies::kDefaultScenario.size()));
        QVERIFY(grew.wait(60000));
        QVERIFY(w.session().child());
        QSignalSpy finished(&w, &ui::MainWindow::runFinished);
        w.session().child()->kill();
        QVERIFY(finished.wait(30000));
        QCOMPARE(w.session().state(), ui::RunSession::State::Failed);
        QVERIFY2(w.statusText().contains("crashed or was killed"), qPrintable(w.statusText()));
        // Usable: the same scenario runs on the fast platform.
        w.setPlatformOverride(std::nullopt);
        w.setPlatform(m::EngineKind::Fast);
        QVERIFY(runToEnd(w));
    }

    // A child whose stream is not a run stream, or that runs another system than the one drawn
    // (the file changed on disk), ends the run with a clear message.
    void childStreamProblemsFailCleanly()
    {
        const topologies::LoadResult loaded = topologies::loadScenario(kSmallMesh.toStdString());
        QVERIFY(loaded.ok());
        auto scenario = std::make_shared<topologies::Scenario>(*loaded.scenario);
        {
            QTemporaryDir dir;
            const QString fake = dir.filePath("fake-cli");
            QFile script(fake);
            QVERIFY(script.open(QIODevice::WriteOnly));
            script.write("#!/bin/sh\necho 'this is not a run stream'\n");
            script.close();
            script.setPermissions(script.permissions() | QFileDevice::ExeOwner);
            ui::RunSession session;
            session.setCliExecutable(fake);
            QSignalSpy finished(&session, &ui::RunSession::finished);
            session.start(scenario, m::EngineKind::SimGrid);
            QVERIFY(finished.wait(30000));
            QCOMPARE(session.state(), ui::RunSession::State::Failed);
            QVERIFY2(session.message().contains("could not be read")
                         || session.message().contains("stopped before its end"),
                     qPrintable(session.message()));
        }
        // The child reads another file than the one the GUI loaded and drew.
        scenario->file = "builtin:bookstore";
        ui::RunSession session;
        QSignalSpy finished(&session, &ui::RunSession::finished);
        session.start(scenario, m::EngineKind::SimGrid);
        QVERIFY(finished.wait(60000));
        QCOMPARE(session.state(), ui::RunSession::State::Failed);
        QVERIFY2(session.message().contains("changed on disk"), qPrintable(session.message()));
    }

    // The 1,000-service fan-out opens and stays usable: its 999 leaves are folded into 23 shown
    // and one node for the other 976 (whose numbers are their sums), the table lists every
    // component, find reaches a folded one; unfolded, every service is drawn.
    void fanOutScenarioOpens()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        w.open("builtin:bench-fanout1000");
        QTRY_VERIFY_WITH_TIMEOUT(w.session().recording() && w.session().recording()->windows >= 3,
                                 60000);
        w.session().cancel();
        QCOMPARE(w.session().state(), ui::RunSession::State::Cancelled);
        const auto& view = w.session().info()->view;
        QCOMPARE(view.components.size(), std::size_t{1001}); // the clients and 1,000 services
        // clients, front, 23 leaves and the group
        QCOMPARE(w.scene().nodes().size(), std::size_t{1 + 1 + 23 + 1});
        const ui::NodeItem* group = w.scene().nodeNamed("+976 more");
        QVERIFY(group);
        QCOMPARE(group->members().size(), std::size_t{976});
        // The group's numbers are the sum of its members' tiers over the whole run.
        w.timeline().selectRange(0, w.playback().limit());
        std::uint64_t answered = 0;
        for (const std::uint32_t c : group->members())
            for (std::uint32_t win = 0; win < w.session().recording()->windows; ++win)
                answered
                    += w.session().recording()->tiers[c - view.firstTier][win].responses.total();
        QVERIFY(answered > 0);
        QCOMPARE(group->stats().load.total, answered);
        // One edge from front to the group carries the 976 calls.
        const ui::EdgeItem* toGroup = nullptr;
        for (const ui::EdgeItem* e : w.scene().edges())
            if (e->calls.size() == 976)
                toGroup = e;
        QVERIFY(toGroup);
        QVERIFY(w.table().model()->rowCount() > 1000); // the table lists every component
        w.find("leaf-900");
        QVERIFY(group->isSelected());
        QVERIFY(w.statusText().contains("folded"));

        w.setFolding(false);
        QCOMPARE(w.scene().nodes().size(), std::size_t{1001});
        w.find("leaf-900");
        QVERIFY(w.scene().nodeNamed("leaf-900")->isSelected());
    }

    // The browser of the built-in scenarios lists them with their descriptions and opens one.
    void builtinBrowserOpensAScenario()
    {
        ui::BuiltinBrowser browser;
        QCOMPARE(browser.list().count(),
                 static_cast<int>(topologies::builtinScenarioNames().size()));
        QCOMPARE(browser.chosen(),
                 QString::fromUtf8(topologies::kDefaultScenario.data(),
                                   topologies::kDefaultScenario.size()));
        // The descriptions are read in the background; the default's arrives with its own words.
        QListWidgetItem* item = browser.list().currentItem();
        QTRY_VERIFY_WITH_TIMEOUT(item->data(Qt::UserRole).toString().contains("gateway+mesh"),
                                 30000);
        const auto fanOut = browser.list().findItems("bench-fanout1000", Qt::MatchExactly);
        QCOMPARE(fanOut.size(), 1);
        browser.list().setCurrentItem(fanOut.front());
        QCOMPARE(browser.chosen(), QString("builtin:bench-fanout1000"));
    }

    // Themes and reduced motion change what is drawn, not what is shown.
    void themesAndReducedMotion()
    {
        ui::MainWindow w;
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        w.playback().setTime(3'000'000'000);
        QVERIFY(!w.scene().particles()->particles().empty());
        const auto total = w.scene().nodeNamed("web")->stats().load.total;
        w.setTheme("dark");
        QCOMPARE(w.scene().backgroundBrush().color(),
                 ui::Theme::make(ui::Theme::Kind::Dark).background);
        // The legend follows the theme too (what it paints, not only what it holds).
        const QImage legend = w.legend().grab().toImage();
        QCOMPARE(legend.pixelColor(2, 2), ui::Theme::make(ui::Theme::Kind::Dark).background);
        QCOMPARE(w.scene().nodeNamed("web")->stats().load.total, total);
        w.setTheme("projector");
        QCOMPARE(w.scene().theme().fontScale, 1.6);
        w.setReducedMotion(true);
        QVERIFY(w.scene().particles()->particles().empty());
        w.setTheme("light"); // the scene is rebuilt: reduced motion stays
        QVERIFY(w.scene().particles()->particles().empty());
        w.setReducedMotion(false);
        QVERIFY(!w.scene().particles()->particles().empty());
        // The physical view draws one node per instance.
        w.scene().setView(ui::TopologyScene::View::Physical);
        w.scene().setRecording(w.session().recording());
        QVERIFY(w.scene().nodeNamed("orders-2"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
