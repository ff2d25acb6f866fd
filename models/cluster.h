#pragma once

// Cluster: the simulated system, in any of the four architectures, running on a Platform.
//
// It owns the runtime state of every service instance, the gateway and the mesh ingress (all
// "tiers" of instances that serve requests), every caller's view of its upstreams, the
// workloads, the discovery and health-check state, and moves requests through them:
//
//   client ─► [gateway | ingress] ─► instance: queue ─► worker ─► CPU ─► steps (calls) ─► reply
//
// * A tier instance serves `workers` requests at once; the others wait in a FIFO queue of at most
//   `queue`; beyond that it answers 503 at once (queue_full). At a service a request holds its
//   worker from the start of its CPU work until its response leaves, its calls included
//   (thread-per-request); at the gateway and the ingress (event-driven proxies) only for its CPU
//   work.
// * After its CPU work a request runs its program: a service's steps, a gateway route (one call,
//   an aggregate, a sequence, a split) or an ingress forward.
// * Every call goes through its caller's Upstream for the target tier: a load balancer over the
//   hosts the caller can see (discovery, active health checks, outlier ejections), circuit
//   breaker limits, retries with jittered backoff, per-try and overall timeouts, mTLS connection
//   pools, fault injection, library circuit breakers, as the architecture and policies say.
// * In a mesh, an application's call leaves through its sidecar (loopback, CPU and latency of the
//   proxy) and enters the callee through the callee's sidecar (CPU, latency, authorization),
//   both on the applications' nodes, so sidecars and applications share cores.
//
// Every callback captures a pointer to a pooled record, so a run allocates in proportion to the
// requests in flight. Semantics and their sources: docs/mechanisms/. Not thread-safe.

#include "engine/core/platform.h"
#include "engine/core/random.h"
#include "models/circuit_breaker.h"
#include "models/config.h"
#include "models/load_balancer.h"
#include "models/metrics.h"
#include "models/object_pool.h"
#include "models/outlier_detector.h"
#include "models/rate_limiter.h"
#include "models/response_cache.h"
#include "models/retry_policy.h"

#include <array>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace meshsim::models {

class Cluster
{
public:
    // Where and how this run deploys the system: the platform nodes of every instance, the seed
    // and the simulated period.
    struct Deployment
    {
        std::vector<std::vector<engine::NodeId>> instanceNodes; // per service, per replica
        std::vector<engine::NodeId> gatewayNodes;               // gateway architectures
        std::vector<engine::NodeId> ingressNodes;               // architecture mesh
        engine::NodeId clientNode = 0;
        std::uint64_t seed = 1;
        SimDuration duration{0}; // arrivals stop here
        SimDuration warmup{0};
    };

    // `system` must outlive the cluster.
    Cluster(const SystemConfig& system,
            Deployment deployment,
            engine::Platform& platform,
            Metrics& metrics);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    // Schedules the first arrivals, the fault timeline, readiness probes and health checks.
    void start();

    // Names of the metric components: workloads, services, then the gateway and the ingress
    // when the architecture has them. Tier i of the cluster is component workloads + i.
    static std::vector<std::string> componentNames(const SystemConfig& system);
    static std::vector<std::string> tierNames(const SystemConfig& system);
    static std::vector<std::uint32_t> tierReplicas(const SystemConfig& system);

    std::uint64_t requestsStarted() const { return m_requestsStarted; }
    std::uint64_t requestsAnswered() const { return m_requestsAnswered; }
    std::uint64_t requestsUnanswered() const { return m_requestsStarted - m_requestsAnswered; }
    std::size_t recordsInUse() const;

private:
    // --- programs ----------------------------------------------------------------------------
    struct StepOp
    {
        Step::Kind kind = Step::Kind::Sequence;
        ServiceIndex service = 0; // Call: the target service
        double probability = 1.0;
        std::uint64_t requestBytes = 0;
        bool optional = false;
        std::uint32_t firstChild = 0;
        std::uint32_t childCount = 0;
    };
    // StepOp::requestBytes of the calls a client makes for a route: the workload's size.
    static constexpr std::uint64_t kClientRequestSize = ~std::uint64_t{0};
    struct Program
    {
        std::vector<StepOp> ops; // ops[0] is the root sequence; children are contiguous
    };

