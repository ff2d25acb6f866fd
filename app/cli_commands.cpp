#include "app/cli_commands.h"

#include "app/text_report.h"
#include "engine/run/results_json.h"
#include "engine/validation/validation_suite.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "topologies/units.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSaveFile>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sys/resource.h>

namespace meshsim::app {

namespace {

std::string local(const QString& s)
{
    return s.toLocal8Bit().toStdString();
}

// Parses the options; on a usage error prints it and returns false (exit code 2).
bool parse(QCommandLineParser& parser, const QStringList& args, const char* usage)
{
    parser.setApplicationDescription(usage);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({"h", "help"}, "Show this help.");
    parser.addOption(help);
    if (!parser.parse(args)) {
        std::fprintf(stderr, "meshsim-cli: %s\n", local(parser.errorText()).c_str());
        return false;
    }
    if (parser.isSet(help)) {
        std::fputs(local(parser.helpText()).c_str(), stdout);
        std::exit(kExitOk);
    }
    return true;
}

void printDiagnostics(const std::vector<topologies::Diagnostic>& diagnostics)
{
    for (const topologies::Diagnostic& d : diagnostics)
        std::fprintf(stderr, "%s\n", d.format().c_str());
}

struct RunOptionValues
{
    engine::RunOptions options;
    bool ok = true;
};

const QCommandLineOption kSeedOption("seed", "Run with this seed instead of the scenario's.", "N");
const QCommandLineOption kEngineOption("engine", "Platform: fast or simgrid.", "ENGINE");
const QCommandLineOption kDurationOption("duration",
                                         "Simulate this long instead of the scenario's duration "
                                         "(e.g. 30s).",
                                         "DURATION");

RunOptionValues runOptions(const QCommandLineParser& parser)
{
    RunOptionValues v;
    if (parser.isSet(kSeedOption)) {
        bool good = false;
        const qulonglong seed = parser.value(kSeedOption).toULongLong(&good);
        if (!good) {
            std::fprintf(stderr,
                         "meshsim-cli: --seed expects a whole number, found '%s'\n",
                         local(parser.value(kSeedOption)).c_str());
            v.ok = false;
        }
        v.options.seed = seed;
    }
    if (parser.isSet(kEngineOption)) {
        const QString engine = parser.value(kEngineOption);
        if (engine == "fast") {
            v.options.engine = models::EngineKind::Fast;
        } else if (engine == "simgrid") {
            v.options.engine = models::EngineKind::SimGrid;
        } else {
            std::fprintf(stderr,
                         "meshsim-cli: --engine expects fast or simgrid, found '%s'\n",
                         local(engine).c_str());
            v.ok = false;
        }
    }
    if (parser.isSet(kDurationOption)) {
        const auto d = topologies::parseDuration(local(parser.value(kDurationOption)));
        if (!d.value || d.value->count() <= 0) {
            std::fprintf(stderr, "meshsim-cli: --duration expects %s\n", d.expected.c_str());
            v.ok = false;
        } else {
            v.options.duration = *d.value;
        }
    }
    return v;
}

struct LoadedRun
{
    std::unique_ptr<topologies::Scenario> scenario;
    TimedRun run;
};

std::optional<LoadedRun> loadAndRun(const std::string& file, const engine::RunOptions& options)
{
    topologies::LoadResult loaded = topologies::loadScenario(file);
    printDiagnostics(loaded.diagnostics);
    if (!loaded.ok())
        return std::nullopt;
    LoadedRun r;
    r.scenario = std::make_unique<topologies::Scenario>(std::move(*loaded.scenario));
    if (options.duration && r.scenario->warmup >= *options.duration) {
        std::fprintf(stderr,
                     "meshsim-cli: --duration must be longer than the warmup (%s)\n",
                     topologies::formatDuration(r.scenario->warmup).c_str());
        return std::nullopt;
    }
    const auto start = std::chrono::steady_clock::now();
    r.run.result = engine::runScenario(*r.scenario, options);
    r.run.wallSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

bool writeFile(const QString& path, const std::string& text)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(text.data(), static_cast<qint64>(text.size()))
               != static_cast<qint64>(text.size())
        || !file.commit()) {
        std::fprintf(stderr,
                     "meshsim-cli: cannot write %s: %s\n",
                     local(path).c_str(),
                     local(file.errorString()).c_str());
        return false;
    }
    return true;
}

} // namespace

int runCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE", "Scenario file or builtin:<name>.");
    const QCommandLineOption out({"o", "out"}, "Write results.json into DIR.", "DIR");
    const QCommandLineOption quiet({"q", "quiet"}, "Print nothing but errors.");
    parser.addOptions({out, quiet, kSeedOption, kEngineOption, kDurationOption});
    if (!parse(parser, args, "Simulate one scenario."))
        return kExitUsage;
    const RunOptionValues v = runOptions(parser);
    if (!v.ok)
        return kExitUsage;
    if (parser.positionalArguments().size() != 1) {
        std::fprintf(stderr, "meshsim-cli run: expected exactly one scenario FILE\n");
        return kExitUsage;
    }
    auto loaded = loadAndRun(local(parser.positionalArguments().front()), v.options);
    if (!loaded)
        return kExitFailure;
    if (!parser.isSet(quiet))
        std::fputs(formatRun(loaded->run).c_str(), stdout);
    if (parser.isSet(out)) {
        const QString dir = parser.value(out);
        if (!QDir().mkpath(dir)) {
            std::fprintf(stderr, "meshsim-cli: cannot create directory %s\n", local(dir).c_str());
            return kExitFailure;
        }
        const QString path = QDir(dir).filePath("results.json");
        if (!writeFile(path,
                       engine::resultsToJsonText(loaded->run.result, loaded->run.wallSeconds)))
            return kExitFailure;
        if (!parser.isSet(quiet))
            std::printf("\nresults written to %s\n", local(path).c_str());
    }
    return kExitOk;
}

int compareCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE...", "Scenario files or builtin:<name>, at least one.");
    const QCommandLineOption out(
        {"o", "out"}, "Write each run's results.json into DIR/<scenario name>/.", "DIR");
    parser.addOptions({out, kSeedOption, kEngineOption, kDurationOption});
    if (!parse(parser, args, "Simulate several scenarios and compare them side by side."))
        return kExitUsage;
    const RunOptionValues v = runOptions(parser);
    if (!v.ok)
        return kExitUsage;
    if (parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "meshsim-cli compare: expected at least one scenario FILE\n");
        return kExitUsage;
    }
    std::vector<LoadedRun> runs;
    for (const QString& file : parser.positionalArguments()) {
        auto loaded = loadAndRun(local(file), v.options);
        if (!loaded)
            return kExitFailure;
        runs.push_back(std::move(*loaded));
    }
    std::vector<const TimedRun*> views;
    for (const LoadedRun& r : runs)
        views.push_back(&r.run);
    std::fputs(formatComparison(views).c_str(), stdout);
    if (parser.isSet(out)) {
        for (const LoadedRun& r : runs) {
            const QString dir
                = QDir(parser.value(out)).filePath(QString::fromStdString(r.scenario->name));
            if (!QDir().mkpath(dir)
                || !writeFile(QDir(dir).filePath("results.json"),
                              engine::resultsToJsonText(r.run.result, r.run.wallSeconds)))
                return kExitFailure;
        }
        std::printf("results written under %s\n", local(parser.value(out)).c_str());
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
        if (loaded.ok() && !parser.isSet(quiet))
            std::printf("%s: valid (%zu services, %zu routes, %zu workloads)\n",
                        local(file).c_str(),
                        loaded.scenario->services.size(),
                        loaded.scenario->routes.size(),
                        loaded.scenario->workloads.size());
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

int verifyCommand(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption markdown(
        "markdown", "Also write the report as Markdown to FILE.", "FILE");
    parser.addOptions({markdown, kEngineOption});
    if (!parse(parser,
               args,
               "Run the queueing-theory validation suite (M/M/1, M/M/c, M/D/1, M/G/1, Jackson "
               "tandem, closed network). Exit status 1 when a check fails."))
        return kExitUsage;
    models::EngineKind engine = models::EngineKind::Fast;
    if (parser.isSet(kEngineOption)) {
        if (parser.value(kEngineOption) == "simgrid") {
            engine = models::EngineKind::SimGrid;
        } else if (parser.value(kEngineOption) != "fast") {
            std::fprintf(stderr, "meshsim-cli: --engine expects fast or simgrid\n");
            return kExitUsage;
        }
    }
    const auto checks = engine::validation::runSuite(engine);
    bool allPass = true;
    std::printf("%-8s %-34s %-22s %12s %12s %9s %10s  %s\n",
                "scenario",
                "model",
                "quantity",
                "theory",
                "simulated",
                "error",
                "99.9% CI",
                "result");
    for (const auto& c : checks) {
        std::printf("%-8s %-34s %-22s %12.4f %12.4f %+8.2f%% %10.4f  %s\n",
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
    if (parser.isSet(markdown)) {
        const std::string command
            = "meshsim-cli verify --markdown docs/validation.md"
              + std::string(engine == models::EngineKind::SimGrid ? " --engine simgrid" : "");
        if (!writeFile(parser.value(markdown), engine::validation::markdownReport(checks, command)))
            return kExitFailure;
    }
    return allPass ? kExitOk : kExitFailure;
}

namespace {

// One benchmark measurement, made in a process of its own so that its peak memory is its own.
struct BenchSample
{
    std::string scenario;
    std::string engine;
    std::uint64_t requests = 0;
    std::uint64_t events = 0;
    double wallSeconds = 0.0;
    long peakKiB = 0;
};

long peakResidentKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss; // KiB on Linux
}

int benchChild(const std::string& file, const engine::RunOptions& options)
{
    auto loaded = loadAndRun(file, options);
    if (!loaded)
        return kExitFailure;
    const auto& r = loaded->run.result;
    std::printf("%llu %llu %.6f %ld\n",
                static_cast<unsigned long long>(r.metrics->summary().outcomes.total()
                                                + r.requestsUnanswered),
                static_cast<unsigned long long>(r.events),
                loaded->run.wallSeconds,
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
    const QCommandLineOption one("one", "Internal: measure one run in this process.");
    parser.addOptions({repeat, one, kEngineOption, kDurationOption, kSeedOption});
    if (!parse(parser,
               args,
               "Measure simulation speed and peak memory: simulated requests and events per "
               "second of wall time, each run in its own process."))
        return kExitUsage;
    const RunOptionValues v = runOptions(parser);
    if (!v.ok)
        return kExitUsage;
    if (parser.isSet(one)) {
        if (parser.positionalArguments().size() != 1)
            return kExitUsage;
        return benchChild(local(parser.positionalArguments().front()), v.options);
    }
    bool repeatOk = false;
    const int repeats = parser.value(repeat).toInt(&repeatOk);
    if (!repeatOk || repeats < 1 || repeats > 100) {
        std::fprintf(stderr, "meshsim-cli bench: --repeat expects a number from 1 to 100\n");
        return kExitUsage;
    }
    QStringList files = parser.positionalArguments();
    if (files.isEmpty()) {
        for (const std::string& name : topologies::builtinScenarioNames()) {
            if (name.rfind("bench-", 0) == 0)
                files << QString::fromStdString("builtin:" + name);
        }
    }
    // This very executable, for the child runs (Linux: /proc/self/exe; else as invoked).
    QString self = QFile::symLinkTarget("/proc/self/exe");
    if (self.isEmpty())
        self = args.front();
    std::printf("%-24s %-7s %12s %12s %9s %14s %14s %10s\n",
                "scenario",
                "engine",
                "requests",
                "events",
                "wall s",
                "requests/s",
                "events/s",
                "peak MiB");
    for (const QString& file : files) {
        BenchSample best;
        for (int i = 0; i < repeats; ++i) {
            QStringList childArgs{"bench", "--one", file};
            for (const char* name : {"engine", "duration", "seed"}) {
                if (parser.isSet(name))
                    childArgs << QString("--") + name << parser.value(name);
            }
            QProcess child;
            child.start(self, childArgs);
            if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit
                || child.exitCode() != 0) {
                std::fprintf(stderr,
                             "meshsim-cli bench: %s failed\n%s",
                             local(file).c_str(),
                             child.readAllStandardError().constData());
                return kExitFailure;
            }
            BenchSample s;
            const QStringList fields
                = QString::fromUtf8(child.readAllStandardOutput()).simplified().split(' ');
            if (fields.size() != 4) {
                std::fprintf(stderr, "meshsim-cli bench: unexpected output from the run\n");
                return kExitFailure;
            }
            s.requests = fields[0].toULongLong();
            s.events = fields[1].toULongLong();
            s.wallSeconds = fields[2].toDouble();
            s.peakKiB = fields[3].toLong();
            if (i == 0 || s.wallSeconds < best.wallSeconds)
                best = s;
            best.peakKiB = std::max(best.peakKiB, s.peakKiB);
        }
        const std::string engineName
            = topologies::engineName(v.options.engine.value_or(models::EngineKind::Fast));
        std::printf("%-24s %-7s %12llu %12llu %9.3f %14.0f %14.0f %10.1f\n",
                    local(file).c_str(),
                    engineName.c_str(),
                    static_cast<unsigned long long>(best.requests),
                    static_cast<unsigned long long>(best.events),
                    best.wallSeconds,
                    static_cast<double>(best.requests) / best.wallSeconds,
                    static_cast<double>(best.events) / best.wallSeconds,
                    static_cast<double>(best.peakKiB) / 1024.0);
        std::fflush(stdout);
    }
    return kExitOk;
}

} // namespace meshsim::app
