// The run stream: what a writer emits, a reader takes back; every malformed, truncated or
// interrupted stream gives a clear error instead of a hang or a crash.

#include "run/results_json.h"
#include "run/stream.h"
#include "topologies/loader.h"

#include <QTest>

#include <cstdio>

using namespace meshsim;
using run::StreamReader;

namespace {

// Runs a small fast scenario through a StreamWriter into a string.
std::string writtenStream()
{
    const auto loaded = topologies::loadScenarioText(R"(
meshsim: 1
duration: 2s
platform: {network: ideal}
services: [{name: a, cpu: 1ms}]
routes: [{path: /x, to: a}]
workloads: [{name: w, arrival: {process: constant, rate: 10/s}}]
)",
                                                     "s.yaml");
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&buffer, &size);
    run::StreamWriter writer(out);
    run::RunOptions options;
    options.engine = models::EngineKind::Fast;
    writer.hello(*loaded.scenario, models::EngineKind::Fast, 1);
    writer.note("a note");
    const run::RunResult result = run::runScenario(*loaded.scenario, options, &writer);
    writer.result(run::resultsToJson(result, 0.0));
    writer.end(0);
    std::fclose(out);
    std::string text(buffer, size);
    std::free(buffer); // NOLINT: open_memstream's buffer
    return text;
}

} // namespace

class TestStream : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip()
    {
        const std::string text = writtenStream();
        StreamReader reader;
        // Byte by byte: a reader must not depend on how the pipe splits the data.
        for (const char c : text)
            reader.feed(std::string_view(&c, 1));
        reader.finish();
        QVERIFY2(!reader.failed(), reader.error().value_or("").c_str());
        QVERIFY(reader.ended());
        QCOMPARE(reader.status(), 0);
        QCOMPARE(reader.notes().size(), std::size_t{1});
        QVERIFY(reader.progressCount() >= 2);
        QCOMPARE(reader.progress().durationSeconds, 2.0);
        QVERIFY(reader.results().has_value());
        QCOMPARE((*reader.results())["summary"]["ok"].get<int>(), 19);
        QCOMPARE(reader.hello()["engine"].get<std::string>(), std::string("fast"));
    }

    void broken_data()
    {
        QTest::addColumn<QString>("stream");
        QTest::addColumn<QString>("error");
        const QString hello = "{\"type\":\"hello\",\"protocol\":\"meshsim-stream/1\"}"
                              "\n";
        QTest::newRow("nothing") << ""
                                 << "sent nothing";
        QTest::newRow("no hello") << "{\"type\":\"progress\"}"
                                     "\n"
                                  << "expected a hello line";
        QTest::newRow("wrong protocol") << "{\"type\":\"hello\",\"protocol\":\"other/9\"}"
                                           "\n"
                                        << "protocol meshsim-stream/1";
        QTest::newRow("not JSON") << hello + "garbage\n"
                                  << "line 2 of the run stream: not a JSON";
        QTest::newRow("no type") << hello + "{}\n"
                                 << "no \"type\"";
        QTest::newRow("bad progress") << hello
                                             + "{\"type\":\"progress\",\"sent\":\"x\"}"
                                               "\n"
                                      << "without a number";
        QTest::newRow("stops mid-line") << hello + "{\"type\":\"progr"
                                        << "in the middle of line 2";
        QTest::newRow("stops before end") << hello << "stopped before the run finished";
        QTest::newRow("error line") << hello
                                           + "{\"type\":\"error\",\"message\":\"boom\"}"
                                             "\n"
                                    << "the simulation failed: boom";
        QTest::newRow("end without result") << hello
                                                   + "{\"type\":\"end\",\"status\":0}"
                                                     "\n"
                                            << "ended without a result";
        QTest::newRow("data after end") << hello
                                               + "{\"type\":\"end\",\"status\":1}"
                                                 "\n"
                                                 "{\"type\":\"note\",\"text\":\"late\"}"
                                                 "\n"
                                        << "data after the end line";
        QTest::newRow("binary") << QString::fromLatin1("\x01\x02\xff\n") << "not a JSON object";
    }

    void broken()
    {
        QFETCH(QString, stream);
        QFETCH(QString, error);
        StreamReader reader;
        reader.feed(stream.toStdString());
        reader.finish("exit status 3");
        QVERIFY(reader.failed());
        QVERIFY2(reader.error()->find(error.toStdString()) != std::string::npos,
                 reader.error()->c_str());
    }

    void unknownTypesAreIgnored()
    {
        StreamReader reader;
        reader.feed("{\"type\":\"hello\",\"protocol\":\"meshsim-stream/1\"}"
                    "\n"
                    "{\"type\":\"something-new\",\"x\":1}"
                    "\n"
                    "{\"type\":\"result\",\"results\":{}}"
                    "\n"
                    "{\"type\":\"end\",\"status\":0}"
                    "\n");
        reader.finish();
        QVERIFY(!reader.failed());
    }

    void overlongLineIsRefused()
    {
        StreamReader reader(1024);
        reader.feed("{\"type\":\"hello\",\"protocol\":\"meshsim-stream/1\"}"
                    "\n");
        reader.feed(std::string(4096, 'x')); // no newline: memory must stay bounded
        QVERIFY(reader.failed());
        QVERIFY(reader.error()->find("longer than 1024 bytes") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestStream)
#include "tst_stream.moc"
