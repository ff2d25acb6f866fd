#pragma once

// Cluster: the simulated system of an `architecture: direct` scenario, running on a Platform.
//
// It owns the runtime state of every service instance, workload and route, and moves requests
// through them:
//
//   client --transfer--> instance: queue -> worker -> CPU work -> steps (calls) -> response
//
// * A service instance serves `workers` requests at once; the others wait in a FIFO queue of
//   at most `queue` requests; beyond that it answers 503 at once (outcome queue_full). A
//   request holds its worker from the start of its CPU work until its response leaves, calls
//   to other services included (thread-per-request servers).
// * After its CPU work a request runs its service's steps: calls in sequence, `parallel` groups
//   (wait for all), calls made with a probability, `optional` calls whose failure is ignored.
//   A failed call fails the step list (remaining sequential steps are skipped) and the request
//   answers with the failure's cause (counted as a dependency failure of the service).
// * Callers pick a callee instance round robin, each caller with its own cursor started at a
//   random offset (as every Envoy worker does); a killed instance still gets picked and refuses
//   the connection (503, connection_failure), since there is no health checking in `direct`.
// * Clients compose routes themselves: `aggregate` calls every target in parallel, `sequence`
//   one after another, `split` picks one target by weight. A route `timeout` makes the client
//   give up (504); the calls it made still run to completion.
//
// Every callback captures a pointer to a pooled record, so a run allocates in proportion to the
// requests in flight. Not thread-safe.

#include "engine/core/platform.h"
#include "engine/core/random.h"
#include "models/config.h"
#include "models/metrics.h"
#include "models/object_pool.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace meshsim::models {

class Cluster
{
public:
    struct Config
    {
        std::vector<ServiceConfig> services;
        std::vector<RouteConfig> routes;
        std::vector<WorkloadConfig> workloads;
        std::vector<FaultConfig> faults;
        std::vector<std::vector<engine::NodeId>> instanceNodes; // per service, per replica
        engine::NodeId clientNode = 0;
        std::uint64_t seed = 1;
        SimDuration duration{0}; // arrivals stop here
        SimDuration connectTimeout{5'000'000'000};
    };

    Cluster(Config config, engine::Platform& platform, Metrics& metrics);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    // Schedules the first arrivals of every workload and the fault timeline.
    void start();

    // Names of the metric components: workloads first, then services (Metrics::Layout).
    static std::vector<std::string> componentNames(const Config& config);

    std::uint64_t requestsStarted() const { return m_requestsStarted; }
    std::uint64_t requestsAnswered() const { return m_requestsAnswered; }
    // Client requests sent but not answered (yet): the ones still in flight when a run stops.
    std::uint64_t requestsUnanswered() const { return m_requestsStarted - m_requestsAnswered; }
    // Records in use, for memory accounting.
    std::size_t recordsInUse() const;

private:
    struct StepOp
    {
        Step::Kind kind = Step::Kind::Sequence;
        ServiceIndex service = 0;
        double probability = 1.0;
        std::uint64_t requestBytes = 0;
        bool optional = false;
        std::uint32_t firstChild = 0;
        std::uint32_t childCount = 0;
    };
    // StepOp::requestBytes of the calls a client makes for a route: use the workload's size.
    static constexpr std::uint64_t kClientRequestSize = ~std::uint64_t{0};

    struct Program
    {
        std::vector<StepOp> ops; // ops[0] is the root sequence; children are contiguous
    };

    // Whoever makes calls: a service instance or a workload's clients.
    struct Caller
    {
        engine::NodeId node = 0;
        std::uint32_t component = 0;
        engine::RandomStream* random = nullptr;
        std::vector<ServiceIndex> callees;  // sorted
        std::vector<std::uint32_t> cursors; // round-robin position per callee
        std::vector<std::uint32_t> edges;   // metrics edge per callee
    };

    struct Call
    {
        ServiceIndex target = 0;
        std::uint32_t instance = 0;
        std::uint32_t edge = 0; // metrics edge (caller -> target)
        Caller* caller = nullptr;
        std::uint64_t requestBytes = 0;
        engine::SimTime sentAt;
        Outcome outcome = Outcome::Ok;
        bool optional = false;
        void* context = nullptr; // the frame waiting for it
    };

    enum class TaskKind : std::uint8_t { Job, Request };
    struct Task
    {
        TaskKind kind = TaskKind::Job;
        Caller* caller = nullptr;
    };

    struct Frame
    {
        Task* task = nullptr;
        const Program* program = nullptr;
        std::uint32_t op = 0;
        Frame* parent = nullptr;
        std::uint32_t next = 0;      // sequence: next child to start
        std::uint32_t remaining = 0; // parallel: children still running
        bool failed = false;
        Outcome cause = Outcome::Ok;
    };

