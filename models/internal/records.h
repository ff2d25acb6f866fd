#pragma once

// The short-lived records of the hot path: a client request, a request at an instance (a job),
// a frame of the step interpreter, a call and each try of it (an exchange).
//
// Every record comes from an ObjectPool (models/object_pool.h), so a run allocates in proportion
// to the requests in flight. Records are plain data: the classes of models/ move them along and
// own their life cycle as described per record. Completion travels up through small interfaces
// (Envoy's style of callbacks): a call's outcome to its CallOwner, a task's end to its TaskOwner,
// a try's answer to its upstream's AnswerSink; a callee never reaches into its caller. Records
// stay small: a run touches them on every event. Internal to models/: include it only from models/.

#include "engine/core/callback.h"
#include "engine/core/event_queue.h"
#include "engine/core/platform.h"
#include "models/config.h"
#include "models/object_pool.h"
#include "models/outcome.h"
#include "models/retry_policy.h"

#include <array>
#include <cstdint>
#include <optional>

namespace meshsim::models {

struct Caller;
struct Instance;
struct Trace;
struct Upstream;
class ProgramRunner;
struct Program;
struct WorkloadRuntime;

enum class TierKind : std::uint8_t { App, Gateway, Ingress, Waypoint };
// The ingress and the waypoints forward each call to the service it names (Call::forward).
constexpr bool forwardsCalls(TierKind kind)
{
    return kind == TierKind::Ingress || kind == TierKind::Waypoint;
}

// Salts of the draws keyed by a task's or a call's draw key (Task::drawKey).
inline constexpr std::uint64_t kSplitSalt = 0x73706c6974ULL;     // which branch of a split
inline constexpr std::uint64_t kProbabilitySalt = 0x70726f62ULL; // whether an optional call runs
inline constexpr std::uint64_t kErrorSalt = 0x6572726f72ULL;     // whether a handler fails
inline constexpr std::uint64_t kRepeatSalt = 0x726570656174ULL;  // how often a step repeats
inline constexpr std::uint64_t kChoiceSalt = 0x63686f696365ULL;  // which branch of a choice
inline constexpr std::uint64_t kAfterCpuSalt = 0x6166746572ULL;  // CPU work after the calls
inline constexpr std::uint64_t kVersionSalt = 0x76657273ULL;     // which version a call goes to
enum class CallerKind : std::uint8_t { Client, App, Gateway, Ingress, Waypoint };

struct Call;
struct Exchange;
struct Task;
struct Frame;

// Who made a call and hears its outcome (the step interpreter).
class CallOwner
{
public:
    // The caller has the call's outcome (`call->outcome`); `call` is valid during the call only.
    virtual void callDone(const Call* call) = 0;

protected:
    ~CallOwner() = default;
};

// Who runs a task and hears when its program has finished (`failed`, `cause` set).
class TaskOwner
{
public:
    virtual void stepsDone(Task* task) = 0;
    // The last of the task's detached (async) calls is back (Task::detached is 0 again).
    virtual void detachedDone(Task* /*task*/) {}

protected:
    ~TaskOwner() = default;
};

// One logical call from a caller to a target tier, with its tries, retries and timeouts.
// Acquired by the step interpreter; released by the router once the caller has it (`delivered`)
// and nothing refers to it any more (`outstanding` == 0).
struct Call
{
    ServiceIndex target = 0;      // tier
    OperationIndex operation = 0; // of the service called (through a proxy: of `forward`)
    Caller* caller = nullptr;
    Upstream* upstream = nullptr;
    std::uint32_t edge = 0;
    std::uint64_t drawKey = 0; // of this call (Task::drawKey)
    std::uint64_t taskKey = 0; // of the task that made it
    std::uint64_t requestBytes = 0;
    engine::SimTime sentAt;
    Outcome outcome = Outcome::Ok;
    std::uint16_t flags = kFlagNone;
    bool optional = false;
    Frame* frame = nullptr; // the owner's frame that waits for it (opaque to the router)
    // the client request it serves
    RouteIndex route = 0;
    ServiceIndex forward = 0; // ingress, waypoint: the service to forward to
    std::uint32_t clientId = 0;
    std::uint64_t key = 0;
    std::uint32_t headerSet = 0; // the client request's headers (SystemConfig::headerSets)
    Trace* trace = nullptr;
    std::int32_t parentSpan = -1;
    std::int32_t span = -1;
    // the recording of a sampled request: its handle, the span the call belongs to, its own
    std::uint32_t rec = 0;
    std::int32_t recParent = -1;
    std::int32_t recHop = -1;
    std::int32_t recLeaf = -1; // the outbound sidecar's hop under way
    // upstream state
    const RetryConfig* retries = nullptr;
    const RetryConditions* conditions = nullptr; // when `retries` retry
    std::optional<SimDuration> timeout;
    engine::TimerId timer;
    std::uint32_t attempts = 0;
    std::uint32_t outstanding = 0;      // exchanges in flight and a pending retry
    Exchange* live = nullptr;           // the attempts in flight (a list through Exchange::next)
    std::array<std::uint32_t, 8> tried; // hosts of the first `attempts` tries (only those are set)
    bool finished = false;              // the call's result is decided
    bool delivered = false;             // the caller has it
    std::uint32_t retrySlots = 0;       // retry-breaker slots of retries not yet started
    std::uint32_t retriesScheduled = 0; // retries waiting for their backoff
    JitteredBackoff backoff;
};

// One attempt of a call, delivered to one instance. Acquired by the router for a try; released
// by the router when the answer (or the reset) is back, or when a try that never left its caller
// is dropped.
struct Exchange
{
    Call* call = nullptr;
    std::uint32_t host = 0;
    std::uint32_t number = 0;
    std::uint32_t poolConnection = 0; // multiplexed pools: the connection it rides
    std::int32_t recHop = -1;         // its Try span (recorded requests)
    std::int32_t recLeaf = -1;        // its Connect hop while it waits for a connection
    bool recEnded = false;            // its Try span has ended (answered or abandoned)
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
    bool connecting = false;      // holds a pending-request slot while its connection opens
    bool hedged = false;          // its per-try timeout started a hedged try
    bool bulkheadSlot = false;    // holds one of its library bulkhead's places
    bool reset = false;           // refused, reset or unreachable (not a response)
    bool passedOn = false;        // the upstream's answer is a failure of its own call, passed on
    bool perTryTimedOut = false;
    bool connectFailure = false; // failed before a connection existed
    bool opensChannel = false;   // its try opens its caller's ClientChannel
    bool hasConnection = false;
    bool local = false; // the reply came from a proxy, not from the upstream host
    bool replied = false;
    Outcome outcome = Outcome::Ok;
    std::uint64_t responseBytes = 0;
};

// Whatever runs a program: a client request, or a request at an instance.
struct Task
{
    Caller* caller = nullptr;
    RouteIndex route = 0;
    std::uint32_t clientId = 0;
    std::uint64_t key = 0;
    std::uint32_t headerSet = 0;    // the client request's headers, propagated on every call
    std::uint64_t requestBytes = 0; // what calls "of the client's size" send
    Trace* trace = nullptr;
    std::int32_t span = -1;
    // The key of the draws made for this task whatever component makes them (common random
    // numbers across designs: docs/experiments.md): a client request's from its workload and its
    // number there; a call's from its task's and its step; a job's from its call's and the try.
    // A gateway's job takes its client request's key and an ingress's job its call's, so that
    // the calls behind a proxy have the keys they have without it.
    std::uint64_t drawKey = 0;
    bool forwards = false;        // an ingress or waypoint job: its one call keeps the job's key
    OperationIndex operation = 0; // a job's: the operation it serves (or forwards)
    std::uint32_t rec = 0;        // the recording handle of a sampled request (0: not recorded)
    std::int32_t recHop = -1;     // the task's span: the request (0) or the job
    std::int32_t recLeaf = -1;    // a job's hop under way: queue, CPU, stall
    std::uint32_t detached = 0;   // async calls still out: the task lives until they are back
    // Set by the step interpreter before it tells the owner.
    bool failed = false;
    Outcome cause = Outcome::Ok;
    TaskOwner* owner = nullptr;
};

// A frame of the step interpreter: one composite step (sequence, parallel group, choice) under
// way, the repetitions of a repeated step, or a detached (async) call.
struct Frame
{
    enum class Kind : std::uint8_t { Group, Repeat, Detached };
    Task* task = nullptr;
    const Program* program = nullptr;
    std::uint32_t op = 0;
    Frame* parent = nullptr;
    std::uint32_t next = 0;       // sequence: next child; repeat: next iteration
    std::uint32_t remaining = 0;  // parallel, choice: children under way
    std::uint32_t iterations = 0; // repeat: how many
    // Distinguishes the draws of a step's repetitions (0 outside any repetition: the draw keys
    // of a program without repeats are those of the first edition).
    std::uint64_t salt = 0;
    Kind kind = Kind::Group;
    bool failed = false;
    Outcome cause = Outcome::Ok;
};

// A request at an instance, from its arrival to its response. Acquired and released by the
// instance server; a job answered while its calls are still out (a timeout, a kill, async calls)
// is released when they are back.
struct Job : Task
{
    // Finishing: the CPU work after the calls (ServiceConfig::afterCpu).
    enum class State : std::uint8_t { Queued, Computing, Stalled, Calling, Finishing };
    Exchange* exchange = nullptr;
    Instance* instance = nullptr;
    engine::SimTime arrivedAt;
    engine::ActivityId cpu;
    engine::TimerId stall;   // slow fault, rate-limit delay, proxy latency
    engine::TimerId timeout; // gateway route timeout
    SimDuration work{0};     // CPU work of this request
    State state = State::Queued;
    bool answered = false;
    bool cacheable = false;
    bool workerFreed = false; // a proxy tier frees its worker after its CPU work
    bool collectable = false; // done with, but its detached calls are still out
    Job* prev = nullptr;
    Job* next = nullptr;
};

// A client request, from sending to the answer. Acquired and released by the workload.
struct Request : Task
{
    WorkloadRuntime* workload = nullptr;
    engine::SimTime sentAt;
    engine::TimerId timeout;
    bool answered = false;
    bool closedUser = false;
};

// The pools of every record kind of a run.
struct Records
{
    ObjectPool<Call> calls;
    ObjectPool<Exchange> exchanges;
    ObjectPool<Frame> frames;
    ObjectPool<Job> jobs;
    ObjectPool<Request> requests;

    std::size_t inUse() const
    {
        return calls.inUse() + exchanges.inUse() + frames.inUse() + jobs.inUse() + requests.inUse();
    }
};

} // namespace meshsim::models
