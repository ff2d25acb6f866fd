#pragma once

// Validated configuration of the fault timeline.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/common.h"
#include "models/config/policy.h"

#include <optional>
#include <vector>

namespace meshsim::models {

struct FaultConfig
{
    enum class Kind { Kill, NodeDown, Slow, Errors, Partition, Degrade, Policy };
    Kind kind = Kind::Kill;
    SimDuration at{0};
    std::optional<SimDuration> until; // Kill: restore then; others: end of the fault
    ServiceIndex service = 0;
    std::vector<std::uint32_t> instances; // Kill: which instances (indices)
    NodeIndex node = 0;
    double factor = 1.0;         // Slow: CPU work multiplied by it
    SimDuration addedLatency{0}; // Slow: added to every request's service time
    double errorRate = 0.0;      // Errors: probability of a 5xx while active
    ZoneIndex zoneA = 0;         // Partition / Degrade
    ZoneIndex zoneB = 0;
    std::optional<SimDuration> latency;  // Degrade
    std::optional<double> bitsPerSecond; // Degrade
    // Policy: what replaces the calls' retry policy and timeout towards `service` while active
    // (each at least one of them).
    std::optional<RetryConfig> retries;
    std::optional<SimDuration> timeout;
};

} // namespace meshsim::models
