#pragma once

// The subcommands of meshsim-cli. Each takes the argument list without the command word
// (argv[0] first) and returns the process exit code.

#include <QStringList>

namespace meshsim::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1; // invalid scenario, failed check
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSloFailed = 3;   // --fail-on-slo: an objective of the SLO is missed
inline constexpr int kExitCancelled = 130; // stopped by SIGINT or SIGTERM (128 + SIGINT)

int runCommand(const QStringList& args);
int compareCommand(const QStringList& args); // app/experiment_command.cpp
int sweepCommand(const QStringList& args);
int mergeCommand(const QStringList& args);
int reportCommand(const QStringList& args); // app/report_command.cpp
int validateCommand(const QStringList& args);
int listCommand(const QStringList& args);
int showCommand(const QStringList& args);
int verifyCommand(const QStringList& args);
int benchCommand(const QStringList& args);
int recordingCommand(const QStringList& args);

} // namespace meshsim::app
