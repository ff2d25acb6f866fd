// The report as its reader gets it: the HTML parses, refers to nothing outside itself, and its
// numbers are results.json's; significance is claimed only where a difference's interval leaves
// out zero; the findings say what the numbers say; the PDF renders (poppler) with the pages laid
// out.

#include "engine/core/format.h"
#include "report/findings.h"
#include "report/html_report.h"
#include "report/pdf_report.h"
#include "run/results_json.h"
#include "run/simulation.h"
#include "topologies/overrides.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <set>

using namespace meshsim;
using Json = nlohmann::ordered_json;

namespace {

// builtin:bookstore (a kill of inventory/0 at 40 s) as a gateway and as a mesh, 2 replications
// of 60 s each on the fast platform.
report::ReportData bookstoreExperiment()
{
    run::Plan plan;
    plan.designs = {{"bookstore [gateway]", "builtin:bookstore", "gateway"},
                    {"bookstore [mesh]", "builtin:bookstore", "mesh"}};
    plan.replications = 2;
    plan.baseSeed = 42;
    plan.engine = "fast";
    plan.scenarioTexts = {*topologies::scenarioSourceText("builtin:bookstore"),
                          *topologies::scenarioSourceText("builtin:bookstore")};
    std::vector<Json> runs;
    for (std::size_t i = 0; i < plan.runCount(); ++i) {
        const run::RunSpec spec = plan.run(i);
        auto loaded = topologies::loadScenarioWithOverrides("builtin:bookstore", spec.overrides);
        run::RunOptions options;
        options.seed = spec.seed;
        options.engine = models::EngineKind::Fast;
        options.duration = engine::SimDuration{60'000'000'000};
        runs.push_back(run::resultsToJson(run::runScenario(*loaded.scenario, options), 0.0));
    }
    report::ReportData data = report::fromExperiment(plan, std::move(runs));
    data.version = "test";
    data.generated = "2026-12-03T00:00:00Z";
    return data;
}

} // namespace

class TestReport : public QObject
{
    Q_OBJECT

    report::ReportData m_data;

private slots:
    void initTestCase() { m_data = bookstoreExperiment(); }

    void htmlIsSelfContainedXml()
    {
        const std::string html = report::htmlReport(m_data).html;
        QXmlStreamReader xml(QByteArray::fromStdString(html));
        int elements = 0, svgs = 0;
        static const std::set<QString> kForbidden
            = {"script", "link", "iframe", "object", "embed", "img", "audio", "video", "base"};
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            ++elements;
            const QString name = xml.name().toString();
            QVERIFY2(!kForbidden.count(name), qPrintable(name));
            svgs += name == "svg" ? 1 : 0;
            for (const QXmlStreamAttribute& a : xml.attributes()) {
                const QString value = a.value().toString();
                // References stay inside the document: fragments only.
                if (a.name() == QLatin1String("href") || a.name() == QLatin1String("src"))
                    QVERIFY2(value.startsWith('#'), qPrintable(value));
                if (value.contains("url("))
                    QVERIFY2(value.startsWith("url(#"), qPrintable(value));
                QVERIFY(!value.startsWith("on")); // no event handlers
            }
        }
        QVERIFY2(!xml.hasError(),
                 qPrintable(xml.errorString() + " at line " + QString::number(xml.lineNumber())));
        QVERIFY(elements > 500);
        QVERIFY(svgs >= 7); // two topologies, the CDF, p99 over time, errors, two timelines
        // The only URLs are the XML namespaces; no stylesheet import.
        static const QRegularExpression url("(https?:)?//[a-zA-Z0-9.-]+");
        for (auto it = url.globalMatch(QString::fromStdString(html)); it.hasNext();) {
            const QString m = it.next().captured();
            QVERIFY2(m == "http://www.w3.org", qPrintable(m));
        }
        QVERIFY(html.find("@import") == std::string::npos);
        // The scenario text, seed, engine, version and date are in it.
        QVERIFY(html.find("inventory") != std::string::npos);
        QVERIFY(html.find("seeds from 42") != std::string::npos);
        QVERIFY(html.find("meshsim test") != std::string::npos);
        QVERIFY(html.find("2026-12-03T00:00:00Z") != std::string::npos);
    }

    void htmlNumbersAreTheResults()
    {
        const std::string html = report::htmlReport(m_data).html;
        std::multiset<std::string> values;
        static const QRegularExpression dataV(QStringLiteral("data-v=\"([^\"]*)\""));
        for (const QRegularExpressionMatch& m : dataV.globalMatch(QString::fromStdString(html)))
            values.insert(m.captured(1).toStdString());
        QVERIFY(values.size() > 200);
        // Every percentile of the latency table, as results.json writes it, for each design's
        // first run; every metric mean of the summary.
        for (std::size_t d = 0; d < 2; ++d) {
            const Json& r = *m_data.runsOf(d).front();
            for (const auto& [p, v] : r["summary"]["latency_ms"].items())
                QVERIFY2(values.count(v.dump()), (p + " " + v.dump()).c_str());
            for (const auto& [name, e] :
                 m_data.summary["points"][0]["designs"][d]["metrics"].items())
                QVERIFY2(values.count(e["mean"].dump()), name.c_str());
            for (const Json& t : r["timeline"])
                QVERIFY(values.count(t["at_seconds"].dump()));
        }
    }

