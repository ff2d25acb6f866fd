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

} // namespace

std::vector<std::string> Cluster::componentNames(const Config& config)
{
    std::vector<std::string> names;
    for (const WorkloadConfig& w : config.workloads)
        names.push_back(w.name);
    for (const ServiceConfig& s : config.services)
        names.push_back(s.name);
    return names;
}

Cluster::Cluster(Config config, engine::Platform& platform, Metrics& metrics)
    : m_config(std::move(config))
    , m_platform(platform)
    , m_metrics(metrics)
{
    const auto workloadCount = static_cast<std::uint32_t>(m_config.workloads.size());

    for (ServiceIndex s = 0; s < m_config.services.size(); ++s) {
        auto runtime = std::make_unique<ServiceRuntime>();
        runtime->config = m_config.services[s];
        runtime->index = s;
        runtime->component = workloadCount + s;
        compileSteps(runtime->config.steps, runtime->program);
        MESHSIM_ASSERT(m_config.instanceNodes.size() == m_config.services.size(),
                       "every service has a placement");
        for (std::uint32_t r = 0; r < runtime->config.replicas; ++r) {
            auto instance = std::make_unique<Instance>();
            instance->service = runtime.get();
            instance->index = r;
            instance->node = m_config.instanceNodes[s][r];
            instance->random = engine::RandomStream(
                m_config.seed, "service/" + runtime->config.name + "/" + std::to_string(r));
            runtime->instances.push_back(std::move(instance));
        }
        m_services.push_back(std::move(runtime));
    }
    // Callers need every callee's instance count, so they are set up once all services exist.
    for (auto& runtime : m_services) {
        std::vector<ServiceIndex> callees;
        collectCallees(runtime->program, callees);
        for (auto& instance : runtime->instances)
            initCaller(
                instance->caller, instance->node, runtime->component, instance->random, callees);
    }

    for (const RouteConfig& route : m_config.routes) {
        RouteRuntime runtime;
        runtime.config = route;
        auto callStep = [](ServiceIndex target) {
            Step step;
            step.kind = Step::Kind::Call;
            step.service = target;
            step.requestBytes = kClientRequestSize; // the workload's request size
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
            for (const ServiceIndex t : route.targets)
                parallel.children.push_back(callStep(t));
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

    for (std::uint32_t w = 0; w < workloadCount; ++w) {
        auto runtime = std::make_unique<WorkloadRuntime>();
        runtime->config = m_config.workloads[w];
        runtime->component = w;
        runtime->random = engine::RandomStream(m_config.seed, "workload/" + runtime->config.name);
        std::vector<double> weights;
        std::vector<ServiceIndex> callees;
        for (const MixEntry& entry : runtime->config.mix) {
            weights.push_back(entry.weight);
            for (const Program& program : m_routes[entry.route].programs)
                collectCallees(program, callees);
        }
        runtime->mixCumulative = cumulative(weights);
        initCaller(runtime->caller, m_config.clientNode, w, runtime->random, callees);
        const SimDuration stop = runtime->config.stop.value_or(m_config.duration);
        runtime->stopAt = engine::kSimStart + std::min(stop, m_config.duration);
        m_workloads.push_back(std::move(runtime));
    }
}

Cluster::~Cluster() = default;

std::size_t Cluster::recordsInUse() const
{
    return m_calls.inUse() + m_frames.inUse() + m_jobs.inUse() + m_requests.inUse();
}

// --- building ------------------------------------------------------------------------------

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

void Cluster::initCaller(Caller& caller,
                         engine::NodeId node,
                         std::uint32_t component,
                         engine::RandomStream& random,
                         std::vector<ServiceIndex> callees)
{
    std::sort(callees.begin(), callees.end());
    callees.erase(std::unique(callees.begin(), callees.end()), callees.end());
    caller.node = node;
    caller.component = component;
    caller.random = &random;
    caller.callees = std::move(callees);
    caller.cursors.resize(caller.callees.size());
    caller.edges.resize(caller.callees.size());
    for (std::size_t i = 0; i < caller.callees.size(); ++i)
        caller.edges[i] = m_metrics.edgeIndex(component, m_services[caller.callees[i]]->component);
    // Each caller starts its rotation at a random instance, so callers do not march in step.
    for (std::size_t i = 0; i < caller.callees.size(); ++i)
        caller.cursors[i] = static_cast<std::uint32_t>(
            random.nextBelow(m_services[caller.callees[i]]->instances.size()));
}

// --- workloads -----------------------------------------------------------------------------

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
        // The first arrival is drawn like every other one, starting at the workload's start.
        m_platform.schedule(workload->config.start,
                            [this, workload] { scheduleNextArrival(*workload); });
    }
    for (const FaultConfig& fault : m_config.faults) {
        const FaultConfig* f = &fault;
        m_platform.schedule(fault.at, [this, f] { applyFault(*f); });
        if (fault.until)
            m_platform.schedule(*fault.until, [this, f] { revertFault(*f); });
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
            if (at(w.stepIndex) > t) { // before the first entry
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
    const RouteIndex route = w.config.mix[mixIndex].route;
    const RouteRuntime& routeRuntime = m_routes[route];

    Request* request = m_requests.acquire();
    request->kind = TaskKind::Request;
    request->caller = &w.caller;
    request->workload = &w;
    request->route = route;
    request->sentAt = m_platform.now();
    request->closedUser = closedUser;
    ++m_requestsStarted;
    m_metrics.recordSent(request->sentAt);
    if (routeRuntime.config.timeout) {
        request->timeout = m_platform.schedule(*routeRuntime.config.timeout,
                                               [this, request] { onRequestTimeout(request); });
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
        call->requestBytes = op.requestBytes != kClientRequestSize
                                 ? op.requestBytes
                                 : static_cast<Request*>(task)->workload->config.requestBytes;
        call->optional = op.optional;
        call->context = parent;
        sendCall(call);
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
    m_calls.release(call);
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
    if (job->answered) { // its instance was killed while it waited for its calls
        m_jobs.release(job);
        return;
    }
    if (failed) {
        finishJob(job, cause, true);
        return;
    }
    Instance& instance = *job->instance;
    const ServiceRuntime& service = *instance.service;
    const double errorRate = std::min(1.0, service.config.errorRate + service.faultErrorRate);
    const bool error = errorRate > 0.0 && instance.random.bernoulli(errorRate);
    finishJob(job, error ? Outcome::ServerError : Outcome::Ok, false);
}

// --- calls and instances -------------------------------------------------------------------

void Cluster::pickInstance(Call* call)
{
    Caller& caller = *call->caller;
    const auto it = std::lower_bound(caller.callees.begin(), caller.callees.end(), call->target);
    MESHSIM_ASSERT(it != caller.callees.end() && *it == call->target, "callers know their callees");
    const auto position = static_cast<std::size_t>(it - caller.callees.begin());
    std::uint32_t& cursor = caller.cursors[position];
    const auto replicas = static_cast<std::uint32_t>(m_services[call->target]->instances.size());
    const std::uint32_t pick = cursor % replicas;
    cursor = pick + 1 == replicas ? 0 : pick + 1;
    call->instance = pick;
    call->edge = caller.edges[position];
}

void Cluster::sendCall(Call* call)
{
    pickInstance(call);
    call->sentAt = m_platform.now();
    const Instance& instance = *m_services[call->target]->instances[call->instance];
    m_platform.transfer(call->caller->node, instance.node, call->requestBytes, [this, call] {
        onCallArrived(call);
    });
}

void Cluster::onCallArrived(Call* call)
{
    Instance& instance = *m_services[call->target]->instances[call->instance];
    const ServiceRuntime& service = *instance.service;
    const SimTime now = m_platform.now();
    m_metrics.recordArrival(
        service.index, instance.index, now, static_cast<std::uint32_t>(instance.queue.size()));
    if (!instance.alive) {
        refuse(instance, call);
        return;
    }
    const bool workerFree = instance.busy < service.config.workers;
    if (!workerFree && instance.queue.size() >= service.config.queue) {
        m_metrics.recordRejected(service.index, instance.index, now, Outcome::QueueFull);
        reply(instance, call, Outcome::QueueFull, 0);
        return;
    }
    Job* job = m_jobs.acquire();
    job->kind = TaskKind::Job;
    job->caller = &instance.caller;
    job->call = call;
    job->instance = &instance;
    job->arrivedAt = now;
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
    const ServiceRuntime& service = *instance.service;
    double work = service.config.cpu.sample(instance.random);
    if (service.slowFactor != 1.0)
        work *= service.slowFactor;
    job->cpu = m_platform.compute(
        instance.node, engine::durationFromNanos(work), [this, job] { onCpuDone(job); });
}

void Cluster::onCpuDone(Job* job)
{
    job->cpu = {};
    const ServiceRuntime& service = *job->instance->service;
    if (service.addedLatency.count() > 0) {
        job->state = Job::State::Stalled;
        job->stall = m_platform.schedule(service.addedLatency, [this, job] { onStallDone(job); });
        return;
    }
    onStallDone(job);
}

void Cluster::onStallDone(Job* job)
{
    job->stall = {};
    job->state = Job::State::Calling;
    runProgram(job, job->instance->service->program);
}

void Cluster::finishJob(Job* job, Outcome outcome, bool dependencyFailure)
{
    Instance& instance = *job->instance;
    const ServiceRuntime& service = *instance.service;
    const SimTime now = m_platform.now();
    m_metrics.recordServiceResponse(service.index,
                                    instance.index,
                                    job->arrivedAt,
                                    now - job->arrivedAt,
                                    outcome,
                                    dependencyFailure);
    job->answered = true;
    reply(instance, job->call, outcome, outcome == Outcome::Ok ? service.config.responseBytes : 0);
    releaseWorker(instance, job);
    m_jobs.release(job);
}

void Cluster::releaseWorker(Instance& instance, Job* job)
{
    if (job->prev)
        job->prev->next = job->next;
    else
        instance.active = job->next;
    if (job->next)
        job->next->prev = job->prev;
    job->prev = job->next = nullptr;
    --instance.busy;
    if (instance.alive && !instance.queue.empty()) {
        Job* nextJob = instance.queue.front();
        instance.queue.pop_front();
        startJob(nextJob);
    }
}

void Cluster::reply(Instance& instance, Call* call, Outcome outcome, std::uint64_t bytes)
{
    call->outcome = outcome;
    m_platform.transfer(
        instance.node, call->caller->node, bytes, [this, call] { onCallReturned(call); });
}

void Cluster::refuse(Instance& instance, Call* call)
{
    const ServiceRuntime& service = *instance.service;
    m_metrics.recordRejected(
        service.index, instance.index, m_platform.now(), Outcome::ConnectionFailure);
    resetCall(instance, call);
}

void Cluster::resetCall(Instance& instance, Call* call)
{
    if (instance.nodeDown) {
        // Nothing answers on a node that is down: the caller's connection attempt times out.
        call->outcome = Outcome::ConnectionFailure;
        m_platform.schedule(m_config.connectTimeout, [this, call] { onCallReturned(call); });
        return;
    }
    reply(instance, call, Outcome::ConnectionFailure, 0);
}

void Cluster::onCallReturned(Call* call)
{
    m_metrics.recordCall(call->edge, call->sentAt, call->outcome);
    onStepCallDone(call);
}

// --- faults --------------------------------------------------------------------------------

void Cluster::applyFault(const FaultConfig& fault)
{
    switch (fault.kind) {
    case FaultConfig::Kind::Kill:
        for (const std::uint32_t i : fault.instances)
            killInstance(*m_services[fault.service]->instances[i], false);
        break;
    case FaultConfig::Kind::NodeDown:
        for (auto& service : m_services) {
            for (auto& instance : service->instances) {
                if (instance->node == fault.node)
                    killInstance(*instance, true);
            }
        }
        break;
    case FaultConfig::Kind::Slow:
        m_services[fault.service]->slowFactor = fault.factor;
        m_services[fault.service]->addedLatency = fault.addedLatency;
        break;
    case FaultConfig::Kind::Errors:
        m_services[fault.service]->faultErrorRate = fault.errorRate;
        break;
    case FaultConfig::Kind::Partition:
    case FaultConfig::Kind::Degrade:
        break; // not simulated yet; the run reports it (engine/run)
    }
}

void Cluster::revertFault(const FaultConfig& fault)
{
    switch (fault.kind) {
    case FaultConfig::Kind::Kill:
        for (const std::uint32_t i : fault.instances)
            restoreInstance(*m_services[fault.service]->instances[i]);
        break;
    case FaultConfig::Kind::NodeDown:
        for (auto& service : m_services) {
            for (auto& instance : service->instances) {
                if (instance->node == fault.node)
                    restoreInstance(*instance);
            }
        }
        break;
    case FaultConfig::Kind::Slow:
        m_services[fault.service]->slowFactor = 1.0;
        m_services[fault.service]->addedLatency = SimDuration{0};
        break;
    case FaultConfig::Kind::Errors:
        m_services[fault.service]->faultErrorRate = 0.0;
        break;
    case FaultConfig::Kind::Partition:
    case FaultConfig::Kind::Degrade:
        break;
    }
}

void Cluster::killInstance(Instance& instance, bool nodeDown)
{
    if (!instance.alive)
        return;
    instance.alive = false;
    instance.nodeDown = nodeDown;
    const ServiceRuntime& service = *instance.service;
    const SimTime now = m_platform.now();
    // Queued requests: their connections are reset.
    while (!instance.queue.empty()) {
        Job* job = instance.queue.front();
        instance.queue.pop_front();
        m_metrics.recordRejected(
            service.index, instance.index, job->arrivedAt, Outcome::ConnectionFailure);
        resetCall(instance, job->call);
        m_jobs.release(job);
    }
    // Requests holding a worker: reset too. A job waiting for its calls lives on until they
    // return (their records must be collected), but it is already answered.
    while (instance.active) {
        Job* job = instance.active;
        instance.active = job->next;
        job->prev = job->next = nullptr;
        m_metrics.recordServiceResponse(service.index,
                                        instance.index,
                                        job->arrivedAt,
                                        now - job->arrivedAt,
                                        Outcome::ConnectionFailure,
                                        false);
        job->answered = true;
        resetCall(instance, job->call);
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
    instance.alive = true;
    instance.nodeDown = false;
}

} // namespace meshsim::models
