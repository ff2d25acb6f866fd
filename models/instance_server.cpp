#include "models/instance_server.h"

#include "engine/core/assert.h"
#include "models/authorization.h"
#include "models/gateway.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/program_runner.h"
#include "models/upstream.h"
#include "models/weighted_choice.h"

#include <algorithm>

namespace meshsim::models {

using engine::SimTime;

namespace {

Instance& hostOf(const Exchange* ex)
{
    return *ex->call->upstream->target->instances[ex->host];
}

// What a job does: its operation of a service as its instance's version serves it; a proxy's
// one operation (its CPU work).
std::size_t operationSlot(const Tier& tier, const Job* job)
{
    if (tier.kind != TierKind::App)
        return 0;
    return std::size_t{job->instance->version} * tier.operationCount + job->operation;
}

const OperationConfig& operationOf(const Tier& tier, const Job* job)
{
    return tier.operations[operationSlot(tier, job)];
}

} // namespace

InstanceServer::InstanceServer(Runtime& runtime,
                               ProgramRunner& programs,
                               const std::vector<std::unique_ptr<Tier>>& tiers,
                               const std::vector<RouteRuntime>& routes,
                               GatewayFilters* gateway)
    : m_runtime(runtime)
    , m_platform(runtime.platform)
    , m_sink(runtime.sink)
    , m_programs(programs)
    , m_tiers(tiers)
    , m_routes(routes)
    , m_gateway(gateway)
{}

void InstanceServer::receive(Exchange* ex)
{
    Instance& instance = hostOf(ex);
    const Tier& tier = *instance.tier;
    const SimTime now = m_platform.now();
    m_sink.instanceArrival(
        tier.index, instance.index, now, static_cast<std::uint32_t>(instance.queue.size()));
    if (m_sink.recording()) [[unlikely]]
        ++instance.load.arrivals;
    if (!instance.alive) {
        refuse(ex);
        return;
    }
    const bool workerFree = instance.busy < tier.config.workers;
    if (!workerFree && instance.queue.size() >= tier.config.queue) {
        rejected(instance, ex->call->operation, now, Outcome::QueueFull);
        reply(instance, ex, Outcome::QueueFull, 0);
        return;
    }
    Job* job = m_runtime.records.jobs.acquire();
    job->caller = &instance.caller;
    job->exchange = ex;
    job->instance = &instance;
    job->arrivedAt = now;
    job->route = ex->call->route;
    job->clientId = ex->call->clientId;
    job->key = ex->call->key;
    job->headerSet = ex->call->headerSet;
    job->requestBytes = ex->call->requestBytes;
    job->operation = ex->call->operation;
    job->trace = ex->call->trace;
    job->owner = this;
    job->rec = ex->call->rec;
    // Draw keys (records.h): a gateway stands for its client, an ingress or a waypoint forwards
    // one call.
    job->forwards = forwardsCalls(tier.kind);
    job->drawKey = tier.kind == TierKind::Gateway ? ex->call->taskKey
                   : job->forwards                ? ex->call->drawKey
                                   : engine::RandomStream::mix(ex->call->drawKey, ex->number);
    if (job->rec) [[unlikely]]
        recordJobStart(job);
    if (job->trace)
        job->span
            = m_runtime.tracer.openSpan(job->trace, ex->call->span, instance.caller.label, now);
    if (tier.kind == TierKind::Gateway) {
        // The route timeout (else the gateway product's) runs from the request's arrival at the
        // gateway, queueing included.
        const RouteConfig& route = *m_routes[job->route].config;
        const std::optional<SimDuration>& timeout
            = route.timeout ? route.timeout : m_runtime.system.gateway.timeout;
        if (timeout)
            job->timeout = m_platform.schedule(*timeout, [this, job] { onJobTimeout(job); });
    }
    if (workerFree) {
        startJob(job, now);
        return;
    }
    instance.queue.push_back(job);
    if (gauging()) [[unlikely]]
        instance.load.enqueued(engine::toNanos(now),
                               static_cast<std::uint32_t>(instance.queue.size()));
    if (job->rec) [[unlikely]]
        recordJobStage(job, HopKind::Queue);
}

void InstanceServer::startJob(Job* job, SimTime now)
{
    Instance& instance = *job->instance;
    ++instance.busy;
    if (gauging()) [[unlikely]]
        instance.load.workerTaken(engine::toNanos(now));
    job->prev = nullptr;
    job->next = instance.active;
    if (instance.active)
        instance.active->prev = job;
    instance.active = job;
    job->state = Job::State::Computing;
    const Tier& tier = *instance.tier;
    // The CPU work of this request: the same in every design that serves it (common random
    // numbers), not the next draw of whichever instance it reached.
    engine::RandomStream draws(engine::RandomStream::mix(job->drawKey, tier.drawSalt));
    double work = operationOf(tier, job).cpu.sample(draws);
    if (tier.kind == TierKind::Gateway) {
        work = m_gateway->withFilterCpu(work);
    } else if (forwardsCalls(tier.kind) && m_runtime.system.mesh.sidecar.mtls) {
        work += static_cast<double>(m_runtime.system.mesh.sidecar.mtlsRequestCpu.count());
    }
    if (instance.slowFactor != 1.0)
        work *= instance.slowFactor;
    job->work = engine::durationFromNanos(work);
    job->cpu = m_platform.compute(instance.node, job->work, [this, job] { onCpuDone(job); });
    if (job->rec) [[unlikely]]
        recordJobStage(job, HopKind::Cpu);
}

void InstanceServer::onCpuDone(Job* job)
{
    job->cpu = {};
    const Tier& tier = *job->instance->tier;
    if (job->rec) [[unlikely]]
        recordJobStageEnd(job, static_cast<std::uint64_t>(job->work.count()));
    if (tier.kind == TierKind::App && job->instance->addedLatency.count() == 0) {
        runJobProgram(job); // the common case: straight to the steps
        return;
    }
    if (tier.kind != TierKind::App) {
        // The gateway and the ingress are event-driven proxies (Envoy, nginx): a worker is a
        // thread that runs a request's CPU work; the request does not hold it while its
        // upstream calls run.
        freeWorker(*job->instance, job, m_platform.now());
    }
    if (tier.kind == TierKind::Gateway) {
        // What a proxy tier adds: its queueing and its CPU (its upstream calls excluded).
        m_sink.proxyPassed(
            ProxyKind::Gateway, job->arrivedAt, job->work, m_platform.now() - job->arrivedAt);
    }
    if (forwardsCalls(tier.kind)) {
        // The ingress and the waypoints are Envoys: an Envoy's latency after their CPU work.
        job->state = Job::State::Stalled;
        if (job->rec) [[unlikely]]
            recordJobStage(job, HopKind::Stall);
        job->stall = m_platform.schedule(tier.proxyLatency, [this, job] {
            m_sink.proxyPassed(job->instance->tier->kind == TierKind::Ingress ? ProxyKind::Ingress
                                                                              : ProxyKind::Waypoint,
                               job->arrivedAt,
                               job->work,
                               m_platform.now() - job->arrivedAt);
            onStallDone(job);
        });
        return;
    }
    if (job->instance->addedLatency.count() > 0) {
        job->state = Job::State::Stalled;
        if (job->rec) [[unlikely]]
            recordJobStage(job, HopKind::Stall);
        job->stall
            = m_platform.schedule(job->instance->addedLatency, [this, job] { onStallDone(job); });
        return;
    }
    onStallDone(job);
}

void InstanceServer::onStallDone(Job* job)
{
    job->stall = {};
    if (job->rec) [[unlikely]]
        recordJobStageEnd(job, 0);
    Instance& instance = *job->instance;
    if (instance.tier->kind == TierKind::Gateway) {
        // Kong's plugin order: authentication, rate limiting, then the cache, then the route.
        const GatewayFilters::Admission admission = m_gateway->admit(
            instance.index, instance.random, job->clientId, job->route, m_platform.now());
        if (admission.outcome != Outcome::Ok) {
            finishJob(job, admission.outcome, false, 0);
            return;
        }
        if (admission.delay.count() > 0) { // nginx limit_req delays excess requests
            job->state = Job::State::Stalled;
            if (job->rec) [[unlikely]]
                recordJobStage(job, HopKind::Stall);
            job->stall = m_platform.schedule(admission.delay, [this, job] { runJobProgram(job); });
            return;
        }
    }
    runJobProgram(job);
}

void InstanceServer::runJobProgram(Job* job)
{
    job->stall = {};
    if (job->rec) [[unlikely]]
        recordJobStageEnd(job, 0);
    job->state = Job::State::Calling;
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    switch (tier.kind) {
    case TierKind::App:
        m_programs.run(job, tier.operationPrograms[operationSlot(tier, job)]);
        return;
    case TierKind::Ingress:
        m_programs.run(job, tier.programs[job->exchange->call->forward]);
        return;
    case TierKind::Waypoint: {
        // The waypoint enforces the callee's authorization policies with the caller's identity
        // (the callee's ztunnel then lets the waypoint in: sidecar.cpp).
        const Call* call = job->exchange->call;
        const Tier* from = call->caller->tier;
        if (!authorized(m_runtime.system.mesh.authorization,
                        from && from->kind == TierKind::App ? std::optional(from->index)
                                                            : std::nullopt,
                        call->forward)) {
            finishJob(job, Outcome::Denied, false, 0);
            return;
        }
        m_programs.run(job, tier.programs[call->forward]);
        return;
    }
    case TierKind::Gateway: {
        if (m_gateway->caches(job->route)) {
            const bool hit
                = m_gateway->lookup(instance.index, job->route, job->key, m_platform.now());
            m_sink.cacheLookup(job->arrivedAt, hit);
            if (hit) {
                finishJob(job, Outcome::Ok, false, responseSizeOf(job));
                return;
            }
            job->cacheable = true;
        }
        const RouteRuntime& route = m_routes[job->route];
        std::size_t program = 0;
        if (route.config->kind == RouteConfig::Kind::Split)
            program = pickCumulative(
                route.splitCumulative,
                engine::RandomStream(engine::RandomStream::mix(job->drawKey, kSplitSalt))
                    .nextDouble());
        m_programs.run(job, route.programs[program]);
        return;
    }
    }
}

void InstanceServer::onStepsDone(Job* job)
{
    if (job->answered) { // killed, or timed out (gateway), while it waited for its calls
        collect(job);
        return;
    }
    if (job->failed) {
        finishJob(job, job->cause, true, 0);
        return;
    }
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    if (tier.kind != TierKind::App) {
        if (job->cacheable)
            m_gateway->store(instance.index, job->route, job->key, m_platform.now());
        finishJob(job, Outcome::Ok, false, responseSizeOf(job));
        return;
    }
    if (const std::optional<Distribution>& afterCpu = operationOf(tier, job).afterCpu) {
        job->state = Job::State::Finishing;
        engine::RandomStream draws(
            engine::RandomStream::mix(job->drawKey, tier.drawSalt ^ kAfterCpuSalt));
        const SimDuration after
            = engine::durationFromNanos(afterCpu->sample(draws) * instance.slowFactor);
        job->cpu = m_platform.compute(instance.node, after, [this, job, after] {
            job->work += after;
            onAfterCpuDone(job);
        });
        if (job->rec) [[unlikely]]
            recordJobStage(job, HopKind::Cpu);
        return;
    }
    answerJob(job);
}

void InstanceServer::onAfterCpuDone(Job* job)
{
    job->cpu = {};
    if (job->rec) [[unlikely]]
        recordJobStageEnd(job, static_cast<std::uint64_t>(job->work.count()));
    answerJob(job);
}

void InstanceServer::answerJob(Job* job)
{
    const Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    const OperationConfig& operation = operationOf(tier, job);
    const double errorRate = std::min(1.0, operation.errorRate + instance.faultErrorRate);
    const bool error = errorRate > 0.0
                       && engine::RandomStream(
                              engine::RandomStream::mix(job->drawKey, tier.drawSalt ^ kErrorSalt))
                              .bernoulli(errorRate);
    finishJob(job,
              error ? Outcome::ServerError : Outcome::Ok,
              false,
              error ? 0 : operation.responseBytes);
}

void InstanceServer::detachedDone(Task* task)
{
    Job* job = static_cast<Job*>(task);
    if (job->collectable)
        m_runtime.records.jobs.release(job);
}

void InstanceServer::collect(Job* job)
{
    if (job->detached > 0) {
        job->collectable = true;
        return;
    }
    m_runtime.records.jobs.release(job);
}

std::uint64_t InstanceServer::responseSizeOf(const Job* job) const
{
    // A proxy answers with what the services answered: the route's first target's size.
    const Tier& tier = *job->instance->tier;
    if (forwardsCalls(tier.kind))
        return m_tiers[job->exchange->call->forward]->operations[job->operation].responseBytes;
    const RouteConfig& route = *m_routes[job->route].config;
    if (route.targets.empty())
        return 0;
    const OperationIndex operation = route.operations.empty() ? 0 : route.operations.front();
    return m_tiers[route.targets.front()]->operations[operation].responseBytes;
}

void InstanceServer::onJobTimeout(Job* job)
{
    job->timeout = {};
    if (job->answered)
        return;
    if (job->state == Job::State::Queued) {
        // Still waiting for a worker: it leaves the queue without ever holding one.
        auto& queue = job->instance->queue;
        queue.erase(std::find(queue.begin(), queue.end(), job));
        job->workerFreed = true;
        if (gauging()) [[unlikely]]
            job->instance->load.dequeued(engine::toNanos(m_platform.now()));
    }
    // Calls already made keep running; a job waiting for them is answered now and released
    // when they are all back (onStepsDone).
    finishJob(job, Outcome::Timeout, false, 0);
}

void InstanceServer::finishJob(Job* job,
                               Outcome outcome,
                               bool dependencyFailure,
                               std::uint64_t bytes)
{
    Instance& instance = *job->instance;
    const Tier& tier = *instance.tier;
    const SimTime now = m_platform.now();
    if (job->timeout) {
        m_platform.cancel(job->timeout);
        job->timeout = {};
    }
    // The CPU work counts once it is done (a job answered during its CPU work did not use it).
    const bool computed = job->state != Job::State::Queued && job->state != Job::State::Computing;
    served(instance, job, outcome, dependencyFailure, computed ? job->work : SimDuration{0});
    if (job->trace && !job->trace->done)
        Tracer::closeSpan(job->trace, job->span, now, outcome, kFlagNone, 0);
    const bool stillCalling = job->state == Job::State::Calling && outcome == Outcome::Timeout
                              && !dependencyFailure && tier.kind == TierKind::Gateway;
    job->answered = true;
    job->exchange->passedOn = dependencyFailure;
    reply(instance, job->exchange, outcome, bytes);
    if (job->rec) [[unlikely]] // after the reply's hop has begun
        recordJobEnd(job, outcome, dependencyFailure);
    const Job::State state = job->state;
    if ((state == Job::State::Computing || state == Job::State::Finishing) && job->cpu) {
        m_platform.cancelCompute(job->cpu);
        job->cpu = {};
    }
    if (job->stall) {
        m_platform.cancel(job->stall);
        job->stall = {};
    }
    releaseWorker(instance, job, now);
    // A job answered before its calls came back is released when they are (onStepsDone).
    if (!stillCalling)
        collect(job);
}

void InstanceServer::releaseWorker(Instance& instance, Job* job, SimTime now)
{
    if (job->prev)
        job->prev->next = job->next;
    else if (instance.active == job)
        instance.active = job->next;
    if (job->next)
        job->next->prev = job->prev;
    job->prev = job->next = nullptr;
    freeWorker(instance, job, now);
}

void InstanceServer::freeWorker(Instance& instance, Job* job, SimTime now)
{
    if (job->workerFreed)
        return;
    job->workerFreed = true;
    --instance.busy;
    if (gauging()) [[unlikely]]
        instance.load.workersReleased(engine::toNanos(now));
    if (instance.alive && !instance.queue.empty()) {
        Job* nextJob = instance.queue.front();
        instance.queue.pop_front();
        if (gauging()) [[unlikely]]
            instance.load.dequeued(engine::toNanos(now));
        startJob(nextJob, now);
    }
}

void InstanceServer::reply(Instance& instance, Exchange* ex, Outcome outcome, std::uint64_t bytes)
{
    ex->outcome = outcome;
    ex->responseBytes = bytes;
    ex->replied = true;
    const engine::NodeId to = ex->call->caller->node;
    if (instance.tier->sidecars) {
        // app -> inbound sidecar (same node) -> network -> caller's proxy
        if (ex->call->rec) [[unlikely]]
            recordReplyTransfer(ex, false);
        m_platform.transfer(instance.node, instance.node, bytes, [this, ex, to] {
            if (ex->call->rec) [[unlikely]]
                recordReplyTransfer(ex, true);
            m_platform.transfer(hostOf(ex).node, to, ex->responseBytes, [ex] { answer(ex); });
        });
        return;
    }
    // The caller ends the transfer's hop when the answer is back.
    if (ex->call->rec) [[unlikely]]
        recordReplyTransfer(ex, true);
    m_platform.transfer(instance.node, to, bytes, [ex] { answer(ex); });
}

void InstanceServer::refuse(Exchange* ex)
{
    Instance& instance = hostOf(ex);
    rejected(instance, ex->call->operation, m_platform.now(), Outcome::ConnectionFailure);
    resetExchange(instance, ex, true);
}

void InstanceServer::served(
    Instance& instance, const Job* job, Outcome outcome, bool dependencyFailure, SimDuration cpu)
{
    const Tier& tier = *instance.tier;
    const SimDuration latency = m_platform.now() - job->arrivedAt;
    m_sink.instanceServed(
        tier.index, instance.index, job->arrivedAt, latency, outcome, dependencyFailure, cpu);
    if (!tier.config.operations.empty())
        m_sink.operationAnswered(
            tier.index, job->operation, job->arrivedAt, latency, outcome, dependencyFailure, true);
}

void InstanceServer::rejected(Instance& instance,
                              OperationIndex operation,
                              engine::SimTime at,
                              Outcome outcome)
{
    const Tier& tier = *instance.tier;
    m_sink.instanceRejected(tier.index, instance.index, at, outcome);
    if (!tier.config.operations.empty())
        m_sink.operationAnswered(tier.index, operation, at, SimDuration{0}, outcome, false, false);
}

void InstanceServer::resetExchange(Instance& instance, Exchange* ex, bool connectFailure)
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
        if (ex->call->rec) [[unlikely]]
            recordConnectTimeout(ex);
        m_platform.schedule(ex->call->upstream->connectTimeout, [ex] {
            ex->replied = true;
            answer(ex);
        });
        return;
    }
    ex->replied = true;
    if (ex->call->rec) [[unlikely]]
        recordReplyTransfer(ex, true);
    m_platform.transfer(instance.node, ex->call->caller->node, 0, [ex] { answer(ex); });
}

