#pragma once

// Loading and validating scenario files.
//
// The loader reads YAML (yaml-cpp), checks every key and value, resolves every reference and
// validates the topology on a Boost.Graph (call cycles, unreachable services). It never throws,
// asserts or exits on bad input: it returns every problem at once, each with file, line,
// column, key path and what was expected. Hostile input (huge files, binary data, deep
// nesting, alias bombs, absurd sizes) gets an error before it can exhaust memory or time.

#include "topologies/diagnostic.h"
#include "topologies/load_limits.h"
#include "topologies/scenario.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::topologies {

struct LoadResult
{
    std::optional<Scenario> scenario; // set when there is no error (warnings allowed)
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return scenario.has_value(); }
};

// Loads a file; `displayName` (default: the path) is what diagnostics call it.
LoadResult loadScenarioFile(const std::string& path, const LoadLimits& limits = {});
LoadResult loadScenarioText(std::string_view text,
                            const std::string& displayName,
                            const LoadLimits& limits = {});
// Loads "builtin:<name>" or a file path.
LoadResult loadScenario(const std::string& nameOrPath, const LoadLimits& limits = {});

// The text of "builtin:<name>", "validation:<name>" or a file (nullopt when there is none, or the
// file is larger than the loader accepts): what an editor shows of a scenario.
std::optional<std::string> scenarioSourceText(const std::string& nameOrPath,
                                              const LoadLimits& limits = {});

// The closest candidate within a small edit distance, for "did you mean" hints.
std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

} // namespace meshsim::topologies
