#pragma once

// EventSinks: where the models report (models/sim_events.h) — the run's Metrics, always, and its
// Recorder, when the run records. Both are SimEventSinks; both are final and called directly
// (every event of a run goes through here: no virtual call). Hops are reported only for requests
// the recorder chose (a non-zero handle), so hops cost nothing without a recorder.

#include "models/metrics.h"
#include "models/recorder.h"
#include "models/sim_events.h"

namespace meshsim::models {

class EventSinks
{
public:
    EventSinks(Metrics& metrics, Recorder* recorder)
        : m_metrics(metrics)
        , m_recorder(recorder)
    {}

    Metrics& metrics() { return m_metrics; }
    bool recording() const { return m_recorder != nullptr; }

    void requestSent(engine::SimTime at)
    {
        m_metrics.requestSent(at);
        if (m_recorder)
            m_recorder->requestSent(at);
    }
    void requestAnswered(std::uint32_t route,
                         engine::SimTime sentAt,
                         engine::SimDuration latency,
                         Outcome outcome)
    {
        m_metrics.requestAnswered(route, sentAt, latency, outcome);
        if (m_recorder)
            m_recorder->requestAnswered(route, sentAt, latency, outcome);
    }
    void instanceArrival(std::uint32_t tier,
                         std::uint32_t instance,
                         engine::SimTime at,
                         std::uint32_t queueLength)
    {
        // A recorder reads arrivals from the instances' load (SimEventSink, LoadSource).
        m_metrics.instanceArrival(tier, instance, at, queueLength);
    }
    void instanceRejected(std::uint32_t tier, std::uint32_t instance, engine::SimTime at, Outcome o)
    {
        m_metrics.instanceRejected(tier, instance, at, o);
        if (m_recorder)
            m_recorder->instanceRejected(tier, instance, at, o);
    }
    void operationAnswered(std::uint32_t tier,
                           OperationIndex operation,
                           engine::SimTime arrivedAt,
                           engine::SimDuration latency,
                           Outcome outcome,
                           bool dependencyFailure,
                           bool served)
    {
        m_metrics.operationAnswered(
            tier, operation, arrivedAt, latency, outcome, dependencyFailure, served);
        if (m_recorder)
            m_recorder->operationAnswered(tier, operation, arrivedAt, latency, outcome, served);
    }
    void instanceServed(std::uint32_t tier,
                        std::uint32_t instance,
                        engine::SimTime arrivedAt,
                        engine::SimDuration latency,
                        Outcome outcome,
                        bool dependencyFailure,
                        engine::SimDuration cpu)
    {
        m_metrics.instanceServed(
            tier, instance, arrivedAt, latency, outcome, dependencyFailure, cpu);
        if (m_recorder)
            m_recorder->instanceServed(
                tier, instance, arrivedAt, latency, outcome, dependencyFailure, cpu);
    }
    void callEnded(std::uint32_t edge,
                   engine::SimTime sentAt,
                   engine::SimDuration latency,
                   Outcome outcome,
                   std::uint16_t flags,
                   std::uint32_t attempts)
    {
        m_metrics.callEnded(edge, sentAt, outcome, flags, attempts);
        m_metrics.callLatency(edge, sentAt, latency);
        if (m_recorder)
            m_recorder->callEnded(edge, sentAt, outcome, flags, attempts);
    }
    void proxyPassed(ProxyKind kind,
                     engine::SimTime entered,
                     engine::SimDuration cpu,
                     engine::SimDuration added)
    {
        m_metrics.proxyPassed(kind, entered, cpu, added);
        if (m_recorder)
            m_recorder->proxyPassed(kind, entered, cpu, added);
    }
    void cacheLookup(engine::SimTime at, bool hit)
    {
        m_metrics.cacheLookup(at, hit);
        if (m_recorder)
            m_recorder->cacheLookup(at, hit);
    }
    void stateChanged(const StateChange& change)
    {
        m_metrics.stateChanged(change);
        if (m_recorder)
            m_recorder->stateChanged(change);
    }
    void traceFinished(TraceRecord trace)
    {
        if (m_recorder)
            m_recorder->traceFinished(trace);
        m_metrics.traceFinished(std::move(trace));
    }

    // --- the recorder's alone ----------------------------------------------------------------
    std::uint32_t recordRequest(std::uint64_t request,
                                std::uint32_t route,
                                const Place& client,
                                engine::SimTime at)
    {
        return m_recorder ? m_recorder->recordRequest(request, route, client, at) : 0;
    }
    // A hop of recorded request `handle` (0: not recorded, nothing happens); -1 when not recorded.
    std::int32_t startHop(std::uint32_t handle,
                          std::int32_t parent,
                          HopKind kind,
                          engine::SimTime at,
                          const Place& where,
                          const Place& from)
    {
        return handle ? m_recorder->hopStarted(handle, parent, kind, at, where, from) : -1;
    }
    // Ends hop `leaf` if there is one and starts one of `kind` in its place: the stages of a call,
    // a try or a job follow each other. Only for a non-zero handle.
    void switchHop(std::uint32_t handle,
                   std::int32_t& leaf,
                   std::int32_t parent,
                   HopKind kind,
                   engine::SimTime at,
                   const Place& where,
                   const Place& from,
                   std::uint64_t endedDetail = 0)
    {
        // The next hop begins before the last ends: a request is complete once none of its hops
        // is under way, which must not happen in between.
        const std::int32_t next = m_recorder->hopStarted(handle, parent, kind, at, where, from);
        if (leaf >= 0)
            m_recorder->hopEnded(handle, leaf, at, Outcome::Ok, kFlagNone, endedDetail);
        leaf = next;
    }
    // Ends hop `hop` if there is one, and forgets it.
    void endHop(std::uint32_t handle,
                std::int32_t& hop,
                engine::SimTime at,
                Outcome outcome = Outcome::Ok,
                std::uint16_t flags = kFlagNone,
                std::uint64_t detail = 0)
    {
        if (handle && hop >= 0) {
            m_recorder->hopEnded(handle, hop, at, outcome, flags, detail);
            hop = -1;
        }
    }
    // Only for a non-zero handle (which only a recorder hands out).
    std::int32_t hopStarted(std::uint32_t handle,
                            std::int32_t parent,
                            HopKind kind,
                            engine::SimTime at,
                            const Place& where,
                            const Place& from)
    {
        return m_recorder->hopStarted(handle, parent, kind, at, where, from);
    }
    void hopEnded(std::uint32_t handle,
                  std::int32_t hop,
                  engine::SimTime at,
                  Outcome outcome = Outcome::Ok,
                  std::uint16_t flags = kFlagNone,
                  std::uint64_t detail = 0)
    {
        m_recorder->hopEnded(handle, hop, at, outcome, flags, detail);
    }

private:
    Metrics& m_metrics;
    Recorder* m_recorder;
};

} // namespace meshsim::models
