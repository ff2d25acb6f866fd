#pragma once

// Validated configuration of the workloads: arrival processes and the request mix.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/common.h"

#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

struct RateStep
{
    SimDuration at{0};
    double ratePerSecond = 0.0;
};

struct ArrivalConfig
{
    enum class Process { Poisson, Constant, OnOff, Steps, Closed };
    Process process = Process::Poisson;
    double ratePerSecond = 0.0;                     // Poisson, Constant, OnOff (rate while on)
    Distribution on = Distribution::constant(1e9);  // OnOff: length of an on period
    Distribution off = Distribution::constant(1e9); // OnOff: length of an off period
    std::vector<RateStep> schedule;                 // Steps: Poisson with a piecewise rate
    std::uint32_t users = 0;                        // Closed
    Distribution think = Distribution::constant(0); // Closed
};

struct KeyPopularity
{
    std::uint64_t count = 0; // distinct keys; 0 = no keys
    double zipf = 0.0;       // exponent s of P(k) ∝ 1 / k^s
};

struct MixEntry
{
    RouteIndex route = 0;
    double weight = 1.0;
    KeyPopularity keys;
    // The headers its requests carry, an index into SystemConfig::headerSets (0: none); the
    // services propagate them on every call (as applications propagate tracing headers).
    std::uint32_t headerSet = 0;
};

struct WorkloadConfig
{
    std::string name;
    ArrivalConfig arrival;
    std::uint32_t clients = 1;              // distinct clients (rate limiting keyed by client)
    std::uint64_t requestBytes = kKilobyte; // size of every call a client sends
    std::vector<MixEntry> mix;
    SimDuration start{0};
    std::optional<SimDuration> stop;
};

} // namespace meshsim::models
