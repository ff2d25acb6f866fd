#include "models/retry_policy.h"

#include <algorithm>

namespace meshsim::models {

RetryConditions::RetryConditions(const std::vector<std::string>& retryOn)
{
    for (const std::string& c : retryOn) {
        m_5xx = m_5xx || c == "5xx";
        m_gatewayError = m_gatewayError || c == "gateway-error";
        m_reset = m_reset || c == "reset";
        m_connectFailure = m_connectFailure || c == "connect-failure";
    }
}

bool RetryConditions::retriable(Outcome outcome, bool connectFailure, bool perTryTimeout) const
{
    const int status = httpStatus(outcome);
    if (outcome == Outcome::ConnectionFailure) {
        if (connectFailure)
            return m_5xx || m_gatewayError || m_connectFailure || m_reset;
        return m_5xx || m_gatewayError || m_reset; // a reset of an established connection
    }
    if (outcome == Outcome::Timeout && perTryTimeout) {
        // This proxy's per-try timeout (the route timeout ends the request instead); Envoy
        // retries it under 5xx, gateway-error and reset.
        return m_5xx || m_gatewayError || m_reset;
    }
    // An upstream response: any 5xx under 5xx; 502, 503 and 504 also under gateway-error. That
    // includes a 504 or a 503 an upstream service passed on from a call of its own.
    return (m_5xx && status >= 500) || (m_gatewayError && status >= 502 && status <= 504);
}

TpsRetryBudget::TpsRetryBudget(double ratio, double minPerSecond, engine::SimDuration ttl)
    : m_withdrawal(ratio > 0.0 ? static_cast<std::int64_t>(1.0 / ratio) : 1)
    , m_reserve(static_cast<std::int64_t>(minPerSecond * engine::toSeconds(ttl)) * m_withdrawal)
    , m_slotNs(std::max<std::int64_t>(1, ttl.count() / 10))
{}

void TpsRetryBudget::expire(engine::SimTime now)
{
    const std::int64_t slot = engine::toNanos(now) / m_slotNs;
    const auto n = static_cast<std::int64_t>(m_slots.size());
    // Slots that have fallen out of the window are emptied (all of them after a long pause).
    for (std::int64_t s = m_slot + 1; s <= slot && s <= m_slot + n; ++s)
        m_slots[static_cast<std::size_t>(s % n)] = 0;
    m_slot = std::max(m_slot, slot);
}

void TpsRetryBudget::deposit(engine::SimTime now)
{
    expire(now);
    m_slots[static_cast<std::size_t>(m_slot % static_cast<std::int64_t>(m_slots.size()))] += 1;
}

std::int64_t TpsRetryBudget::balance(engine::SimTime now)
{
    expire(now);
    std::int64_t sum = m_reserve;
    for (const std::int64_t s : m_slots)
        sum += s;
    return sum;
}

bool TpsRetryBudget::withdraw(engine::SimTime now)
{
    if (balance(now) < m_withdrawal)
        return false;
    m_slots[static_cast<std::size_t>(m_slot % static_cast<std::int64_t>(m_slots.size()))]
        -= m_withdrawal;
    return true;
}

JitteredBackoff::JitteredBackoff(engine::SimDuration base, engine::SimDuration max)
    : m_next(base)
    , m_max(max)
{}

engine::SimDuration JitteredBackoff::next(engine::RandomStream& random)
{
    const engine::SimDuration bound = m_next;
    m_next = m_next < m_max / 2 ? m_next * 2 : m_max;
    if (bound.count() <= 0)
        return engine::SimDuration{0};
    return engine::SimDuration{
        static_cast<std::int64_t>(random.nextBelow(static_cast<std::uint64_t>(bound.count())))};
}

} // namespace meshsim::models
