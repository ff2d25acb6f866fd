#pragma once

// LoadLimits: how much of a scenario file the loader agrees to read. Hostile or mistaken input
// (huge files, alias bombs, absurd sizes) gets an error before it can exhaust memory or time;
// every limit is far above what a real scenario needs. Plain data, copied freely.

#include <cstddef>
#include <cstdint>

namespace meshsim::topologies {

struct LoadLimits
{
    std::size_t maxFileBytes = std::size_t{2} * 1024 * 1024;
    std::size_t maxNodesVisited = 250'000; // YAML nodes read, aliases counted each time
    int maxStepDepth = 16;                 // nesting of parallel / sequence / choice steps
    std::uint32_t maxRepeat = 10'000;      // repeat count of one step
    double maxCallsPerRequest = 1e6;       // calls one request may cause, its callees' included
    std::uint32_t maxServices = 5'000;
    std::size_t maxOperations = 1'000;    // per service
    std::size_t maxVersions = 16;         // per service
    std::size_t maxTrafficRules = 100;    // per service
    std::size_t maxHeaderSets = 1'000;    // distinct header sets of the workloads' requests
    std::uint32_t maxReplicas = 10'000;   // per service
    std::uint32_t maxInstances = 100'000; // all services together
    std::uint32_t maxWorkers = 100'000;
    std::uint32_t maxUsers = 1'000'000;
    std::uint32_t maxNodes = 10'000;
    std::size_t maxWindows = 100'000;
};

} // namespace meshsim::topologies