    enum class TierKind : std::uint8_t { App, Gateway, Ingress };
    enum class CallerKind : std::uint8_t { Client, App, Gateway, Ingress };

    struct Tier;
    struct Instance;
    struct Upstream;
    struct Call;
    struct Exchange;
    struct Trace;

    // Whoever makes calls: clients, an application instance, a gateway or ingress instance.
    struct Caller
    {
        CallerKind kind = CallerKind::Client;
        engine::NodeId node = 0;
        std::uint32_t component = 0;
        Tier* tier = nullptr; // the caller's own tier (not for clients)
        engine::RandomStream* random = nullptr;
        bool sidecar = false;              // calls leave through an outbound sidecar on `node`
        std::string label;                 // "frontend/2", "gateway/0", "browsers"
        std::vector<ServiceIndex> callees; // sorted tier indices
        std::vector<std::uint32_t> edges;  // metrics edge per callee
        std::vector<std::unique_ptr<Upstream>> upstreams; // per callee
    };

    // --- calls -------------------------------------------------------------------------------
    struct Call
    {
        ServiceIndex target = 0; // tier
        Caller* caller = nullptr;
        Upstream* upstream = nullptr;
        std::uint32_t edge = 0;
        std::uint64_t requestBytes = 0;
        engine::SimTime sentAt;
        Outcome outcome = Outcome::Ok;
        std::uint16_t flags = kFlagNone;
        bool optional = false;
        void* context = nullptr; // the frame waiting for it
        // the client request it serves
        RouteIndex route = 0;
        ServiceIndex forward = 0; // ingress: the service to forward to
        std::uint32_t clientId = 0;
        std::uint64_t key = 0;
        Trace* trace = nullptr;
        std::int32_t parentSpan = -1;
        std::int32_t span = -1;
        // upstream state
        const RetryConfig* retries = nullptr;
        const RetryConditions* conditions = nullptr; // when `retries` retry
        std::optional<SimDuration> timeout;
        engine::TimerId timer;
        std::uint32_t attempts = 0;
        std::uint32_t outstanding = 0; // exchanges in flight and a pending retry
        Exchange* live = nullptr;      // the attempts in flight (a list through Exchange::next)
        std::array<std::uint32_t, 8> tried{};
        bool finished = false;              // the call's result is decided
        bool delivered = false;             // the caller has it
        std::uint32_t retrySlots = 0;       // retry-breaker slots of retries not yet started
        std::uint32_t retriesScheduled = 0; // retries waiting for their backoff
        JitteredBackoff backoff;
    };

    // One attempt of a call, delivered to one instance.
    struct Exchange
    {
        Call* call = nullptr;
        std::uint32_t host = 0;
        std::uint32_t number = 0;
        engine::SimTime start;
        engine::TimerId perTry;
        Exchange* next = nullptr;     // in its call's list of live attempts
        bool abandoned = false;       // the call no longer wants its result (reset by the caller)
        bool settled = false;         // host, limits, connection and health accounting done
        bool healthRecorded = false;  // outlier detection / library breaker told already
        bool queued = false;          // waiting in a pool for a connection
        bool counted = false;         // counts toward the circuit breaker's active requests
        bool retrySlot = false;       // holds one of the retry breaker's slots
        bool freshConnection = false; // its connection was opened for it
        bool reset = false;           // refused, reset or unreachable (not a response)
        bool passedOn = false; // the upstream's answer is a failure of its own call, passed on
        bool perTryTimedOut = false;
        bool connectFailure = false; // failed before a connection existed
        bool hasConnection = false;
        bool local = false; // the reply came from a proxy, not from the upstream host
        bool replied = false;
        Outcome outcome = Outcome::Ok;
        std::uint64_t responseBytes = 0;
    };

    struct Pool
    {
        std::uint32_t open = 0;
        std::uint32_t idle = 0;
        std::deque<Exchange*> pending;
    };

