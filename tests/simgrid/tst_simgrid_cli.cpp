// meshsim-cli with SimGrid, as users run it: runs in separate processes give byte-identical
// results, the stream works, compare runs SimGrid scenarios side by side, and the SimGrid
// validation table in docs/validation.md is current.

#include "run/recording_file.h"
#include "run/stream.h"

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

    void recordingChangesNothingOnSimGrid_data()
    {
        // Every built-in scenario; the benchmarks shortened (each second of them is tens of
        // thousands of requests on SimGrid).
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("duration");
        for (const char* name :
             {"bookstore", "bookstore-direct", "bookstore-gateway", "bookstore-mesh"})
            QTest::newRow(name) << QString("builtin:") + name << QString("15s");
        for (const char* name : {"bench-chain10",
                                 "bench-fanout1000",
                                 "bench-social-network",
                                 "bench-social-network-mesh"})
            QTest::newRow(name) << QString("builtin:") + name << QString("1s");
    }
    void recordingChangesNothingOnSimGrid()
    {
        // Recorded or not, a SimGrid run writes the same results.json (each run a process: one
        // SimGrid engine per process); and the recording it streams is the one it writes.
        QFETCH(QString, scenario);
        QFETCH(QString, duration);
        QTemporaryDir plain;
        QTemporaryDir recorded;
        const QString file = recorded.filePath("run.rec");
        const QStringList common{"run", scenario, "--engine", "simgrid", "--duration", duration};
        QCOMPARE(cli(common + QStringList{"--quiet", "--out", plain.path()}).exitCode, 0);
        const Result r = cli(
            common
            + QStringList{
                "--out", recorded.path(), "--record", file, "--stream", "--stream-recording"});
        QCOMPARE(r.exitCode, 0);
        QFile fa(plain.filePath("results.json"));
        QFile fb(recorded.filePath("results.json"));
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
        QCOMPARE(withoutWallTime(fb.readAll()), withoutWallTime(fa.readAll()));
        meshsim::run::StreamReader stream;
        stream.feed(r.out.toStdString());
        stream.finish();
        QVERIFY2(!stream.failed(), stream.error() ? stream.error()->c_str() : "");
        std::string error;
        const auto fromFile = meshsim::run::readRecordingFile(file.toStdString(), error);
        QVERIFY2(fromFile, error.c_str());
        QCOMPARE(fromFile->info().engine, std::string("simgrid"));
        QCOMPARE(fromFile->recording().lateHops, std::uint64_t{0});
        const auto bytes = [](const meshsim::run::RecordingDecoder& d) {
            return meshsim::run::encodeRecording(d.info(), d.recording(), d.cancelled());
        };
        QCOMPARE(bytes(*stream.recording()), bytes(*fromFile));
        // The hops of every complete request cover its latency on SimGrid too.
        for (const auto& q : fromFile->recording().requests) {
            if (!q.complete)
                continue;
            const auto path = meshsim::models::criticalPath(q);
            QVERIFY(path.complete);
            QCOMPARE(path.coveredNs, q.hops.front().end - q.hops.front().start);
        }
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
