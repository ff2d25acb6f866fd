#pragma once

// results.json: the machine-readable record of a run (documented in docs/results-format.md).
//
// Deterministic: keys in a fixed order, numbers rounded to fixed decimals and printed
// locale-independently, so the same scenario and seed give byte-identical files apart from
// `wall_seconds` (the only field that depends on the machine; callers pass it in).

#include "run/simulation.h"

#include <nlohmann/json.hpp>

#include <string>

namespace meshsim::run {

nlohmann::ordered_json resultsToJson(const RunResult& result, double wallSeconds);
std::string resultsToJsonText(const RunResult& result, double wallSeconds);

// Rounds to `decimals` decimal places (so the printed value is short and stable).
double roundTo(double value, int decimals);

} // namespace meshsim::run
