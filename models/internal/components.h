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

// Whoever makes calls: clients, an application instance, a gateway, ingress or waypoint instance.
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
    // Services and the gateway in an ambient mesh with waypoints: per service, the tier its calls
    // go to (its waypoint, which forwards them, or the service itself).
    const std::vector<ServiceIndex>* entryTiers = nullptr;
    std::string label;                 // "frontend/2", "gateway/0", "browsers"
    std::vector<ServiceIndex> callees; // sorted tier indices
    std::vector<std::uint32_t> edges;  // metrics edge per callee
    // Per callee, then one per version of each callee with traffic rules (a subset of its
    // instances, Istio's per-subset cluster), the versions of a callee one after another.
    std::vector<std::unique_ptr<Upstream>> upstreams;
    std::vector<std::uint32_t> subsets; // per callee: its first version's upstream, or 0
};

// An instance's queue length and busy workers integrated over time, and its arrivals: a recorder
// reads them at the end of each window; kept only by recorded runs. The integral of a count c(t)
// up to T is F(T) = sum(times it went down) - sum(times it went up) + c(T) x T, so each change is
// one addition; integer nanoseconds x count, exact.
struct LoadGauge
{
    std::int64_t busyOffset = 0;  // sum of worker releases - sum of worker takes (ns)
    std::int64_t queueOffset = 0; // sum of dequeues - sum of enqueues (ns)
    std::int64_t busyRead = 0;    // F at the last reading
    std::int64_t queueRead = 0;
    std::uint32_t queueMax = 0; // since the last reading
    std::uint32_t arrivals = 0;

    void workerTaken(std::int64_t now) { busyOffset -= now; }
    void workersReleased(std::int64_t now, std::uint32_t n = 1) { busyOffset += now * n; }
    void enqueued(std::int64_t now, std::uint32_t length)
    {
        queueOffset -= now;
        queueMax = std::max(queueMax, length);
    }
    void dequeued(std::int64_t now, std::uint32_t n = 1) { queueOffset += now * n; }

    InstanceLoad read(std::int64_t end, std::uint32_t busy, std::uint32_t queued)
    {
        const std::int64_t busyF = busyOffset + std::int64_t{busy} * end;
        const std::int64_t queueF = queueOffset + std::int64_t{queued} * end;
        const InstanceLoad load{static_cast<std::uint64_t>(queueF - queueRead),
                                static_cast<std::uint64_t>(busyF - busyRead),
                                queueMax,
                                arrivals};
        busyRead = busyF;
        queueRead = queueF;
        queueMax = queued;
        arrivals = 0;
        return load;
    }
};

// One replica of a tier.
struct Instance
{
    Tier* tier = nullptr;
    std::uint32_t index = 0;
    std::uint32_t version = 0; // of its service (ServiceConfig::versions)
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
    std::uint64_t drawSalt = 0; // the keyed draws of its jobs (RandomStream::hashName of its name)
    // App: the service's operations (operationsOf) and their compiled steps, version after
    // version (operationVariants): version v's operation o is at v * operationCount + o.
    std::vector<OperationConfig> operations;
    std::vector<Program> operationPrograms;
    std::uint32_t operationCount = 1;
    // Traffic rules over the versions (config.traffic): per rule its versions' cumulative
    // weights, and per header set of the system the first rule that matches it.
    std::vector<std::vector<double>> ruleCumulative;
    std::vector<std::uint32_t> ruleOfHeaders;
    std::vector<Program> programs; // Ingress, Waypoint: a forward per service
    SimDuration proxyLatency{0};   // Ingress, Waypoint: an Envoy's latency after its CPU work
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
    bool nonIdempotent = false;                     // its method is POST, PATCH or LOCK
};

} // namespace meshsim::models
