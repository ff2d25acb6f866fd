#include "models/cluster.h"

#include "engine/core/assert.h"
#include "models/call_router.h"
#include "models/discovery.h"
#include "models/fault_injector.h"
#include "models/gateway.h"
#include "models/instance_server.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/program_runner.h"
#include "models/sidecar.h"
#include "models/upstream.h"
#include "models/upstream_factory.h"
#include "models/weighted_choice.h"
#include "models/workload.h"

namespace meshsim::models {

Cluster::Cluster(const SystemConfig& system,
                 Deployment deployment,
                 engine::Platform& platform,
                 Metrics& metrics,
                 Recorder* recorder)
    : m_system(system)
    , m_layout(layoutOf(system))
    , m_deployment(std::move(deployment))
    , m_runtime(std::make_unique<Runtime>(system, m_deployment, platform, metrics, recorder))
{
    buildTiers();
    buildRoutes();
    Runtime& rt = *m_runtime;
    m_router = std::make_unique<CallRouter>(rt, m_routes);
    m_programs = std::make_unique<ProgramRunner>(rt, *m_router);
    m_server
        = std::make_unique<InstanceServer>(rt, *m_programs, m_tiers, m_routes, m_gateway.get());
    m_sidecar = std::make_unique<InboundSidecar>(rt, *m_server);
    // Callers need every callee tier to exist, so they are set up after all tiers.
    buildCallers();
    buildWorkloads();
    m_driver = std::make_unique<WorkloadDriver>(rt,
                                                *m_programs,
                                                m_routes,
                                                m_system.hasGateway() ? m_toGateway.get() : nullptr,
                                                m_workloads);
    m_discovery = std::make_unique<Discovery>(rt, m_tiers);
    std::vector<Caller*> callers;
    for (auto& w : m_workloads)
        callers.push_back(&w->caller);
    for (auto& tier : m_tiers)
        for (auto& instance : tier->instances)
            callers.push_back(&instance->caller);
    m_faults = std::make_unique<FaultInjector>(rt, m_tiers, std::move(callers), *m_server);
}

Cluster::~Cluster() = default;

std::uint64_t Cluster::requestsStarted() const
{
    return m_driver->requestsStarted();
}

std::uint64_t Cluster::requestsAnswered() const
{
    return m_driver->requestsAnswered();
}

void Cluster::readLoad(engine::SimTime end, std::vector<InstanceLoad>& out)
{
    out.clear();
    for (const auto& tier : m_tiers)
        for (const auto& instance : tier->instances)
            out.push_back(instance->load.read(engine::toNanos(end),
                                              instance->busy,
                                              static_cast<std::uint32_t>(instance->queue.size())));
}

std::size_t Cluster::recordsInUse() const
{
    return m_runtime->records.inUse();
}

void Cluster::buildTiers()
{
    const auto workloadCount = static_cast<std::uint32_t>(m_system.workloads.size());
    const auto addTier
        = [&](ServiceConfig config, TierKind kind, const std::vector<engine::NodeId>& nodes) {
              auto tier = std::make_unique<Tier>();
              tier->config = std::move(config);
              tier->kind = kind;
              tier->operations = operationVariants(tier->config); // a proxy's: its CPU work
              tier->operationCount = static_cast<std::uint32_t>(operationsOf(tier->config).size());
              tier->index = static_cast<ServiceIndex>(m_tiers.size());
              tier->component = workloadCount + tier->index;
              tier->drawSalt = engine::RandomStream::hashName("service/" + tier->config.name);
              tier->sidecars = kind == TierKind::App && m_system.hasMesh();
              MESHSIM_ASSERT(nodes.size() == tier->config.replicas, "every replica has a node");
              std::uint32_t version = 0;
              std::uint32_t versionEnd = tier->config.versions.empty()
                                             ? tier->config.replicas
                                             : tier->config.versions.front().replicas;
              for (std::uint32_t r = 0; r < tier->config.replicas; ++r) {
                  while (r >= versionEnd) // the next version with replicas
                      versionEnd += tier->config.versions[++version].replicas;
                  auto instance = std::make_unique<Instance>();
                  instance->tier = tier.get();
                  instance->index = r;
                  instance->version = version;
                  instance->node = nodes[r];
                  instance->random = engine::RandomStream(
                      m_deployment.seed, "service/" + tier->config.name + "/" + std::to_string(r));
                  instance->caller.label = tier->config.name + "/" + std::to_string(r);
                  tier->instances.push_back(std::move(instance));
              }
              tier->visible.assign(tier->config.replicas, 1);
              m_tiers.push_back(std::move(tier));
              return m_tiers.back().get();
          };
    MESHSIM_ASSERT(m_deployment.instanceNodes.size() == m_system.services.size(),
                   "every service has a placement");
    for (std::size_t s = 0; s < m_system.services.size(); ++s) {
        Tier* tier = addTier(m_system.services[s], TierKind::App, m_deployment.instanceNodes[s]);
        for (const OperationConfig& operation : tier->operations)
            tier->operationPrograms.push_back(compileSteps(operation.steps));
        compileTraffic(*tier);
        if (m_system.hasMesh()) {
            tier->mesh = resolveMeshPolicy(m_system.mesh, tier->index);
            tier->healthCheck = tier->mesh.healthCheck;
        }
    }
    if (m_system.hasGateway()) {
        ServiceConfig g;
        g.name = "gateway";
        g.replicas = m_system.gateway.replicas;
        g.workers = m_system.gateway.workers;
        g.queue = m_system.gateway.queue;
        g.cpu = m_system.gateway.cpu;
        m_gatewayTier = addTier(g, TierKind::Gateway, m_deployment.gatewayNodes)->index;
        m_gateway = std::make_unique<GatewayFilters>(m_system.gateway, m_system.gateway.replicas);
    }
    if (m_system.hasIngress()) {
        ServiceConfig in;
        in.name = "ingress";
        in.replicas = m_system.mesh.ingress.replicas;
        in.workers = m_system.mesh.ingress.workers;
        in.queue = kUnlimited;
        in.cpu = m_system.mesh.ingress.cpu.value_or(m_system.mesh.sidecar.cpu);
        Tier* tier = addTier(in, TierKind::Ingress, m_deployment.ingressNodes);
        m_ingressTier = tier->index;
        tier->proxyLatency = m_system.mesh.ingress.latency.value_or(m_system.mesh.sidecar.latency);
        // The ingress forwards each call to the service it names.
        for (ServiceIndex s = 0; s < m_system.services.size(); ++s)
            tier->programs.push_back(forwardTo(s));
    }
    // Waypoints (layoutOf's order): each forwards the calls of its services.
    const std::vector<std::optional<std::uint32_t>> waypoints = waypointsOf(m_system);
    MESHSIM_ASSERT(m_deployment.waypointNodes.size()
                       == (m_system.hasMesh() ? m_system.mesh.waypoints.size() : 0),
                   "every waypoint has a placement");
    const auto firstWaypoint = static_cast<ServiceIndex>(m_tiers.size());
    for (std::size_t w = 0; w < m_deployment.waypointNodes.size(); ++w) {
        const WaypointConfig& config = m_system.mesh.waypoints[w];
        ServiceConfig wp;
        wp.name = config.name;
        wp.replicas = config.replicas;
        wp.workers = config.workers;
        wp.queue = kUnlimited;
        wp.cpu = config.cpu;
        Tier* tier = addTier(wp, TierKind::Waypoint, m_deployment.waypointNodes[w]);
        tier->proxyLatency = config.latency;
        for (ServiceIndex s = 0; s < m_system.services.size(); ++s)
            tier->programs.push_back(forwardTo(s));
    }
    if (!m_deployment.waypointNodes.empty()) {
        for (ServiceIndex s = 0; s < m_system.services.size(); ++s)
            m_entryTiers.push_back(waypoints[s] ? firstWaypoint + *waypoints[s] : s);
    }
}

void Cluster::buildRoutes()
{
    for (const RouteConfig& route : m_system.routes) {
        RouteRuntime runtime;
        runtime.config = &route;
        if (route.retries)
            runtime.retryConditions.emplace(route.retries->retryOn);
        runtime.programs = compileRoute(route);
        runtime.nonIdempotent = nonIdempotent(route.method);
        if (route.kind == RouteConfig::Kind::Split)
            runtime.splitCumulative = cumulativeWeights(route.weights);
        m_routes.push_back(std::move(runtime));
    }
    // Clients of gateway architectures send each request to the gateway, which composes.
    if (m_system.hasGateway())
        m_toGateway = std::make_unique<Program>(forwardTo(m_gatewayTier));
}

void Cluster::compileTraffic(Tier& tier) const
{
    const std::vector<TrafficRule>& rules = tier.config.traffic;
    if (rules.empty())
        return;
    for (const TrafficRule& rule : rules)
        tier.ruleCumulative.push_back(cumulativeWeights(rule.weights));
    // Envoy's header matchers: every header of the rule, with that exact value (a header set is
    // sorted: SystemConfig::headerSets).
    for (const auto& headers : m_system.headerSets) {
        std::uint32_t r = 0;
        while (r + 1 < rules.size()
               && !std::all_of(
                   rules[r].headers.begin(), rules[r].headers.end(), [&](const auto& want) {
                       return std::binary_search(headers.begin(), headers.end(), want);
                   }))
            ++r;
        tier.ruleOfHeaders.push_back(r);
    }
}

void Cluster::buildCallers()
{
    for (auto& tier : m_tiers) {
        CallerKind kind = CallerKind::App;
        if (tier->kind == TierKind::Gateway)
            kind = CallerKind::Gateway;
        else if (tier->kind == TierKind::Ingress)
            kind = CallerKind::Ingress;
        else if (tier->kind == TierKind::Waypoint)
            kind = CallerKind::Waypoint;
        for (auto& instance : tier->instances) {
            Caller& caller = instance->caller;
            caller.kind = kind;
            caller.node = instance->node;
            caller.component = tier->component;
            caller.instance = instance->index;
            caller.tier = tier.get();
            caller.random = &instance->random;
            initCaller(caller);
        }
    }
}

void Cluster::buildWorkloads()
{
    const auto workloadCount = static_cast<std::uint32_t>(m_system.workloads.size());
    std::uint32_t nextClient = 0;
    for (std::uint32_t w = 0; w < workloadCount; ++w) {
        auto runtime = std::make_unique<WorkloadRuntime>();
        const WorkloadConfig& config = m_system.workloads[w];
        runtime->config = &config;
        runtime->firstClient = nextClient;
        nextClient += config.clients;
        runtime->component = w;
        runtime->random = engine::RandomStream(m_deployment.seed, "workload/" + config.name);
        runtime->drawSalt = engine::RandomStream::mix(
            m_runtime->drawSeed, engine::RandomStream::hashName("workload/" + config.name));
        std::vector<double> weights;
        for (const MixEntry& entry : config.mix) {
            weights.push_back(entry.weight);
            runtime->keys.push_back(entry.keys.count > 0 ? std::make_unique<ZipfSampler>(
                                        entry.keys.count, entry.keys.zipf)
                                                         : nullptr);
        }
        runtime->mixCumulative = cumulativeWeights(weights);
        Caller& caller = runtime->caller;
        caller.label = config.name;
        caller.kind = CallerKind::Client;
        caller.node = m_deployment.clientNode;
        caller.component = w;
        caller.random = &runtime->random;
        if (m_system.hasIngress())
            caller.viaIngress = m_ingressTier;
        initCaller(caller);
        const SimDuration stop = config.stop.value_or(m_deployment.duration);
        runtime->stopAt = engine::kSimStart + std::min(stop, m_deployment.duration);
        m_workloads.push_back(std::move(runtime));
    }
}

void Cluster::initCaller(Caller& caller)
{
    // The layout's callees are sorted components; tiers keep their order.
    std::vector<ServiceIndex> callees;
    for (const std::uint32_t c : m_layout.components[caller.component].callees)
        callees.push_back(c - m_layout.firstTier);
    caller.sidecar = caller.kind == CallerKind::App && m_system.hasMesh();
    if (!m_entryTiers.empty()
        && (caller.kind == CallerKind::App || caller.kind == CallerKind::Gateway))
        caller.entryTiers = &m_entryTiers;
    caller.callees = std::move(callees);
    caller.edges.resize(caller.callees.size());
    caller.upstreams.resize(caller.callees.size());
    const engine::PlatformSpec& spec = m_runtime->platform.spec();
    std::vector<UpstreamPolicy> policies;
    for (std::size_t i = 0; i < caller.callees.size(); ++i) {
        Tier& target = *m_tiers[caller.callees[i]];
        caller.edges[i] = m_runtime->sink.metrics().edgeIndex(caller.component, target.component);
        policies.push_back(resolveUpstreamPolicy(m_system,
                                                 caller.kind,
                                                 caller.tier ? &caller.tier->config : nullptr,
                                                 target.kind,
                                                 target.index,
                                                 target.mesh));
        Endpoint& endpoint = target.sidecars ? static_cast<Endpoint&>(*m_sidecar)
                                             : static_cast<Endpoint&>(*m_server);
        caller.upstreams[i]
            = std::make_unique<Upstream>(policies[i], caller, target, endpoint, *m_router, spec);
    }
    // Callees with traffic rules: an upstream per version, over that version's instances.
    caller.subsets.assign(caller.callees.size(), 0);
    for (std::size_t i = 0; i < caller.callees.size(); ++i) {
        Tier& target = *m_tiers[caller.callees[i]];
        if (target.config.traffic.empty())
            continue;
        caller.subsets[i] = static_cast<std::uint32_t>(caller.upstreams.size());
        for (std::uint32_t v = 0; v < target.config.versions.size(); ++v)
            caller.upstreams.push_back(std::make_unique<Upstream>(
                policies[i], caller, target, *caller.upstreams[i]->endpoint, *m_router, spec, v));
    }
}

void Cluster::start()
{
    m_driver->start();
    m_faults->start();
    m_discovery->start();
    for (auto& tier : m_tiers) {
        for (auto& instance : tier->instances) {
            for (auto& upstream : instance->caller.upstreams) {
                if (upstream->outlier) {
                    upstream->target->detectors.push_back(upstream.get());
                    upstream->startOutlierTimer(*m_runtime);
                }
            }
        }
    }
}

} // namespace meshsim::models
