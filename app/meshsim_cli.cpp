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
#include <string>

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
    args.removeAt(1); // the parser sees "meshsim-cli <options and arguments>"
    using namespace meshsim::app;
    if (command == "run")
        return runCommand(args);
    if (command == "compare")
        return compareCommand(args);
    if (command == "sweep")
        return sweepCommand(args);
    if (command == "merge")
        return mergeCommand(args);
    if (command == "report")
        return reportCommand(args);
    if (command == "validate")
        return validateCommand(args);
    if (command == "list")
        return listCommand(args);
    if (command == "verify")
        return verifyCommand(args);
    if (command == "bench")
        return benchCommand(args);
    if (command == "recording")
        return recordingCommand(args);
    std::fprintf(
        stderr, "meshsim-cli: unknown command '%s'\n\n", command.toLocal8Bit().constData());
    printUsage(stderr);
    return kExitUsage;
}
