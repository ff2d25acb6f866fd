#pragma once

// FaultInjector: the scenario's fault timeline (docs/mechanisms/faults.md) — killing and
// restoring instances, nodes going down, slow or failing instances, partitions between zones and
// degraded links, each applied at its time and reverted at its `until`.
//
// A killed instance refuses new connections, resets its queued and running requests, and the
// idle connections of every proxy to it die with it; on a node that is down nothing answers at
// all. Not thread-safe.

#include "models/config.h"

#include <memory>
#include <vector>

namespace meshsim::models {

class InstanceServer;
struct Caller;
struct Instance;
struct Runtime;
struct Tier;

class FaultInjector
{
public:
    // `callers`: every caller of the system (their pools hold connections to instances).
    FaultInjector(Runtime& runtime,
                  const std::vector<std::unique_ptr<Tier>>& tiers,
                  std::vector<Caller*> callers,
                  InstanceServer& server);

    // Schedules every fault and its end.
    void start();

private:
    void apply(const FaultConfig& fault);
    void revert(const FaultConfig& fault);
    void kill(Instance& instance, bool nodeDown);
    void restore(Instance& instance);

    Runtime& m_runtime;
    const std::vector<std::unique_ptr<Tier>>& m_tiers;
    std::vector<Caller*> m_callers;
    InstanceServer& m_server;
};

} // namespace meshsim::models
