#pragma once

// The long-lived runtime of a simulated system: tiers of instances (the services, the gateway,
// the mesh ingress), callers (clients and instances) with one Upstream per callee tier, and the
// compiled routes. Built once by Cluster (the composition root) and owned by it; the other
// classes of models/ hold pointers into it. Internal to models/.

#include "engine/core/platform.h"
#include "engine/core/random.h"
#include "models/config.h"
#include "models/internal/records.h"
#include "models/program.h"
#include "models/sim_events.h"
#include "models/threshold_probe.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

struct Tier;
struct Upstream;

// Whoever makes calls: clients, an application instance, a gateway or ingress instance.
struct Caller
{
    CallerKind kind = CallerKind::Client;
    engine::NodeId node = 0;
    std::uint32_t component = 0;
    std::uint32_t instance = kNoIndex; // its index in its tier (not for clients)
    Tier* tier = nullptr;              // the caller's own tier (not for clients)
    engine::RandomStream* random = nullptr;
    bool sidecar = false; // calls leave through an outbound sidecar on `node`
    // Clients of the mesh architecture reach every service through the ingress: their calls go
    // to this tier and name the service to forward to.
    std::optional<ServiceIndex> viaIngress;
    std::string label;                                // "frontend/2", "gateway/0", "browsers"
    std::vector<ServiceIndex> callees;                // sorted tier indices
    std::vector<std::uint32_t> edges;                 // metrics edge per callee
    std::vector<std::unique_ptr<Upstream>> upstreams; // per callee
};

// An instance's queue length and busy workers integrated over time (a recorder reads them at the
// end of each window), kept only by recorded runs. Integer nanoseconds x count: exact.
struct LoadGauge
{
    std::int64_t since = 0;   // when the values below last changed (or were read)
    std::uint32_t queued = 0; // since then
    std::uint32_t busy = 0;
    std::uint32_t queueMax = 0; // since the last reading
    std::uint64_t queueArea = 0;
    std::uint64_t busyArea = 0;

    void change(std::int64_t now, std::uint32_t newQueued, std::uint32_t newBusy)
    {
        // Events run in time order: `now` is never before `since`.
        const auto dt = static_cast<std::uint64_t>(now - since);
        queueArea += dt * queued;
        busyArea += dt * busy;
        since = now;
        queued = newQueued;
        busy = newBusy;
        queueMax = std::max(queueMax, newQueued);
    }
    void advance(std::int64_t now)
    {
        const auto dt = static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - since));
        queueArea += dt * queued;
        busyArea += dt * busy;
        since = std::max(since, now);
    }
    InstanceLoad read(std::int64_t end)
    {
        advance(end);
        const InstanceLoad load{queueArea, busyArea, queueMax};
        queueArea = 0;
        busyArea = 0;
        queueMax = queued;
        return load;
    }
};

// One replica of a tier.
struct Instance
{
    Tier* tier = nullptr;
    std::uint32_t index = 0;
    engine::NodeId node = 0;
    bool alive = true;
    bool nodeDown = false;
    std::uint32_t busy = 0;
    std::deque<Job*> queue;
    Job* active = nullptr; // the jobs holding a worker (a list through Job::next)
    engine::RandomStream random{0};
    Caller caller;
    LoadGauge load;
    ThresholdProbe readiness;   // Kubernetes readiness: in the endpoints or not
    ThresholdProbe healthCheck; // Envoy active health checking (when the tier has it)
    // `slow` and `errors` faults
    double slowFactor = 1.0;
    SimDuration addedLatency{0};
    double faultErrorRate = 0.0;
};

// Everything that serves requests: a service, the gateway, the mesh ingress.
struct Tier
{
    ServiceConfig config;
    TierKind kind = TierKind::App;
    ServiceIndex index = 0;
    std::uint32_t component = 0;
    Program program;               // App: the service's steps
    std::vector<Program> programs; // Ingress: a forward per service
    std::vector<std::unique_ptr<Instance>> instances;
    bool sidecars = false;
    // which instances are in the endpoints callers see (discovery, after propagation)
    std::vector<std::uint8_t> visible;
    std::uint64_t version = 0; // changes whenever `visible` or a health verdict does
    std::optional<HealthCheckConfig> healthCheck;
    MeshPolicy mesh;                  // resolved destination policy (mesh architectures)
    std::vector<Upstream*> detectors; // callers' upstreams to this tier with outlier detection
};

// Where hops happen, for the recording.
inline Place placeOf(const Caller& caller)
{
    return {caller.component, caller.instance, caller.node};
}
inline Place placeOf(const Instance& instance)
{
    return {instance.tier->component, instance.index, instance.node};
}

// A change of an instance's state (readiness, health, faults).
inline StateChange
instanceState(StateChange::Kind kind, const Instance& instance, engine::SimTime at)
{
    StateChange change;
    change.at = at;
    change.kind = kind;
    change.component = instance.tier->component;
    change.instance = instance.index;
    return change;
}

// A route as the client or the gateway runs it.
struct RouteRuntime
{
    const RouteConfig* config = nullptr;
    std::vector<Program> programs;                  // one, or one per split target
    std::vector<double> splitCumulative;            // split only
    std::optional<RetryConditions> retryConditions; // of the route's retries (gateway)
};

} // namespace meshsim::models
