#pragma once

// ConnectionPool: one caller proxy's connections to the hosts of one upstream, with Envoy's
// circuit-breaker accounting (reference/semantics.md §2.1).
//
// Per host: open connections, idle ones, and the tries waiting for one. A try is granted an idle
// connection, or a new one (a host without any connection may always open one, whatever
// max_connections says; otherwise only below it), or waits (below max_pending_requests), or
// overflows (a local 503, flag UO). A try counts toward max_requests once it has a connection.
// The pool only keeps the books: opening a connection (handshakes, refusals) is the router's
// work. Not thread-safe.

#include "models/circuit_breaker.h"

#include <cstdint>
#include <deque>
#include <vector>

namespace meshsim::models {

struct Exchange;

class ConnectionPool
{
public:
    enum class Grant : std::uint8_t {
        Reuse,    // an idle connection: send now
        Open,     // a new connection: open it, then send
        Queued,   // waits for a connection; handed one by release()
        Overflow, // max_pending_requests reached: a local 503
    };

    ConnectionPool(std::size_t hosts, ResourceLimits& limits);

    Grant acquire(Exchange* ex);

    // What release() asks of the caller: send `ex` on the connection it was handed, or open a
    // new connection for it (`open`). Nothing when `ex` is null.
    struct Handover
    {
        Exchange* ex = nullptr;
        bool open = false;
    };
    // The try is done with its connection: kept for reuse (a response) or closed (a reset or
    // a timeout). A waiting try may take it over, or take the closed connection's place.
    Handover release(Exchange* ex, bool reusable);
    // A waiting try leaves the queue (reset before it had a connection).
    void leaveQueue(Exchange* ex);
    // The host is gone: its idle connections die with it.
    void closeIdle(std::uint32_t host);
    // Counts a try that started without the pool toward max_requests (once).
    void count(Exchange* ex);

    struct Host
    {
        std::uint32_t open = 0;
        std::uint32_t idle = 0;
        std::deque<Exchange*> pending;
    };
    const Host& host(std::uint32_t index) const { return m_hosts[index]; }

private:
    std::vector<Host> m_hosts;
    ResourceLimits& m_limits;
};

} // namespace meshsim::models
