#include "app/cli_commands.h"

#include "app/child_run.h"
#include "app/cli_options.h"
#include "app/text_report.h"
#include "models/recorder.h"
#include "run/recording_file.h"
#include "run/recording_follower.h"
#include "run/recording_jsonl.h"
#include "run/results_json.h"
#include "run/stream.h"
#include "run/validation/validation_suite.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "topologies/overrides.h"
#include "topologies/system_view.h"
#include "topologies/units.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSaveFile>
#include <QThread>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <sys/resource.h>

namespace meshsim::app {

namespace {

using Json = nlohmann::ordered_json;

// Set by SIGINT / SIGTERM during a run: the run stops at its next slice and ends as cancelled.
volatile std::sig_atomic_t g_cancelRequested = 0;

extern "C" void requestCancel(int)
{
    g_cancelRequested = 1;
}

// What `run` observes: the stream (if any), and the signals that cancel it.
class CliObserver final : public run::RunObserver
{
public:
    explicit CliObserver(run::StreamWriter* writer)
        : m_writer(writer)
    {}
    void onProgress(const run::Progress& progress) override
    {
        if (m_writer)
            m_writer->onProgress(progress);
    }
    bool cancelled() override { return g_cancelRequested != 0; }

private:
    run::StreamWriter* m_writer;
};

} // namespace

int runCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE", "Scenario file or builtin:<name>.");
    const QCommandLineOption out({"o", "out"}, "Write results.json into DIR.", "DIR");
    const QCommandLineOption quiet({"q", "quiet"}, "Print nothing but errors.");
    const QCommandLineOption stream("stream",
                                    "Write the run stream (docs/stream-protocol.md) on stdout "
                                    "instead of a summary.");
    const QCommandLineOption record(
        "record", "Record the run into FILE (docs/recording-format.md).", "FILE");
    const QCommandLineOption streamRecording(
        "stream-recording", "With --stream: send the recording in the stream as the run goes.");
    const QCommandLineOption failOnSlo("fail-on-slo",
                                       "Exit with status 3 when the run misses an objective of its "
                                       "SLO.");
    parser.addOptions({out,
                       quiet,
                       stream,
                       record,
                       kRecordBudgetOption,
                       streamRecording,
                       kSeedOption,
                       kEngineOption,
                       kDurationOption,
                       kSetOption,
                       kArchitectureOption,
                       failOnSlo});
    if (!parse(parser, args, "Simulate one scenario."))
        return kExitUsage;
    auto options = runOptions(parser);
    const auto changes = overrides(parser);
    if (!options || !changes)
        return kExitUsage;
    if (parser.positionalArguments().size() != 1) {
        std::fprintf(stderr, "meshsim-cli run: expected exactly one scenario FILE\n");
        return kExitUsage;
    }
    if (parser.isSet(streamRecording) && !parser.isSet(stream)) {
        std::fprintf(stderr, "meshsim-cli run: --stream-recording goes with --stream\n");
        return kExitUsage;
    }
    if (!recordingOptions(parser, parser.isSet(record) || parser.isSet(streamRecording), *options))
        return kExitUsage;
    const std::string file = local(parser.positionalArguments().front());
    std::optional<run::StreamWriter> writer;
    if (parser.isSet(stream))
        writer.emplace(stdout);
    const auto fail = [&](const std::string& message) {
        if (writer) {
            writer->error(message);
            writer->end(kExitFailure);
        }
        return kExitFailure;
    };

