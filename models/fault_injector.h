#pragma once

// FaultInjector: the scenario's fault timeline (docs/mechanisms/faults.md) — killing and
// restoring instances, nodes going down, slow or failing instances, partitions between zones and
// degraded links, policy changes (the retries and timeout of the calls to a service), each applied
// at its time and reverted at its `until`.
//
// A killed instance refuses new connections, resets its queued and running requests, and the
// idle connections of every proxy to it die with it; on a node that is down nothing answers at
// all. Not thread-safe.

#include "models/config.h"
#include "models/retry_policy.h"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace meshsim::models {

class InstanceServer;
struct Caller;
struct Instance;
struct Runtime;
struct Tier;
struct Upstream;

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
    void changePolicy(const FaultConfig& fault);
    void restorePolicy(const FaultConfig& fault);

    Runtime& m_runtime;
    const std::vector<std::unique_ptr<Tier>>& m_tiers;
    std::vector<Caller*> m_callers;
    InstanceServer& m_server;
    // A policy change: what each affected caller had before the first change that touched it
    // (changes do not stack: the end of any restores this), and the retry conditions of each
    // change's retries.
    struct SavedPolicy
    {
        const RetryConfig* retries = nullptr;
        const RetryConditions* retryOn = nullptr;
        std::optional<SimDuration> timeout;
        bool plain = false;
    };
    std::map<Upstream*, SavedPolicy> m_savedPolicies;
    std::map<const FaultConfig*, std::unique_ptr<RetryConditions>> m_conditions;
};

} // namespace meshsim::models
