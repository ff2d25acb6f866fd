#include "models/client_channel.h"

#include <algorithm>

namespace meshsim::models {

namespace {

// A duration times a factor drawn uniformly in [1 - jitter, 1 + jitter].
SimDuration jittered(SimDuration d, double jitter, engine::RandomStream& random)
{
    const double factor = 1.0 + jitter * (2.0 * random.nextDouble() - 1.0);
    return engine::durationFromNanos(static_cast<double>(d.count()) * factor);
}

} // namespace

ClientChannel::Pick ClientChannel::open(engine::SimTime now,
                                        const std::vector<LbHost>& hosts,
                                        engine::RandomStream& random)
{
    // kube-proxy (iptables mode): each ready endpoint with equal probability.
    std::uint32_t ready = 0;
    for (const LbHost& h : hosts)
        ready += h.present ? 1 : 0;
    m_state = State::Connecting;
    m_connectStart = now;
    if (ready == 0) {
        // kube-proxy rejects connections to a service without endpoints: a failed attempt.
        connectFailed(random);
        return {Use::Fail, kNoHost};
    }
    std::uint64_t n = random.nextBelow(ready);
    for (std::uint32_t h = 0; h < hosts.size(); ++h) {
        if (!hosts[h].present)
            continue;
        if (n-- == 0) {
            m_host = h;
            break;
        }
    }
    return {Use::Open, m_host};
}

void ClientChannel::connected(engine::SimTime now, engine::RandomStream& random)
{
    if (m_state != State::Connecting)
        return;
    m_state = State::Ready;
    ++m_connects;
    m_nextBackoff = m_backoff.initial;
    m_ageEnd.reset();
    if (m_maxAge)
        m_ageEnd = now + jittered(*m_maxAge, 0.1, random); // grpc-go: ±10%
}

void ClientChannel::connectFailed(engine::RandomStream& random)
{
    if (m_state != State::Connecting)
        return;
    ++m_failures;
    // gRPC: the next attempt starts a backoff after this one started (not after it failed).
    m_state = State::TransientFailure;
    m_retryAt = m_connectStart + jittered(m_nextBackoff, m_backoff.jitter, random);
    const double next = static_cast<double>(m_nextBackoff.count()) * m_backoff.multiplier;
    m_nextBackoff = std::min(m_backoff.max, engine::durationFromNanos(std::min(next, 4.0e18)));
}

void ClientChannel::broken()
{
    if (m_state == State::Ready)
        m_state = State::Idle;
}

} // namespace meshsim::models
