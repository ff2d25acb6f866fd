#pragma once

// Retries with Envoy's semantics (reference/semantics.md §3.1).
//
// * Which outcomes are retried: the `retry_on` conditions, matched against meshsim's outcomes
//   (5xx: any 5xx or reset or connect failure; gateway-error: 502/503/504 or reset; reset: no
//   response (reset, per-try timeout); connect-failure: the connection could not be made;
//   retriable-4xx: 409, which meshsim never produces; refused-stream, unavailable, cancelled,
//   deadline-exceeded, resource-exhausted, internal: HTTP/2 and gRPC conditions meshsim's
//   HTTP-level outcomes never match). Local replies (overflow, injected faults, rate limits,
//   authorization) are never retried.
// * Backoff: Envoy's JitteredExponentialBackOffStrategy: retry N waits U[0, min(base x 2^(N-1),
//   max)); max defaults to 10 x base.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/outcome.h"

#include <string>
#include <vector>

namespace meshsim::models {

// The retry_on conditions, parsed once.
class RetryConditions
{
public:
    explicit RetryConditions(const std::vector<std::string>& retryOn);
    // `connectFailure`: the attempt failed before a connection existed (refused, unreachable,
    // connect timeout); otherwise a ConnectionFailure is a reset of an established connection.
    bool retriable(Outcome outcome, bool connectFailure, bool perTryTimeout) const;

private:
    bool m_5xx = false;
    bool m_gatewayError = false;
    bool m_reset = false;
    bool m_connectFailure = false;
};

// Linkerd's retry budget (tower's TpsBudget, reference/semantics.md §3.2): every original
// request deposits 1, every retry withdraws 1 / ratio (5 at 20%); deposits and withdrawals expire
// after `ttl`, kept in 10 slots; a reserve of min_per_second x ttl x withdrawal lets retries
// through when there is little traffic. A retry is allowed while the balance covers it.
class TpsRetryBudget
{
public:
    explicit TpsRetryBudget(double ratio = 0.2,
                            double minPerSecond = 10.0,
                            engine::SimDuration ttl = engine::SimDuration{10'000'000'000});
    void deposit(engine::SimTime now);
    // Takes a retry's withdrawal if the balance covers it.
    bool withdraw(engine::SimTime now);
    std::int64_t balance(engine::SimTime now);

private:
    void expire(engine::SimTime now);
    std::int64_t m_withdrawal = 5;
    std::int64_t m_reserve = 500;
    std::int64_t m_slotNs = 1'000'000'000;
    std::int64_t m_slot = 0; // the current slot's number (time / slot length)
    std::vector<std::int64_t> m_slots = std::vector<std::int64_t>(10, 0);
};

class JitteredBackoff
{
public:
    JitteredBackoff() = default;
    JitteredBackoff(engine::SimDuration base, engine::SimDuration max);
    // The wait before the next retry.
    engine::SimDuration next(engine::RandomStream& random);

private:
    engine::SimDuration m_next{0};
    engine::SimDuration m_max{0};
};

} // namespace meshsim::models
