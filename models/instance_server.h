#pragma once

// InstanceServer: the instances of every tier serving the tries that reach them — the queue, the
// workers and the CPU, then the tier's program, then the response.
//
//   arrival ─► queue (FIFO, at most `queue`, else 503) ─► worker ─► CPU ─► [stall] ─► program ─►
//   reply
//
// * A service holds its worker from the start of its CPU work until its response leaves, its
//   calls included (thread-per-request). The gateway and the ingress are event-driven proxies:
//   a request holds a worker only for its CPU work.
// * A service's program is its steps, then its CPU work after them (if any); then it answers 500
//   with its error rate (plus an `errors` fault). Its async calls outlive the job's answer: the
//   job is collected when they are back. The gateway runs its filters (GatewayFilters), then the
//   route's composition, within the route's timeout (504); the ingress forwards, with an Envoy's
//   latency.
// * A dead instance refuses connections; on a node that is down nothing answers (the caller's
//   connect timeout).
// The answer goes back over the network (and the inbound sidecar's loopback) to the caller, whose
// AnswerSink hears it. Not thread-safe.

#include "models/endpoint.h"
#include "models/internal/components.h"
#include "models/internal/records.h"
#include "models/internal/runtime.h"
#include "models/sim_events.h"

#include <memory>
#include <vector>

namespace meshsim::models {

class GatewayFilters;
class ProgramRunner;
struct Runtime;
struct RouteRuntime;
struct Tier;

class InstanceServer final : public Endpoint, public TaskOwner
{
public:
    InstanceServer(Runtime& runtime,
                   ProgramRunner& programs,
                   const std::vector<std::unique_ptr<Tier>>& tiers,
                   const std::vector<RouteRuntime>& routes,
                   GatewayFilters* gateway);

    void receive(Exchange* ex) override;
    void refuse(Exchange* ex) override;
    void stepsDone(Task* task) override { onStepsDone(static_cast<Job*>(task)); }
    void detachedDone(Task* task) override;

    // The instance has died (killed, or its node went down): its queued and running requests
    // are reset. A request waiting for its calls is answered now and collected when they are back.
    void resetAll(Instance& instance);

private:
    void startJob(Job* job, engine::SimTime now);
    void onCpuDone(Job* job);
    void onStallDone(Job* job);
    void runJobProgram(Job* job);
    void onStepsDone(Job* job);
    void onAfterCpuDone(Job* job);
    // A service's answer once its steps (and its CPU work after them) succeeded: 500 with its
    // error rate, else its response.
    void answerJob(Job* job);
    // Releases a job that is done with, or leaves it to its last detached call.
    void collect(Job* job);
    void onJobTimeout(Job* job);
    void finishJob(Job* job, Outcome outcome, bool dependencyFailure, std::uint64_t bytes);
    [[gnu::always_inline]] inline void
    releaseWorker(Instance& instance, Job* job, engine::SimTime now);
    void freeWorker(Instance& instance, Job* job, engine::SimTime now);
    // The statistics of a request the instance answered, or turned away: its service's and its
    // operation's.
    void served(Instance& instance,
                const Job* job,
                Outcome outcome,
                bool dependencyFailure,
                SimDuration cpu);
    void
    rejected(Instance& instance, OperationIndex operation, engine::SimTime at, Outcome outcome);
    void reply(Instance& instance, Exchange* ex, Outcome outcome, std::uint64_t bytes);
    void resetExchange(Instance& instance, Exchange* ex, bool connectFailure);
    // The recording: the instance's load, and the hops of recorded requests.
    // The load gauge of a recorded run (models/internal/components.h): what changed, when.
    bool gauging() const { return m_sink.recording(); }
    void endJobHops(Job* job, Outcome outcome);
    [[gnu::cold]] void recordJobStart(Job* job);
    // Ends the job's hop under way and starts one of `kind` in its place.
    [[gnu::cold]] void recordJobStage(Job* job, HopKind kind);
    [[gnu::cold]] void recordJobStageEnd(Job* job, std::uint64_t detail);
    [[gnu::cold]] void recordJobEnd(Job* job, Outcome outcome, bool dependencyFailure);
    // The answer leaves: to the inbound sidecar (loopback) or to the caller.
    [[gnu::cold]] void recordReplyTransfer(Exchange* ex, bool toCaller);
    [[gnu::cold]] void recordConnectTimeout(Exchange* ex);
    std::uint64_t responseSizeOf(const Job* job) const;

    Runtime& m_runtime;
    engine::Platform& m_platform; // = m_runtime.platform, one load less on the hot path
    EventSinks& m_sink;           // = m_runtime.sink
    ProgramRunner& m_programs;
    const std::vector<std::unique_ptr<Tier>>& m_tiers;
    const std::vector<RouteRuntime>& m_routes;
    GatewayFilters* m_gateway; // gateway architectures
};

} // namespace meshsim::models
