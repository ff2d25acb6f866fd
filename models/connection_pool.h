#pragma once

// ConnectionPool: one caller proxy's connections to the hosts of one upstream, with Envoy's
// circuit-breaker accounting (reference/semantics.md §2.1).
//
// Per host: open connections, idle ones, and the tries waiting for one. A try is granted an idle
// connection; otherwise it is a pending request (Envoy counts every stream without a ready
// connection, also one whose connection is being opened) and overflows beyond
// max_pending_requests (a local 503, flag UO), else it opens a new connection (a host without any
// connection may always open one, whatever max_connections says; otherwise only below it) or
// waits for one. A try counts toward max_requests once its connection is ready.
// Multiplexed (HTTP/2, gRPC: Envoy's HTTP/2 pool): one connection per host carries every try at
// once as a stream (Envoy's default max_concurrent_streams is 2^31 - 1); tries wait (pending)
// while it opens and all go when it is ready; a stream's reset (a per-try timeout) keeps the
// connection, a reset by the host (it died) closes it.
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

    ConnectionPool(std::size_t hosts, ResourceLimits& limits, bool multiplexed = false);
    bool multiplexed() const { return m_multiplexed; }

    Grant acquire(Exchange* ex);
    // The connection opened for `ex` is ready: it stops being a pending request and counts
    // toward max_requests.
    void connected(Exchange* ex);

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
    // Multiplexed: the connection `opener` opened is up (whatever became of the opener).
    void connectionReady(const Exchange* opener);
    // Multiplexed: once the host's connection is up, the tries that waited for it, now streams
    // on it, to be sent.
    std::vector<Exchange*> takeStreams(std::uint32_t host);
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
        // Multiplexed: the connection is up (else being opened when open > 0), and which one it
        // is (a stream of an earlier connection that was closed does not close this one).
        bool ready = false;
        std::uint32_t generation = 0;
    };
    const Host& host(std::uint32_t index) const { return m_hosts[index]; }

private:
    void openFor(Exchange* ex);
    // The first try waiting for a connection to the host, out of its queue (still pending).
    static Exchange* takeWaiting(Host& pool);
    void stopConnecting(Exchange* ex);

    // Multiplexed: the host's connection closes (its streams are reset by their router).
    void closeMultiplexed(Host& pool);

    std::vector<Host> m_hosts;
    ResourceLimits& m_limits;
    bool m_multiplexed = false;
};

} // namespace meshsim::models
