#pragma once

// ClientChannel: one caller instance's long-lived HTTP/2 connection to a service through its
// Kubernetes ClusterIP — how a gRPC client (or any HTTP/2 client) without a sidecar reaches a
// service. kube-proxy balances connections, not requests: it picks one ready instance at random
// when the connection opens (iptables mode), and every request of the caller goes to that
// instance until the connection ends. Istio ambient's ztunnels balance the same way (per
// connection, L4).
//
// States, as gRPC's connectivity states (doc/connectivity-semantics-and-api.md):
//   Idle ─(a request)─► Connecting ─► Ready ─(the instance closes it, max_connection_age)─► Idle
//                            │
//                            └─(refused, timed out)─► TransientFailure ─(backoff over)─► Idle
// * While Connecting, requests wait for the connection.
// * In TransientFailure requests fail at once (UNAVAILABLE: gRPC's default is not to wait for
//   readiness); the next request after the backoff connects again — to an instance picked anew.
// * The backoff is gRPC's (doc/connection-backoff.md): 1 s after the first failure, times 1.6
//   after each further one, at most 120 s, jittered by ±20%; a connection that becomes Ready
//   resets it.
// * `max_connection_age` (the server's): the server ends the connection (GOAWAY) after its age,
//   jittered by ±10% as grpc-go does; the requests in flight finish, the next one reconnects.
// Plain state; the CallRouter drives the connection itself. Not thread-safe.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config/common.h"
#include "models/load_balancer.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace meshsim::models {

struct Exchange;

// gRPC's connection backoff parameters (doc/connection-backoff.md).
struct ConnectionBackoff
{
    SimDuration initial{1'000'000'000};
    double multiplier = 1.6;
    double jitter = 0.2;
    SimDuration max{120'000'000'000};
};

class ClientChannel
{
public:
    enum class State : std::uint8_t { Idle, Connecting, Ready, TransientFailure };
    static constexpr std::uint32_t kNoHost = ~std::uint32_t{0};
    // What a request finds: a connection to use, one to open, one being opened (wait), or none
    // (fail at once; `host` is kNoHost when no instance is ready at all: kube-proxy rejects the
    // connection, a failed attempt).
    enum class Use : std::uint8_t { Send, Open, Wait, Fail };
    struct Pick
    {
        Use use = Use::Fail;
        std::uint32_t host = 0;
    };

    explicit ClientChannel(std::optional<SimDuration> maxConnectionAge,
                           ConnectionBackoff backoff = {})
        : m_maxAge(maxConnectionAge)
        , m_backoff(backoff)
    {}

    // The connection a request made at `now` uses. `hosts`: the instances kube-proxy knows
    // (present ones are ready endpoints); opening picks one of them at random with `random`.
    Pick pick(engine::SimTime now, const std::vector<LbHost>& hosts, engine::RandomStream& random)
    {
        if (m_state == State::Ready && m_ageEnd && now >= *m_ageEnd)
            m_state = State::Idle; // the server's GOAWAY
        switch (m_state) {
        case State::Ready:
            return {Use::Send, m_host};
        case State::Connecting:
            return {Use::Wait, m_host};
        case State::TransientFailure:
            if (now < m_retryAt)
                return {Use::Fail, m_host};
            break;
        case State::Idle:
            break;
        }
        return open(now, hosts, random);
    }

    // The connection opened (its handshake is done): Ready, the backoff reset.
    void connected(engine::SimTime now, engine::RandomStream& random);
    // The connection attempt failed: TransientFailure until the backoff is over.
    void connectFailed(engine::RandomStream& random);
    // The ready connection broke (reset, timed out): Idle, the next request reconnects.
    void broken();
    // Instance `host` closed its connections (it was killed: its kernel resets them).
    void hostClosed(std::uint32_t host)
    {
        if (m_host == host)
            broken();
    }

    State state() const { return m_state; }
    std::uint32_t host() const { return m_host; }
    // Connections opened, and attempts that failed, so far.
    std::uint64_t connects() const { return m_connects; }
    std::uint64_t failures() const { return m_failures; }
    // The requests waiting for the connection being opened; taken by whoever settles it.
    std::vector<Exchange*>& waiting() { return m_waiting; }
    // The current backoff (the wait after the next failure, before jitter).
    SimDuration backoff() const { return m_nextBackoff; }
    engine::SimTime retryAt() const { return m_retryAt; }

private:
    Pick open(engine::SimTime now, const std::vector<LbHost>& hosts, engine::RandomStream& random);

    std::optional<SimDuration> m_maxAge;
    ConnectionBackoff m_backoff;
    State m_state = State::Idle;
    std::uint32_t m_host = 0;
    engine::SimTime m_connectStart = engine::kSimStart;
    engine::SimTime m_retryAt = engine::kSimStart;
    std::optional<engine::SimTime> m_ageEnd;
    SimDuration m_nextBackoff = m_backoff.initial;
    std::uint64_t m_connects = 0;
    std::uint64_t m_failures = 0;
    std::vector<Exchange*> m_waiting;
};

} // namespace meshsim::models
