#pragma once

// The queueing-theory validation suite: scenarios with zero network cost whose exact answers
// are known (M/M/1, M/M/c, M/D/1, M/G/1, a Jackson tandem, a closed network), run on a
// platform and compared with theory.
//
// Method: each scenario measures 30 windows after its warmup; the windows are the batches of
// the batch-means method. A check passes when theory lies within the 99.9% confidence interval
// of the simulated value (Student t with 29 degrees of freedom), widened by the histogram's
// resolution (0.4%) for percentiles. The same code drives tests/validation and
// `meshsim-cli verify`, which writes docs/validation.md.

#include "models/config.h"
#include "topologies/scenario.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::run::validation {

struct Check
{
    std::string scenario; // validation scenario name
    std::string model;    // e.g. "M/M/1, rho = 0.7"
    std::string quantity; // e.g. "mean sojourn (ms)"
    double theory = 0.0;
    double simulated = 0.0;
    double halfWidth = 0.0; // of the 99.9% confidence interval (plus resolution)
    std::uint64_t samples = 0;
    bool pass = false;
    double relativeError() const { return theory != 0.0 ? (simulated - theory) / theory : 0.0; }
};

// Runs a scenario ("validation:<name>") on an engine and returns its results.json object.
using Runner
    = std::function<nlohmann::ordered_json(const std::string& scenario, models::EngineKind engine)>;

// The suite's scenario names, in report order.
std::vector<std::string> suiteScenarios();
// Runs every validation scenario on `engine` and returns the checks in a fixed order. Without a
// runner the runs happen in this process (fine for the fast platform; SimGrid needs a process
// per run, which meshsim-cli's runner provides).
std::vector<Check> runSuite(models::EngineKind engine = models::EngineKind::Fast,
                            const Runner& runner = {});
// Runs one scenario of the suite by name.
std::vector<Check> runScenario(const std::string& name,
                               models::EngineKind engine = models::EngineKind::Fast,
                               const Runner& runner = {});
// The checks of one validation scenario, from its results.json object.
std::vector<Check> checksFromResults(const std::string& name,
                                     const topologies::Scenario& scenario,
                                     const nlohmann::ordered_json& results);

// One Markdown table of checks.
std::string markdownTable(const std::vector<Check>& checks);
// docs/validation.md from the checks of both platforms (deterministic: same checks, same
// bytes). `simgrid` may be empty when only the fast platform was run.
std::string markdownReport(const std::vector<Check>& fast,
                           const std::vector<Check>& simgrid,
                           const std::string& command);

// Student t quantile (Hill / Abramowitz-Stegun 26.7.5 expansion; |error| < 1e-3 for df >= 5).
double studentTQuantile(double p, int degreesOfFreedom);

} // namespace meshsim::run::validation
