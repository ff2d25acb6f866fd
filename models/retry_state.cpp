#include "models/retry_state.h"

namespace meshsim::models {

RetryDecision decideRetry(const TryResult& result, const RetryState& state)
{
    // A connection failure is this proxy's own only when its connection was refused or reset;
    // one an upstream service passes on from its own call is a 503 response.
    const bool ownReset = result.outcome == Outcome::ConnectionFailure && result.reset;
    const Outcome asSeen = result.outcome == Outcome::ConnectionFailure && !ownReset
                               ? Outcome::QueueFull
                               : result.outcome;
    // Envoy's shouldHedgeRetryPerTryTimeout retries a hedged per-try timeout whatever retry_on
    // says; other failures only under a matching condition. resilience4j retries every
    // exception, its own breaker's and bulkhead's refusals included.
    const bool matches
        = result.hedge
          || (state.conditions
              && state.conditions->retriable(asSeen, result.connectFailure, result.perTryTimeout));
    // nginx passes a non-idempotent request on only when it never reached the server.
    const bool sentOnce = result.nonIdempotent && !result.connectFailure;
    const bool retriable
        = state.retries && !(sentOnce && state.retries->nonIdempotentOnceSent)
          && (state.retries->retryAll ? result.outcome != Outcome::Ok : !result.local && matches);
    // Flags say what this hop saw itself, not what an upstream passed on from further down.
    std::uint16_t flags = ownReset ? kFlagUF : kFlagNone;
    if (result.perTryTimeout)
        flags |= kFlagUT;
    if (!result.passedOn && result.outcome == Outcome::RateLimited)
        flags |= kFlagRL;
    if (!result.passedOn
        && (result.outcome == Outcome::Unauthorized || result.outcome == Outcome::Denied))
        flags |= kFlagUAEX;
    if (!retriable)
        return {false, flags};
    const std::uint32_t tries = state.attempts + state.retriesScheduled;
    if (tries > state.retries->attempts || (state.retries->oncePerHost && tries >= state.hosts))
        return {false, static_cast<std::uint16_t>(flags | kFlagURX)};
    if (state.limits && !state.limits->canRetry())
        return {false, static_cast<std::uint16_t>(flags | kFlagUO)}; // the retry breaker is full
    return {true, kFlagNone};
}

} // namespace meshsim::models
