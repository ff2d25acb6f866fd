#pragma once

// CallRouter: a call from the moment its caller makes it to the moment the caller has its outcome
// — Envoy's router filter and upstream requests, and the client side of a plain call.
//
//   beginCall ─► [outbound sidecar] ─► fault injection ─► try: host, limits, connection
//        ▲                                                  │
//        └── deliver ◄── finish ◄── retry after backoff ◄───┤ answer, reset, timeout
//
// * A try (Exchange) picks a host through the caller's Upstream, passes the circuit-breaker
//   limits, gets a connection from the pool (opening one costs a TCP and, with mTLS, a TLS
//   handshake with its CPU on both proxies), and is sent to the target's Endpoint, which answers
//   through the upstream's AnswerSink: this router.
// * Failed tries are retried as RetryState decides, after a jittered backoff; per-try timeouts
//   reset the try (or, with hedging, race a new one); the overall timeout resets every try.
// * Outlier detection and the library breaker hear how each try went, once.
// * The caller hears the outcome through its CallOwner (after the loopback to the application when
//   a sidecar made the call). The call record is released when both the caller
//   has it and no try or timer refers to it any more.
//
// Semantics and their sources: docs/mechanisms/retries-and-timeouts.md, sidecar-and-mtls.md,
// circuit-breakers.md. Not thread-safe.

#include "models/endpoint.h"
#include "models/internal/records.h"
#include "models/internal/runtime.h"
#include "models/retry_state.h"
#include "models/sim_events.h"

#include <memory>
#include <vector>

namespace meshsim::models {

struct Runtime;
struct RouteRuntime;
struct Upstream;

class CallRouter final : public AnswerSink
{
public:
    CallRouter(Runtime& runtime, const std::vector<RouteRuntime>& routes);

    // Who made the calls and hears their outcomes.
    void setOwner(CallOwner& owner) { m_owner = &owner; }
    // Starts a call acquired from the runtime's pool, with its target, caller and request set;
    // the router takes it from here.
    void beginCall(Call* call);
    void answered(Exchange* ex) override { onExchangeDone(ex); }

private:
    void outboundHop(Call* call);
    void startUpstream(Call* call);
    void afterFaultDelay(Call* call);
    void attempt(Call* call);
    // The common case without any policy: attempt() without the checks that cannot apply.
    void attemptPlain(Call* call);
    [[gnu::always_inline]] inline Exchange* newExchange(Call* call, std::uint32_t host);
    // The recording of sampled requests (kept out of the hot path's way).
    [[gnu::cold]] void recordCallStart(Call* call);
    // Ends the call's hop under way and starts one of `kind` at the caller.
    [[gnu::cold]] void recordCallStage(Call* call, HopKind kind, std::uint64_t endedDetail);
    [[gnu::cold]] void recordCallEnd(Call* call);
    [[gnu::cold]] void recordTryStart(Exchange* ex);
    [[gnu::cold]] void recordTransferToHost(Exchange* ex);
    static Place hostPlace(const Exchange* ex);
    void startConnectHop(Exchange* ex);
    void waitForConnectTimeout(Exchange* ex);
    // Ends a recorded try's span (once): answered, or reset by its caller.
    void endTryHop(Exchange* ex, Outcome outcome, bool resetByCaller);
    void connectThroughPool(Exchange* ex);
    void openConnection(Exchange* ex);
    // A ClientChannel's connection opened by `opener`: the requests waiting for it go.
    void channelConnected(Exchange* opener);
    // A try over a ClientChannel ended: a reset breaks the channel's connection, a failed
    // opening puts it in transient failure and fails the requests waiting for it.
    void channelTryEnded(Exchange* ex);
    void sendExchange(Exchange* ex);
    void armPerTryTimeout(Exchange* ex);
    void onPerTryTimeout(Exchange* ex);
    void onCallTimeout(Call* call);
    // Tells outlier detection and the library breaker how an attempt went (once).
    void recordHealth(Exchange* ex, Outcome outcome);
    // Ends an attempt's accounting at the caller: active requests, circuit-breaker limits, its
    // place in a pool's queue, its connection (kept for reuse or closed). Once.
    void settleExchange(Exchange* ex, bool reusable);
    void releaseConnection(Exchange* ex, bool reusable);
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
    // What a failed try leads to: another try after the backoff, or the end of the call.
    // `tryEnded` is false for a hedged try whose per-try timeout fired: it goes on running.
    void
    retryOrFinish(Call* call, Exchange* ex, Outcome outcome, bool perTryTimeout, bool tryEnded);
    void endTry(Call* call, const Exchange* ex, Outcome outcome, std::uint16_t flags);
    // Whether the call's request has a non-idempotent method (its route's; none in unit tests
    // that build no routes).
    bool nonIdempotentRoute(const Call* call) const;
    // The call's retry state, for decideRetry.
    static RetryState retryState(const Call* call);
    // Another try after the backoff (its retry-breaker slot taken, the call kept alive).
    void scheduleRetry(Call* call);
    static bool othersRunning(const Call* call, const Exchange* except);
    void releaseRetrySlot(Call* call);
    void resetLosingTries(Call* call);
    void finishCall(Call* call, Outcome outcome, std::uint16_t flags);
    [[gnu::always_inline]] inline void deliverCall(Call* call);
    [[gnu::always_inline]] void maybeReleaseCall(Call* call)
    {
        if (call->delivered && call->outstanding == 0)
            releaseCall(call);
    }
    void releaseCall(Call* call) { m_runtime.records.calls.release(call); }

    Runtime& m_runtime;
    engine::Platform& m_platform; // = m_runtime.platform, one load less on the hot path
    EventSinks& m_sink;           // = m_runtime.sink
    const std::vector<RouteRuntime>& m_routes;
    CallOwner* m_owner = nullptr;
};

} // namespace meshsim::models
