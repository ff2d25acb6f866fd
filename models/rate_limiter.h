#pragma once

// Rate limiters of API gateways (reference/semantics.md §4), one state per key.
//
// * TokenBucket: Envoy's local rate limit (§4.1): a bucket of `burst` tokens (at least 1) that
//   refills continuously at `rate`, starts full; a request takes a token or is denied.
// * LeakyBucket: nginx limit_req (§4.3): `excess` in milli-requests leaks at `rate`; a request
//   adds 1000; above burst x 1000 it is rejected; accepted requests with excess are delayed
//   (excess / rate) unless `nodelay`.
// * FixedWindow: Kong rate-limiting (§4.4): windows aligned to multiples of `window`; at most
//   rate x window requests per window; rejected requests are not counted.
// * SlidingWindow: Kong rate-limiting-advanced (§4.5): count in this window plus the previous
//   window's count weighted by the share of it still inside the sliding window; rejected when
//   that estimate reaches the limit; rejected requests count.
// Not thread-safe.

#include "engine/core/sim_time.h"
#include "models/config.h"

#include <cstdint>
#include <unordered_map>

namespace meshsim::models {

struct RateDecision
{
    bool allowed = true;
    engine::SimDuration delay{0}; // leaky bucket: hold the request this long before passing it
};

class RateLimiter
{
public:
    explicit RateLimiter(const RateLimitConfig& config);
    RateDecision admit(std::uint64_t key, engine::SimTime now);

    // The limit of a window-based limiter (requests per window).
    double windowLimit() const;

private:
    struct State
    {
        double a = 0.0;        // token bucket: time (ns) at which the bucket was empty;
                               // leaky bucket: excess in milli-requests
        std::int64_t last = 0; // leaky bucket: last accounted time (ns); windows: window index
        double current = 0.0;  // windows: count in the current window
        double previous = 0.0; // sliding window: count in the previous window
        bool fresh = true;
    };
    RateDecision tokenBucket(State& s, engine::SimTime now) const;
    RateDecision leakyBucket(State& s, engine::SimTime now) const;
    RateDecision window(State& s, engine::SimTime now, bool sliding) const;

    RateLimitConfig m_config;
    std::unordered_map<std::uint64_t, State> m_states;
};

} // namespace meshsim::models
