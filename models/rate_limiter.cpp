#include "models/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace meshsim::models {

RateLimiter::RateLimiter(const RateLimitConfig& config)
    : m_config(config)
{}

double RateLimiter::windowLimit() const
{
    return m_config.ratePerSecond * engine::toSeconds(m_config.window);
}

RateDecision RateLimiter::admit(std::uint64_t key, engine::SimTime now)
{
    State& s = m_states[key];
    switch (m_config.algorithm) {
    case RateLimitAlgorithm::TokenBucket:
        return tokenBucket(s, now);
    case RateLimitAlgorithm::LeakyBucket:
        return leakyBucket(s, now);
    case RateLimitAlgorithm::FixedWindow:
        return window(s, now, false);
    case RateLimitAlgorithm::SlidingWindow:
        return window(s, now, true);
    }
    return {};
}

RateDecision RateLimiter::tokenBucket(State& s, engine::SimTime now) const
{
    // Envoy's AtomicTokenBucketImpl keeps one timestamp: the time the bucket would have been
    // empty. available = min(max, (now - t) x fill_rate); taking one token moves t forward by
    // 1 / fill_rate.
    const double maxTokens = std::max<double>(1.0, m_config.burst);
    const double nanosPerToken = 1e9 / m_config.ratePerSecond;
    const auto t = static_cast<double>(engine::toNanos(now));
    if (s.fresh) {
        s.fresh = false;
        s.a = t - maxTokens * nanosPerToken; // starts full
    }
    const double available = std::min(maxTokens, (t - s.a) / nanosPerToken);
    if (available < 1.0)
        return {false, {}};
    s.a = t - (available - 1.0) * nanosPerToken;
    return {true, {}};
}

RateDecision RateLimiter::leakyBucket(State& s, engine::SimTime now) const
{
    // nginx ngx_http_limit_req_module: excess in milli-requests, rate in milli-requests/s.
    const double rate = m_config.ratePerSecond * 1000.0;
    const std::int64_t nowMs = engine::toNanos(now) / 1'000'000;
    double excess = 0.0;
    if (!s.fresh) {
        const auto elapsedMs = static_cast<double>(nowMs - s.last);
        excess = std::max(0.0, s.a - rate * elapsedMs / 1000.0 + 1000.0);
    }
    if (excess > static_cast<double>(m_config.burst) * 1000.0)
        return {false, {}};
    s.fresh = false;
    s.a = excess;
    s.last = nowMs;
    if (m_config.nodelay || excess <= 0.0)
        return {true, {}};
    return {true, engine::durationFromSeconds(excess / rate)};
}

RateDecision RateLimiter::window(State& s, engine::SimTime now, bool sliding) const
{
    const std::int64_t length = m_config.window.count();
    const std::int64_t index = engine::toNanos(now) / length;
    if (s.fresh || index != s.last) {
        s.previous = !s.fresh && index == s.last + 1 ? s.current : 0.0;
        s.current = 0.0;
        s.last = index;
        s.fresh = false;
    }
    const double limit = windowLimit();
    if (!sliding) {
        if (s.current >= limit)
            return {false, {}}; // Kong does not count rejected requests
        s.current += 1.0;
        return {true, {}};
    }
    const double elapsed
        = static_cast<double>(engine::toNanos(now) - index * length) / static_cast<double>(length);
    const double estimate = s.current + s.previous * (1.0 - elapsed);
    const bool allowed = estimate < limit;
    // Kong counts rejected requests too unless disable_penalty (semantics §4.5): a client that
    // keeps sending above the limit stays locked out.
    if (allowed || !m_config.disablePenalty)
        s.current += 1.0;
    return {allowed, {}};
}

} // namespace meshsim::models
