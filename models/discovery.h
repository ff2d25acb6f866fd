#pragma once

// Discovery and active health checking: which instances callers see, and which they consider
// healthy (docs/mechanisms/discovery-and-health.md).
//
// * Kubernetes readiness probes every `discovery.readiness_period` (at a random phase per
//   instance) decide whether an instance is in the endpoints; callers and proxies see a change
//   `discovery.propagation` later.
// * Envoy active health checks of a mesh destination (shared by all its proxies) probe every
//   `interval`; a probe of a killed instance is refused at once, on a node that is down it times
//   out. A change is seen at once; a passing check ends outlier ejections of the host.
// Both verdicts are ThresholdProbes. Probes stop once the run has drained. Not thread-safe.

#include "models/config.h"

#include <memory>
#include <vector>

namespace meshsim::models {

struct Instance;
struct Runtime;
struct Tier;

class Discovery
{
public:
    Discovery(Runtime& runtime, const std::vector<std::unique_ptr<Tier>>& tiers);

    // Arms every instance's verdicts and schedules the first probes.
    void start();

private:
    void scheduleProbe(Instance& instance, SimDuration delay);
    void onReadinessProbe(Instance* instance);
    void scheduleHealthCheck(Instance& instance, SimDuration delay);
    void onHealthCheck(Instance* instance);
    void onHealthCheckResult(Instance* instance, bool pass);
    static void setVisible(Tier& tier, std::uint32_t index, bool visible);

    Runtime& m_runtime;
    const std::vector<std::unique_ptr<Tier>>& m_tiers;
};

} // namespace meshsim::models
