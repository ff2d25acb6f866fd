// meshsim-cli with SimGrid, as users run it: runs in separate processes give byte-identical
// results, the stream works, compare runs SimGrid scenarios side by side, and the SimGrid
// validation table in docs/validation.md is current.

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result cli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(MESHSIM_CLI), args);
    if (!p.waitForFinished(600'000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QByteArray withoutWallTime(const QByteArray& json)
{
    const QRegularExpression wall(R"("wall_seconds": [0-9.e+-]+)");
    return QString::fromUtf8(json).replace(wall, "").toUtf8();
}

} // namespace

class TestSimGridCli : public QObject
{
    Q_OBJECT

private slots:
    void sameSeedSameBytesAcrossProcesses()
    {
        QTemporaryDir a;
        QTemporaryDir b;
        for (const QTemporaryDir* dir : {&a, &b}) {
            const Result r = cli({"run",
                                  "builtin:bookstore-direct",
                                  "--engine",
                                  "simgrid",
                                  "--duration",
                                  "20s",
                                  "--quiet",
                                  "--out",
                                  dir->path()});
            QCOMPARE(r.exitCode, 0);
        }
        QFile fa(a.filePath("results.json"));
        QFile fb(b.filePath("results.json"));
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
        const QByteArray ja = fa.readAll();
        QVERIFY(ja.contains("\"engine\": \"simgrid\""));
        QCOMPARE(withoutWallTime(ja), withoutWallTime(fb.readAll()));
    }

    void streamEndsWithResult()
    {
        const Result r = cli({"run", "builtin:bookstore-direct", "--stream", "--duration", "15s"});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QVERIFY(lines.size() > 10);
        QVERIFY(lines.front().contains("\"protocol\":\"meshsim-stream/1\""));
        QVERIFY(lines.front().contains("\"engine\":\"simgrid\"")); // SimGrid is the default
        QVERIFY(lines[lines.size() - 2].startsWith("{\"type\":\"result\""));
        QCOMPARE(lines.back(), QByteArray(R"({"type":"end","status":0})"));
    }

    void invalidScenarioInStream()
    {
        const Result r = cli({"run", "--stream", "builtin:no-such-scenario"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("\"type\":\"error\""));
        QVERIFY(r.out.trimmed().endsWith(R"({"type":"end","status":1})"));
    }

    void compareRunsEachScenarioInItsOwnProcess()
    {
        const Result r = cli({"compare",
                              "builtin:bookstore-direct",
                              "builtin:bookstore-gateway",
                              "--duration",
                              "15s"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("simgrid"));
        QVERIFY(r.out.contains("bookstore-gateway"));
    }

    void simgridValidationTableIsCurrent()
    {
        // Runs the suite on SimGrid (one process per scenario) and checks that
        // docs/validation.md holds exactly its table.
        QTemporaryDir dir;
        const QString report = dir.filePath("validation.md");
        const Result r = cli({"verify", "--engine", "simgrid", "--markdown", report});
        QCOMPARE(r.exitCode, 0); // every check passes
        QFile generated(report);
        QFile committed(QString::fromLocal8Bit(qgetenv("MESHSIM_SOURCE_DIR"))
                        + "/docs/validation.md");
        QVERIFY(generated.open(QIODevice::ReadOnly) && committed.open(QIODevice::ReadOnly));
        // The SimGrid section's table: from its header row to the blank line after it.
        const QByteArray text = generated.readAll();
        const qsizetype section = text.indexOf("## SimGrid platform");
        QVERIFY(section > 0);
        const qsizetype start = text.indexOf("| scenario", section);
        const qsizetype end = text.indexOf("\n\n", start);
        QVERIFY(start > section && end > start);
        const QByteArray table = text.mid(start, end - start);
        const QByteArray doc = committed.readAll();
        QVERIFY2(doc.contains(table),
                 "docs/validation.md is out of date: run meshsim-cli verify --engine both "
                 "--markdown docs/validation.md");
    }
};

QTEST_GUILESS_MAIN(TestSimGridCli)
#include "tst_simgrid_cli.moc"
