#include "app/cli_options.h"

#include "app/cli_commands.h"
#include "models/recorder.h"
#include "topologies/units.h"

#include <QSaveFile>
#include <QThread>

#include <cstdio>
#include <cstdlib>

namespace meshsim::app {

std::string local(const QString& s)
{
    return s.toLocal8Bit().toStdString();
}

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
        // Without a QCoreApplication the parser names the program "<executable_name>".
        QString text = parser.helpText();
        text.replace("<executable_name>", args.isEmpty() ? QString("meshsim-cli") : args.first());
        std::fputs(local(text).c_str(), stdout);
        std::exit(kExitOk);
    }
    return true;
}

void printDiagnostics(const std::vector<topologies::Diagnostic>& diagnostics)
{
    for (const topologies::Diagnostic& d : diagnostics)
        std::fprintf(stderr, "%s\n", d.format().c_str());
}

const QCommandLineOption kSeedOption("seed", "Run with this seed instead of the scenario's.", "N");
const QCommandLineOption kEngineOption("engine", "Platform: simgrid or fast.", "ENGINE");
const QCommandLineOption kDurationOption("duration",
                                         "Simulate this long instead of the scenario's duration "
                                         "(e.g. 30s).",
                                         "DURATION");

std::optional<models::EngineKind> engineFromText(const QString& text)
{
    if (text == "fast")
        return models::EngineKind::Fast;
    if (text == "simgrid")
        return models::EngineKind::SimGrid;
    return std::nullopt;
}

// The run options of a parser that has kSeedOption, kEngineOption and kDurationOption.
std::optional<run::RunOptions> runOptions(const QCommandLineParser& parser)
{
    run::RunOptions options;
    if (parser.isSet(kSeedOption)) {
        bool good = false;
        options.seed = parser.value(kSeedOption).toULongLong(&good);
        if (!good) {
            std::fprintf(stderr,
                         "meshsim-cli: --seed expects a whole number, found '%s'\n",
                         local(parser.value(kSeedOption)).c_str());
            return std::nullopt;
        }
    }
    if (parser.isSet(kEngineOption)) {
        options.engine = engineFromText(parser.value(kEngineOption));
        if (!options.engine) {
            std::fprintf(stderr,
                         "meshsim-cli: --engine expects simgrid or fast, found '%s'\n",
                         local(parser.value(kEngineOption)).c_str());
            return std::nullopt;
        }
    }
    if (parser.isSet(kDurationOption)) {
        const auto d = topologies::parseDuration(local(parser.value(kDurationOption)));
        if (!d.value || d.value->count() <= 0) {
            std::fprintf(stderr, "meshsim-cli: --duration expects %s\n", d.expected.c_str());
            return std::nullopt;
        }
        options.duration = *d.value;
    }
    return options;
}

const QCommandLineOption kSetOption("set",
                                    "Change a key of the scenario before it loads: KEY=VALUE, KEY "
                                    "a key path as in the diagnostics (repeatable).",
                                    "KEY=VALUE");
const QCommandLineOption kArchitectureOption(
    "architecture", "Run in this architecture: direct, gateway, mesh or gateway+mesh.", "A");

// The overrides of --architecture and --set, in that order; nullopt after saying what is wrong.
std::optional<std::vector<topologies::Override>> overrides(const QCommandLineParser& parser)
{
    std::vector<topologies::Override> out;
    if (parser.isSet(kArchitectureOption))
        out.push_back({"architecture", local(parser.value(kArchitectureOption))});
    for (const QString& text : parser.values(kSetOption)) {
        std::string error;
        auto o = topologies::parseOverride(local(text), error);
        if (!o) {
            std::fprintf(stderr, "meshsim-cli: --set %s\n", error.c_str());
            return std::nullopt;
        }
        out.push_back(std::move(*o));
    }
    return out;
}

const QCommandLineOption kRecordBudgetOption(
    "record-budget",
    "Memory the recording may take (default 64MiB); the sample of requests it keeps adapts.",
    "SIZE");

// Sets options.recordBudget when the run records (`records`, or a budget given); false on a
// malformed budget (after saying so).
bool recordingOptions(const QCommandLineParser& parser, bool records, run::RunOptions& options)
{
    if (!records && !parser.isSet(kRecordBudgetOption))
        return true;
    options.recordBudget = models::Recorder::kDefaultBudget;
    if (parser.isSet(kRecordBudgetOption)) {
        const auto size = topologies::parseSize(local(parser.value(kRecordBudgetOption)));
        if (!size.value || *size.value < 1024 * 1024) {
            std::fprintf(stderr,
                         "meshsim-cli: --record-budget expects %s, at least 1MiB\n",
                         size.expected.empty() ? "a size" : size.expected.c_str());
            return false;
        }
        options.recordBudget = *size.value;
    }
    return true;
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

int jobs(const QCommandLineParser& parser, const QCommandLineOption& option)
{
    if (parser.isSet(option))
        return std::max(1, parser.value(option).toInt());
    return std::max(1, QThread::idealThreadCount());
}

} // namespace meshsim::app
