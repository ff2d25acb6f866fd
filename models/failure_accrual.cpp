#include "models/failure_accrual.h"

#include <algorithm>

namespace meshsim::models {

FailureAccrual::FailureAccrual(const FailureAccrualConfig& config, std::uint32_t hosts)
    : m_config(config)
    , m_hosts(hosts)
{}

bool FailureAccrual::isFailure(Outcome outcome) const
{
    if (m_config.style == FailureAccrualConfig::Style::Nginx) // proxy_next_upstream error timeout
        return outcome == Outcome::ConnectionFailure || outcome == Outcome::Timeout;
    return httpStatus(outcome) >= 500; // linkerd's classifier: 5xx and errors
}

FailureAccrual::Change
FailureAccrual::onResult(std::uint32_t host, bool failure, engine::SimTime now, double jitter)
{
    Host& h = m_hosts[host];
    switch (h.state) {
    case State::Shut:
        return Change::None; // ignored until the penalty is over
    case State::Probation:
        if (failure) {
            ++h.probesFailed;
            shut(h, now, jitter);
            return Change::None; // still shut, with a longer penalty
        }
        h.state = State::Open;
        h.probing = false;
        h.failures = 0;
        h.probesFailed = 0;
        ++m_changes;
        return Change::Opened;
    case State::Open:
        break;
    }
    if (!failure) {
        h.failures = 0;
        return Change::None;
    }
    if (++h.failures < m_config.consecutiveFailures)
        return Change::None;
    h.probesFailed = 0;
    shut(h, now, jitter);
    return Change::Shut;
}

void FailureAccrual::shut(Host& h, engine::SimTime now, double jitter)
{
    // min x 2^k, capped (linkerd's ExponentialBackoff), plus up to `jitter` of it.
    const engine::SimDuration cap = std::max(m_config.maxPenalty, m_config.minPenalty);
    engine::SimDuration base = m_config.minPenalty;
    for (std::uint32_t k = 0; k < h.probesFailed && base < cap; ++k)
        base *= 2;
    base = std::min(base, cap);
    const auto extra = engine::SimDuration{
        static_cast<std::int64_t>(static_cast<double>(base.count()) * m_config.jitter * jitter)};
    h.state = State::Shut;
    h.probing = false;
    h.failures = 0;
    h.probationAt = now + base + extra;
    m_nextDue = std::min(m_nextDue, h.probationAt);
    ++m_changes;
}

void FailureAccrual::promote(engine::SimTime now)
{
    m_nextDue = engine::kSimNever;
    for (Host& h : m_hosts) {
        if (h.state != State::Shut)
            continue;
        if (h.probationAt <= now) {
            h.state = State::Probation;
            h.probing = false;
            ++m_changes;
        } else {
            m_nextDue = std::min(m_nextDue, h.probationAt);
        }
    }
}

void FailureAccrual::onSettled(std::uint32_t host)
{
    Host& h = m_hosts[host];
    if (h.state == State::Probation && h.probing) {
        h.probing = false;
        ++m_changes;
    }
}

void FailureAccrual::onDispatched(std::uint32_t host)
{
    Host& h = m_hosts[host];
    if (h.state == State::Probation && !h.probing) {
        h.probing = true;
        ++m_changes;
    }
}

} // namespace meshsim::models
