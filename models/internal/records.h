#pragma once

// The short-lived records of the hot path: a client request, a request at an instance (a job),
// a frame of the step interpreter, a call and each try of it (an exchange).
//
// Every record comes from an ObjectPool (models/object_pool.h), so a run allocates in proportion
// to the requests in flight. Records are plain data: the classes of models/ move them along and
// own their life cycle as described per record. Completion travels up by the callbacks stored
// in them (`Call::done`, `Task::stepsDone`) and, for a try, through its upstream's AnswerSink: a
// callee never reaches into its caller. Internal to models/: include it only from models/.

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

enum class TierKind : std::uint8_t { App, Gateway, Ingress };
enum class CallerKind : std::uint8_t { Client, App, Gateway, Ingress };

struct Exchange;

// One logical call from a caller to a target tier, with its tries, retries and timeouts.
// Acquired by the step interpreter; released by the router once the caller has it (`delivered`)
// and nothing refers to it any more (`outstanding` == 0).
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
    engine::Callback done; // runs once the caller has the call's outcome
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

// One attempt of a call, delivered to one instance. Acquired by the router for a try; released
// by the router when the answer (or the reset) is back, or when a try that never left its caller
// is dropped.
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
    bool passedOn = false;        // the upstream's answer is a failure of its own call, passed on
    bool perTryTimedOut = false;
    bool connectFailure = false; // failed before a connection existed
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
    std::uint64_t requestBytes = 0; // what calls "of the client's size" send
    Trace* trace = nullptr;
    std::int32_t span = -1;
    // Set by the step interpreter before it runs `stepsDone`.
    bool failed = false;
    Outcome cause = Outcome::Ok;
    engine::Callback stepsDone; // the program has finished
};

// A frame of the step interpreter: one composite step (sequence or parallel group) under way.
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

// A request at an instance, from its arrival to its response. Acquired and released by the
// instance server; a job answered while its calls are still out (a timeout, a kill) is released
// when they are back.
struct Job : Task
{
    enum class State : std::uint8_t { Queued, Computing, Stalled, Calling };
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
