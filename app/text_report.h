#pragma once

// Human-readable summaries for the terminal, made from results.json objects (so that runs made
// in this process and runs streamed from another one print the same way).

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meshsim::app {

std::string formatRun(const nlohmann::ordered_json& results);
// An experiment's summary (run/experiment.h): compare or sweep.
std::string formatExperiment(const nlohmann::ordered_json& summary);

// printf-style formatting in the C locale.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace meshsim::app