    void significanceOnlyWhereTheIntervalLeavesOutZero()
    {
        const std::string html = report::htmlReport(m_data).html;
        // Rows of the comparison table: ... <td>[low, high]</td><td>pct</td><td
        // class="yes">yes</td>
        static const QRegularExpression row(
            QStringLiteral("<td>\\[([-0-9.e%]+), ([-0-9.e%]+)\\]</td><td>[^<]*</td>"
                           "<td( class=\"yes\")?>(yes|no)</td>"));
        int rows = 0, yes = 0;
        for (const QRegularExpressionMatch& m : row.globalMatch(QString::fromStdString(html))) {
            const double low = m.captured(1).remove('%').toDouble();
            const double high = m.captured(2).remove('%').toDouble();
            const bool significant = m.captured(4) == QLatin1String("yes");
            // Printed bounds are rounded: a bound printed as 0 decides nothing either way.
            if (low != 0.0 && high != 0.0)
                QCOMPARE(significant, low > 0.0 || high < 0.0);
            ++rows;
            yes += significant ? 1 : 0;
        }
        QVERIFY(rows > 20);
        QVERIFY(yes > 0 && yes < rows);
    }

    void findingsSayWhatTheNumbersSay()
    {
        const auto list = report::findings(m_data);
        const Json& c = m_data.summary["points"][0]["comparisons"][0]["metrics"];
        bool latency = false, killed = false, cost = false, slo = false;
        for (const report::Finding& f : list) {
            if (f.kind == report::Finding::Kind::Comparison
                && f.text.find("at p50") != std::string::npos) {
                latency = true;
                // The p50 difference as the summary has it, to 3 significant digits (in the C
                // locale, as reports write numbers whatever the user's locale).
                const std::string expected = meshsim::engine::formatC(
                    "adds %.3g ms at p50", c["latency_p50_ms"]["difference"].get<double>());
                QVERIFY2(f.text.find(expected) != std::string::npos, f.text.c_str());
            }
            killed = killed || f.text.find("killing inventory/0 at 40 s") != std::string::npos;
            cost = cost || f.kind == report::Finding::Kind::Cost;
            slo = slo || (f.kind == report::Finding::Kind::Slo && f.alarm);
        }
        QVERIFY(latency && killed && cost);
        // An SLO finding exactly when a design misses one.
        QCOMPARE(slo, run::sloFailed(m_data.summary));
    }

    void pdfRendersWithItsPages()
    {
        const QString pdfinfo = QStandardPaths::findExecutable("pdfinfo");
        const QString pdftoppm = QStandardPaths::findExecutable("pdftoppm");
        if (pdfinfo.isEmpty() || pdftoppm.isEmpty())
            QFAIL("poppler-utils is missing (./dev.sh deps installs it)");
        QTemporaryDir dir;
        report::HtmlOptions options;
        options.chartsAsImages = true;
        const report::HtmlReport report = report::htmlReport(m_data, options);
        QCOMPARE(report.charts.size(),
                 std::size_t(7)); // 2 topologies, CDF, p99, errors, 2 timelines
        QString error;
        const QString path = dir.filePath("report.pdf");
        const auto pages = report::writePdfReport(report, path, error);
        QVERIFY2(pages, qPrintable(error));
        QVERIFY(*pages >= 4);
        QProcess info;
        info.start(pdfinfo, {path});
        QVERIFY(info.waitForFinished(60'000));
        QCOMPARE(info.exitCode(), 0);
        const QString text = QString::fromUtf8(info.readAllStandardOutput());
        const QRegularExpressionMatch m = QRegularExpression("Pages:\\s+(\\d+)").match(text);
        QVERIFY2(m.hasMatch(), qPrintable(text));
        QCOMPARE(m.captured(1).toInt(), *pages); // every page the layout made is in the file
        QProcess render;
        render.start(pdftoppm,
                     {"-r", "30", "-png", "-f", "1", "-l", "1", path, dir.filePath("page")});
        QVERIFY(render.waitForFinished(60'000));
        QCOMPARE(render.exitCode(), 0);
        QVERIFY(QFileInfo(dir.filePath(*pages >= 10 ? "page-01.png" : "page-1.png")).size() > 1000);
        // Charts are vectors: the PDF has no image of them.
        QFile pdf(path);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(!pdf.readAll().contains("/Subtype /Image"));
    }
};

QTEST_MAIN(TestReport)
#include "tst_report.moc"
