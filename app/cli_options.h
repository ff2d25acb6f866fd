#pragma once

// What the subcommands of meshsim-cli share: option parsing (usage errors are exit status 2),
// the run options every simulating command takes (--seed, --engine, --duration, --set,
// --architecture), diagnostics, and writing files whole or not at all.

#include "run/simulation.h"
#include "topologies/diagnostic.h"
#include "topologies/overrides.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <optional>
#include <string>
#include <vector>

namespace meshsim::app {

std::string local(const QString& s);

// Parses the options; on a usage error prints it and returns false (exit code 2). --help prints
// the help and exits.
bool parse(QCommandLineParser& parser, const QStringList& args, const char* usage);

void printDiagnostics(const std::vector<topologies::Diagnostic>& diagnostics);

extern const QCommandLineOption kSeedOption;
extern const QCommandLineOption kEngineOption;
extern const QCommandLineOption kDurationOption;
extern const QCommandLineOption kSetOption;
extern const QCommandLineOption kArchitectureOption;
extern const QCommandLineOption kRecordBudgetOption;

std::optional<models::EngineKind> engineFromText(const QString& text);

// The run options of a parser that has kSeedOption, kEngineOption and kDurationOption; nullopt
// after saying what is malformed.
std::optional<run::RunOptions> runOptions(const QCommandLineParser& parser);

// The overrides of kArchitectureOption and kSetOption, in that order; nullopt after saying what
// is wrong.
std::optional<std::vector<topologies::Override>> overrides(const QCommandLineParser& parser);

// Sets options.recordBudget when the run records (`records`, or a budget given); false on a
// malformed budget (after saying so).
bool recordingOptions(const QCommandLineParser& parser, bool records, run::RunOptions& options);

// Writes the whole file or nothing (QSaveFile); says why on failure.
bool writeFile(const QString& path, const std::string& text);

// The value of a --jobs option, else one per core.
int jobs(const QCommandLineParser& parser, const QCommandLineOption& option);

} // namespace meshsim::app
