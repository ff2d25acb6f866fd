// meshsim-cli as a user runs it: exit codes, messages, and the files it writes.

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

    void listsBuiltins()
    {
        const Result r = cli({"list"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("builtin:bookstore"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
