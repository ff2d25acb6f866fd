#pragma once

// Runtime: what every class of a running system shares — the platform (time, network, CPUs),
// the event sinks (metrics, recorder), the configuration and deployment, the record pools, the cut
// zones and the tracer. Owned by Cluster, lent by reference to the classes it wires together.
// Internal to models/.

#include "engine/core/platform.h"
#include "models/config.h"
#include "models/deployment.h"
#include "models/event_sinks.h"
#include "models/internal/records.h"
#include "models/metrics.h"
#include "models/partitions.h"
#include "models/tracer.h"

namespace meshsim::models {

struct Runtime
{
    Runtime(const SystemConfig& systemConfig,
            const Deployment& deploymentConfig,
            engine::Platform& platformRef,
            Metrics& metrics,
            Recorder* recorder)
        : system(systemConfig)
        , deployment(deploymentConfig)
        , platform(platformRef)
        , sink(metrics, recorder)
        , tracer(systemConfig.traces, deploymentConfig.seed, deploymentConfig.warmup)
        , drawSeed(engine::RandomStream::mix(deploymentConfig.seed, 0x6d65736873696d31ULL))
    {}

    // While arrivals go on or requests are in flight. Periodic activities (probes, health checks,
    // outlier detection intervals) stop once it is false, so that a run drains and ends.
    bool running() const
    {
        return platform.now() < engine::kSimStart + deployment.duration || records.calls.inUse() > 0
               || records.jobs.inUse() > 0;
    }

    const SystemConfig& system;
    const Deployment& deployment;
    engine::Platform& platform;
    EventSinks sink;
    Records records;
    Partitions partitions;
    Tracer tracer;
    // The root of the draw keys (records.h, Task::drawKey): one per seed.
    std::uint64_t drawSeed;
};

} // namespace meshsim::models
