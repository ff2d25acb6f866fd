#pragma once

// Loading and validating scenario files.
//
// The loader reads YAML (yaml-cpp), checks every key and value, resolves every reference and
// validates the topology on a Boost.Graph (call cycles, unreachable services). It never throws,
// asserts or exits on bad input: it returns every problem at once, each with file, line,
// column, key path and what was expected. Hostile input (huge files, binary data, deep
// nesting, alias bombs, absurd sizes) gets an error before it can exhaust memory or time.

#include "topologies/diagnostic.h"
#include "topologies/scenario.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::topologies {

struct LoadLimits
{
    std::size_t maxFileBytes = std::size_t{2} * 1024 * 1024;
    std::size_t maxNodesVisited = 250'000; // YAML nodes read, aliases counted each time
    int maxStepDepth = 16;                 // nesting of parallel / sequence steps
    std::uint32_t maxServices = 5'000;
    std::uint32_t maxReplicas = 10'000;   // per service
    std::uint32_t maxInstances = 100'000; // all services together
    std::uint32_t maxWorkers = 100'000;
    std::uint32_t maxUsers = 1'000'000;
    std::uint32_t maxNodes = 10'000;
    std::size_t maxWindows = 100'000;
};

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

// The closest candidate within a small edit distance, for "did you mean" hints.
std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

} // namespace meshsim::topologies
