// The compare view, driven on the offscreen platform: one scenario in two architectures runs with
// the same seed, both topologies show the same simulated time, and the table and the charts show
// each run's own numbers (checked against each run's results.json).

#include "ui/compare_window.h"

#include <QChart>
#include <QElapsedTimer>
#include <QFile>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace meshsim;
namespace m = meshsim::models;

namespace {

const QString kSmallMesh = QStringLiteral(MESHSIM_SOURCE_DIR "/tests/ui/scenarios/small-mesh.yaml");

QString cell(QTableWidget& table, const QString& row, int column)
{
    for (int r = 0; r < table.rowCount(); ++r)
        if (table.verticalHeaderItem(r)->text() == row)
            return table.item(r, column)->text();
    return {};
}

} // namespace

class TestCompare : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void twoArchitecturesSideBySide()
    {
        ui::CompareWindow w;
        w.show();
        QSignalSpy done(&w, &ui::CompareWindow::allFinished);
        w.compare({{kSmallMesh, QString("mesh"), std::nullopt, std::nullopt, std::nullopt},
                   {kSmallMesh, QString("direct"), std::nullopt, std::nullopt, std::nullopt}},
                  m::EngineKind::Fast);
        QVERIFY(done.wait(120000));
        QCOMPARE(w.designCount(), std::size_t{2});
        QCOMPARE(w.designLabel(1), QString("small-mesh.yaml [direct]"));
        // The architecture was applied, and the seed is the same.
        QVERIFY(w.session(0).scenario()->system.architecture == m::Architecture::Mesh);
        QVERIFY(w.session(1).scenario()->system.architecture == m::Architecture::Direct);
        QCOMPARE(w.session(0).scenario()->seed, w.session(1).scenario()->seed);

        // One clock: both topologies show the same instant.
        w.playback().setTime(7'500'000'000);
        QCOMPARE(w.scene(0).shownTime(), std::int64_t{7'500'000'000});
        QCOMPARE(w.scene(1).shownTime(), std::int64_t{7'500'000'000});

        // The table: each design's answered requests and error share are its results.json's
        // (no warmup in this scenario, so the recording's windows hold exactly those requests).
        for (int d = 0; d < 2; ++d) {
            const auto& summary = (*w.session(static_cast<std::size_t>(d)).results())["summary"];
            const auto requests = summary["requests"].get<std::uint64_t>();
            QVERIFY(cell(w.table(), "requests answered", d).startsWith(QString::number(requests)));
            const double errorRate = summary["error_rate"].get<double>();
            QVERIFY2(cell(w.table(), "error share (%)", d)
                         .startsWith(QString::number(100.0 * errorRate, 'f', 3)),
                     qPrintable(cell(w.table(), "error share (%)", d)));
        }
        // The contender's cells carry their difference from the baseline.
        const QString p99 = cell(w.table(), "p99 (ms)", 1);
        QVERIFY2(p99.contains("%)"), qPrintable(p99));
        QVERIFY(!cell(w.table(), "p99 (ms)", 0).contains("%)"));

        // Charts: one line per design; each CDF ends at 1 (every timed request counted).
        QChart* cdf = w.chart("Latency CDF");
        QVERIFY(cdf);
        QCOMPARE(cdf->series().size(), 2);
        for (QAbstractSeries* s : cdf->series()) {
            auto* line = qobject_cast<QLineSeries*>(s);
            QVERIFY(line && line->count() > 10);
            QCOMPARE(line->at(line->count() - 1).y(), 1.0);
        }
        QCOMPARE(w.chart("p99 over time")->series().size(), 2);
        QCOMPARE(w.chart("Throughput")->series().size(), 2);

        // The comparison as a report: both designs, the contender against the baseline, each
        // design's own p99 exactly as its results.json has it.
        QTemporaryDir dir;
        QSignalSpy exported(&w, &ui::CompareWindow::reportExported);
        QVERIFY(w.exportReport(dir.filePath("compare.html")));
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.front().at(1).toString(), QString());
        QFile file(dir.filePath("compare.html"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray html = file.readAll();
        QVERIFY(html.contains("against small-mesh [mesh]"));
        for (std::size_t d = 0; d < 2; ++d) {
            const std::string exact
                = (*w.session(d).results())["summary"]["latency_ms"]["p99"].dump();
            QVERIFY(html.contains(QByteArray::fromStdString("data-v=\"" + exact + "\"")));
        }
    }

    void meshProductsSideBySide()
    {
        // File > Compare mesh products: the scenario in Istio, Istio ambient and Linkerd, each
        // loaded with its product (the kind reaches the scenario and its results.json), the
        // same seed, and each product's own sidecar or ztunnel cost in its run.
        ui::CompareWindow w;
        w.show();
        QSignalSpy done(&w, &ui::CompareWindow::allFinished);
        std::vector<ui::CompareDesign> designs;
        for (const char* kind : {"istio", "istio-ambient", "linkerd"})
            designs.push_back(
                {kSmallMesh, QString("mesh"), std::nullopt, std::nullopt, QString(kind)});
        w.compare(designs, m::EngineKind::Fast);
        QVERIFY(done.wait(120000));
        QCOMPARE(w.designCount(), std::size_t{3});
        QCOMPARE(w.designLabel(1), QString("small-mesh.yaml [mesh, istio-ambient]"));
        const m::MeshKind kinds[]
            = {m::MeshKind::Istio, m::MeshKind::IstioAmbient, m::MeshKind::Linkerd};
        for (std::size_t d = 0; d < 3; ++d) {
            const auto& scenario = *w.session(d).scenario();
            QVERIFY(scenario.system.mesh.kind == kinds[d]);
            QCOMPARE(scenario.seed, w.session(0).scenario()->seed);
            const char* names[] = {"istio", "istio-ambient", "linkerd"};
            QCOMPARE((*w.session(d).results())["scenario"]["mesh_kind"].get<std::string>(),
                     std::string(names[d]));
        }
    }

    void aDesignThatDoesNotLoadSaysWhich()
    {
        ui::CompareWindow w;
        QSignalSpy failed(&w, &ui::CompareWindow::loadFailed);
        w.compare({{kSmallMesh, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                   {kSmallMesh,
                    QString("no-such-architecture"),
                    std::nullopt,
                    std::nullopt,
                    std::nullopt}},
                  m::EngineKind::Fast);
        QVERIFY(failed.wait(30000));
        QVERIFY2(w.message().contains("[no-such-architecture] does not validate"),
                 qPrintable(w.message()));
        QVERIFY(w.message().contains("architecture"));
        // One design is not a comparison.
        w.compare({{kSmallMesh, std::nullopt, std::nullopt, std::nullopt, std::nullopt}},
                  m::EngineKind::Fast);
        QVERIFY(w.message().contains("2 to 4"));
    }
};

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
