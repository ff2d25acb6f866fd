#include "models/workload.h"

#include "engine/core/assert.h"
#include "engine/core/distribution.h"
#include "models/internal/runtime.h"
#include "models/program_runner.h"
#include "models/weighted_choice.h"

namespace meshsim::models {

using engine::SimTime;

WorkloadDriver::WorkloadDriver(Runtime& runtime,
                               ProgramRunner& programs,
                               const std::vector<RouteRuntime>& routes,
                               const Program* toGateway,
                               std::vector<std::unique_ptr<WorkloadRuntime>>& workloads)
    : m_runtime(runtime)
    , m_platform(runtime.platform)
    , m_sink(runtime.sink)
    , m_programs(programs)
    , m_routes(routes)
    , m_toGateway(toGateway)
    , m_workloads(workloads)
{}

void WorkloadDriver::start()
{
    for (auto& w : m_workloads) {
        WorkloadRuntime* workload = w.get();
        const ArrivalConfig& arrival = workload->config->arrival;
        if (arrival.process == ArrivalConfig::Process::Closed) {
            m_platform.schedule(workload->config->start, [this, workload] {
                for (std::uint32_t u = 0; u < workload->config->arrival.users; ++u)
                    startUser(*workload);
            });
            continue;
        }
        workload->onUntil = engine::kSimStart + workload->config->start
                            + arrival.on.sampleDuration(workload->random);
        m_platform.schedule(workload->config->start,
                            [this, workload] { scheduleNextArrival(*workload); });
    }
}

void WorkloadDriver::scheduleNextArrival(WorkloadRuntime& w)
{
    const ArrivalConfig& arrival = w.config->arrival;
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

void WorkloadDriver::onArrival(WorkloadRuntime& w)
{
    sendRequest(w, false);
    scheduleNextArrival(w);
}

void WorkloadDriver::startUser(WorkloadRuntime& w)
{
    // A closed-loop user: think, send, wait for the answer (or its timeout), think again.
    const SimDuration think = w.config->arrival.think.sampleDuration(w.random);
    if (m_platform.now() + think >= w.stopAt)
        return;
    WorkloadRuntime* workload = &w;
    m_platform.schedule(think, [this, workload] { sendRequest(*workload, true); });
}

void WorkloadDriver::sendRequest(WorkloadRuntime& w, bool closedUser)
{
    const std::size_t mixIndex = pickCumulative(w.mixCumulative, w.random.nextDouble());
    const MixEntry& entry = w.config->mix[mixIndex];
    const RouteIndex route = entry.route;
    const RouteRuntime& routeRuntime = m_routes[route];

    Request* request = m_runtime.records.requests.acquire();
    request->caller = &w.caller;
    request->workload = &w;
    request->route = route;
    request->headerSet = entry.headerSet;
    request->requestBytes = w.config->requestBytes;
    request->sentAt = m_platform.now();
    request->closedUser = closedUser;
    request->owner = this;
    request->clientId
        = w.firstClient + static_cast<std::uint32_t>(w.random.nextBelow(w.config->clients));
    if (w.keys[mixIndex])
        request->key = w.keys[mixIndex]->sample(w.random);
    const std::uint64_t id = m_started + 1; // request ids count from 1
    request->trace = m_runtime.tracer.maybeTrace(route, id, request->sentAt);
    if (request->trace)
        request->span = m_runtime.tracer.openSpan(
            request->trace, -1, "client " + routeRuntime.config->name(), request->sentAt);
    ++m_started;
    m_sink.requestSent(request->sentAt);
    request->rec = m_sink.recordRequest(id, route, placeOf(w.caller), request->sentAt);
    // The n-th request of a workload has the same draws in every design (records.h).
    request->drawKey = engine::RandomStream::mix(w.drawSalt, ++w.sent);
    request->forwards = false;
    request->recHop = 0; // a recorded request is hop 0 of its recording
    // The route timeout is the client's in direct and mesh architectures; a gateway enforces
    // it itself (it answers 504).
    if (routeRuntime.config->timeout && !m_toGateway) {
        request->timeout = m_platform.schedule(*routeRuntime.config->timeout,
                                               [this, request] { onRequestTimeout(request); });
    }
    if (m_toGateway) {
        m_programs.run(request, *m_toGateway);
        return;
    }
    std::size_t program = 0;
    if (routeRuntime.config->kind == RouteConfig::Kind::Split)
        program = pickCumulative(
            routeRuntime.splitCumulative,
            engine::RandomStream(engine::RandomStream::mix(request->drawKey, kSplitSalt))
                .nextDouble());
    m_programs.run(request, routeRuntime.programs[program]);
}

void WorkloadDriver::onRequestTimeout(Request* request)
{
    request->timeout = {};
    answerRequest(request, Outcome::Timeout);
}

void WorkloadDriver::onStepsDone(Request* request)
{
    answerRequest(request, request->failed ? request->cause : Outcome::Ok);
    m_runtime.records.requests.release(request);
}

void WorkloadDriver::answerRequest(Request* request, Outcome outcome)
{
    if (request->answered)
        return;
    request->answered = true;
    ++m_answered;
    if (request->timeout) {
        m_platform.cancel(request->timeout);
        request->timeout = {};
    }
    const SimTime now = m_platform.now();
    m_sink.requestAnswered(request->route, request->sentAt, now - request->sentAt, outcome);
    std::int32_t root = 0;
    m_sink.endHop(request->rec, root, now, outcome);
    if (request->trace) {
        Tracer::closeSpan(request->trace, request->span, now, outcome, kFlagNone, 0);
        m_sink.traceFinished(
            Tracer::finish(request->trace, m_routes[request->route].config->name()));
    }
    if (request->closedUser)
        startUser(*request->workload);
}

} // namespace meshsim::models
