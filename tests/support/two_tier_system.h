#pragma once

// TwoTierSystem: the smallest system the rooms of models/ run in, wired by hand the way Cluster
// wires it (models/cluster.cpp), from a SystemConfig built in C++, on a FakePlatform — for unit
// tests that drive InstanceServer, InboundSidecar or CallRouter directly, without a scenario file.
//
//   service 0, "backend":  its replicas on nodes 0 .. R-1
//   service 1, "frontend": one instance on node R, calling the backend through one Upstream,
//                          with the policy resolveUpstreamPolicy gives in the architecture
//   the clients' node:     R + 1 (unused)
//
// No workloads and no routes; the gateway or the mesh ingress of the architecture is not built
// (only clients call them): the test starts the calls or the tries itself. These
// are white-box tests: they use the records and the runtime of models/internal/, which the rooms
// they test take as arguments.

#include "engine/core/random.h"
#include "models/call_router.h"
#include "models/config.h"
#include "models/deployment.h"
#include "models/instance_server.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/metrics.h"
#include "models/outcome.h"
#include "models/program.h"
#include "models/program_runner.h"
#include "models/sidecar.h"
#include "models/upstream.h"
#include "models/upstream_factory.h"
#include "tests/fakes/fake_platform.h"

#include <QtGlobal>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::testing {

// How a call ended, as its caller heard it.
struct Delivered
{
    models::Outcome outcome = models::Outcome::Ok;
    std::uint16_t flags = models::kFlagNone;
    std::uint32_t attempts = 0;
    std::int64_t atNs = -1;
};

// The caller's step interpreter, for tests that start calls themselves: every call's outcome
// and when it was delivered, in delivery order.
class CallLog final : public models::CallOwner
{
public:
    explicit CallLog(const engine::Platform& platform)
        : m_platform(platform)
    {}
    void callDone(const models::Call* call) override
    {
        Delivered d;
        d.outcome = call->outcome;
        d.flags = call->flags;
        d.attempts = call->attempts;
        d.atNs = engine::toNanos(m_platform.now());
        calls.push_back(d);
    }
    std::vector<Delivered> calls;

private:
    const engine::Platform& m_platform;
};

class TwoTierSystem
{
public:
    static constexpr models::ServiceIndex kBackend = 0;
    static constexpr models::ServiceIndex kFrontend = 1;

    // `config.services` holds the backend and the frontend (in that order). Every node has
    // `cores` cores of speed 1; a transfer between two nodes takes `latency` (unlimited
    // bandwidth), one inside a node nothing.
    explicit TwoTierSystem(models::SystemConfig config,
                           engine::SimDuration latency,
                           std::uint32_t cores = 16)
        : system(std::move(config))
        , deployment(deploymentOf(system))
        , platform(specOf(system, latency, cores))
        , metrics(layoutOf(system))
        , runtime(system, deployment, platform, metrics, nullptr)
        , router(runtime, routes)
        , programs(runtime, router)
        , server(runtime, programs, tiers, routes, nullptr)
        , sidecar(runtime, server)
    {
        for (models::ServiceIndex s = 0; s < system.services.size(); ++s)
            addTier(s);
        for (auto& tier : tiers)
            for (auto& instance : tier->instances)
                initCaller(*tier, *instance);
    }
    TwoTierSystem(const TwoTierSystem&) = delete;
    TwoTierSystem& operator=(const TwoTierSystem&) = delete;

    models::Tier& backend() { return *tiers[kBackend]; }
    models::Instance& backendInstance(std::uint32_t index) { return *backend().instances[index]; }
    engine::NodeId backendNode(std::uint32_t index) const { return index; }
    models::Caller& frontend() { return tiers[kFrontend]->instances[0]->caller; }
    engine::NodeId frontendNode() const { return deployment.instanceNodes[kFrontend][0]; }
    models::Upstream& upstream() { return *frontend().upstreams[0]; }
    // The frontend calls the backend now; the router's owner (see CallLog) hears the outcome.
    void startCall(std::uint64_t requestBytes = 1000)
    {
        models::Call* call = runtime.records.calls.acquire();
        call->target = kBackend;
        call->caller = &frontend();
        call->requestBytes = requestBytes;
        router.beginCall(call);
    }
    // No call, try or request record is left in use.
    bool allReleased() const
    {
        return runtime.records.calls.inUse() == 0 && runtime.records.exchanges.inUse() == 0
               && runtime.records.jobs.inUse() == 0 && runtime.records.frames.inUse() == 0;
    }
    // The metrics of the frontend -> backend calls.
    const models::EdgeStats& edge() const { return metrics.registeredEdges()[0]; }

