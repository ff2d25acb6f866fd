// meshsim-cli as a user runs it: exit codes, messages, and the files it writes.

#include "run/experiment.h"
#include "run/recording_file.h"
#include "run/stream.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
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

using Json = nlohmann::ordered_json;

Json readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Json();
    const QByteArray bytes = file.readAll();
    return Json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
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

    void showPrintsABuiltinThatLoads()
    {
        // What `show` prints is the built-in itself: saved to a file, it loads and runs the same.
        const Result shown = cli({"show", "builtin:bookstore"});
        QCOMPARE(shown.exitCode, 0);
        QVERIFY(shown.out.startsWith("#") || shown.out.startsWith("meshsim"));
        QTemporaryDir dir;
        const QString path = dir.filePath("shop.yaml");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(shown.out.toUtf8());
        file.close();
        const Result valid = cli({"validate", path});
        QCOMPARE(valid.exitCode, 0);
        QCOMPARE(cli({"show", "bookstore"}).out, shown.out);
        const Result unknown = cli({"show", "builtin:nope"});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains("no built-in scenario \"nope\" (there are: "));
        QCOMPARE(cli({"show"}).exitCode, 2);
    }

    void extensionKeysHoldAnchors()
    {
        // x-... keys at the top are not read: a home for anchors that the sections refer to.
        QTemporaryDir dir;
        const QString path = dir.filePath("anchors.yaml");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"(meshsim: 1
x-service: &service {cpu: 2ms, workers: 8, replicas: 2}
x-notes: [anything, {goes: here}]
services:
  - {<<: *service, name: web, steps: [api]}
  - {<<: *service, name: api}
routes: [{path: /, to: web}]
workloads: [{name: users, arrival: {process: poisson, rate: 10/s}}]
y-typo: 1
)");
        file.close();
        const Result r = cli({"validate", path});
        QCOMPARE(r.exitCode, 1); // only x- keys are left alone
        QVERIFY2(r.err.contains("anchors.yaml:9:1: y-typo: unknown key"), qPrintable(r.err));
        QVERIFY2(!r.err.contains("x-"), qPrintable(r.err));
    }

    void helpNamesTheCommand()
    {
        for (const char* command : {"run", "compare", "sweep", "validate", "bench"}) {
            const Result r = cli({command, "--help"});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.startsWith(QString("Usage: meshsim-cli %1 [options]").arg(command)),
                     qPrintable(r.out));
            QVERIFY(!r.out.contains("executable_name"));
        }
    }

    void validateExitCodes()
    {
        const Result ok = cli({"validate", fixture("valid_minimal.yaml"), "builtin:bookstore"});
        QCOMPARE(ok.exitCode, 0);
        // Counted in words a reader expects: one route, one workload.
        QVERIFY2(ok.out.contains("valid_minimal.yaml: valid (2 services, 1 route, 1 workload)"),
                 qPrintable(ok.out));
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

    void aCanaryReportsItsVersions()
    {
        // bookinfo's reviews: v1 (two instances, no calls), v2 for jason, v3 a fifth of the
        // rest; the report has a row per version, and the 90/10 spread between the versions is
        // not reported as an uneven load. --set changes a split's weight by the key's path.
        QTemporaryDir dir;
        QFile file(dir.filePath("canary.yaml"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"(meshsim: 1
duration: 10s
services:
  - {name: productpage, steps: [reviews]}
  - name: reviews
    steps: [ratings]
    versions:
      - {name: v1, replicas: 2, steps: []}
      - {name: v2}
      - {name: v3, cpu: 3ms}
    traffic:
      - {match: {headers: {end-user: jason}}, version: v2}
      - {split: {v1: 80, v3: 20}}
  - {name: ratings}
routes: [{path: /p, to: productpage}]
workloads:
  - name: users
    arrival: {process: poisson, rate: 100/s}
    mix: [{path: /p, weight: 9}, {path: /p, weight: 1, headers: {end-user: jason}}]
)");
        file.close();
        const Result r = cli({"run",
                              file.fileName(),
                              "--engine",
                              "fast",
                              "--architecture",
                              "mesh",
                              "--set",
                              "services[reviews].traffic[1].split.v3=0",
                              "--out",
                              dir.filePath("out")});
        QCOMPARE(r.exitCode, 0);
        for (const char* row : {"reviews@v1", "reviews@v2", "reviews@v3"})
            QVERIFY2(r.out.contains(row), row);
        QVERIFY2(!r.out.contains("uneven instance load"), qPrintable(r.out));
        const Json json = readJson(dir.filePath("out/results.json"));
        const Json& reviews = json["services"][1];
        QCOMPARE(reviews["versions"].size(), std::size_t{3});
        // v3's weight is 0 now: no call reaches it, and v1 takes every call but jason's.
        QCOMPARE(reviews["versions"][2]["requests"].get<int>(), 0);
        QVERIFY(reviews["versions"][0]["requests"].get<int>() > 0);
        QCOMPARE(reviews["versions"][0]["requests"].get<int>()
                     + reviews["versions"][1]["requests"].get<int>(),
                 reviews["requests"].get<int>());
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

    void compareReplicationsAgreeWithTheirRuns()
    {
        QTemporaryDir dir;
        const Result r = cli({"compare",
                              "builtin:bookstore",
                              "--architectures",
                              "gateway,mesh",
                              "--replications",
                              "3",
                              "--engine",
                              "fast",
                              "--duration",
                              "15s",
                              "--core-hour-cost",
                              "0.05",
                              "--out",
                              dir.path()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("bookstore [mesh] against bookstore [gateway]"), qPrintable(r.out));
        const Json summary = readJson(dir.filePath("experiment.json"));
        QCOMPARE(summary["designs"].size(), std::size_t(2));
        const Json& designs = summary["points"][0]["designs"];
        for (std::size_t d = 0; d < 2; ++d) {
            std::vector<double> p99;
            for (const Json& index : designs[d]["runs"]) {
                const Json run = readJson(
                    dir.filePath(QString("runs/%1.json").arg(index.get<int>(), 4, 10, QChar('0'))));
                // Common random numbers: replication r of every design has the same seed.
                QCOMPARE(run["seed"].get<std::uint64_t>(),
                         meshsim::run::replicationSeed(42, static_cast<std::uint32_t>(p99.size())));
                QCOMPARE(run["scenario"]["architecture"].get<std::string>(),
                         std::string(d == 0 ? "gateway" : "mesh"));
                p99.push_back(run["summary"]["latency_ms"]["p99"].get<double>());
            }
            // The summary's estimate is the Student t interval of the runs' own numbers.
            const meshsim::run::Estimate e = meshsim::run::estimate(p99);
            const Json& got = designs[d]["metrics"]["latency_p99_ms"];
            QCOMPARE(got["mean"].get<double>(), e.mean);
            QCOMPARE(got["ci95"][0].get<double>(), e.low());
            QCOMPARE(got["ci95"][1].get<double>(), e.high());
            QVERIFY(designs[d]["metrics"].contains("cost_per_hour"));
            QVERIFY(designs[d]["routes"].contains("/books"));
        }
        // Significant exactly where the difference's interval leaves out zero.
        int significant = 0;
        for (const auto& [name, diff] : summary["points"][0]["comparisons"][0]["metrics"].items()) {
            const double low = diff["ci95"][0].get<double>();
            const double high = diff["ci95"][1].get<double>();
            QCOMPARE(diff["significant"].get<bool>(), low > 0.0 || high < 0.0);
            significant += diff["significant"].get<bool>() ? 1 : 0;
        }
        // The mesh's sidecars cost CPU: that much is certain whatever the seeds.
        QVERIFY(summary["points"][0]["comparisons"][0]["metrics"]["proxy_vcpu"]["significant"]
                    .get<bool>());
        QVERIFY(significant > 0);
    }

    void sweepFindsTheMm1Knee()
    {
        // M/M/1 with mu = 1000/s: the sojourn time is exponential with rate mu - lambda, so its
        // p99 is ln(100) / (mu - lambda), and p99 = 10 ms at lambda = 1000 - 460.52 = 539.5/s.
        // Each point: 4 replications of 150 measured seconds (about 81,000 requests each near the
        // knee). The sd of a p99 estimate from n exponential samples is sqrt(0.01 * 0.99 / n) /
        // (0.01 * (mu - lambda)) = 0.076 ms; correlated neighbours in the queue widen it to about
        // 0.11 ms, 0.057 ms for the mean of 4 runs, i.e. 2.6 req/s of knee (dp99/dlambda =
        // ln(100) / (mu - lambda)^2 = 0.0217 ms per req/s); both interpolated points and the
        // measured offered load (Poisson: 1 req/s for 4 runs) add to it: about 4 req/s (6.5
        // req/s measured over 6 seeds with 2 replications). Tolerance: 14 req/s, 3 sd (2.6%);
        // a p90 in place of the p99 would put the knee at 770/s.
        QTemporaryDir dir;
        const Result r = cli({"sweep",
                              "validation:mm1",
                              "--set",
                              "workloads[0].arrival.rate=450/s..650/s/9",
                              "--p99-limit",
                              "10ms",
                              "--replications",
                              "4",
                              "--engine",
                              "fast",
                              "--duration",
                              "200s",
                              "--out",
                              dir.path()});
        QCOMPARE(r.exitCode, 0);
        const Json summary = readJson(dir.filePath("experiment.json"));
        const Json& sweep = summary["sweep"][0];
        QCOMPARE(sweep["points"].size(), std::size_t(9));
        const double knee = sweep["knee_offered_rps"].get<double>();
        QVERIFY2(std::abs(knee - 539.48) < 14.0, qPrintable(QString::number(knee)));
        QVERIFY(r.out.contains("knee (p99 reaches 10.000 ms)"));
        // Below saturation the server answers what is offered.
        QVERIFY(sweep["saturated_from_offered_rps"].is_null());
    }

    void shardedThenMergedEqualsUnsharded()
    {
        QTemporaryDir dir;
        const QStringList experiment{"sweep",
                                     "validation:mm1",
                                     "--set",
                                     "workloads[0].arrival.rate=500/s,600/s",
                                     "--set",
                                     "services[0].cpu.mean=0.9ms,1ms",
                                     "--replications",
                                     "2",
                                     "--engine",
                                     "fast",
                                     "--duration",
                                     "60s",
                                     "--quiet"};
        QCOMPARE(cli(experiment + QStringList{"--out", dir.filePath("one")}).exitCode, 0);
        QStringList shards;
        for (int k = 1; k <= 3; ++k) {
            const QString out = dir.filePath(QString("shard%1").arg(k));
            QCOMPARE(cli(experiment + QStringList{"--shard", QString("%1/3").arg(k), "--out", out})
                         .exitCode,
                     0);
            QVERIFY(!QFile::exists(out + "/experiment.json")); // a shard is not a whole
            shards << out;
        }
        // A shard missing: refused, saying how many runs are not there.
        const Result partial = cli(QStringList{"merge"} + shards.mid(0, 2)
                                   + QStringList{"--out", dir.filePath("partial")});
        QCOMPARE(partial.exitCode, 1);
        QVERIFY2(partial.err.contains("2 of 8 runs are missing"), qPrintable(partial.err));
        const Result merged
            = cli(QStringList{"merge"} + shards + QStringList{"--out", dir.filePath("merged")});
        QCOMPARE(merged.exitCode, 0);
        // Byte for byte, apart from the runs' wall times.
        QDir one(dir.filePath("one"));
        QDir two(dir.filePath("merged"));
        QStringList files{"plan.json", "experiment.json"};
        for (const QString& f : QDir(one.filePath("runs")).entryList(QDir::Files))
            files << "runs/" + f;
        QCOMPARE(files.size(), 2 + 8);
        for (const QString& f : files) {
            QFile a(one.filePath(f));
            QFile b(two.filePath(f));
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            static const QRegularExpression wall("\"wall_seconds\": [^,\n]+");
            QString ta = QString::fromUtf8(a.readAll());
            QString tb = QString::fromUtf8(b.readAll());
            ta.replace(wall, "");
            tb.replace(wall, "");
            QVERIFY2(ta == tb, qPrintable(f));
        }
    }

    void failOnSloExitsThree()
    {
        const QStringList strict{
            "--set", "slo.p99=1ms", "--engine", "fast", "--duration", "20s", "-q"};
        QCOMPARE(cli(QStringList{"run", "builtin:bookstore"} + strict).exitCode, 0);
        QCOMPARE(cli(QStringList{"run", "builtin:bookstore", "--fail-on-slo"} + strict).exitCode,
                 3);
        QCOMPARE(cli(QStringList{"run",
                                 "builtin:bookstore",
                                 "--fail-on-slo",
                                 "--engine",
                                 "fast",
                                 "--duration",
                                 "20s",
                                 "-q"})
                     .exitCode,
                 0);
        const Result compare
            = cli(QStringList{"compare", "builtin:bookstore", "--fail-on-slo"} + strict);
        QCOMPARE(compare.exitCode, 3);
        QVERIFY(compare.err.contains("SLO is not met"));
    }

    void experimentUsageErrors()
    {
        QCOMPARE(cli({"compare", "builtin:bookstore", "--shard", "3/2", "--out", "x"}).exitCode, 2);
        QCOMPARE(cli({"compare", "builtin:bookstore", "--shard", "1/2"}).exitCode, 2);
        QCOMPARE(cli({"compare", "builtin:bookstore", "--replications", "0"}).exitCode, 2);
        QCOMPARE(cli({"sweep", "builtin:bookstore"}).exitCode, 2);
        QCOMPARE(cli({"sweep", "builtin:bookstore", "--set", "x=1..2/1"}).exitCode, 2);
        QCOMPARE(cli({"merge", "somewhere"}).exitCode, 2);
        // A design that does not load is named before anything runs.
        const Result bad = cli({"compare", "builtin:bookstore", "--architectures", "gateway,warp"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("architecture"), qPrintable(bad.err));
    }

    void hostileInputsGetErrorsNotCrashes()
    {
        QTemporaryDir dir;
        const auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::WriteOnly);
            f.write(text);
            return dir.filePath(name);
        };
        // Not results.json, or one missing what a report reads: exit 1 with the key named.
        for (const QByteArray& text : {QByteArray("{}"),
                                       QByteArray(R"({"format":"meshsim-results/1"})"),
                                       QByteArray("[1,2"),
                                       QByteArray("\x00\x01\x02", 3)}) {
            const Result r = cli({"report", write("bad.json", text)});
            QCOMPARE(r.exitCode, 1);
            QVERIFY(!r.err.isEmpty());
        }
        const Result missing
            = cli({"report", write("m.json", R"({"format":"meshsim-results/1"})")});
        QVERIFY2(missing.err.contains("scenario is missing"), qPrintable(missing.err));
        // A plan beyond the limits is refused before anything is allocated for it.
        QDir().mkpath(dir.filePath("shard/runs"));
        write("shard/plan.json",
              R"({"format":"meshsim-plan/1","kind":"compare","designs":[{"label":"a","scenario":)"
              R"("builtin:bookstore","architecture":null}],"axes":[],"replications":4000000000,)"
              R"("base_seed":1,"common_random_numbers":true,"engine":null,"duration":null,)"
              R"("core_hour_cost":null,"p99_limit_ms":null,"runs":1})");
        const Result plan = cli({"merge", dir.filePath("shard"), "--out", dir.filePath("out")});
        QCOMPARE(plan.exitCode, 1);
        QVERIFY2(plan.err.contains("more replications"), qPrintable(plan.err));
        // Sweeps that cannot be: too many values, a key a run's option decides.
        QCOMPARE(cli({"sweep", "builtin:bookstore", "--set", "x=1e17..1e17"}).exitCode, 2);
        QCOMPARE(cli({"sweep", "builtin:bookstore", "--set", "x=0..20000"}).exitCode, 2);
        QCOMPARE(cli({"sweep", "builtin:bookstore", "--set", "seed=5,6"}).exitCode, 2);
        QCOMPARE(cli({"compare", "builtin:bookstore", "--jobs", "0"}).exitCode, 2);
        // A PDF that cannot be written is a failure, not a success.
        const Result run = cli({"run",
                                "builtin:bookstore-direct",
                                "--engine",
                                "fast",
                                "--duration",
                                "15s",
                                "--out",
                                dir.filePath("r"),
                                "-q"});
        QCOMPARE(run.exitCode, 0);
        const Result pdf = cli({"report", dir.filePath("r"), "--pdf", dir.path()});
        QCOMPARE(pdf.exitCode, 1);
        QVERIFY2(pdf.err.contains("cannot write"), qPrintable(pdf.err));
        // --otlp of several runs is refused before any file is written.
        const Result otlp = cli({"report",
                                 dir.filePath("r"),
                                 dir.filePath("r"),
                                 "--html",
                                 dir.filePath("x.html"),
                                 "--otlp",
                                 dir.filePath("x.json")});
        QCOMPARE(otlp.exitCode, 2);
        QVERIFY(!QFile::exists(dir.filePath("x.html")));
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