void InstanceServer::recordJobStart(Job* job)
{
    const Exchange* ex = job->exchange;
    const Place at = placeOf(*job->instance);
    const engine::SimTime now = m_platform.now();
    // The request has arrived: its transfer (or the sidecar's loopback) ends as the job begins
    // (in this order: a request is complete once none of its hops is under way).
    job->recHop = m_sink.startHop(job->rec, ex->recHop, HopKind::Job, now, at, at);
    m_sink.endHop(job->rec, job->exchange->recLeaf, now, Outcome::Ok, kFlagNone, job->requestBytes);
}

void InstanceServer::recordJobStage(Job* job, HopKind kind)
{
    const Place at = placeOf(*job->instance);
    m_sink.switchHop(job->rec, job->recLeaf, job->recHop, kind, m_platform.now(), at, at);
}

void InstanceServer::recordJobStageEnd(Job* job, std::uint64_t detail)
{
    m_sink.endHop(job->rec, job->recLeaf, m_platform.now(), Outcome::Ok, kFlagNone, detail);
}

void InstanceServer::recordJobEnd(Job* job, Outcome outcome, bool dependencyFailure)
{
    const engine::SimTime now = m_platform.now();
    m_sink.endHop(job->rec, job->recLeaf, now);
    m_sink.endHop(job->rec, job->recHop, now, outcome, kFlagNone, dependencyFailure ? 1 : 0);
}

