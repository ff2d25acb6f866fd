#pragma once

// FailureAccrual: Linkerd's endpoint circuit breaker for the endpoints of one balancer as one
// proxy sees them (linkerd2-proxy, outbound/src/http/breaker/consecutive_failures.rs):
//
// * Open: a failed response (5xx, a connection failure or a timeout) counts, a success resets
//   the count; `consecutive_failures` in a row shut the endpoint.
// * Shut: the balancer does not choose it; responses are ignored. After the penalty,
//   min_penalty x 2^k capped at max_penalty plus up to `jitter` of it (k: the probes failed in a
//   row), it goes on probation.
// * Probation: it admits one request; the next response decides: a success opens it (the count
//   and the penalty start over), a failure shuts it for the next penalty.
//
// NGINX's passive health checks (FailureAccrualConfig::Style::Nginx; max_fails consecutive
// failures, a constant fail_timeout) differ in what fails (connection errors and timeouts only)
// and in that a server whose fail_timeout is over takes every request until one decides.
//
// Time moves lazily: the owner calls advance(now) before it chooses an endpoint. Not thread-safe.

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/outcome.h"

#include <cstdint>
#include <vector>

namespace meshsim::models {

class FailureAccrual
{
public:
    enum class State : std::uint8_t { Open, Shut, Probation };
    enum class Change : std::uint8_t { None, Shut, Opened };

    FailureAccrual(const FailureAccrualConfig& config, std::uint32_t hosts);

    // Whether a try that ended so counts as a failure in this style.
    bool isFailure(Outcome outcome) const;

    // A response of `host`. `jitter` is a uniform draw in [0, 1), used when the host shuts.
    Change onResult(std::uint32_t host, bool failure, engine::SimTime now, double jitter);
    // Hosts whose penalty is over go on probation.
    void advance(engine::SimTime now)
    {
        if (now >= m_nextDue)
            promote(now);
    }
    // Whether a response (`failure` or not) of `host` would shut it now.
    bool shuts(std::uint32_t host, bool failure) const
    {
        const Host& h = m_hosts[host];
        return failure
               && (h.state == State::Probation
                   || (h.state == State::Open && h.failures + 1 >= m_config.consecutiveFailures));
    }
    // A request was sent to `host`: on probation, its one permit is taken.
    void onDispatched(std::uint32_t host);
    // A request to `host` is over. If no response decided its probation (the request was
    // cancelled: a hedge that lost, a timeout of the whole call, a local reply), the permit comes
    // back, as linkerd's semaphore permit does when the request is dropped.
    void onSettled(std::uint32_t host);

    bool available(std::uint32_t host) const
    {
        const Host& h = m_hosts[host];
        return h.state == State::Open
               || (h.state == State::Probation
                   && (!h.probing || m_config.style == FailureAccrualConfig::Style::Nginx));
    }
    State state(std::uint32_t host) const { return m_hosts[host].state; }
    engine::SimTime probationAt(std::uint32_t host) const { return m_hosts[host].probationAt; }
    // Counts every change of availability (for the balancer's host set).
    std::uint64_t changes() const { return m_changes; }

private:
    struct Host
    {
        State state = State::Open;
        bool probing = false; // on probation, its one request sent
        std::uint32_t failures = 0;
        std::uint32_t probesFailed = 0; // the penalty's exponent
        engine::SimTime probationAt;
    };
    void shut(Host& h, engine::SimTime now, double jitter);
    void promote(engine::SimTime now);

    FailureAccrualConfig m_config;
    std::vector<Host> m_hosts;
    engine::SimTime m_nextDue = engine::kSimNever;
    std::uint64_t m_changes = 0;
};

} // namespace meshsim::models