    struct Instance;
    struct Job : Task
    {
        enum class State : std::uint8_t { Queued, Computing, Stalled, Calling };
        Call* call = nullptr;
        Instance* instance = nullptr;
        engine::SimTime arrivedAt;
        engine::ActivityId cpu;
        engine::TimerId stall;
        State state = State::Queued;
        bool answered = false; // a response (or reset) has been sent for it
        Job* prev = nullptr;   // the instance's list of jobs holding a worker
        Job* next = nullptr;
    };

    struct ServiceRuntime;
    struct Instance
    {
        ServiceRuntime* service = nullptr;
        std::uint32_t index = 0;
        engine::NodeId node = 0;
        bool alive = true;
        bool nodeDown = false;
        std::uint32_t busy = 0;
        std::deque<Job*> queue;
        Job* active = nullptr; // head of the jobs holding a worker
        engine::RandomStream random{0};
        Caller caller;
    };

    struct ServiceRuntime
    {
        ServiceConfig config;
        ServiceIndex index = 0;
        std::uint32_t component = 0;
        Program program;
        std::vector<std::unique_ptr<Instance>> instances;
        double slowFactor = 1.0;
        SimDuration addedLatency{0};
        double faultErrorRate = 0.0;
    };

    struct RouteRuntime
    {
        RouteConfig config;
        std::vector<Program> programs;       // one, or one per split target
        std::vector<double> splitCumulative; // split only
    };

    struct WorkloadRuntime
    {
        WorkloadConfig config;
        std::uint32_t component = 0;
        engine::RandomStream random{0};
        Caller caller;
        std::vector<double> mixCumulative;
        engine::SimTime stopAt;
        engine::SimTime onUntil;   // on_off: end of the current on period
        std::size_t stepIndex = 0; // steps: the schedule entry in force
    };

    struct Request : Task
    {
        WorkloadRuntime* workload = nullptr;
        RouteIndex route = 0;
        engine::SimTime sentAt;
        engine::TimerId timeout;
        bool answered = false;
        bool closedUser = false;
    };

    // building
    static void compileSteps(const std::vector<Step>& steps, Program& program);
    void initCaller(Caller& caller,
                    engine::NodeId node,
                    std::uint32_t component,
                    engine::RandomStream& random,
                    std::vector<ServiceIndex> callees);
    static void collectCallees(const Program& program, std::vector<ServiceIndex>& out);

    // workloads
    void scheduleNextArrival(WorkloadRuntime& w);
    void onArrival(WorkloadRuntime& w);
    void startUser(WorkloadRuntime& w);
    void sendRequest(WorkloadRuntime& w, bool closedUser);
    void onRequestTimeout(Request* request);
    void answerRequest(Request* request, Outcome outcome);

    // steps
    void runProgram(Task* task, const Program& program);
    void startOp(Task* task, const Program& program, std::uint32_t op, Frame* parent);
    void childDone(Frame* frame, bool failed, Outcome cause);
    void onStepsDone(Task* task, bool failed, Outcome cause);
    void onStepCallDone(Call* call);

    // calls and instances
    // Picks the callee instance round robin; sets the call's instance and metrics edge.
    void pickInstance(Call* call);
    void sendCall(Call* call);
    void onCallArrived(Call* call);
    void startJob(Job* job);
    void onCpuDone(Job* job);
    void onStallDone(Job* job);
    void finishJob(Job* job, Outcome outcome, bool dependencyFailure);
    void releaseWorker(Instance& instance, Job* job);
    void reply(Instance& instance, Call* call, Outcome outcome, std::uint64_t bytes);
    void refuse(Instance& instance, Call* call);
    void resetCall(Instance& instance, Call* call);
    void onCallReturned(Call* call);

    // faults
    void applyFault(const FaultConfig& fault);
    void revertFault(const FaultConfig& fault);
    void killInstance(Instance& instance, bool nodeDown);
    void restoreInstance(Instance& instance);

    Config m_config;
    engine::Platform& m_platform;
    Metrics& m_metrics;
    std::vector<std::unique_ptr<ServiceRuntime>> m_services;
    std::vector<RouteRuntime> m_routes;
    std::vector<std::unique_ptr<WorkloadRuntime>> m_workloads;
    ObjectPool<Call> m_calls;
    ObjectPool<Frame> m_frames;
    ObjectPool<Job> m_jobs;
    ObjectPool<Request> m_requests;
    std::uint64_t m_requestsStarted = 0;
    std::uint64_t m_requestsAnswered = 0;
};

} // namespace meshsim::models
