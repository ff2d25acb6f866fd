#include "models/cluster.h"

#include "engine/core/assert.h"
#include "engine/core/distribution.h"

#include <algorithm>
#include <cmath>

namespace meshsim::models {

using engine::SimTime;

namespace {

std::vector<double> cumulative(const std::vector<double>& weights)
{
    std::vector<double> result;
    result.reserve(weights.size());
    double total = 0.0;
    for (const double w : weights)
        total += w;
    double running = 0.0;
    for (const double w : weights) {
        running += w;
        result.push_back(running / total);
    }
    if (!result.empty())
        result.back() = 1.0;
    return result;
}

std::size_t pickCumulative(const std::vector<double>& cumulativeWeights, double u)
{
    const auto it = std::upper_bound(cumulativeWeights.begin(), cumulativeWeights.end(), u);
    return std::min(static_cast<std::size_t>(it - cumulativeWeights.begin()),
                    cumulativeWeights.size() - 1);
}

// Istio's retry policy when a VirtualService sets none (reference/semantics.md §3.3).
const RetryConfig& istioDefaultRetries()
{
    static const RetryConfig kIstio = [] {
        RetryConfig r;
        r.attempts = 2;
        return r;
    }();
    return kIstio;
}

} // namespace

// --- construction --------------------------------------------------------------------------

std::vector<std::string> Cluster::tierNames(const SystemConfig& system)
{
    std::vector<std::string> names;
    for (const ServiceConfig& s : system.services)
        names.push_back(s.name);
    if (system.hasGateway())
        names.emplace_back("gateway");
    if (system.hasIngress())
        names.emplace_back("ingress");
    return names;
}

std::vector<std::uint32_t> Cluster::tierReplicas(const SystemConfig& system)
{
    std::vector<std::uint32_t> replicas;
    for (const ServiceConfig& s : system.services)
        replicas.push_back(s.replicas);
    if (system.hasGateway())
        replicas.push_back(system.gateway.replicas);
    if (system.hasIngress())
        replicas.push_back(system.mesh.ingress.replicas);
    return replicas;
}

std::vector<std::string> Cluster::componentNames(const SystemConfig& system)
{
    std::vector<std::string> names;
    for (const WorkloadConfig& w : system.workloads)
        names.push_back(w.name);
    for (const std::string& t : tierNames(system))
        names.push_back(t);
    return names;
}

Cluster::Cluster(const SystemConfig& system,
                 Deployment deployment,
                 engine::Platform& platform,
                 Metrics& metrics)
    : m_system(system)
    , m_run(std::move(deployment))
    , m_platform(platform)
    , m_metrics(metrics)
    , m_traceRandom(m_run.seed, "traces")
{
    buildTiers();
    buildRoutes();
    // Callers need every callee tier to exist, so they are set up after all tiers.
    for (auto& tier : m_tiers) {
        std::vector<ServiceIndex> callees;
        CallerKind kind = CallerKind::App;
        if (tier->kind == TierKind::App) {
            collectCallees(tier->program, callees);
        } else {
            kind = tier->kind == TierKind::Gateway ? CallerKind::Gateway : CallerKind::Ingress;
            for (const Program& program : tier->programs)
                collectCallees(program, callees);
            if (tier->kind == TierKind::Gateway) { // the gateway runs the routes' programs
                for (const RouteRuntime& route : m_routes)
                    for (const Program& program : route.programs)
                        collectCallees(program, callees);
            }
        }
        for (auto& instance : tier->instances) {
            instance->caller.label = tier->config.name + "/" + std::to_string(instance->index);
            initCaller(instance->caller,
                       kind,
                       instance->node,
                       tier->component,
                       tier.get(),
                       instance->random,
                       callees);
        }
    }
    buildWorkloads();
    if (hasGateway() && m_system.gateway.rateLimit
        && m_system.gateway.rateLimit->scope == RateLimitScope::Global)
        m_globalLimiter = std::make_unique<RateLimiter>(*m_system.gateway.rateLimit);
}

Cluster::~Cluster() = default;

std::size_t Cluster::recordsInUse() const
{
    return m_calls.inUse() + m_exchanges.inUse() + m_frames.inUse() + m_jobs.inUse()
           + m_requests.inUse();
}

void Cluster::buildTiers()
{
    const auto workloadCount = static_cast<std::uint32_t>(m_system.workloads.size());
    const auto addTier
        = [&](ServiceConfig config, TierKind kind, const std::vector<engine::NodeId>& nodes) {
              auto tier = std::make_unique<Tier>();
              tier->config = std::move(config);
              tier->kind = kind;
              tier->index = static_cast<ServiceIndex>(m_tiers.size());
              tier->component = workloadCount + tier->index;
              tier->sidecars = kind == TierKind::App && hasMesh();
              MESHSIM_ASSERT(nodes.size() == tier->config.replicas, "every replica has a node");
              for (std::uint32_t r = 0; r < tier->config.replicas; ++r) {
                  auto instance = std::make_unique<Instance>();
                  instance->tier = tier.get();
                  instance->index = r;
                  instance->node = nodes[r];
                  instance->random = engine::RandomStream(
                      m_run.seed, "service/" + tier->config.name + "/" + std::to_string(r));
                  tier->instances.push_back(std::move(instance));
              }
              tier->visible.assign(tier->config.replicas, 1);
              m_tiers.push_back(std::move(tier));
              return m_tiers.back().get();
          };
    MESHSIM_ASSERT(m_run.instanceNodes.size() == m_system.services.size(),
                   "every service has a placement");
    for (std::size_t s = 0; s < m_system.services.size(); ++s) {
        Tier* tier = addTier(m_system.services[s], TierKind::App, m_run.instanceNodes[s]);
        compileSteps(tier->config.steps, tier->program);
        if (hasMesh()) {
            tier->mesh = meshPolicyFor(tier->index);
            tier->healthCheck = tier->mesh.healthCheck;
        }
    }
    if (hasGateway()) {
        ServiceConfig g;
        g.name = "gateway";
        g.replicas = m_system.gateway.replicas;
        g.workers = m_system.gateway.workers;
        g.queue = m_system.gateway.queue;
        g.cpu = m_system.gateway.cpu;
        Tier* tier = addTier(g, TierKind::Gateway, m_run.gatewayNodes);
        m_gatewayTier = tier->index;
        for (auto& instance : tier->instances) {
            if (m_system.gateway.cache)
                instance->cache = std::make_unique<ResponseCache>(m_system.gateway.cache->capacity,
                                                                  m_system.gateway.cache->ttl);
            if (m_system.gateway.rateLimit
                && m_system.gateway.rateLimit->scope == RateLimitScope::Instance)
                instance->limiter = std::make_unique<RateLimiter>(*m_system.gateway.rateLimit);
        }
    }
    if (m_system.hasIngress()) {
        ServiceConfig in;
        in.name = "ingress";
        in.replicas = m_system.mesh.ingress.replicas;
        in.workers = m_system.mesh.ingress.workers;
        in.queue = kUnlimited;
        in.cpu = m_system.mesh.sidecar.cpu;
        Tier* tier = addTier(in, TierKind::Ingress, m_run.ingressNodes);
        m_ingressTier = tier->index;
        // The ingress forwards each call to the service it names.
        for (ServiceIndex s = 0; s < m_system.services.size(); ++s) {
            Step step;
            step.service = s;
            step.requestBytes = kClientRequestSize;
            tier->programs.emplace_back();
            compileSteps({step}, tier->programs.back());
        }
    }
}

void Cluster::buildRoutes()
{
    for (const RouteConfig& route : m_system.routes) {
        RouteRuntime runtime;
        runtime.config = route;
        if (route.retries)
            runtime.retryConditions.emplace(route.retries->retryOn);
        const auto callStep = [](ServiceIndex target) {
            Step step;
            step.kind = Step::Kind::Call;
            step.service = target;
            step.requestBytes = kClientRequestSize;
            return step;
        };
        switch (route.kind) {
        case RouteConfig::Kind::Service:
        case RouteConfig::Kind::Sequence: {
            std::vector<Step> steps;
            for (const ServiceIndex t : route.targets)
                steps.push_back(callStep(t));
            runtime.programs.emplace_back();
            compileSteps(steps, runtime.programs.back());
            break;
        }
        case RouteConfig::Kind::Aggregate: {
            Step parallel;
            parallel.kind = Step::Kind::Parallel;
            for (std::size_t i = 0; i < route.targets.size(); ++i) {
                parallel.children.push_back(callStep(route.targets[i]));
                parallel.children.back().optional = i < route.optional.size() && route.optional[i];
            }
            runtime.programs.emplace_back();
            compileSteps({parallel}, runtime.programs.back());
            break;
        }
        case RouteConfig::Kind::Split:
            for (const ServiceIndex t : route.targets) {
                runtime.programs.emplace_back();
                compileSteps({callStep(t)}, runtime.programs.back());
            }
            runtime.splitCumulative = cumulative(route.weights);
            break;
        }
        m_routes.push_back(std::move(runtime));
    }
    // Clients of gateway architectures send each request to the gateway, which composes.
    Step toGateway;
    toGateway.service = m_gatewayTier;
    toGateway.requestBytes = kClientRequestSize;
    if (hasGateway())
        compileSteps({toGateway}, m_toGateway);
}

void Cluster::buildWorkloads()
{
    const auto workloadCount = static_cast<std::uint32_t>(m_system.workloads.size());
    std::uint32_t nextClient = 0;
    for (std::uint32_t w = 0; w < workloadCount; ++w) {
        auto runtime = std::make_unique<WorkloadRuntime>();
        runtime->config = m_system.workloads[w];
        runtime->firstClient = nextClient;
        nextClient += runtime->config.clients;
        runtime->component = w;
        runtime->random = engine::RandomStream(m_run.seed, "workload/" + runtime->config.name);
        std::vector<double> weights;
        std::vector<ServiceIndex> callees;
        for (const MixEntry& entry : runtime->config.mix) {
            weights.push_back(entry.weight);
            runtime->keys.push_back(entry.keys.count > 0 ? std::make_unique<ZipfSampler>(
                                        entry.keys.count, entry.keys.zipf)
                                                         : nullptr);
            if (hasGateway()) {
                callees.push_back(m_gatewayTier);
            } else if (m_system.hasIngress()) {
                callees.push_back(m_ingressTier);
            } else {
                for (const Program& program : m_routes[entry.route].programs)
                    collectCallees(program, callees);
            }
        }
        runtime->mixCumulative = cumulative(weights);
        runtime->caller.label = runtime->config.name;
        initCaller(runtime->caller,
                   CallerKind::Client,
                   m_run.clientNode,
                   w,
                   nullptr,
                   runtime->random,
                   callees);
        const SimDuration stop = runtime->config.stop.value_or(m_run.duration);
        runtime->stopAt = engine::kSimStart + std::min(stop, m_run.duration);
        m_workloads.push_back(std::move(runtime));
    }
}

void Cluster::compileSteps(const std::vector<Step>& steps, Program& program)
{
    // Breadth-first layout: the children of every composite op are contiguous.
    program.ops.clear();
    program.ops.push_back(StepOp{});
    struct Pending
    {
        const std::vector<Step>* children;
        std::uint32_t op;
    };
    std::vector<Pending> work{{&steps, 0}};
    for (std::size_t i = 0; i < work.size(); ++i) {
        const Pending p = work[i];
        const auto first = static_cast<std::uint32_t>(program.ops.size());
        program.ops[p.op].firstChild = first;
        program.ops[p.op].childCount = static_cast<std::uint32_t>(p.children->size());
        for (const Step& step : *p.children) {
            StepOp op;
            op.kind = step.kind;
            op.service = step.service;
            op.probability = step.probability;
            op.requestBytes = step.requestBytes;
            op.optional = step.optional;
            program.ops.push_back(op);
        }
        for (std::size_t c = 0; c < p.children->size(); ++c) {
            const Step& step = (*p.children)[c];
            if (step.kind != Step::Kind::Call)
                work.push_back({&step.children, first + static_cast<std::uint32_t>(c)});
        }
    }
}

void Cluster::collectCallees(const Program& program, std::vector<ServiceIndex>& out)
{
    for (const StepOp& op : program.ops) {
        if (op.kind == Step::Kind::Call)
            out.push_back(op.service);
    }
}

MeshPolicy Cluster::meshPolicyFor(ServiceIndex service) const
{
    // Destination overrides replace the defaults block by block (a DestinationRule's policy).
    MeshPolicy p = m_system.mesh.defaults;
    for (const DestinationPolicy& d : m_system.mesh.destinations) {
        if (d.service != service)
            continue;
        if (d.policy.loadBalancer)
            p.loadBalancer = d.policy.loadBalancer;
        if (d.policy.timeout)
            p.timeout = d.policy.timeout;
        if (d.policy.retries)
            p.retries = d.policy.retries;
        if (d.policy.circuitBreaker)
            p.circuitBreaker = d.policy.circuitBreaker;
        if (d.policy.outlierDetection)
            p.outlierDetection = d.policy.outlierDetection;
        if (d.policy.healthCheck)
            p.healthCheck = d.policy.healthCheck;
    }
    return p;
}

void Cluster::initCaller(Caller& caller,
                         CallerKind kind,
                         engine::NodeId node,
                         std::uint32_t component,
                         Tier* tier,
                         engine::RandomStream& random,
                         std::vector<ServiceIndex> callees)
{
    std::sort(callees.begin(), callees.end());
    callees.erase(std::unique(callees.begin(), callees.end()), callees.end());
    caller.kind = kind;
    caller.node = node;
    caller.component = component;
    caller.tier = tier;
    caller.random = &random;
    caller.sidecar = kind == CallerKind::App && hasMesh();
    caller.callees = std::move(callees);
    caller.edges.resize(caller.callees.size());
    caller.upstreams.resize(caller.callees.size());
    for (std::size_t i = 0; i < caller.callees.size(); ++i) {
        Tier& target = *m_tiers[caller.callees[i]];
        caller.edges[i] = m_metrics.edgeIndex(component, target.component);
        caller.upstreams[i] = makeUpstream(caller, target, i);
    }
}

std::unique_ptr<Cluster::Upstream> Cluster::makeUpstream(Caller& caller, Tier& target, std::size_t)
{
    auto u = std::make_unique<Upstream>();
    u->target = &target;
    u->caller = &caller;
    const engine::PlatformSpec& spec = m_platform.spec();
    for (const auto& instance : target.instances)
        u->hosts.push_back(LbHost{target.config.name + "-" + std::to_string(instance->index),
                                  1,
                                  0,
                                  true,
                                  spec.nodes[instance->node].zone});
    u->inboundSidecar = target.sidecars;
    // Envoys: sidecars, the mesh ingress, and a gateway inside a mesh.
    u->meshProxy = target.kind == TierKind::App && hasMesh()
                   && (caller.kind == CallerKind::App || caller.kind == CallerKind::Ingress
                       || caller.kind == CallerKind::Gateway);
    LoadBalancerConfig lb; // round robin: kube-proxy, DNS, a client library
    if (caller.kind == CallerKind::Gateway)
        lb = m_system.gateway.loadBalancer;
    if (u->meshProxy) {
        const MeshPolicy& policy = target.mesh;
        if (caller.kind != CallerKind::Gateway) {
            lb.policy = LoadBalancerPolicy::LeastRequest; // Istio >= 1.14
            if (policy.loadBalancer)
                lb = *policy.loadBalancer;
        }
        if (!lb.panicThresholdSet && policy.outlierDetection)
            lb.panicThreshold = 0.0; // Istio: minHealthPercent 0 once outlier detection is on
        CircuitBreakerThresholds thresholds{kUnlimited, kUnlimited, kUnlimited, kUnlimited};
        if (policy.circuitBreaker)
            thresholds = *policy.circuitBreaker;
        const RetryConfig* retries = policy.retries ? &*policy.retries : &istioDefaultRetries();
        u->outlierInterval
            = policy.outlierDetection ? policy.outlierDetection->interval : SimDuration{0};
        u->limits.emplace(thresholds, retries->budgetPercent, retries->budgetMinConcurrency);
        if (policy.outlierDetection)
            u->outlier.emplace(*policy.outlierDetection,
                               static_cast<std::uint32_t>(u->hosts.size()),
                               *caller.random);
        u->pooled = true; // Envoy connection pools, with mTLS when the mesh has it
        u->pools.resize(u->hosts.size());
        u->retries = retries;
        if (caller.kind != CallerKind::Gateway)
            u->timeout = policy.timeout; // a gateway applies its route's timeout
        for (const FaultInjectionConfig& f : m_system.mesh.faults) {
            if (f.service == target.index && caller.kind != CallerKind::Gateway)
                u->fault = &f;
        }
    } else if (caller.kind == CallerKind::App && caller.tier) {
        // Library-level resilience of an application without a sidecar.
        const LibraryClientConfig& lib = caller.tier->config.client;
        if (lib.circuitBreaker)
            u->breaker.emplace(*lib.circuitBreaker);
        if (lib.retries)
            u->retries = &*lib.retries;
        u->timeout = lib.timeout;
    }
    u->balancer = LoadBalancer::create(lb, *caller.random);
    u->lb = u->balancer.get();
    u->hashing
        = lb.policy == LoadBalancerPolicy::RingHash || lb.policy == LoadBalancerPolicy::Maglev;
    if (lb.zoneAware && caller.tier) {
        // Zone-aware routing needs the caller's own cluster: its instances' zones.
        const std::size_t zones = spec.zones.size();
        u->callerZone = spec.nodes[caller.node].zone;
        u->localShare.assign(zones, 0.0);
        for (const auto& instance : caller.tier->instances)
            u->localShare[spec.nodes[instance->node].zone]
                += 1.0 / static_cast<double>(caller.tier->instances.size());
        LoadBalancerConfig zoneLb = lb;
        zoneLb.panicThreshold = 0.0;
        for (std::size_t z = 0; z < zones; ++z) {
            u->zoneBalancers.push_back(LoadBalancer::create(zoneLb, *caller.random));
            u->zoneBalancers.back()->restrictToZone(static_cast<std::uint32_t>(z));
        }
    }
    if (u->retries) {
        u->conditions.emplace(u->retries->retryOn);
        u->retryOn = &*u->conditions;
    }
    u->tracksHealth = u->outlier.has_value() || u->breaker.has_value();
    u->zoneAware = !u->zoneBalancers.empty();
    u->plain = !u->tracksHealth && !u->pooled && !u->zoneAware && !u->hashing && !u->fault
               && !u->retries && !u->timeout;
    u->name = caller.label + " -> " + target.config.name;
    return u;
}

// --- workloads -----------------------------------------------------------------------------

bool Cluster::running() const
{
    return m_platform.now() < engine::kSimStart + m_run.duration || m_calls.inUse() > 0
           || m_jobs.inUse() > 0;
}

void Cluster::start()
{
    for (auto& w : m_workloads) {
        WorkloadRuntime* workload = w.get();
        const ArrivalConfig& arrival = workload->config.arrival;
        if (arrival.process == ArrivalConfig::Process::Closed) {
            m_platform.schedule(workload->config.start, [this, workload] {
                for (std::uint32_t u = 0; u < workload->config.arrival.users; ++u)
                    startUser(*workload);
            });
            continue;
        }
        workload->onUntil = engine::kSimStart + workload->config.start
                            + arrival.on.sampleDuration(workload->random);
        m_platform.schedule(workload->config.start,
                            [this, workload] { scheduleNextArrival(*workload); });
    }
    for (const FaultConfig& fault : m_system.faults) {
        const FaultConfig* f = &fault;
        m_platform.schedule(fault.at, [this, f] { applyFault(*f); });
        if (fault.until)
            m_platform.schedule(*fault.until, [this, f] { revertFault(*f); });
    }
    // Readiness probes (and active health checks) at a random phase per instance.
    for (auto& tier : m_tiers) {
        for (auto& instance : tier->instances) {
            const auto phase = [&](SimDuration period) {
                return SimDuration{static_cast<std::int64_t>(
                    instance->random.nextBelow(static_cast<std::uint64_t>(period.count())))};
            };
            scheduleProbe(*instance, phase(m_system.discovery.readinessPeriod));
            if (tier->healthCheck)
                scheduleHealthCheck(*instance, phase(tier->healthCheck->interval));
        }
    }
    for (auto& tier : m_tiers) {
        for (auto& instance : tier->instances) {
            for (auto& upstream : instance->caller.upstreams) {
                if (upstream->outlier) {
                    Upstream* u = upstream.get();
                    u->target->detectors.push_back(u);
                    u->outlierTimer = m_platform.schedule(u->outlierInterval,
                                                          [this, u] { onOutlierInterval(u); });
                }
            }
        }
    }
}

void Cluster::scheduleNextArrival(WorkloadRuntime& w)
{
    const ArrivalConfig& arrival = w.config.arrival;
    const SimTime now = m_platform.now();
    SimTime next = now;
    switch (arrival.process) {
    case ArrivalConfig::Process::Poisson:
        next = now
               + engine::durationFromSeconds(engine::standardExponential(w.random)
                                             / arrival.ratePerSecond);
        break;
    case ArrivalConfig::Process::Constant:
        next = now + engine::durationFromSeconds(1.0 / arrival.ratePerSecond);
        break;
    case ArrivalConfig::Process::OnOff: {
        // Poisson arrivals while on; memorylessness lets a gap that crosses the end of an on
        // period restart at the next on period.
        SimTime t = now;
        for (;;) {
            const SimTime candidate
                = t
                  + engine::durationFromSeconds(engine::standardExponential(w.random)
                                                / arrival.ratePerSecond);
            if (candidate < w.onUntil) {
                next = candidate;
                break;
            }
            t = w.onUntil + arrival.off.sampleDuration(w.random);
            w.onUntil = t + arrival.on.sampleDuration(w.random);
            if (t >= w.stopAt) {
                next = t;
                break;
            }
        }
        break;
    }
    case ArrivalConfig::Process::Steps: {
        // Piecewise-constant rate: draw a gap at the current rate; if it crosses the next
        // change, restart from the change at the new rate (exact for a Poisson process).
        const auto& schedule = arrival.schedule;
        const auto at = [&schedule](std::size_t i) { return engine::kSimStart + schedule[i].at; };
        SimTime t = now;
        for (;;) {
            while (w.stepIndex + 1 < schedule.size() && at(w.stepIndex + 1) <= t)
                ++w.stepIndex;
            if (at(w.stepIndex) > t) {
                t = at(w.stepIndex);
                continue;
            }
            const double rate = schedule[w.stepIndex].ratePerSecond;
            const SimTime change
                = w.stepIndex + 1 < schedule.size() ? at(w.stepIndex + 1) : engine::kSimNever;
            if (rate > 0.0) {
                const SimTime candidate
                    = t + engine::durationFromSeconds(engine::standardExponential(w.random) / rate);
                if (candidate < change) {
                    next = candidate;
                    break;
                }
            }
            if (change == engine::kSimNever || change >= w.stopAt) {
                next = engine::kSimNever;
                break;
            }
            t = change;
        }
        break;
    }
    case ArrivalConfig::Process::Closed:
        MESHSIM_ASSERT(false, "closed workloads have no arrival process");
    }
    if (next >= w.stopAt)
        return;
    WorkloadRuntime* workload = &w;
    m_platform.schedule(next - now, [this, workload] { onArrival(*workload); });
}

void Cluster::onArrival(WorkloadRuntime& w)
{
    sendRequest(w, false);
    scheduleNextArrival(w);
}

void Cluster::startUser(WorkloadRuntime& w)
{
    // A closed-loop user: think, send, wait for the answer (or its timeout), think again.
    const SimDuration think = w.config.arrival.think.sampleDuration(w.random);
    if (m_platform.now() + think >= w.stopAt)
        return;
    WorkloadRuntime* workload = &w;
    m_platform.schedule(think, [this, workload] { sendRequest(*workload, true); });
}

void Cluster::sendRequest(WorkloadRuntime& w, bool closedUser)
{
    const std::size_t mixIndex = pickCumulative(w.mixCumulative, w.random.nextDouble());
    const MixEntry& entry = w.config.mix[mixIndex];
    const RouteIndex route = entry.route;
    const RouteRuntime& routeRuntime = m_routes[route];

    Request* request = m_requests.acquire();
    request->kind = TaskKind::Request;
    request->caller = &w.caller;
    request->workload = &w;
    request->route = route;
    request->sentAt = m_platform.now();
    request->closedUser = closedUser;
    request->clientId
        = w.firstClient + static_cast<std::uint32_t>(w.random.nextBelow(w.config.clients));
    if (w.keys[mixIndex])
        request->key = w.keys[mixIndex]->sample(w.random);
    request->trace = maybeTrace(route, request->sentAt);
    if (request->trace)
        request->span = openSpan(request->trace, -1, "client " + routeRuntime.config.path);
    ++m_requestsStarted;
    m_metrics.recordSent(request->sentAt);
    // The route timeout is the client's in direct and mesh architectures; a gateway enforces
    // it itself (it answers 504).
    if (routeRuntime.config.timeout && !hasGateway()) {
        request->timeout = m_platform.schedule(*routeRuntime.config.timeout,
                                               [this, request] { onRequestTimeout(request); });
    }
    if (hasGateway()) {
        runProgram(request, m_toGateway);
        return;
    }
    std::size_t program = 0;
    if (routeRuntime.config.kind == RouteConfig::Kind::Split)
        program = pickCumulative(routeRuntime.splitCumulative, w.random.nextDouble());
    runProgram(request, routeRuntime.programs[program]);
}

void Cluster::onRequestTimeout(Request* request)
{
    request->timeout = {};
    answerRequest(request, Outcome::Timeout);
}

void Cluster::answerRequest(Request* request, Outcome outcome)
{
    if (request->answered)
        return;
    request->answered = true;
    ++m_requestsAnswered;
    if (request->timeout) {
        m_platform.cancel(request->timeout);
        request->timeout = {};
    }
    m_metrics.recordRequest(
        request->route, request->sentAt, m_platform.now() - request->sentAt, outcome);
    if (request->trace) {
        closeSpan(request->trace, request->span, outcome, kFlagNone, 0);
        TraceRecord record;
        record.route = m_routes[request->route].config.path;
        for (const Span& s : request->trace->spans)
            record.spans.push_back(
                SpanRecord{s.parent,
                           s.name,
                           engine::toNanos(s.start),
                           s.end == engine::kSimNever ? -1 : engine::toNanos(s.end),
                           s.outcome,
                           s.flags,
                           s.attempts});
        m_metrics.recordTrace(std::move(record));
        request->trace->done = true;
    }
    if (request->closedUser)
        startUser(*request->workload);
}

// --- steps ---------------------------------------------------------------------------------

void Cluster::runProgram(Task* task, const Program& program)
{
    if (program.ops.front().childCount == 0) { // nothing to call (most leaf services)
        onStepsDone(task, false, Outcome::Ok);
        return;
    }
    startOp(task, program, 0, nullptr);
}

void Cluster::startOp(Task* task, const Program& program, std::uint32_t opIndex, Frame* parent)
{
    const StepOp& op = program.ops[opIndex];
    if (op.kind == Step::Kind::Call) {
        if (op.probability < 1.0 && !task->caller->random->bernoulli(op.probability)) {
            childDone(parent, false, Outcome::Ok);
            return;
        }
        Call* call = m_calls.acquire();
        call->target = op.service;
        call->caller = task->caller;
        call->requestBytes = op.requestBytes;
        call->optional = op.optional;
        call->context = parent;
        call->route = task->route;
        call->clientId = task->clientId;
        call->key = task->key;
        call->trace = task->trace && !task->trace->done ? task->trace : nullptr;
        call->parentSpan = task->span;
        if (op.requestBytes == kClientRequestSize) {
            // A client's request, or one a proxy forwards on a client's behalf: same size.
            call->requestBytes
                = task->kind == TaskKind::Request
                      ? static_cast<const Request*>(task)->workload->config.requestBytes
                      : static_cast<const Job*>(task)->exchange->call->requestBytes;
        }
        if (task->caller->kind == CallerKind::Client && m_system.hasIngress()) {
            call->forward = op.service; // through the ingress
            call->target = m_ingressTier;
        }
        if (task->caller->kind == CallerKind::Ingress)
            call->forward = op.service;
        beginCall(call);
        return;
    }
    Frame* frame = m_frames.acquire();
    frame->task = task;
    frame->program = &program;
    frame->op = opIndex;
    frame->parent = parent;
    if (op.childCount == 0) {
        childDone(frame, false, Outcome::Ok);
        return;
    }
    if (op.kind == Step::Kind::Sequence) {
        frame->next = 1;
        startOp(task, program, op.firstChild, frame);
        return;
    }
    frame->remaining = op.childCount;
    for (std::uint32_t c = 0; c < op.childCount; ++c)
        startOp(task, program, op.firstChild + c, frame);
}

void Cluster::childDone(Frame* frame, bool failed, Outcome cause)
{
    MESHSIM_ASSERT(frame != nullptr, "a call always belongs to a frame");
    if (failed && !frame->failed) {
        frame->failed = true;
        frame->cause = cause;
    }
    const StepOp& op = frame->program->ops[frame->op];
    bool finished;
    if (op.childCount == 0) {
        finished = true;
    } else if (op.kind == Step::Kind::Sequence) {
        if (!frame->failed && frame->next < op.childCount) {
            const std::uint32_t child = op.firstChild + frame->next++;
            startOp(frame->task, *frame->program, child, frame);
            return;
        }
        finished = true;
    } else {
        finished = --frame->remaining == 0;
    }
    if (!finished)
        return;
    Frame* parent = frame->parent;
    Task* task = frame->task;
    const bool frameFailed = frame->failed;
    const Outcome frameCause = frame->cause;
    m_frames.release(frame);
    if (parent)
        childDone(parent, frameFailed, frameCause);
    else
        onStepsDone(task, frameFailed, frameCause);
}

void Cluster::onStepCallDone(Call* call)
{
    auto* frame = static_cast<Frame*>(call->context);
    const bool failed = call->outcome != Outcome::Ok && !call->optional;
    const Outcome cause = call->outcome;
    call->delivered = true;
    maybeReleaseCall(call);
    childDone(frame, failed, cause);
}

void Cluster::onStepsDone(Task* task, bool failed, Outcome cause)
{
    if (task->kind == TaskKind::Request) {
        auto* request = static_cast<Request*>(task);
        answerRequest(request, failed ? cause : Outcome::Ok);
        m_requests.release(request);
        return;
    }
    auto* job = static_cast<Job*>(task);
    if (job->answered) { // killed, or timed out (gateway), while it waited for its calls
        m_jobs.release(job);
        return;
    }
    if (failed) {
        finishJob(job, cause, true, 0);
        return;
    }
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    if (tier.kind != TierKind::App) {
        if (job->cacheable && instance.cache)
            instance.cache->store((std::uint64_t{job->route} << 40) ^ job->key, m_platform.now());
        finishJob(job, Outcome::Ok, false, responseSizeOf(job));
        return;
    }
    const double errorRate = std::min(1.0, tier.config.errorRate + instance.faultErrorRate);
    const bool error = errorRate > 0.0 && instance.random.bernoulli(errorRate);
    finishJob(job,
              error ? Outcome::ServerError : Outcome::Ok,
              false,
              error ? 0 : tier.config.responseBytes);
}

std::uint64_t Cluster::responseSizeOf(const Job* job) const
{
    // A proxy answers with what the services answered: the route's first target's size.
    const Tier& tier = *job->instance->tier;
    if (tier.kind == TierKind::Ingress)
        return m_tiers[job->exchange->call->forward]->config.responseBytes;
    const RouteConfig& route = m_routes[job->route].config;
    return route.targets.empty() ? 0 : m_tiers[route.targets.front()]->config.responseBytes;
}

// --- calls through upstreams ---------------------------------------------------------------

void Cluster::beginCall(Call* call)
{
    Caller& caller = *call->caller;
    const auto it = std::lower_bound(caller.callees.begin(), caller.callees.end(), call->target);
    MESHSIM_ASSERT(it != caller.callees.end() && *it == call->target, "callers know their callees");
    const auto position = static_cast<std::size_t>(it - caller.callees.begin());
    call->edge = caller.edges[position];
    call->upstream = caller.upstreams[position].get();
    call->sentAt = m_platform.now();
    call->retries = call->upstream->retries;
    call->conditions = call->upstream->retryOn;
    call->timeout = call->upstream->timeout;
    if (caller.kind == CallerKind::Gateway) {
        // The route's retries, else (inside a mesh) the destination's mesh retries.
        const RouteRuntime& route = m_routes[call->route];
        if (route.config.retries) {
            call->retries = &*route.config.retries;
            call->conditions = &*route.retryConditions;
        }
    }
    if (call->trace)
        call->span = openSpan(call->trace,
                              call->parentSpan,
                              "call " + (caller.tier ? caller.tier->config.name : "client") + " -> "
                                  + m_tiers[call->target]->config.name);
    if (caller.sidecar) {
        // app -> outbound sidecar on the same node
        m_platform.transfer(
            caller.node, caller.node, call->requestBytes, [this, call] { outboundHop(call); });
        return;
    }
    if (call->upstream->plain && !call->retries) {
        attemptPlain(call);
        return;
    }
    startUpstream(call);
}

void Cluster::attemptPlain(Call* call)
{
    // The common case without any policy (direct calls, a client library's round robin): the
    // same steps as attempt(), without the checks that cannot apply.
    Upstream& u = *call->upstream;
    refreshHosts(u);
    const auto host = u.lb->choose(u.hosts, LbContext{});
    if (!host) {
        finishCall(call, Outcome::NoHealthyUpstream, kFlagUH);
        return;
    }
    Exchange* ex = m_exchanges.acquire();
    ex->call = call;
    call->live = ex;
    ex->host = *host;
    ex->start = m_platform.now();
    call->tried[0] = *host;
    call->attempts = 1;
    ++call->outstanding;
    ++u.hosts[*host].active;
    const Instance& instance = *u.target->instances[*host];
    if (!m_partitions.empty() && partitioned(call->caller->node, instance.node)) {
        ex->connectFailure = true;
        ex->reset = true;
        ex->outcome = Outcome::ConnectionFailure;
        m_platform.schedule(m_system.connectTimeout, [this, ex] { onExchangeDone(ex); });
        return;
    }
    sendExchange(ex);
}

void Cluster::outboundHop(Call* call)
{
    const SidecarConfig& sc = m_system.mesh.sidecar;
    Caller& caller = *call->caller;
    SimDuration work = sc.cpu.sampleDuration(*caller.random);
    if (sc.mtls)
        work += sc.mtlsRequestCpu;
    const SimTime entered = m_platform.now();
    struct Hop
    {
        Cluster* self;
        Call* call;
        std::int64_t entered;
        std::int64_t work;
    };
    static_assert(sizeof(Hop) <= engine::Callback::kCapacity);
    const Hop hop{this, call, engine::toNanos(entered), work.count()};
    m_platform.compute(caller.node, work, [hop] {
        hop.self->m_platform.schedule(hop.self->m_system.mesh.sidecar.latency, [hop] {
            Cluster& c = *hop.self;
            c.m_metrics.recordProxy(ProxyKind::SidecarOutbound,
                                    engine::atNanos(hop.entered),
                                    SimDuration{hop.work},
                                    c.m_platform.now() - engine::atNanos(hop.entered));
            c.startUpstream(hop.call);
        });
    });
}

void Cluster::startUpstream(Call* call)
{
    Upstream& u = *call->upstream;
    if (u.fault && u.fault->delayFraction > 0.0
        && call->caller->random->bernoulli(u.fault->delayFraction)) {
        // Fault injection in the client-side proxy: the delay first, then maybe the abort.
        call->flags |= kFlagDI;
        ++call->outstanding; // the delay keeps the call alive
        m_platform.schedule(u.fault->delay, [this, call] {
            --call->outstanding;
            afterFaultDelay(call);
        });
        return;
    }
    afterFaultDelay(call);
}

void Cluster::afterFaultDelay(Call* call)
{
    if (call->finished) { // ended during the delay (a dependency's timeout, a reset)
        maybeReleaseCall(call);
        return;
    }
    Upstream& u = *call->upstream;
    if (u.fault && u.fault->abortFraction > 0.0
        && call->caller->random->bernoulli(u.fault->abortFraction)) {
        // Aborts are local replies: never retried, never seen by outlier detection.
        finishCall(call, Outcome::InjectedFault, kFlagFI);
        return;
    }
    // The router's timeout starts after the fault filter (an injected delay does not count).
    if (call->timeout)
        call->timer = m_platform.schedule(*call->timeout, [this, call] { onCallTimeout(call); });
    attempt(call);
}

void Cluster::refreshHosts(Upstream& u)
{
    const std::uint64_t version
        = u.target->version + (u.tracksHealth && u.outlier ? u.outlier->events().size() << 32 : 0);
    if (version == u.seenVersion)
        return;
    u.seenVersion = version;
    // Discovery decides which hosts are in the set; active health checks (shared by the
    // destination's proxies) and this caller's outlier detection which of them are healthy.
    for (std::size_t h = 0; h < u.hosts.size(); ++h) {
        u.hosts[h].present = u.target->visible[h] != 0;
        u.hosts[h].healthy = (!u.target->healthCheck || u.target->instances[h]->healthy)
                             && !(u.outlier && u.outlier->ejected(static_cast<std::uint32_t>(h)));
    }
    u.balancer->hostsChanged();
    for (auto& zoneBalancer : u.zoneBalancers)
        zoneBalancer->hostsChanged();
}

std::optional<std::uint32_t> Cluster::chooseZone(Upstream& u)
{
    // Envoy zone-aware routing (reference/semantics.md §1.0, tryChooseLocalLocalityHosts): off
    // with fewer than 2 upstream zones, a caller cluster in fewer than 2 zones, fewer than
    // min_cluster_size (6) healthy upstream hosts, or in panic. Otherwise traffic stays in the
    // caller's zone when that zone holds at least its share of the upstream's healthy hosts;
    // else that share of it stays and the rest goes to zones with a residual capacity, in
    // proportion to it.
    constexpr std::size_t kMinClusterSize = 6;
    const std::size_t zones = u.localShare.size();
    std::vector<double> upstreamShare(zones, 0.0);
    std::size_t healthy = 0;
    std::size_t present = 0;
    for (const LbHost& h : u.hosts) {
        present += h.present ? 1 : 0;
        if (h.present && h.healthy) {
            upstreamShare[h.zone] += 1.0;
            ++healthy;
        }
    }
    if (healthy < kMinClusterSize)
        return std::nullopt;
    const auto upstreamZones
        = std::count_if(upstreamShare.begin(), upstreamShare.end(), [](double c) { return c > 0; });
    const auto localZones
        = std::count_if(u.localShare.begin(), u.localShare.end(), [](double c) { return c > 0; });
    if (upstreamZones < 2 || localZones < 2)
        return std::nullopt;
    // Panic (below the threshold, not fully available) disables locality routing.
    const double healthyShare = static_cast<double>(healthy) / static_cast<double>(present);
    if (140 * healthy / present < 100 && healthyShare < u.balancer->panicThreshold())
        return std::nullopt;
    for (double& s : upstreamShare)
        s /= static_cast<double>(healthy);
    const std::uint32_t own = u.callerZone;
    if (upstreamShare[own] >= u.localShare[own])
        return own; // LocalityDirect
    engine::RandomStream& random = *u.caller->random;
    if (random.nextDouble() < upstreamShare[own] / u.localShare[own])
        return own;
    std::vector<double> residual(zones, 0.0);
    double total = 0.0;
    for (std::size_t z = 0; z < zones; ++z) {
        if (z != own)
            residual[z] = std::max(0.0, upstreamShare[z] - u.localShare[z]);
        total += residual[z];
    }
    if (total <= 0.0)
        return std::nullopt;
    double x = random.nextDouble() * total;
    for (std::size_t z = 0; z < zones; ++z) {
        if (residual[z] <= 0.0)
            continue;
        if (x < residual[z])
            return static_cast<std::uint32_t>(z);
        x -= residual[z];
    }
    return std::nullopt;
}

void Cluster::attempt(Call* call)
{
    Upstream& u = *call->upstream;
    // A retry holds one of the retry breaker's slots, taken when it was scheduled; it passes to
    // the try, or back to the breaker if no try starts.
    const bool holdsSlot = call->attempts > 0 && call->retrySlots > 0;
    const auto fail = [&](Outcome outcome, std::uint16_t flags) {
        if (holdsSlot)
            releaseRetrySlot(call);
        endTry(call, nullptr, outcome, flags);
    };
    if (u.tracksHealth && u.breaker) {
        // A library breaker guards every try (resilience4j's Retry around its CircuitBreaker).
        const bool permitted = u.breaker->tryAcquire(m_platform.now());
        noteBreaker(u);
        if (!permitted) {
            fail(Outcome::CircuitOpen, kFlagNone);
            return;
        }
    }
    refreshHosts(u);
    LbContext context;
    // Consistent hashing hashes the request key (or the client) as Envoy hashes a header.
    if (u.hashing)
        context.hash = hashRequestKey(call->key != 0 ? call->key : call->clientId);
    context.attempt = call->attempts;
    std::vector<std::uint32_t> tried;
    if (call->attempts > 0) { // retries avoid the hosts already tried (previous_hosts)
        tried.assign(call->tried.begin(),
                     call->tried.begin()
                         + std::min<std::size_t>(call->attempts, call->tried.size()));
        context.avoid = &tried;
    }
    std::optional<std::uint32_t> host;
    if (u.zoneAware) {
        if (const auto zone = chooseZone(u))
            host = u.zoneBalancers[*zone]->choose(u.hosts, context);
    }
    if (!host)
        host = u.lb->choose(u.hosts, context);
    if (!host) {
        fail(Outcome::NoHealthyUpstream, kFlagUH);
        return;
    }
    if (u.pooled && !u.limits->canStartRequest()) {
        fail(Outcome::Overflow, kFlagUO); // overflow is never retried
        return;
    }
    Exchange* ex = m_exchanges.acquire();
    ex->call = call;
    ex->next = call->live;
    call->live = ex;
    ex->host = *host;
    ex->number = call->attempts;
    ex->start = m_platform.now();
    if (holdsSlot) {
        --call->retrySlots;
        ex->retrySlot = true;
    }
    if (call->attempts < call->tried.size())
        call->tried[call->attempts] = *host;
    ++call->attempts;
    ++call->outstanding;
    ++u.hosts[*host].active;
    if (!u.pooled)
        countRequest(ex); // pooled: counted once it has a connection
    if (call->retries && call->retries->perTryTimeout)
        ex->perTry = m_platform.schedule(*call->retries->perTryTimeout,
                                         [this, ex] { onPerTryTimeout(ex); });
    const Instance& instance = *u.target->instances[*host];
    if (!m_partitions.empty() && partitioned(call->caller->node, instance.node)) {
        // No route between the zones: the connection attempt times out.
        ex->connectFailure = true;
        ex->reset = true;
        ex->outcome = Outcome::ConnectionFailure;
        ex->local = false;
        m_platform.schedule(m_system.connectTimeout, [this, ex] { onExchangeDone(ex); });
        return;
    }
    if (u.pooled) {
        acquireConnection(ex);
        return;
    }
    sendExchange(ex);
}

void Cluster::acquireConnection(Exchange* ex)
{
    Upstream& u = *ex->call->upstream;
    Pool& pool = u.pools[ex->host];
    if (pool.idle > 0) {
        --pool.idle;
        ex->hasConnection = true;
        countRequest(ex);
        sendExchange(ex);
        return;
    }
    // Envoy: a host's pool without any connection may always open one, whatever
    // max_connections says (reference/semantics.md §2.1).
    if (pool.open == 0 || u.limits->canOpenConnection()) {
        // A new connection: a TCP handshake (one round trip) and, with mTLS, a TLS 1.3
        // handshake (one more) with its CPU on both proxies (reference/semantics.md §6.4). A
        // dead instance refuses the TCP handshake: a connect failure.
        u.limits->connectionOpened();
        ++pool.open;
        ex->hasConnection = true;
        ex->freshConnection = true;
        countRequest(ex);
        const Instance& instance = *u.target->instances[ex->host];
        const bool mtls = m_system.mesh.sidecar.mtls;
        const SimDuration oneWay
            = m_platform.linkBetween(ex->call->caller->node, instance.node).latency;
        const SimDuration cpu = mtls ? m_system.mesh.sidecar.mtlsHandshakeCpu : SimDuration{0};
        // The SYN reaches the host after one way: a killed instance answers with a reset (back
        // one way later); on a node that is down nothing answers (connect timeout).
        m_platform.schedule(oneWay, [this, ex, oneWay, cpu] {
            Instance& target = *ex->call->upstream->target->instances[ex->host];
            if (!target.alive) {
                refuse(target, ex);
                return;
            }
            m_platform.schedule(oneWay, [this, ex, oneWay, cpu] {
                if (cpu.count() == 0) {
                    sendExchange(ex);
                    return;
                }
                m_platform.compute(ex->call->caller->node, cpu, [this, ex, oneWay, cpu] {
                    m_platform.schedule(2 * oneWay, [this, ex, cpu] {
                        const Instance& peer = *ex->call->upstream->target->instances[ex->host];
                        m_platform.compute(peer.node, cpu, [this, ex] { sendExchange(ex); });
                    });
                });
            });
        });
        return;
    }
    if (u.limits->canQueue()) {
        u.limits->pendingAdded();
        ex->queued = true;
        pool.pending.push_back(ex);
        return;
    }
    // max_pending_requests reached: 503 UO, a local reply.
    ex->local = true;
    ex->outcome = Outcome::Overflow;
    onExchangeDone(ex);
}

void Cluster::releaseConnection(Exchange* ex, bool reusable)
{
    if (!ex->hasConnection)
        return;
    ex->hasConnection = false;
    Upstream& u = *ex->call->upstream;
    Pool& pool = u.pools[ex->host];
    if (!reusable) {
        --pool.open; // a reset or a timeout closes the connection
        u.limits->connectionClosed();
    } else if (!pool.pending.empty()) {
        Exchange* next = pool.pending.front();
        pool.pending.pop_front();
        next->queued = false;
        u.limits->pendingRemoved();
        next->hasConnection = true;
        countRequest(next);
        sendExchange(next);
        return;
    } else {
        ++pool.idle;
        return;
    }
    // The closed connection's place may serve a waiting request.
    if (!pool.pending.empty() && (pool.open == 0 || u.limits->canOpenConnection())) {
        Exchange* next = pool.pending.front();
        pool.pending.pop_front();
        next->queued = false;
        u.limits->pendingRemoved();
        acquireConnection(next);
    }
}

void Cluster::countRequest(Exchange* ex)
{
    Upstream& u = *ex->call->upstream;
    if (u.pooled && !ex->counted) {
        ex->counted = true;
        u.limits->requestStarted();
    }
}

void Cluster::sendExchange(Exchange* ex)
{
    if (ex->settled) { // reset while its connection was being set up
        onExchangeDone(ex);
        return;
    }
    const Call* call = ex->call;
    const Instance& instance = *call->upstream->target->instances[ex->host];
    m_platform.transfer(
        call->caller->node, instance.node, call->requestBytes, [this, ex] { arriveAtHost(ex); });
}

void Cluster::arriveAtHost(Exchange* ex)
{
    if (ex->call->upstream->inboundSidecar) {
        Instance& instance = *ex->call->upstream->target->instances[ex->host];
        if (!instance.alive) { // the pod, sidecar included, is gone
            refuse(instance, ex);
            return;
        }
        inboundHop(ex);
        return;
    }
    onExchangeArrived(ex);
}

void Cluster::inboundHop(Exchange* ex)
{
    Upstream& u = *ex->call->upstream;
    Instance& instance = *u.target->instances[ex->host];
    const SidecarConfig& sc = m_system.mesh.sidecar;
    SimDuration work = sc.cpu.sampleDuration(instance.random);
    if (sc.mtls)
        work += sc.mtlsRequestCpu;
    struct Hop
    {
        Cluster* self;
        Exchange* ex;
        std::int64_t entered;
        std::int64_t work;
    };
    const Hop hop{this, ex, engine::toNanos(m_platform.now()), work.count()};
    m_platform.compute(instance.node, work, [hop] {
        hop.self->m_platform.schedule(hop.self->m_system.mesh.sidecar.latency, [hop] {
            Cluster& c = *hop.self;
            Exchange* const arrived = hop.ex;
            c.m_metrics.recordProxy(ProxyKind::SidecarInbound,
                                    engine::atNanos(hop.entered),
                                    SimDuration{hop.work},
                                    c.m_platform.now() - engine::atNanos(hop.entered));
            // Istio authorization: DENY rules first, then ALLOW rules (semantics §7.3).
            const Call* call = arrived->call;
            const ServiceIndex to = call->upstream->target->index;
            const Caller& from = *call->caller;
            bool allowed = true;
            bool hasAllow = false;
            bool matchedAllow = false;
            for (const AuthorizationRule& rule : c.m_system.mesh.authorization) {
                if (rule.to != to)
                    continue;
                const bool fromService = from.tier && from.tier->kind == TierKind::App;
                const ServiceIndex source = fromService ? from.tier->index : ~0U;
                if (std::find(rule.denyFrom.begin(), rule.denyFrom.end(), source)
                    != rule.denyFrom.end())
                    allowed = false;
                if (!rule.allowFrom.empty()) {
                    hasAllow = true;
                    matchedAllow
                        = matchedAllow
                          || std::find(rule.allowFrom.begin(), rule.allowFrom.end(), source)
                                 != rule.allowFrom.end();
                }
            }
            if (hasAllow && !matchedAllow)
                allowed = false;
            if (!allowed) {
                c.replyFromSidecar(arrived, Outcome::Denied);
                return;
            }
            Instance& target = *call->upstream->target->instances[arrived->host];
            c.m_platform.transfer(target.node, target.node, call->requestBytes, [&c, arrived] {
                c.onExchangeArrived(arrived);
            });
        });
    });
}

void Cluster::replyFromSidecar(Exchange* ex, Outcome outcome)
{
    const Instance& instance = *ex->call->upstream->target->instances[ex->host];
    ex->outcome = outcome;
    ex->responseBytes = 0;
    ex->replied = true;
    m_platform.transfer(
        instance.node, ex->call->caller->node, 0, [this, ex] { onExchangeDone(ex); });
}

void Cluster::onPerTryTimeout(Exchange* ex)
{
    ex->perTry = {};
    if (ex->replied || ex->abandoned)
        return;
    Call* call = ex->call;
    ex->perTryTimedOut = true;
    // Envoy tells outlier detection the host timed out (LocalOriginTimeout, a 504) at once,
    // hedging or not; the attempt's own answer, if it comes, no longer counts.
    recordHealth(ex, Outcome::Timeout);
    ++call->outstanding; // keep the call while a decision below may deliver it
    if (call->retries && call->retries->hedgeOnPerTryTimeout) {
        // Hedging: this try goes on; maybe race a new one (Envoy hedge_on_per_try_timeout).
        retryOrFinish(call, ex, Outcome::Timeout, true, false);
    } else {
        // The try is reset: its connection closes, its answer will be ignored.
        ex->abandoned = true;
        const bool neverSent = ex->queued;
        settleExchange(ex, false);
        retryOrFinish(call, ex, Outcome::Timeout, true, true);
        if (neverSent)
            dropExchange(ex);
    }
    --call->outstanding;
    maybeReleaseCall(call);
}

void Cluster::onCallTimeout(Call* call)
{
    call->timer = {};
    if (call->finished)
        return;
    // The timeout covers every try: Envoy resets the attempts in flight and reports them to
    // outlier detection as timeouts.
    std::vector<Exchange*> neverSent;
    for (Exchange* ex = call->live; ex; ex = ex->next) {
        if (ex->abandoned)
            continue;
        ex->abandoned = true;
        if (ex->perTry) {
            m_platform.cancel(ex->perTry);
            ex->perTry = {};
        }
        recordHealth(ex, Outcome::Timeout);
        if (ex->queued)
            neverSent.push_back(ex);
        settleExchange(ex, false);
    }
    ++call->outstanding;
    finishCall(call, Outcome::Timeout, kFlagUT);
    for (Exchange* ex : neverSent)
        dropExchange(ex);
    --call->outstanding;
    maybeReleaseCall(call);
}

void Cluster::recordHealth(Exchange* ex, Outcome outcome)
{
    Upstream& u = *ex->call->upstream;
    // The proxy's own local replies (overflow) say nothing about the host.
    if (!u.tracksHealth || ex->healthRecorded || ex->local)
        return;
    ex->healthRecorded = true;
    if (u.outlier && u.outlier->onResult(ex->host, outcome, m_platform.now())) {
        const auto& e = u.outlier->events().back();
        m_metrics.recordTimeline(
            e.at, "ejection", u.name, u.hosts[e.host].key + " (" + e.reason + ")");
    }
    if (u.breaker) {
        u.breaker->onResult(m_platform.now(), isServerError(outcome));
        noteBreaker(u);
    }
}

void Cluster::settleExchange(Exchange* ex, bool reusable)
{
    if (ex->settled)
        return;
    ex->settled = true;
    Upstream& u = *ex->call->upstream;
    if (ex->queued) { // still waiting for a connection: leaves the pool's queue
        auto& pending = u.pools[ex->host].pending;
        pending.erase(std::find(pending.begin(), pending.end(), ex));
        u.limits->pendingRemoved();
        ex->queued = false;
    }
    if (u.hosts[ex->host].active > 0)
        --u.hosts[ex->host].active;
    if (ex->counted)
        u.limits->requestFinished();
    if (ex->retrySlot) {
        ex->retrySlot = false;
        u.limits->retryFinished();
    }
    releaseConnection(ex, reusable);
}

void Cluster::unlinkExchangeSlow(Exchange* ex)
{
    for (Exchange** link = &ex->call->live; *link; link = &(*link)->next) {
        if (*link == ex) {
            *link = ex->next;
            return;
        }
    }
}

void Cluster::dropExchange(Exchange* ex)
{
    Call* call = ex->call;
    unlinkExchange(ex);
    m_exchanges.release(ex);
    --call->outstanding;
}

void Cluster::onExchangeDone(Exchange* ex)
{
    Call* call = ex->call;
    if (ex->perTry) {
        m_platform.cancel(ex->perTry);
        ex->perTry = {};
    }
    if (!ex->settled) {
        Upstream& u = *call->upstream;
        if (u.plain) {
            ex->settled = true;
            if (u.hosts[ex->host].active > 0)
                --u.hosts[ex->host].active;
        } else {
            recordHealth(ex, ex->outcome);
            // A response, whatever its status, leaves the connection usable; a reset closes it.
            settleExchange(ex, !ex->reset);
        }
    }
    const bool wasWanted = !ex->abandoned && !call->finished;
    ex->abandoned = true; // no longer a live try of its call
    if (wasWanted) {
        if (ex->outcome == Outcome::Ok)
            finishCall(call, Outcome::Ok, kFlagNone);
        else if (ex->local && ex->outcome == Outcome::Overflow)
            endTry(call, ex, Outcome::Overflow, kFlagUO); // overflow is never retried
        else
            retryOrFinish(call, ex, ex->outcome, false, true);
    }
    unlinkExchange(ex);
    m_exchanges.release(ex);
    // Counted until here, so that a delivery made above cannot release the call under us.
    --call->outstanding;
    maybeReleaseCall(call);
}

bool Cluster::othersRunning(const Call* call, const Exchange* except) const
{
    if (call->retriesScheduled > 0)
        return true;
    for (const Exchange* e = call->live; e; e = e->next) {
        if (e != except && !e->abandoned)
            return true;
    }
    return false;
}

void Cluster::endTry(Call* call, const Exchange* ex, Outcome outcome, std::uint16_t flags)
{
    // The call ends with this try's failure, unless another try is still running (hedging)
    // or about to start: then the last one to end decides.
    call->flags |= flags & (kFlagUO | kFlagURX);
    if (othersRunning(call, ex))
        return;
    finishCall(call, outcome, flags);
}

void Cluster::retryOrFinish(
    Call* call, Exchange* ex, Outcome outcome, bool perTryTimeout, bool tryEnded)
{
    Upstream& u = *call->upstream;
    // A connection failure is this proxy's own only when its connection was refused or reset;
    // one an upstream service passes on from its own call is a 503 response.
    const bool ownReset = outcome == Outcome::ConnectionFailure && ex->reset;
    const Outcome asSeen
        = outcome == Outcome::ConnectionFailure && !ownReset ? Outcome::QueueFull : outcome;
    const bool retriable
        = call->retries && call->conditions && !ex->local
          && call->conditions->retriable(asSeen, ex->connectFailure, perTryTimeout);
    // Flags say what this hop saw itself, not what an upstream passed on from further down.
    std::uint16_t flags = ownReset ? kFlagUF : kFlagNone;
    if (perTryTimeout)
        flags |= kFlagUT;
    if (!ex->passedOn && outcome == Outcome::RateLimited)
        flags |= kFlagRL;
    if (!ex->passedOn && (outcome == Outcome::Unauthorized || outcome == Outcome::Denied))
        flags |= kFlagUAEX;
    std::uint16_t stop = kFlagNone;
    if (!retriable)
        stop = flags;
    else if (call->attempts + call->retriesScheduled > call->retries->attempts)
        stop = flags | kFlagURX;
    else if (u.limits && !u.limits->canRetry())
        stop = flags | kFlagUO; // the retry breaker is full: the failure goes back
    else
        stop = 0xffff;
    if (stop != 0xffff) {
        if (tryEnded)
            endTry(call, ex, outcome, stop);
        return; // a hedged try that timed out goes on
    }
    if (u.limits) {
        u.limits->retryStarted();
        ++call->retrySlots;
    }
    call->flags |= kFlagRX;
    if (call->attempts == 1)
        call->backoff = JitteredBackoff(call->retries->backoffBase, call->retries->backoffMax);
    // Envoy's jittered exponential backoff: U[0, min(base x 2^(n-1), max)).
    const SimDuration wait = call->backoff.next(*call->caller->random);
    ++call->outstanding; // the pending retry keeps the call alive
    ++call->retriesScheduled;
    m_platform.schedule(wait, [this, call] {
        --call->outstanding;
        --call->retriesScheduled;
        if (call->finished) {
            releaseRetrySlot(call);
            maybeReleaseCall(call);
            return;
        }
        attempt(call);
    });
}

void Cluster::resetLosingTries(Call* call)
{
    // Once a call is decided, Envoy resets its other tries (hedging): their connections close and
    // their late answers count for nothing, outlier detection included.
    std::vector<Exchange*> neverSent; // tries still waiting for a connection (rare)
    for (Exchange* ex = call->live; ex; ex = ex->next) {
        if (ex->abandoned)
            continue;
        ex->abandoned = true;
        ex->healthRecorded = true;
        if (ex->perTry) {
            m_platform.cancel(ex->perTry);
            ex->perTry = {};
        }
        if (ex->queued)
            neverSent.push_back(ex);
        settleExchange(ex, false);
    }
    for (Exchange* ex : neverSent)
        dropExchange(ex);
}

void Cluster::releaseRetrySlot(Call* call)
{
    if (call->retrySlots == 0)
        return;
    --call->retrySlots;
    call->upstream->limits->retryFinished();
}

void Cluster::finishCall(Call* call, Outcome outcome, std::uint16_t flags)
{
    if (call->finished)
        return;
    call->finished = true;
    call->outcome = outcome;
    call->flags |= flags;
    if (call->timer) {
        m_platform.cancel(call->timer);
        call->timer = {};
    }
    resetLosingTries(call);
    m_metrics.recordCall(
        call->edge, call->sentAt, outcome, call->flags, std::max<std::uint32_t>(1, call->attempts));
    if (call->trace)
        closeSpan(call->trace, call->span, outcome, call->flags, call->attempts);
    if (call->caller->sidecar) {
        // outbound sidecar -> app on the same node
        m_platform.transfer(
            call->caller->node, call->caller->node, 0, [this, call] { deliverCall(call); });
        return;
    }
    deliverCall(call);
}

void Cluster::deliverCall(Call* call)
{
    onStepCallDone(call);
}

void Cluster::noteBreaker(Upstream& u)
{
    const BreakerState state = u.breaker->state();
    if (state == u.lastBreakerState)
        return;
    u.lastBreakerState = state;
    m_metrics.recordTimeline(m_platform.now(), "circuit_breaker", u.name, breakerStateName(state));
}

void Cluster::onOutlierInterval(Upstream* u)
{
    u->outlierTimer = {};
    if (!running()) // the last tick scheduled before the run ended and drained
        return;
    const std::size_t before = u->outlier->events().size();
    u->outlier->onInterval(m_platform.now());
    recordOutlierEvents(*u, before);
    u->outlierTimer = m_platform.schedule(u->outlierInterval, [this, u] { onOutlierInterval(u); });
}

void Cluster::recordOutlierEvents(const Upstream& u, std::size_t from)
{
    const auto& events = u.outlier->events();
    for (std::size_t i = from; i < events.size(); ++i)
        m_metrics.recordTimeline(events[i].at,
                                 events[i].ejected ? "ejection" : "return",
                                 u.name,
                                 u.hosts[events[i].host].key + " (" + events[i].reason + ")");
}

// --- instances -----------------------------------------------------------------------------

void Cluster::onExchangeArrived(Exchange* ex)
{
    Instance& instance = *ex->call->upstream->target->instances[ex->host];
    const Tier& tier = *instance.tier;
    const SimTime now = m_platform.now();
    m_metrics.recordArrival(
        tier.index, instance.index, now, static_cast<std::uint32_t>(instance.queue.size()));
    if (!instance.alive) {
        refuse(instance, ex);
        return;
    }
    const bool workerFree = instance.busy < tier.config.workers;
    if (!workerFree && instance.queue.size() >= tier.config.queue) {
        m_metrics.recordRejected(tier.index, instance.index, now, Outcome::QueueFull);
        replyExchange(instance, ex, Outcome::QueueFull, 0);
        return;
    }
    Job* job = m_jobs.acquire();
    job->kind = TaskKind::Job;
    job->caller = &instance.caller;
    job->exchange = ex;
    job->instance = &instance;
    job->arrivedAt = now;
    job->route = ex->call->route;
    job->clientId = ex->call->clientId;
    job->key = ex->call->key;
    job->trace = ex->call->trace;
    if (job->trace)
        job->span = openSpan(job->trace, ex->call->span, instance.caller.label);
    if (tier.kind == TierKind::Gateway) {
        // The route timeout runs from the request's arrival at the gateway, queueing included.
        const RouteConfig& route = m_routes[job->route].config;
        if (route.timeout)
            job->timeout = m_platform.schedule(*route.timeout, [this, job] { onJobTimeout(job); });
    }
    if (workerFree)
        startJob(job);
    else
        instance.queue.push_back(job);
}

void Cluster::startJob(Job* job)
{
    Instance& instance = *job->instance;
    ++instance.busy;
    job->prev = nullptr;
    job->next = instance.active;
    if (instance.active)
        instance.active->prev = job;
    instance.active = job;
    job->state = Job::State::Computing;
    const Tier& tier = *instance.tier;
    double work = tier.config.cpu.sample(instance.random);
    if (tier.kind == TierKind::Gateway) {
        if (m_system.gateway.auth)
            work += static_cast<double>(m_system.gateway.auth->cpu.count());
        if (m_system.gateway.translationCpu)
            work += static_cast<double>(m_system.gateway.translationCpu->count());
    } else if (tier.kind == TierKind::Ingress && m_system.mesh.sidecar.mtls) {
        work += static_cast<double>(m_system.mesh.sidecar.mtlsRequestCpu.count());
    }
    if (instance.slowFactor != 1.0)
        work *= instance.slowFactor;
    job->work = engine::durationFromNanos(work);
    job->cpu = m_platform.compute(instance.node, job->work, [this, job] { onCpuDone(job); });
}

void Cluster::onCpuDone(Job* job)
{
    job->cpu = {};
    const Tier& tier = *job->instance->tier;
    if (tier.kind == TierKind::App && job->instance->addedLatency.count() == 0) {
        runJobProgram(job); // the common case: straight to the steps
        return;
    }
    if (tier.kind != TierKind::App) {
        // The gateway and the ingress are event-driven proxies (Envoy, nginx): a worker is a
        // thread that runs a request's CPU work; the request does not hold it while its
        // upstream calls run.
        freeWorker(*job->instance, job);
    }
    if (tier.kind == TierKind::Gateway) {
        // What a proxy tier adds: its queueing and its CPU (its upstream calls excluded).
        m_metrics.recordProxy(
            ProxyKind::Gateway, job->arrivedAt, job->work, m_platform.now() - job->arrivedAt);
    }
    if (tier.kind == TierKind::Ingress) {
        // The ingress is an Envoy like the sidecars: their per-hop latency after its CPU work.
        job->state = Job::State::Stalled;
        job->stall = m_platform.schedule(m_system.mesh.sidecar.latency, [this, job] {
            m_metrics.recordProxy(
                ProxyKind::Ingress, job->arrivedAt, job->work, m_platform.now() - job->arrivedAt);
            onStallDone(job);
        });
        return;
    }
    if (job->instance->addedLatency.count() > 0) {
        job->state = Job::State::Stalled;
        job->stall
            = m_platform.schedule(job->instance->addedLatency, [this, job] { onStallDone(job); });
        return;
    }
    onStallDone(job);
}

void Cluster::onStallDone(Job* job)
{
    job->stall = {};
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    if (tier.kind == TierKind::Gateway) {
        // Kong's plugin order: authentication, rate limiting, then the cache, then the route.
        const GatewayConfig& g = m_system.gateway;
        if (g.auth && g.auth->rejectFraction > 0.0
            && instance.random.bernoulli(g.auth->rejectFraction)) {
            finishJob(job, Outcome::Unauthorized, false, 0);
            return;
        }
        if (g.rateLimit) {
            RateLimiter& limiter = m_globalLimiter ? *m_globalLimiter : *instance.limiter;
            std::uint64_t key = 0;
            if (g.rateLimit->key == RateLimitKey::Client)
                key = job->clientId;
            else if (g.rateLimit->key == RateLimitKey::Route)
                key = job->route;
            const RateDecision decision = limiter.admit(key, m_platform.now());
            if (!decision.allowed) {
                finishJob(job, Outcome::RateLimited, false, 0);
                return;
            }
            if (decision.delay.count() > 0) { // nginx limit_req delays excess requests
                job->state = Job::State::Stalled;
                job->stall
                    = m_platform.schedule(decision.delay, [this, job] { runJobProgram(job); });
                return;
            }
        }
    }
    runJobProgram(job);
}

void Cluster::runJobProgram(Job* job)
{
    job->stall = {};
    job->state = Job::State::Calling;
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    switch (tier.kind) {
    case TierKind::App:
        runProgram(job, tier.program);
        return;
    case TierKind::Ingress:
        runProgram(job, tier.programs[job->exchange->call->forward]);
        return;
    case TierKind::Gateway: {
        const GatewayConfig& g = m_system.gateway;
        if (g.cache && instance.cache
            && std::find(g.cache->routes.begin(), g.cache->routes.end(), job->route)
                   != g.cache->routes.end()) {
            const std::uint64_t cacheKey = (std::uint64_t{job->route} << 40) ^ job->key;
            const bool hit = instance.cache->lookup(cacheKey, m_platform.now());
            m_metrics.recordCacheLookup(job->arrivedAt, hit);
            if (hit) {
                finishJob(job, Outcome::Ok, false, responseSizeOf(job));
                return;
            }
            job->cacheable = true;
        }
        const RouteRuntime& route = m_routes[job->route];
        std::size_t program = 0;
        if (route.config.kind == RouteConfig::Kind::Split)
            program = pickCumulative(route.splitCumulative, instance.random.nextDouble());
        runProgram(job, route.programs[program]);
        return;
    }
    }
}

void Cluster::onJobTimeout(Job* job)
{
    job->timeout = {};
    if (job->answered)
        return;
    if (job->state == Job::State::Queued) {
        // Still waiting for a worker: it leaves the queue without ever holding one.
        auto& queue = job->instance->queue;
        queue.erase(std::find(queue.begin(), queue.end(), job));
        job->workerFreed = true;
    }
    // Calls already made keep running; a job waiting for them is answered now and released
    // when they are all back (onStepsDone).
    finishJob(job, Outcome::Timeout, false, 0);
}

void Cluster::finishJob(Job* job, Outcome outcome, bool dependencyFailure, std::uint64_t bytes)
{
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    const SimTime now = m_platform.now();
    if (job->timeout) {
        m_platform.cancel(job->timeout);
        job->timeout = {};
    }
    m_metrics.recordServiceResponse(tier.index,
                                    instance.index,
                                    job->arrivedAt,
                                    now - job->arrivedAt,
                                    outcome,
                                    dependencyFailure);
    if (job->trace && !job->trace->done)
        closeSpan(job->trace, job->span, outcome, kFlagNone, 0);
    const bool stillCalling = job->state == Job::State::Calling && outcome == Outcome::Timeout
                              && !dependencyFailure && tier.kind == TierKind::Gateway;
    job->answered = true;
    job->exchange->passedOn = dependencyFailure;
    replyExchange(instance, job->exchange, outcome, bytes);
    const Job::State state = job->state;
    if (state == Job::State::Computing && job->cpu) {
        m_platform.cancelCompute(job->cpu);
        job->cpu = {};
    }
    if (job->stall) {
        m_platform.cancel(job->stall);
        job->stall = {};
    }
    releaseWorker(instance, job);
    // A job answered before its calls came back is released when they are (onStepsDone).
    if (!stillCalling)
        m_jobs.release(job);
}

void Cluster::releaseWorker(Instance& instance, Job* job)
{
    if (job->prev)
        job->prev->next = job->next;
    else if (instance.active == job)
        instance.active = job->next;
    if (job->next)
        job->next->prev = job->prev;
    job->prev = job->next = nullptr;
    freeWorker(instance, job);
}

void Cluster::freeWorker(Instance& instance, Job* job)
{
    if (job->workerFreed)
        return;
    job->workerFreed = true;
    --instance.busy;
    if (instance.alive && !instance.queue.empty()) {
        Job* nextJob = instance.queue.front();
        instance.queue.pop_front();
        startJob(nextJob);
    }
}

void Cluster::replyExchange(Instance& instance, Exchange* ex, Outcome outcome, std::uint64_t bytes)
{
    ex->outcome = outcome;
    ex->responseBytes = bytes;
    ex->replied = true;
    const engine::NodeId to = ex->call->caller->node;
    if (ex->call->upstream->inboundSidecar) {
        // app -> inbound sidecar (same node) -> network -> caller's proxy
        m_platform.transfer(instance.node, instance.node, bytes, [this, ex, to] {
            const Instance& host = *ex->call->upstream->target->instances[ex->host];
            m_platform.transfer(
                host.node, to, ex->responseBytes, [this, ex] { onExchangeDone(ex); });
        });
        return;
    }
    m_platform.transfer(instance.node, to, bytes, [this, ex] { onExchangeDone(ex); });
}

void Cluster::refuse(Instance& instance, Exchange* ex)
{
    m_metrics.recordRejected(
        instance.tier->index, instance.index, m_platform.now(), Outcome::ConnectionFailure);
    resetExchange(instance, ex, true);
}

void Cluster::resetExchange(Instance& instance, Exchange* ex, bool connectFailure)
{
    // Refused before a request was ever sent on the connection: a connect failure (also on a
    // connection just opened for this try); otherwise the reset of an established one.
    ex->connectFailure = connectFailure && (!ex->hasConnection || ex->freshConnection);
    ex->reset = true;
    ex->outcome = Outcome::ConnectionFailure;
    ex->responseBytes = 0;
    if (instance.nodeDown) {
        // Nothing answers on a node that is down: the caller's connection attempt times out
        // (and its per-try timeout may fire first).
        m_platform.schedule(m_system.connectTimeout, [this, ex] {
            ex->replied = true;
            onExchangeDone(ex);
        });
        return;
    }
    ex->replied = true;
    m_platform.transfer(
        instance.node, ex->call->caller->node, 0, [this, ex] { onExchangeDone(ex); });
}

// --- discovery and health ------------------------------------------------------------------

void Cluster::setVisible(Tier& tier, std::uint32_t index, bool visible)
{
    if ((tier.visible[index] != 0) == visible)
        return;
    tier.visible[index] = visible ? 1 : 0;
    ++tier.version;
}

void Cluster::scheduleProbe(Instance& instance, SimDuration delay)
{
    Instance* i = &instance;
    m_platform.schedule(delay, [this, i] { onReadinessProbe(i); });
}

void Cluster::onReadinessProbe(Instance* instance)
{
    // Kubernetes readiness: failureThreshold failures make the pod NotReady, successThreshold
    // successes Ready again; callers learn it after the propagation delay.
    if (!running()) // the last probe scheduled before the run ended and drained
        return;
    const DiscoveryConfig& d = m_system.discovery;
    const bool before = instance->ready;
    if (instance->alive) {
        instance->readinessFailures = 0;
        if (!instance->ready && ++instance->readinessSuccesses >= d.successThreshold)
            instance->ready = true;
    } else {
        instance->readinessSuccesses = 0;
        if (instance->ready && ++instance->readinessFailures >= d.failureThreshold)
            instance->ready = false;
    }
    if (instance->ready != before) {
        const bool ready = instance->ready;
        m_metrics.recordTimeline(m_platform.now(),
                                 ready ? "ready" : "not_ready",
                                 instance->caller.label,
                                 "readiness probe");
        Tier* tier = instance->tier;
        const std::uint32_t index = instance->index;
        m_platform.schedule(d.propagation, [this, tier, index, ready] {
            // In the endpoints callers and proxies see, once the change has propagated.
            setVisible(*tier, index, ready);
        });
    }
    scheduleProbe(*instance, d.readinessPeriod);
}

void Cluster::scheduleHealthCheck(Instance& instance, SimDuration delay)
{
    Instance* i = &instance;
    m_platform.schedule(delay, [this, i] { onHealthCheck(i); });
}

void Cluster::onHealthCheck(Instance* instance)
{
    // Envoy active health checking (§7.2), shared by all proxies of the destination. A probe of
    // a killed instance is refused at once; on a node that is down it times out.
    if (!running()) // the last check scheduled before the run ended and drained
        return;
    const HealthCheckConfig& hc = *instance->tier->healthCheck;
    if (instance->alive)
        onHealthCheckResult(instance, true);
    else if (!instance->nodeDown)
        onHealthCheckResult(instance, false);
    else
        m_platform.schedule(hc.timeout, [this, instance] { onHealthCheckResult(instance, false); });
    scheduleHealthCheck(*instance, hc.interval);
}

void Cluster::onHealthCheckResult(Instance* instance, bool pass)
{
    // The first result sets the state at once; then unhealthy_threshold failures in a row make
    // the host unhealthy and healthy_threshold passes healthy again.
    const HealthCheckConfig& hc = *instance->tier->healthCheck;
    const bool before = instance->healthy;
    if (!instance->checked) {
        instance->checked = true;
        instance->healthy = pass;
    } else if (pass) {
        instance->hcFailures = 0;
        if (++instance->hcSuccesses >= hc.healthyThreshold)
            instance->healthy = true;
    } else {
        instance->hcSuccesses = 0;
        if (++instance->hcFailures >= hc.unhealthyThreshold)
            instance->healthy = false;
    }
    if (instance->healthy != before) {
        m_metrics.recordTimeline(m_platform.now(),
                                 instance->healthy ? "healthy" : "unhealthy",
                                 instance->caller.label,
                                 "active health check");
        ++instance->tier->version; // proxies see health changes at once
    }
    // A successful check of a host healthy by active health checking ends its outlier
    // ejections (successful_active_health_check_uneject_host, reference/semantics.md §2.2).
    if (pass && instance->healthy) {
        for (Upstream* u : instance->tier->detectors) {
            const std::size_t from = u->outlier->events().size();
            if (u->outlier->onHealthCheckPassed(instance->index, m_platform.now()))
                recordOutlierEvents(*u, from);
        }
    }
}

// --- faults --------------------------------------------------------------------------------

bool Cluster::partitioned(engine::NodeId a, engine::NodeId b) const
{
    if (m_partitions.empty())
        return false;
    const engine::PlatformSpec& spec = m_platform.spec();
    if (a == spec.clientNode || b == spec.clientNode)
        return false;
    const ZoneIndex za = spec.nodes[a].zone;
    const ZoneIndex zb = spec.nodes[b].zone;
    for (const auto& [x, y] : m_partitions) {
        if ((za == x && zb == y) || (za == y && zb == x))
            return true;
    }
    return false;
}

void Cluster::applyFault(const FaultConfig& fault)
{
    switch (fault.kind) {
    case FaultConfig::Kind::Kill:
        for (const std::uint32_t i : fault.instances)
            killInstance(*m_tiers[fault.service]->instances[i], false);
        break;
    case FaultConfig::Kind::NodeDown:
        for (auto& tier : m_tiers) {
            for (auto& instance : tier->instances) {
                if (instance->node == fault.node)
                    killInstance(*instance, true);
            }
        }
        break;
    case FaultConfig::Kind::Slow:
        for (const std::uint32_t i : fault.instances) {
            m_tiers[fault.service]->instances[i]->slowFactor = fault.factor;
            m_tiers[fault.service]->instances[i]->addedLatency = fault.addedLatency;
        }
        break;
    case FaultConfig::Kind::Errors:
        for (const std::uint32_t i : fault.instances)
            m_tiers[fault.service]->instances[i]->faultErrorRate = fault.errorRate;
        break;
    case FaultConfig::Kind::Partition:
        m_partitions.emplace_back(fault.zoneA, fault.zoneB);
        break;
    case FaultConfig::Kind::Degrade: {
        engine::PathDegradation d;
        d.addedLatency = fault.latency.value_or(SimDuration{0});
        if (fault.bitsPerSecond)
            d.bytesPerSecond = *fault.bitsPerSecond / 8.0;
        m_platform.degrade(fault.zoneA, fault.zoneB, d);
        break;
    }
    }
}

void Cluster::revertFault(const FaultConfig& fault)
{
    switch (fault.kind) {
    case FaultConfig::Kind::Kill:
        for (const std::uint32_t i : fault.instances)
            restoreInstance(*m_tiers[fault.service]->instances[i]);
        break;
    case FaultConfig::Kind::NodeDown:
        for (auto& tier : m_tiers) {
            for (auto& instance : tier->instances) {
                if (instance->node == fault.node)
                    restoreInstance(*instance);
            }
        }
        break;
    case FaultConfig::Kind::Slow:
        for (const std::uint32_t i : fault.instances) {
            m_tiers[fault.service]->instances[i]->slowFactor = 1.0;
            m_tiers[fault.service]->instances[i]->addedLatency = SimDuration{0};
        }
        break;
    case FaultConfig::Kind::Errors:
        for (const std::uint32_t i : fault.instances)
            m_tiers[fault.service]->instances[i]->faultErrorRate = 0.0;
        break;
    case FaultConfig::Kind::Partition: {
        const auto it = std::find(
            m_partitions.begin(), m_partitions.end(), std::pair{fault.zoneA, fault.zoneB});
        if (it != m_partitions.end())
            m_partitions.erase(it);
        break;
    }
    case FaultConfig::Kind::Degrade:
        m_platform.degrade(fault.zoneA, fault.zoneB, engine::PathDegradation{});
        break;
    }
}

void Cluster::killInstance(Instance& instance, bool nodeDown)
{
    if (!instance.alive)
        return;
    instance.alive = false;
    instance.nodeDown = nodeDown;
    const Tier& tier = *instance.tier;
    const SimTime now = m_platform.now();
    m_metrics.recordTimeline(
        now, nodeDown ? "node_down" : "killed", instance.caller.label, "fault");
    // The proxies' idle connections to it die with it (the next request would find them reset).
    const auto closeIdle = [&](Caller& caller) {
        for (auto& u : caller.upstreams) {
            if (u->target != &tier || u->pools.empty())
                continue;
            Pool& pool = u->pools[instance.index];
            for (; pool.idle > 0; --pool.idle) {
                --pool.open;
                u->limits->connectionClosed();
            }
        }
    };
    for (auto& w : m_workloads)
        closeIdle(w->caller);
    for (auto& t : m_tiers) {
        for (auto& i : t->instances)
            closeIdle(i->caller);
    }
    // Queued requests: their connections are reset.
    while (!instance.queue.empty()) {
        Job* job = instance.queue.front();
        instance.queue.pop_front();
        m_metrics.recordRejected(
            tier.index, instance.index, job->arrivedAt, Outcome::ConnectionFailure);
        resetExchange(instance, job->exchange, false);
        m_jobs.release(job);
    }
    // Requests holding a worker: reset too. A job waiting for its calls lives on until they
    // return (their records must be collected), but it is already answered.
    while (instance.active) {
        Job* job = instance.active;
        instance.active = job->next;
        job->prev = job->next = nullptr;
        m_metrics.recordServiceResponse(tier.index,
                                        instance.index,
                                        job->arrivedAt,
                                        now - job->arrivedAt,
                                        Outcome::ConnectionFailure,
                                        false);
        job->answered = true;
        resetExchange(instance, job->exchange, false);
        if (job->timeout) {
            m_platform.cancel(job->timeout);
            job->timeout = {};
        }
        switch (job->state) {
        case Job::State::Computing:
            m_platform.cancelCompute(job->cpu);
            m_jobs.release(job);
            break;
        case Job::State::Stalled:
            m_platform.cancel(job->stall);
            m_jobs.release(job);
            break;
        case Job::State::Calling:
            break; // released in onStepsDone
        case Job::State::Queued:
            MESHSIM_ASSERT(false, "queued jobs hold no worker");
        }
    }
    instance.busy = 0;
}

void Cluster::restoreInstance(Instance& instance)
{
    if (instance.alive)
        return;
    instance.alive = true;
    instance.nodeDown = false;
    m_metrics.recordTimeline(m_platform.now(), "restored", instance.caller.label, "fault");
}

// --- traces --------------------------------------------------------------------------------

Cluster::Trace* Cluster::maybeTrace(RouteIndex route, SimTime now)
{
    if (m_system.traces.maxTraces == 0 || now < engine::kSimStart + m_run.warmup)
        return nullptr;
    if (m_traces.size() >= m_system.traces.maxTraces)
        return nullptr;
    if (!m_traceRandom.bernoulli(m_system.traces.sampleFraction))
        return nullptr;
    auto trace = std::make_unique<Trace>();
    trace->route = route;
    m_traces.push_back(std::move(trace));
    return m_traces.back().get();
}

std::int32_t Cluster::openSpan(Trace* trace, std::int32_t parent, std::string name)
{
    Span span;
    span.parent = parent;
    span.name = std::move(name);
    span.start = m_platform.now();
    span.end = engine::kSimNever;
    trace->spans.push_back(std::move(span));
    return static_cast<std::int32_t>(trace->spans.size() - 1);
}

void Cluster::closeSpan(
    Trace* trace, std::int32_t span, Outcome outcome, std::uint16_t flags, std::uint32_t attempts)
{
    if (span < 0)
        return;
    Span& s = trace->spans[static_cast<std::size_t>(span)];
    s.end = m_platform.now();
    s.outcome = outcome;
    s.flags = flags;
    s.attempts = attempts;
}

} // namespace meshsim::models