    // A caller's view of one target tier, with the policies that apply between them.
    struct Upstream
    {
        // What every call reads, in the first cache lines; the state of optional mechanisms
        // after it, reached only through the flags.
        Tier* target = nullptr;
        Caller* caller = nullptr;
        LoadBalancer* lb = nullptr;               // = balancer.get()
        const RetryConfig* retries = nullptr;     // default retry policy of this caller
        const RetryConditions* retryOn = nullptr; // = &*conditions
        const FaultInjectionConfig* fault = nullptr;
        std::optional<SimDuration> timeout; // default overall timeout of this caller
        std::uint64_t seenVersion = ~std::uint64_t{0};
        std::vector<LbHost> hosts;
        bool hashing = false;      // the balancer hashes requests (ring hash, Maglev)
        bool pooled = false;       // Envoy connection pools and circuit-breaker limits
        bool tracksHealth = false; // outlier detection or a library breaker
        bool plain = false;        // none of the mechanisms: attemptPlain()
        bool zoneAware = false;
        bool inboundSidecar = false; // the target's instances have sidecars
        bool meshProxy = false;      // the caller side is an Envoy (sidecar, ingress, mesh gateway)
        BreakerState lastBreakerState = BreakerState::Closed;
        std::unique_ptr<LoadBalancer> balancer;
        std::optional<ResourceLimits> limits;
        std::optional<OutlierDetector> outlier;
        std::optional<LibraryBreaker> breaker;
        std::vector<Pool> pools; // connection pools, per host
        // Zone-aware routing (Envoy locality routing): one balancer per upstream zone, and the
        // caller's zone and its tier's share of instances per zone.
        std::vector<std::unique_ptr<LoadBalancer>> zoneBalancers;
        std::uint32_t callerZone = 0;
        std::vector<double> localShare; // per zone, of the caller tier's instances
        SimDuration outlierInterval{0};
        std::optional<RetryConditions> conditions;
        engine::TimerId outlierTimer;
        std::string name; // "<caller>/<instance> -> <target>" for timelines
    };

    // --- tasks -------------------------------------------------------------------------------
    enum class TaskKind : std::uint8_t { Job, Request };
    struct Task
    {
        TaskKind kind = TaskKind::Job;
        Caller* caller = nullptr;
        RouteIndex route = 0;
        std::uint32_t clientId = 0;
        std::uint64_t key = 0;
        Trace* trace = nullptr;
        std::int32_t span = -1;
    };

    struct Frame
    {
        Task* task = nullptr;
        const Program* program = nullptr;
        std::uint32_t op = 0;
        Frame* parent = nullptr;
        std::uint32_t next = 0;
        std::uint32_t remaining = 0;
        bool failed = false;
        Outcome cause = Outcome::Ok;
    };

    struct Job : Task
    {
        enum class State : std::uint8_t { Queued, Computing, Stalled, Calling };
        Exchange* exchange = nullptr;
        Instance* instance = nullptr;
        engine::SimTime arrivedAt;
        engine::ActivityId cpu;
        engine::TimerId stall;   // slow fault, rate-limit delay
        engine::TimerId timeout; // gateway route timeout
        SimDuration work{0};     // CPU work of this request
        State state = State::Queued;
        bool answered = false;
        bool cacheable = false;
        bool workerFreed = false; // a proxy tier frees its worker after its CPU work
        Job* prev = nullptr;
        Job* next = nullptr;
    };

    struct Instance
    {
        Tier* tier = nullptr;
        std::uint32_t index = 0;
        engine::NodeId node = 0;
        bool alive = true;
        bool nodeDown = false;
        std::uint32_t busy = 0;
        std::deque<Job*> queue;
        Job* active = nullptr;
        engine::RandomStream random{0};
        Caller caller;
        // readiness (discovery) and health checks
        bool ready = true; // the probe's verdict
        std::uint32_t readinessFailures = 0;
        std::uint32_t readinessSuccesses = 0;
        bool healthy = true; // active health check verdict
        bool checked = false;
        std::uint32_t hcFailures = 0;
        std::uint32_t hcSuccesses = 0;
        // `slow` and `errors` faults
        double slowFactor = 1.0;
        SimDuration addedLatency{0};
        double faultErrorRate = 0.0;
        // gateway
        std::unique_ptr<ResponseCache> cache;
        std::unique_ptr<RateLimiter> limiter;
    };

