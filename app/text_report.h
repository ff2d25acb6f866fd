#pragma once

// Human-readable summaries of runs for the terminal: one run, or several side by side.

#include "engine/run/simulation.h"

#include <string>
#include <vector>

namespace meshsim::app {

struct TimedRun
{
    engine::RunResult result;
    double wallSeconds = 0.0;
};

std::string formatRun(const TimedRun& run);
std::string formatComparison(const std::vector<const TimedRun*>& runs);

// printf-style formatting in the C locale.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace meshsim::app
