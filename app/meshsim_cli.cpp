// meshsim-cli: the headless front end. run | compare | sweep | merge | report | validate | list |
// verify | bench | recording
//
// Exit codes: 0 success; 1 invalid scenario (or a failed check); 2 usage error; 3 an SLO missed
// (with --fail-on-slo); 130 a run cancelled by SIGINT or SIGTERM.

#include "app/cli_commands.h"

#include <QCommandLineParser>
#include <QStringList>

#include <clocale>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>

namespace {

void printUsage(std::FILE* out)
{
    std::fputs(
        "usage: meshsim-cli <command> [options]\n"
        "\n"
        "commands:\n"
        "  run FILE            simulate a scenario, print a summary, write results.json\n"
        "  compare FILE...     compare designs: same workload and seeds, replications, 95% CIs\n"
        "  sweep FILE          run a scenario over a grid of --set values: knee, saturation\n"
        "  merge DIR...        combine the shards of a compare or sweep (--shard K/N)\n"
        "  report RESULT...    findings, HTML, PDF, CSV, JSON, OTLP of runs or an experiment\n"
        "  validate FILE...    check scenario files; print every problem (file:line:column)\n"
        "  list                list the built-in scenarios (use them as builtin:<name>)\n"
        "  show builtin:NAME   print a built-in scenario: a starting point for your own\n"
        "  verify              run the queueing-theory validation suite\n"
        "  bench               measure simulation speed on the reference scenarios\n"
        "  recording FILE      check and summarise a recording (run --record), or dump it\n"
        "\n"
        "FILE is a path or builtin:<name>. 'meshsim-cli <command> --help' shows the options.\n",
        out);
}

} // namespace

int main(int argc, char** argv)
{
    std::setlocale(LC_ALL, "C"); // numbers are printed the same everywhere
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    if (args.size() < 2) {
        printUsage(stderr);
        return meshsim::app::kExitUsage;
    }
    const QString command = args.at(1);
    if (command == "--help" || command == "-h" || command == "help") {
        printUsage(stdout);
        return 0;
    }
    if (command == "--version") {
        std::puts("meshsim-cli " MESHSIM_VERSION);
        return 0;
    }
    args.removeAt(1); // the parser sees "meshsim-cli <command>", then options and arguments
    args[0] = "meshsim-cli " + command;
    using namespace meshsim::app;
    using Command = int (*)(const QStringList&);
    const std::pair<const char*, Command> commands[] = {{"run", runCommand},
                                                        {"compare", compareCommand},
                                                        {"sweep", sweepCommand},
                                                        {"merge", mergeCommand},
                                                        {"report", reportCommand},
                                                        {"validate", validateCommand},
                                                        {"list", listCommand},
                                                        {"show", showCommand},
                                                        {"verify", verifyCommand},
                                                        {"bench", benchCommand},
                                                        {"recording", recordingCommand}};
    for (const auto& [name, run] : commands) {
        if (command != name)
            continue;
        // What the commands read is checked before use; anything that still throws (a file
        // that is not what it claims, memory) ends the command with a message, not an abort.
        try {
            return run(args);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "meshsim-cli %s: %s\n", name, e.what());
            return kExitFailure;
        }
    }
    std::fprintf(
        stderr, "meshsim-cli: unknown command '%s'\n\n", command.toLocal8Bit().constData());
    printUsage(stderr);
    return kExitUsage;
}
