#pragma once

// Cluster: the simulated system, in any of the four architectures, running on a Platform — the
// composition root of models/.
//
// It builds the runtime of a scenario's system (tiers of instances for the services, the gateway
// and the mesh ingress; callers with one Upstream per callee; compiled routes; workloads) and
// wires the classes that move requests through it:
//
//   WorkloadDriver ─► ProgramRunner ─► CallRouter ─► Endpoint: [InboundSidecar ─►] InstanceServer
//        (clients)      (steps)        (tries, pools,        (queue, workers, CPU, the tier's
//                                        retries, timeouts)    program, GatewayFilters)
//   Discovery (readiness, health checks) and FaultInjector (the fault timeline) act on instances.
//
// Completion travels back up by the callbacks stored in the records (models/internal/records.h).
// Semantics and their sources: docs/mechanisms/. Not thread-safe.

#include "engine/core/platform.h"
#include "models/config.h"
#include "models/deployment.h"
#include "models/metrics.h"
#include "models/system_layout.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace meshsim::models {

class CallRouter;
class Recorder;
class Discovery;
class FaultInjector;
class GatewayFilters;
class InboundSidecar;
class InstanceServer;
class ProgramRunner;
class WorkloadDriver;
struct Caller;
struct RouteRuntime;
struct Runtime;
struct Tier;
struct WorkloadRuntime;
struct Program;

class Cluster final : public LoadSource
{
public:
    // `system` must outlive the cluster; so must `recorder`, which hears every event (and the
    // hops of the requests it chooses) when it is not null.
    Cluster(const SystemConfig& system,
            Deployment deployment,
            engine::Platform& platform,
            Metrics& metrics,
            Recorder* recorder = nullptr);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    // Schedules the first arrivals, the fault timeline, readiness probes and health checks.
    void start();

    // The components and their numbering (tier t is component layout().firstTier + t).
    const SystemLayout& layout() const { return m_layout; }

    std::uint64_t requestsStarted() const;
    std::uint64_t requestsAnswered() const;
    std::uint64_t requestsUnanswered() const { return requestsStarted() - requestsAnswered(); }
    std::size_t recordsInUse() const;

    // LoadSource: every instance's load gauge (kept while a recorder records).
    void readLoad(engine::SimTime end, std::vector<InstanceLoad>& out) override;

private:
    void buildTiers();
    void buildRoutes();
    void buildCallers();
    // The tier's traffic rules over its versions, and which one each header set meets first.
    void compileTraffic(Tier& tier) const;
    void buildWorkloads();
    void initCaller(Caller& caller);

    const SystemConfig& m_system;
    SystemLayout m_layout;
    Deployment m_deployment;
    std::unique_ptr<Runtime> m_runtime;
    // services, then gateway, then ingress, then waypoints
    std::vector<std::unique_ptr<Tier>> m_tiers;
    ServiceIndex m_gatewayTier = ~0U;
    ServiceIndex m_ingressTier = ~0U;
    std::vector<ServiceIndex> m_entryTiers; // per service, with waypoints (Caller::entryTiers)
    std::vector<RouteRuntime> m_routes;
    std::unique_ptr<Program> m_toGateway;
    std::vector<std::unique_ptr<WorkloadRuntime>> m_workloads;
    std::unique_ptr<GatewayFilters> m_gateway;
    std::unique_ptr<CallRouter> m_router;
    std::unique_ptr<ProgramRunner> m_programs;
    std::unique_ptr<InstanceServer> m_server;
    std::unique_ptr<InboundSidecar> m_sidecar;
    std::unique_ptr<WorkloadDriver> m_driver;
    std::unique_ptr<Discovery> m_discovery;
    std::unique_ptr<FaultInjector> m_faults;
};

} // namespace meshsim::models