    topologies::LoadResult loaded = topologies::loadScenarioWithOverrides(file, *changes);
    printDiagnostics(loaded.diagnostics);
    if (!loaded.ok()) {
        if (writer) {
            topologies::Scenario placeholder;
            placeholder.name = file;
            placeholder.file = file;
            writer->hello(placeholder, options->engine.value_or(models::EngineKind::SimGrid), 0);
        }
        return fail("invalid scenario " + file + ": "
                    + (loaded.diagnostics.empty() ? std::string("unknown problem")
                                                  : loaded.diagnostics.front().format()));
    }
    const topologies::Scenario& scenario = *loaded.scenario;
    if (options->duration && scenario.warmup >= *options->duration) {
        std::fprintf(stderr,
                     "meshsim-cli: --duration must be longer than the warmup (%s)\n",
                     topologies::formatDuration(scenario.warmup).c_str());
        return kExitUsage;
    }
    const models::EngineKind engine = options->engine.value_or(scenario.engine);
    const std::uint64_t seed = options->seed.value_or(scenario.seed);
    const run::RecordingInfo info = run::makeRecordingInfo(scenario, engine, seed);
    if (writer) {
        writer->hello(scenario, engine, seed);
        for (const topologies::Diagnostic& d : loaded.diagnostics) // warnings: it loaded
            writer->note(d.format());
        if (parser.isSet(streamRecording))
            writer->streamRecording(info);
    }
    // A signal cancels the run at its next slice: it ends cleanly, writing no file.
    g_cancelRequested = 0;
    std::signal(SIGINT, requestCancel);
    std::signal(SIGTERM, requestCancel);
    CliObserver observer(writer ? &*writer : nullptr);
    const auto start = std::chrono::steady_clock::now();
    const run::RunResult result = run::runScenario(scenario, *options, &observer);
    const double wall
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (result.cancelled) {
        if (writer)
            writer->end(kExitCancelled, true);
        else
            std::fprintf(stderr, "meshsim-cli run: cancelled\n");
        return kExitCancelled;
    }
    const nlohmann::ordered_json json = run::resultsToJson(result, wall);
    if (writer)
        writer->result(json);
    else if (!parser.isSet(quiet))
        std::fputs(formatRun(json).c_str(), stdout);
    if (parser.isSet(out)) {
        const QString dir = parser.value(out);
        const QString path = QDir(dir).filePath("results.json");
        if (!QDir().mkpath(dir) || !writeFile(path, json.dump(2) + "\n"))
            return fail("cannot write " + local(path));
        if (!writer && !parser.isSet(quiet))
            std::printf("\nresults written to %s\n", local(path).c_str());
    }
    if (parser.isSet(record)) {
        const std::string path = local(parser.value(record));
        std::string error;
        if (!run::writeRecordingFile(
                path, run::encodeRecording(info, *result.recording, false), error)) {
            std::fprintf(stderr, "meshsim-cli: cannot write the recording: %s\n", error.c_str());
            return fail("cannot write " + path);
        }
        if (!writer && !parser.isSet(quiet))
            std::printf("recording written to %s (%u windows, %zu state changes, %zu requests: "
                        "%.4g%% of those sent)\n",
                        path.c_str(),
                        result.recording->windows,
                        result.recording->states.size(),
                        result.recording->requests.size(),
                        100.0 * result.recording->sampleShare());
    }
    if (writer)
        writer->end(kExitOk);
    if (parser.isSet(failOnSlo) && !result.sloPass) {
        std::fprintf(stderr, "meshsim-cli run: the SLO is not met\n");
        return kExitSloFailed;
    }
    return kExitOk;
}

int validateCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE...", "Scenario files or builtin:<name>.");
    const QCommandLineOption quiet({"q", "quiet"}, "Print only problems.");
    parser.addOption(quiet);
    if (!parse(parser,
               args,
               "Check scenario files. Exit status 0 when all are valid, 1 when one is not."))
        return kExitUsage;
    if (parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "meshsim-cli validate: expected at least one scenario FILE\n");
        return kExitUsage;
    }
    bool allValid = true;
    for (const QString& file : parser.positionalArguments()) {
        const topologies::LoadResult loaded = topologies::loadScenario(local(file));
        printDiagnostics(loaded.diagnostics);
        allValid = allValid && loaded.ok();
        if (loaded.ok() && !parser.isSet(quiet)) {
            const auto count = [](std::size_t n, const char* one, const char* many) {
                return std::to_string(n) + " " + (n == 1 ? one : many);
            };
            const models::SystemConfig& system = loaded.scenario->system;
            std::printf("%s: valid (%s, %s, %s)\n",
                        local(file).c_str(),
                        count(system.services.size(), "service", "services").c_str(),
                        count(system.routes.size(), "route", "routes").c_str(),
                        count(system.workloads.size(), "workload", "workloads").c_str());
        }
    }
    return allValid ? kExitOk : kExitFailure;
}