    struct Tier
    {
        ServiceConfig config;
        TierKind kind = TierKind::App;
        ServiceIndex index = 0;
        std::uint32_t component = 0;
        Program program;               // App
        std::vector<Program> programs; // Gateway: per route; Ingress: per service
        std::vector<std::unique_ptr<Instance>> instances;
        bool sidecars = false;
        // which instances are in the endpoints callers see (discovery, after propagation)
        std::vector<std::uint8_t> visible;
        std::uint64_t version = 0;
        std::optional<HealthCheckConfig> healthCheck;
        MeshPolicy mesh;                  // resolved destination policy (mesh architectures)
        std::vector<Upstream*> detectors; // callers' upstreams to this tier with outlier detection
    };

    struct RouteRuntime
    {
        RouteConfig config;
        std::vector<Program> programs;                  // one, or one per split target
        std::vector<double> splitCumulative;            // split only
        std::optional<RetryConditions> retryConditions; // of the route's retries (gateway)
    };

    struct WorkloadRuntime
    {
        WorkloadConfig config;
        std::uint32_t component = 0;
        engine::RandomStream random{0};
        Caller caller;
        std::vector<double> mixCumulative;
        std::vector<std::unique_ptr<class ZipfSampler>> keys; // per mix entry (or null)
        std::uint32_t firstClient = 0; // client ids are unique across workloads
        engine::SimTime stopAt;
        engine::SimTime onUntil;
        std::size_t stepIndex = 0;
    };

    struct Request : Task
    {
        WorkloadRuntime* workload = nullptr;
        engine::SimTime sentAt;
        engine::TimerId timeout;
        bool answered = false;
        bool closedUser = false;
    };

    struct Span
    {
        std::int32_t parent = -1;
        std::string name;
        engine::SimTime start;
        engine::SimTime end;
        Outcome outcome = Outcome::Ok;
        std::uint16_t flags = 0;
        std::uint32_t attempts = 0;
    };
    struct Trace
    {
        RouteIndex route = 0;
        std::vector<Span> spans;
        bool done = false;
    };

    // building
    void buildTiers();
    void buildRoutes();
    void buildWorkloads();
    static void compileSteps(const std::vector<Step>& steps, Program& program);
    void initCaller(Caller& caller,
                    CallerKind kind,
                    engine::NodeId node,
                    std::uint32_t component,
                    Tier* tier,
                    engine::RandomStream& random,
                    std::vector<ServiceIndex> callees);
    std::unique_ptr<Upstream> makeUpstream(Caller& caller, Tier& target, std::size_t callerIndex);
    MeshPolicy meshPolicyFor(ServiceIndex service) const;
    static void collectCallees(const Program& program, std::vector<ServiceIndex>& out);
    bool hasGateway() const { return m_system.hasGateway(); }
    bool hasMesh() const { return m_system.hasMesh(); }

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

    // calls through upstreams
    void beginCall(Call* call);
    void outboundHop(Call* call);
    void startUpstream(Call* call);
    void afterFaultDelay(Call* call);
    void attempt(Call* call);
    std::optional<std::uint32_t> chooseZone(Upstream& u);
    void attemptPlain(Call* call);
    void refreshHosts(Upstream& upstream);
    void acquireConnection(Exchange* ex);
    void sendExchange(Exchange* ex);
    void arriveAtHost(Exchange* ex);
    void inboundHop(Exchange* ex);
    void onPerTryTimeout(Exchange* ex);
    void onCallTimeout(Call* call);
    // Tells outlier detection and the library breaker how an attempt went (once).
    void recordHealth(Exchange* ex, Outcome outcome);
    // Ends an attempt's accounting at the caller: active requests, circuit-breaker limits, its
    // place in a pool's queue, its connection (kept for reuse or closed). Once.
    void settleExchange(Exchange* ex, bool reusable);
    void unlinkExchange(Exchange* ex)
    {
        if (ex->call->live == ex) { // the common case: the only or the latest try
            ex->call->live = ex->next;
            return;
        }
        unlinkExchangeSlow(ex);
    }
    void unlinkExchangeSlow(Exchange* ex);
    // Frees an attempt that never left its caller (reset while queued for a connection).
    void dropExchange(Exchange* ex);
    void onExchangeDone(Exchange* ex);
    void releaseConnection(Exchange* ex, bool reusable);
    // What a failed try leads to: another try after the backoff, or the end of the call.
    // `tryEnded` is false for a hedged try whose per-try timeout fired: it goes on running.
    void
    retryOrFinish(Call* call, Exchange* ex, Outcome outcome, bool perTryTimeout, bool tryEnded);
    void endTry(Call* call, const Exchange* ex, Outcome outcome, std::uint16_t flags);
    bool othersRunning(const Call* call, const Exchange* except) const;
    void releaseRetrySlot(Call* call);
    void resetLosingTries(Call* call);
    void countRequest(Exchange* ex);
    void finishCall(Call* call, Outcome outcome, std::uint16_t flags);
    void deliverCall(Call* call);
    void maybeReleaseCall(Call* call)
    {
        if (call->delivered && call->outstanding == 0)
            m_calls.release(call);
    }
    void onOutlierInterval(Upstream* upstream);
    void recordOutlierEvents(const Upstream& upstream, std::size_t from);
    void noteBreaker(Upstream& upstream);

