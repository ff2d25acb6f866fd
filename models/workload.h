#pragma once

// The clients: each workload sends requests by its arrival process (Poisson, constant, on/off,
// rate steps, or closed-loop users with think time), picks each request's route from its mix
// (and a key by Zipf popularity), runs the route as the client does in its architecture (the
// composition in direct and mesh, one call to the gateway with one), and waits for the answer
// within the route's timeout. Arrivals stop at the workload's stop (at most the run's duration).
// Not thread-safe.

#include "engine/core/random.h"
#include "models/internal/components.h"
#include "models/response_cache.h"
#include "models/upstream.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace meshsim::models {

class ProgramRunner;
struct Runtime;

struct WorkloadRuntime
{
    const WorkloadConfig* config = nullptr;
    std::uint32_t component = 0;
    engine::RandomStream random{0};
    Caller caller;
    std::vector<double> mixCumulative;
    std::vector<std::unique_ptr<ZipfSampler>> keys; // per mix entry (or null)
    std::uint32_t firstClient = 0;                  // client ids are unique across workloads
    engine::SimTime stopAt;
    engine::SimTime onUntil;
    std::size_t stepIndex = 0;
    std::uint64_t drawSalt = 0; // the root of its requests' draw keys (from the seed and its name)
    std::uint64_t sent = 0;     // requests sent: the n-th has the key mix(drawSalt, n)
};

class WorkloadDriver final : public TaskOwner
{
public:
    // `toGateway`: the program of a client of a gateway architecture (null without a gateway).
    WorkloadDriver(Runtime& runtime,
                   ProgramRunner& programs,
                   const std::vector<RouteRuntime>& routes,
                   const Program* toGateway,
                   std::vector<std::unique_ptr<WorkloadRuntime>>& workloads);

    // Schedules every workload's first arrival (or its users).
    void start();
    void stepsDone(Task* task) override { onStepsDone(static_cast<Request*>(task)); }

    std::uint64_t requestsStarted() const { return m_started; }
    std::uint64_t requestsAnswered() const { return m_answered; }

private:
    void scheduleNextArrival(WorkloadRuntime& w);
    void onArrival(WorkloadRuntime& w);
    void startUser(WorkloadRuntime& w);
    void sendRequest(WorkloadRuntime& w, bool closedUser);
    void onRequestTimeout(Request* request);
    void onStepsDone(Request* request);
    void answerRequest(Request* request, Outcome outcome);

    Runtime& m_runtime;
    engine::Platform& m_platform; // = m_runtime.platform, one load less on the hot path
    EventSinks& m_sink;           // = m_runtime.sink
    ProgramRunner& m_programs;
    const std::vector<RouteRuntime>& m_routes;
    const Program* m_toGateway;
    std::vector<std::unique_ptr<WorkloadRuntime>>& m_workloads;
    std::uint64_t m_started = 0;
    std::uint64_t m_answered = 0;
};

} // namespace meshsim::models