void InstanceServer::recordReplyTransfer(Exchange* ex, bool toCaller)
{
    const Place host = placeOf(hostOf(ex));
    m_sink.switchHop(ex->call->rec,
                     ex->recLeaf,
                     ex->recHop,
                     HopKind::Transfer,
                     m_platform.now(),
                     toCaller ? placeOf(*ex->call->caller) : host,
                     host,
                     ex->responseBytes);
}

void InstanceServer::recordConnectTimeout(Exchange* ex)
{
    m_sink.switchHop(ex->call->rec,
                     ex->recLeaf,
                     ex->recHop,
                     HopKind::Connect,
                     m_platform.now(),
                     placeOf(hostOf(ex)),
                     placeOf(*ex->call->caller));
}

void InstanceServer::endJobHops(Job* job, Outcome outcome)
{
    if (job->rec)
        recordJobEnd(job, outcome, false);
}

void InstanceServer::resetAll(Instance& instance)
{
    const SimTime now = m_platform.now();
    if (gauging()) [[unlikely]] { // its queue empties and its workers stop, now
        instance.load.dequeued(engine::toNanos(now),
                               static_cast<std::uint32_t>(instance.queue.size()));
        instance.load.workersReleased(engine::toNanos(now), instance.busy);
    }
    // Queued requests: their connections are reset.
    while (!instance.queue.empty()) {
        Job* job = instance.queue.front();
        instance.queue.pop_front();
        rejected(instance, job->operation, job->arrivedAt, Outcome::ConnectionFailure);
        resetExchange(instance, job->exchange, false);
        endJobHops(job, Outcome::ConnectionFailure);
        m_runtime.records.jobs.release(job);
    }
    // Requests holding a worker: reset too. A job waiting for its calls lives on until they
    // return (their records must be collected), but it is already answered.
    while (instance.active) {
        Job* job = instance.active;
        instance.active = job->next;
        job->prev = job->next = nullptr;
        served(instance,
               job,
               Outcome::ConnectionFailure,
               false,
               job->state == Job::State::Computing ? SimDuration{0} : job->work);
        job->answered = true;
        resetExchange(instance, job->exchange, false);
        endJobHops(job, Outcome::ConnectionFailure);
        if (job->timeout) {
            m_platform.cancel(job->timeout);
            job->timeout = {};
        }
        switch (job->state) {
        case Job::State::Computing:
            m_platform.cancelCompute(job->cpu);
            m_runtime.records.jobs.release(job);
            break;
        case Job::State::Stalled:
            m_platform.cancel(job->stall);
            m_runtime.records.jobs.release(job);
            break;
        case Job::State::Finishing:
            m_platform.cancelCompute(job->cpu);
            collect(job);
            break;
        case Job::State::Calling:
            break; // released in onStepsDone
        case Job::State::Queued:
            MESHSIM_ASSERT(false, "queued jobs hold no worker");
        }
    }
    instance.busy = 0;
}

} // namespace meshsim::models
