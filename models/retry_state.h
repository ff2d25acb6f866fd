#pragma once

// What a failed try leads to, as Envoy's RetryStateImpl decides it (reference/semantics.md §3.1):
// another try after the backoff, or the end of the call with the response flags this hop saw.
// A pure decision on the try's result and the call's retry state; the router acts on it.

#include "models/circuit_breaker.h"
#include "models/config.h"
#include "models/outcome.h"
#include "models/retry_policy.h"

#include <cstdint>

namespace meshsim::models {

// How a try ended, as its caller's proxy saw it.
struct TryResult
{
    Outcome outcome = Outcome::Ok;
    bool reset = false;          // refused, reset or unreachable: no response
    bool connectFailure = false; // failed before a connection existed
    bool local = false;          // a reply of the caller's own proxy (overflow), not the host's
    bool passedOn = false;       // the host's answer is a failure of its own call, passed on
    bool perTryTimeout = false;  // the per-try timeout fired
    bool hedge = false;          // ...and the try goes on: retried whenever retries remain
    bool nonIdempotent = false;  // the request's method is POST, PATCH or LOCK
};

// The call's retry state.
struct RetryState
{
    const RetryConfig* retries = nullptr;        // none: never retried
    const RetryConditions* conditions = nullptr; // retry_on
    const ResourceLimits* limits = nullptr;      // the retry breaker (max_retries or a budget)
    std::uint32_t attempts = 0;                  // tries started so far
    std::uint32_t retriesScheduled = 0;          // retries waiting for their backoff
    std::uint32_t hosts = 0;                     // hosts of the upstream (oncePerHost)
};

struct RetryDecision
{
    bool retry = false;
    std::uint16_t flags = kFlagNone; // when not retrying: what ends the call
};

RetryDecision decideRetry(const TryResult& result, const RetryState& state);

} // namespace meshsim::models