    models::SystemConfig system;
    models::Deployment deployment;
    fakes::FakePlatform platform;
    models::Metrics metrics;
    models::Runtime runtime;
    std::vector<std::unique_ptr<models::Tier>> tiers;
    std::vector<models::RouteRuntime> routes; // none: no gateway
    models::CallRouter router;
    models::ProgramRunner programs;
    models::InstanceServer server;
    models::InboundSidecar sidecar;

private:
    static std::uint32_t backendReplicas(const models::SystemConfig& config)
    {
        if (config.services.size() != 2 || config.services[kFrontend].replicas != 1
            || !config.workloads.empty() || !config.routes.empty())
            qFatal("TwoTierSystem: a backend and a one-instance frontend, nothing else");
        return config.services[kBackend].replicas;
    }

    static engine::PlatformSpec
    specOf(const models::SystemConfig& config, engine::SimDuration latency, std::uint32_t cores)
    {
        engine::PlatformSpec spec
            = fakes::FakePlatform::simpleSpec(backendReplicas(config) + 1, cores);
        spec.sameZone.latency = latency; // one zone: every path between two nodes
        return spec;
    }

    static models::Deployment deploymentOf(const models::SystemConfig& config)
    {
        const std::uint32_t replicas = backendReplicas(config);
        models::Deployment d;
        d.instanceNodes.resize(2);
        for (std::uint32_t r = 0; r < replicas; ++r)
            d.instanceNodes[kBackend].push_back(r);
        d.instanceNodes[kFrontend].push_back(replicas);
        d.clientNode = replicas + 1;
        d.seed = 1;
        d.duration = engine::SimDuration{60'000'000'000};
        return d;
    }

    static models::Metrics::Layout layoutOf(const models::SystemConfig& config)
    {
        models::Metrics::Layout layout;
        for (const models::ServiceConfig& s : config.services) {
            layout.services.push_back(s.name);
            layout.replicas.push_back(s.replicas);
            layout.components.push_back(s.name); // component = tier index: no workloads
        }
        return layout;
    }

    // As Cluster::buildTiers (services only).
    void addTier(models::ServiceIndex s)
    {
        auto tier = std::make_unique<models::Tier>();
        tier->config = system.services[s];
        tier->kind = models::TierKind::App;
        tier->index = s;
        tier->component = s;
        tier->sidecars = system.hasMesh();
        for (std::uint32_t r = 0; r < tier->config.replicas; ++r) {
            auto instance = std::make_unique<models::Instance>();
            instance->tier = tier.get();
            instance->index = r;
            instance->node = deployment.instanceNodes[s][r];
            const std::string label = tier->config.name + "/" + std::to_string(r);
            instance->random = engine::RandomStream(deployment.seed, "service/" + label);
            instance->caller.label = label;
            tier->instances.push_back(std::move(instance));
        }
        tier->visible.assign(tier->config.replicas, 1);
        tier->operations = models::operationsOf(tier->config);
        for (const models::OperationConfig& operation : tier->operations)
            tier->operationPrograms.push_back(models::compileSteps(operation.steps));
        if (system.hasMesh()) {
            tier->mesh = models::resolveMeshPolicy(system.mesh, s);
            tier->healthCheck = tier->mesh.healthCheck;
        }
        tiers.push_back(std::move(tier));
    }

    // As Cluster::buildCallers and Cluster::initCaller: the frontend calls the backend.
    void initCaller(models::Tier& tier, models::Instance& instance)
    {
        models::Caller& caller = instance.caller;
        caller.kind = models::CallerKind::App;
        caller.node = instance.node;
        caller.component = tier.component;
        caller.instance = instance.index;
        caller.tier = &tier;
        caller.random = &instance.random;
        caller.sidecar = system.hasMesh();
        if (tier.index != kFrontend)
            return;
        models::Tier& target = backend();
        caller.callees = {kBackend};
        caller.edges = {metrics.edgeIndex(tier.component, target.component)};
        caller.subsets = {0}; // the backend has no traffic rules
        const models::UpstreamPolicy policy = models::resolveUpstreamPolicy(
            system, caller.kind, &tier.config, target.kind, target.index, target.mesh);
        models::Endpoint& endpoint = target.sidecars ? static_cast<models::Endpoint&>(sidecar)
                                                     : static_cast<models::Endpoint&>(server);
        caller.upstreams.push_back(std::make_unique<models::Upstream>(
            policy, caller, target, endpoint, router, platform.spec()));
    }
};

} // namespace meshsim::testing
