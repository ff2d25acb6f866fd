// meshsim-cli as a user runs it: exit codes, messages, and the files it writes.

#include "run/recording_file.h"
#include "run/stream.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result cli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(MESHSIM_CLI), args);
    if (!p.waitForFinished(120'000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString fixture(const char* name)
{
    return QString::fromLocal8Bit(qgetenv("MESHSIM_SOURCE_DIR")) + "/tests/topologies/data/" + name;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void usageErrorsExitTwo()
    {
        QCOMPARE(cli({}).exitCode, 2);
        QCOMPARE(cli({"frobnicate"}).exitCode, 2);
        QCOMPARE(cli({"validate"}).exitCode, 2);
        QCOMPARE(cli({"run", "--no-such-option", "x"}).exitCode, 2);
        QCOMPARE(cli({"run", "--seed", "abc", "builtin:bookstore"}).exitCode, 2);
        QCOMPARE(cli({"run", "--engine", "warp", "builtin:bookstore"}).exitCode, 2);
    }

    void validateExitCodes()
    {
        const Result ok = cli({"validate", fixture("valid_minimal.yaml"), "builtin:bookstore"});
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(ok.out.contains("valid"));
        const Result bad
            = cli({"validate", fixture("valid_minimal.yaml"), fixture("bad_duration.yaml")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("bad_duration.yaml:3:11: duration: invalid value"),
                 qPrintable(bad.err));
    }

    void runWritesResults()
    {
        QTemporaryDir dir;
        const Result r = cli({"run",
                              "builtin:bookstore-direct",
                              "--engine",
                              "fast",
                              "--duration",
                              "20s",
                              "--out",
                              dir.path()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("client latency (ms)"));
        QFile file(dir.filePath("results.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray json = file.readAll();
        for (const char* key : {"\"scenario\"",
                                "\"seed\"",
                                "\"engine\"",
                                "\"simulated_seconds\"",
                                "\"wall_seconds\"",
                                "\"summary\"",
                                "\"throughput_rps\"",
                                "\"latency_ms\"",
                                "\"p999\"",
                                "\"routes\"",
                                "\"services\"",
                                "\"edges\"",
                                "\"windows\"",
                                "\"slo\""})
            QVERIFY2(json.contains(key), key);
    }

    void runRejectsInvalidScenario()
    {
        const Result r = cli({"run", fixture("call_cycle.yaml")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("call cycle"));
    }

    void compareSideBySide()
    {
        const Result r = cli({"compare",
                              "builtin:bookstore-direct",
                              "builtin:bookstore-gateway",
                              "--engine",
                              "fast",
                              "--duration",
                              "15s"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("bookstore-direct"));
        QVERIFY(r.out.contains("bookstore-gateway"));
        QVERIFY(r.out.contains("latency p99 (ms)"));
    }

    void recordingStreamEqualsFile_data()
    {
        QTest::addColumn<QString>("budget");
        QTest::newRow("default budget") << QString("64MiB");
        // A small budget makes the sample halve during the run: the stream says so, and a reader
        // drops what it had received and left the sample.
        QTest::newRow("small budget") << QString("1MiB");
    }
    void recordingStreamEqualsFile()
    {
        QFETCH(QString, budget);
        QTemporaryDir dir;
        const QString file = dir.filePath("run.rec");
        const Result r = cli({"run",
                              "builtin:bookstore-mesh",
                              "--engine",
                              "fast",
                              "--duration",
                              "20s",
                              "--stream",
                              "--stream-recording",
                              "--record",
                              file,
                              "--record-budget",
                              budget});
        QCOMPARE(r.exitCode, 0);
        meshsim::run::StreamReader stream;
        stream.feed(r.out.toStdString());
        stream.finish();
        QVERIFY2(!stream.failed(), stream.error() ? stream.error()->c_str() : "");
        QVERIFY(stream.recording() && stream.recording()->ended());
        std::string error;
        const auto fromFile = meshsim::run::readRecordingFile(file.toStdString(), error);
        QVERIFY2(fromFile, error.c_str());
        QVERIFY(!QFile::exists(file + ".partial"));
        const auto bytes = [](const meshsim::run::RecordingDecoder& d) {
            return meshsim::run::encodeRecording(d.info(), d.recording(), d.cancelled());
        };
        QVERIFY(!fromFile->recording().requests.empty());
        QVERIFY(fromFile->recording().windows >= 20);
        QCOMPARE(bytes(*stream.recording()), bytes(*fromFile));
        if (budget == "1MiB")
            QVERIFY(fromFile->recording().sampleShare() < 1.0);
    }

    void recordingCommand()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("run.rec");
        QCOMPARE(cli({"run",
                      "builtin:bookstore-gateway",
                      "--engine",
                      "fast",
                      "--duration",
                      "15s",
                      "--quiet",
                      "--record",
                      file})
                     .exitCode,
                 0);
        const Result summary = cli({"recording", file});
        QCOMPARE(summary.exitCode, 0);
        QVERIFY2(summary.out.contains("bookstore-gateway (builtin:bookstore-gateway): engine fast"),
                 qPrintable(summary.out));
        QVERIFY(summary.out.contains("series: "));
        const Result lines = cli({"recording", file, "--jsonl"});
        QCOMPARE(lines.exitCode, 0);
        const QStringList all = lines.out.trimmed().split('\n');
        QVERIFY(all.size() > 20);
        QVERIFY(all.front().startsWith("{\"type\":\"header\",\"format\":\"meshsim-recording/1\""));
        QVERIFY(all.back().startsWith("{\"type\":\"end\",\"status\":\"complete\""));
        // Not a recording: a clear error.
        const Result bad = cli({"recording", fixture("valid_minimal.yaml")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("not a meshsim recording"), qPrintable(bad.err));
    }

    void signalCancelsCleanly()
    {
        // SIGTERM during a run: it stops at its next slice, ends its stream with a cancelled end,
        // exits 130 and leaves no file behind (under the sanitizer build, no leak either: a leak
        // report would change the exit code).
        QTemporaryDir dir;
        const QString file = dir.filePath("run.rec");
        const QString out = dir.filePath("out");
        QProcess p;
        p.start(QStringLiteral(MESHSIM_CLI),
                {"run",
                 "builtin:bench-chain10",
                 "--engine",
                 "fast",
                 "--duration",
                 "3000s",
                 "--stream",
                 "--stream-recording",
                 "--record",
                 file,
                 "--out",
                 out});
        QByteArray seen;
        while (!seen.contains("\"type\":\"progress\"") && p.waitForReadyRead(60'000))
            seen += p.readAllStandardOutput();
        QVERIFY(seen.contains("\"type\":\"progress\""));
        p.terminate();
        QVERIFY(p.waitForFinished(60'000));
        seen += p.readAllStandardOutput();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(seen.trimmed().endsWith(R"({"type":"end","status":130,"cancelled":true})"));
        QVERIFY(!QFile::exists(file));
        QVERIFY(!QFile::exists(file + ".partial"));
        QVERIFY(!QFile::exists(out + "/results.json"));
        meshsim::run::StreamReader stream;
        stream.feed(seen.toStdString());
        stream.finish();
        QVERIFY2(!stream.failed(), stream.error() ? stream.error()->c_str() : "");
        QVERIFY(stream.cancelled());
    }

    void listsBuiltins()
    {
        const Result r = cli({"list"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("builtin:bookstore"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