int listCommand(const QStringList& args)
{
    QCommandLineParser parser;
    if (!parse(parser, args, "List the built-in scenarios."))
        return kExitUsage;
    for (const std::string& name : topologies::builtinScenarioNames()) {
        const topologies::LoadResult loaded = topologies::loadScenario("builtin:" + name);
        std::string description = loaded.ok() ? loaded.scenario->description : "(invalid)";
        if (const auto cut = description.find('\n'); cut != std::string::npos)
            description = description.substr(0, cut);
        if (description.size() > 90)
            description = description.substr(0, 87) + "...";
        std::printf("builtin:%-28s %s\n", name.c_str(), description.c_str());
    }
    return kExitOk;
}

int showCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("NAME", "A built-in scenario, builtin:<name> or <name>.");
    if (!parse(parser,
               args,
               "Print a built-in scenario's YAML, to start a scenario of your own from it:\n"
               "  meshsim-cli show builtin:bookstore > shop.yaml"))
        return kExitUsage;
    if (parser.positionalArguments().size() != 1) {
        std::fprintf(stderr, "meshsim-cli show: expected one built-in scenario name\n");
        return kExitUsage;
    }
    std::string name = local(parser.positionalArguments().front());
    if (name.rfind("builtin:", 0) == 0)
        name = name.substr(8);
    const auto text = topologies::builtinScenarioText(name);
    if (!text) {
        std::string names;
        for (const std::string& n : topologies::builtinScenarioNames())
            names += (names.empty() ? "" : ", ") + n;
        std::fprintf(stderr,
                     "meshsim-cli show: no built-in scenario \"%s\" (there are: %s)\n",
                     name.c_str(),
                     names.c_str());
        return kExitFailure;
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
}

int verifyCommand(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption markdown(
        "markdown", "Also write the report as Markdown to FILE.", "FILE");
    const QCommandLineOption engineOption(
        "engine", "fast (default), simgrid, or both.", "ENGINE", "fast");
    parser.addOptions({markdown, engineOption});
    if (!parse(parser,
               args,
               "Run the queueing-theory validation suite (M/M/1, M/M/c, M/D/1, M/G/1, Jackson "
               "tandem, closed network). Exit status 1 when a check fails."))
        return kExitUsage;
    const QString which = parser.value(engineOption);
    if (which != "fast" && which != "simgrid" && which != "both") {
        std::fprintf(stderr, "meshsim-cli: --engine expects fast, simgrid or both\n");
        return kExitUsage;
    }
    std::vector<run::validation::Check> fast;
    std::vector<run::validation::Check> simgrid;
    if (which != "simgrid")
        fast = run::validation::runSuite(models::EngineKind::Fast);
    if (which != "fast") {
        // One process per SimGrid run, all cores busy.
        std::vector<QStringList> runs;
        for (const std::string& name : run::validation::suiteScenarios())
            runs.push_back({QString::fromStdString("validation:" + name), "--engine", "simgrid"});
        const auto children = runChildren(
            selfExecutable(args.front()), runs, std::max(1, QThread::idealThreadCount()));
        std::map<std::string, Json> byScenario;
        for (std::size_t i = 0; i < children.size(); ++i) {
            if (!children[i].results) {
                std::fprintf(stderr,
                             "meshsim-cli verify: %s: %s\n",
                             local(runs[i].front()).c_str(),
                             children[i].error.c_str());
                return kExitFailure;
            }
            byScenario[local(runs[i].front())] = *children[i].results;
        }
        simgrid = run::validation::runSuite(
            models::EngineKind::SimGrid,
            [&byScenario](const std::string& scenario, models::EngineKind) {
                return byScenario.at(scenario);
            });
    }
    bool allPass = true;
    std::printf("%-8s %-8s %-34s %-22s %12s %12s %9s %10s  %s\n",
                "engine",
                "scenario",
                "model",
                "quantity",
                "theory",
                "simulated",
                "error",
                "99.9% CI",
                "result");
    for (const auto* checks : {&fast, &simgrid}) {
        for (const auto& c : *checks) {
            std::printf("%-8s %-8s %-34s %-22s %12.4f %12.4f %+8.2f%% %10.4f  %s\n",
                        checks == &fast ? "fast" : "simgrid",
                        c.scenario.c_str(),
                        c.model.c_str(),
                        c.quantity.c_str(),
                        c.theory,
                        c.simulated,
                        100.0 * c.relativeError(),
                        c.halfWidth,
                        c.pass ? "pass" : "FAIL");
            allPass = allPass && c.pass;
        }
    }
    if (parser.isSet(markdown)) {
        const std::string command
            = "meshsim-cli verify --engine " + local(which) + " --markdown docs/validation.md";
        if (!writeFile(parser.value(markdown),
                       run::validation::markdownReport(fast, simgrid, command)))
            return kExitFailure;
    }
    return allPass ? kExitOk : kExitFailure;
}

