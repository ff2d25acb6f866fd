#include "app/cli_commands.h"

#include "app/text_report.h"
#include "engine/run/results_json.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "topologies/units.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

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

} // namespace meshsim::app