    // instances
    void onExchangeArrived(Exchange* ex);
    void startJob(Job* job);
    void onCpuDone(Job* job);
    void onStallDone(Job* job);
    void runJobProgram(Job* job);
    void finishJob(Job* job, Outcome outcome, bool dependencyFailure, std::uint64_t bytes);
    void releaseWorker(Instance& instance, Job* job);
    void freeWorker(Instance& instance, Job* job);
    void replyExchange(Instance& instance, Exchange* ex, Outcome outcome, std::uint64_t bytes);
    void replyFromSidecar(Exchange* ex, Outcome outcome);
    void refuse(Instance& instance, Exchange* ex);
    void resetExchange(Instance& instance, Exchange* ex, bool connectFailure);
    void onJobTimeout(Job* job);
    std::uint64_t responseSizeOf(const Job* job) const;

    // discovery and health
    void scheduleProbe(Instance& instance, SimDuration delay);
    void onReadinessProbe(Instance* instance);
    void scheduleHealthCheck(Instance& instance, SimDuration delay);
    void onHealthCheck(Instance* instance);
    void onHealthCheckResult(Instance* instance, bool pass);
    void setVisible(Tier& tier, std::uint32_t index, bool visible);
    bool running() const;

    // faults
    void applyFault(const FaultConfig& fault);
    void revertFault(const FaultConfig& fault);
    void killInstance(Instance& instance, bool nodeDown);
    void restoreInstance(Instance& instance);
    bool partitioned(engine::NodeId a, engine::NodeId b) const;

    // traces
    Trace* maybeTrace(RouteIndex route, engine::SimTime now);
    std::int32_t openSpan(Trace* trace, std::int32_t parent, std::string name);
    void closeSpan(Trace* trace,
                   std::int32_t span,
                   Outcome outcome,
                   std::uint16_t flags,
                   std::uint32_t attempts);

    const SystemConfig& m_system;
    Deployment m_run;
    engine::Platform& m_platform;
    Metrics& m_metrics;
    std::vector<std::unique_ptr<Tier>> m_tiers; // services, then gateway, then ingress
    ServiceIndex m_gatewayTier = ~0U;
    ServiceIndex m_ingressTier = ~0U;
    std::vector<RouteRuntime> m_routes;
    Program m_toGateway;
    std::vector<std::unique_ptr<WorkloadRuntime>> m_workloads;
    std::unique_ptr<RateLimiter> m_globalLimiter;
    std::vector<std::pair<ZoneIndex, ZoneIndex>> m_partitions;
    engine::RandomStream m_traceRandom{0};
    std::vector<std::unique_ptr<Trace>> m_traces;
    ObjectPool<Call> m_calls;
    ObjectPool<Exchange> m_exchanges;
    ObjectPool<Frame> m_frames;
    ObjectPool<Job> m_jobs;
    ObjectPool<Request> m_requests;
    std::uint64_t m_requestsStarted = 0;
    std::uint64_t m_requestsAnswered = 0;
};

} // namespace meshsim::models