namespace {

long peakResidentKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss; // KiB on Linux
}

// `bench --one`: one measured run in this process; prints requests, events, wall s, peak KiB.
int benchChild(const std::string& file, const run::RunOptions& options)
{
    topologies::LoadResult loaded = topologies::loadScenario(file);
    printDiagnostics(loaded.diagnostics);
    if (!loaded.ok())
        return kExitFailure;
    const auto start = std::chrono::steady_clock::now();
    const run::RunResult r = run::runScenario(*loaded.scenario, options);
    const double wall
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%llu %llu %.6f %ld\n",
                static_cast<unsigned long long>(r.requestsStarted),
                static_cast<unsigned long long>(r.events),
                wall,
                peakResidentKiB());
    return kExitOk;
}

} // namespace

int benchCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE...",
                                 "Scenarios to measure (default: the built-in bench-* scenarios).");
    const QCommandLineOption repeat(
        "repeat", "Runs per scenario; the fastest counts (default 3).", "N", "3");
    const QCommandLineOption engines(
        "engines", "Platforms to measure: fast, simgrid or both (default).", "ENGINES", "both");
    const QCommandLineOption one("one", "Internal: measure one run in this process.");
    const QCommandLineOption record("record",
                                    "Record every run (in memory, as run --record would), to "
                                    "measure what recording costs.");
    parser.addOptions({repeat,
                       engines,
                       one,
                       record,
                       kRecordBudgetOption,
                       kEngineOption,
                       kDurationOption,
                       kSeedOption});
    if (!parse(parser,
               args,
               "Measure simulation speed and peak memory: simulated requests and events per "
               "second of wall time, each run in a process of its own."))
        return kExitUsage;
    auto options = runOptions(parser);
    if (!options || !recordingOptions(parser, parser.isSet(record), *options))
        return kExitUsage;
    if (parser.isSet(one)) {
        if (parser.positionalArguments().size() != 1)
            return kExitUsage;
        return benchChild(local(parser.positionalArguments().front()), *options);
    }
    bool repeatOk = false;
    const int repeats = parser.value(repeat).toInt(&repeatOk);
    if (!repeatOk || repeats < 1 || repeats > 100) {
        std::fprintf(stderr, "meshsim-cli bench: --repeat expects a number from 1 to 100\n");
        return kExitUsage;
    }
    std::vector<QString> platforms;
    const QString which = parser.value(engines);
    if (which == "both")
        platforms = {"fast", "simgrid"};
    else if (which == "fast" || which == "simgrid")
        platforms = {which};
    else {
        std::fprintf(stderr, "meshsim-cli bench: --engines expects fast, simgrid or both\n");
        return kExitUsage;
    }
    QStringList files = parser.positionalArguments();
    if (files.isEmpty()) {
        for (const std::string& name : topologies::builtinScenarioNames()) {
            if (name.rfind("bench-", 0) == 0)
                files << QString::fromStdString("builtin:" + name);
        }
    }
    const QString self = selfExecutable(args.front());
    std::printf("%-26s %-8s %12s %12s %9s %14s %14s %10s\n",
                "scenario",
                "engine",
                "requests",
                "events",
                "wall s",
                "requests/s",
                "events/s",
                "peak MiB");
    for (const QString& file : files) {
        for (const QString& platform : platforms) {
            struct Sample
            {
                unsigned long long requests = 0;
                unsigned long long events = 0;
                double wall = 0.0;
                long peakKiB = 0;
            } best;
            for (int i = 0; i < repeats; ++i) {
                QStringList childArgs{"bench", "--one", file, "--engine", platform};
                for (const QCommandLineOption* o :
                     {&kDurationOption, &kSeedOption, &kRecordBudgetOption}) {
                    if (parser.isSet(*o))
                        childArgs << "--" + o->names().front() << parser.value(*o);
                }
                if (parser.isSet(record))
                    childArgs << "--record";
                QProcess child;
                child.start(self, childArgs);
                if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit
                    || child.exitCode() != 0) {
                    std::fprintf(stderr,
                                 "meshsim-cli bench: %s on %s failed\n%s",
                                 local(file).c_str(),
                                 local(platform).c_str(),
                                 child.readAllStandardError().constData());
                    return kExitFailure;
                }
                const QStringList fields
                    = QString::fromUtf8(child.readAllStandardOutput()).simplified().split(' ');
                if (fields.size() != 4) {
                    std::fprintf(stderr, "meshsim-cli bench: unexpected output from the run\n");
                    return kExitFailure;
                }
                Sample s{fields[0].toULongLong(),
                         fields[1].toULongLong(),
                         fields[2].toDouble(),
                         fields[3].toLong()};
                const long peak = std::max(best.peakKiB, s.peakKiB);
                if (i == 0 || s.wall < best.wall)
                    best = s;
                best.peakKiB = peak;
            }
            std::printf("%-26s %-8s %12llu %12llu %9.3f %14.0f %14.0f %10.1f\n",
                        local(file).c_str(),
                        local(platform).c_str(),
                        best.requests,
                        best.events,
                        best.wall,
                        static_cast<double>(best.requests) / best.wall,
                        static_cast<double>(best.events) / best.wall,
                        static_cast<double>(best.peakKiB) / 1024.0);
            std::fflush(stdout);
        }
    }
    return kExitOk;
}

int recordingCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE", "A recording written by run --record.");
    const QCommandLineOption jsonl("jsonl",
                                   "Print the whole recording as JSON lines (header, windows, "
                                   "states, requests, end).");
    parser.addOption(jsonl);
    if (!parse(parser, args, "Check a recording and summarise it, or print it as JSON lines."))
        return kExitUsage;
    if (parser.positionalArguments().size() != 1) {
        std::fprintf(stderr, "meshsim-cli recording: expected exactly one FILE\n");
        return kExitUsage;
    }
    std::string error;
    const auto decoded = run::readRecordingFile(local(parser.positionalArguments().front()), error);
    if (!decoded) {
        std::fprintf(stderr, "meshsim-cli: %s\n", error.c_str());
        return kExitFailure;
    }
    const models::Recording& r = decoded->recording();
    if (parser.isSet(jsonl)) {
        run::writeRecordingJsonLines(decoded->info(), r, decoded->cancelled(), stdout);
        return kExitOk;
    }
    const run::RecordingInfo& info = decoded->info();
    std::size_t hops = 0;
    std::size_t incomplete = 0;
    for (const models::RecordedRequest& q : r.requests) {
        hops += q.hops.size();
        incomplete += q.complete ? 0 : 1;
    }
    std::printf("%s (%s): engine %s, seed %llu, %s\n",
                info.scenario.c_str(),
                info.file.c_str(),
                info.engine.c_str(),
                static_cast<unsigned long long>(info.seed),
                decoded->cancelled() ? "cancelled" : "complete");
    std::printf("system: %s, %zu components, %zu instances, %zu nodes, %zu zones\n",
                info.view.architecture.c_str(),
                info.view.components.size(),
                info.view.instances.size(),
                info.view.nodes.size(),
                info.view.zones.size());
    std::printf("series: %u windows of %s for %u routes, %zu tiers, %zu instances, %zu edges, "
                "%zu nodes\n",
                r.windows,
                format("%.6g s", static_cast<double>(r.layout.windowNs) * 1e-9).c_str(),
                r.layout.routes,
                r.tiers.size(),
                r.instances.size(),
                r.edges.size(),
                r.nodes.size());
    std::printf("state changes: %zu\n", r.states.size());
    std::printf("requests: %zu recorded (%zu hops, %zu incomplete) of %llu sent: a sample of "
                "%.4g%% within a budget of %s\n",
                r.requests.size(),
                hops,
                incomplete,
                static_cast<unsigned long long>(r.requestsSeen),
                100.0 * r.sampleShare(),
                format("%.4g MiB", static_cast<double>(r.budgetBytes) / (1024.0 * 1024.0)).c_str());
    if (r.lateHops > 0)
        std::printf("warning: %llu hops were reported after their request ended\n",
                    static_cast<unsigned long long>(r.lateHops));
    return kExitOk;
}

} // namespace meshsim::app
