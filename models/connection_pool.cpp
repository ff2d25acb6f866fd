#include "models/connection_pool.h"

#include "models/internal/records.h"

#include <algorithm>

namespace meshsim::models {

ConnectionPool::ConnectionPool(std::size_t hosts, ResourceLimits& limits, bool multiplexed)
    : m_hosts(hosts)
    , m_limits(limits)
    , m_multiplexed(multiplexed)
{}

void ConnectionPool::count(Exchange* ex)
{
    if (!ex->counted) {
        ex->counted = true;
        m_limits.requestStarted();
    }
}

ConnectionPool::Grant ConnectionPool::acquire(Exchange* ex)
{
    Host& pool = m_hosts[ex->host];
    if (m_multiplexed) {
        if (pool.ready) { // a new stream on the connection
            ex->hasConnection = true;
            ex->poolConnection = pool.generation;
            count(ex);
            return Grant::Reuse;
        }
        if (!m_limits.canQueue())
            return Grant::Overflow;
        m_limits.pendingAdded();
        if (pool.open == 0) {
            openFor(ex);
            return Grant::Open;
        }
        ex->queued = true; // its connection is being opened
        pool.pending.push_back(ex);
        return Grant::Queued;
    }
    if (pool.idle > 0) {
        --pool.idle;
        ex->hasConnection = true;
        count(ex);
        return Grant::Reuse;
    }
    // Envoy (conn_pool_base.cc, newStreamImpl): a stream without a ready connection is a pending
    // request, also while the connection it triggers is being opened; over max_pending_requests
    // it overflows (reference/semantics.md §2.1).
    if (!m_limits.canQueue())
        return Grant::Overflow;
    m_limits.pendingAdded();
    // A host's pool without any connection may always open one, whatever max_connections says.
    if (pool.open == 0 || m_limits.canOpenConnection()) {
        openFor(ex);
        return Grant::Open;
    }
    ex->queued = true;
    pool.pending.push_back(ex);
    return Grant::Queued;
}

void ConnectionPool::openFor(Exchange* ex)
{
    m_limits.connectionOpened();
    Host& pool = m_hosts[ex->host];
    ex->poolConnection = ++pool.generation;
    ++pool.open;
    ex->hasConnection = true;
    ex->freshConnection = true;
    ex->connecting = true;
}

Exchange* ConnectionPool::takeWaiting(Host& pool)
{
    Exchange* next = pool.pending.front();
    pool.pending.pop_front();
    next->queued = false;
    return next;
}

void ConnectionPool::connected(Exchange* ex)
{
    if (!ex->connecting)
        return;
    ex->connecting = false;
    m_limits.pendingRemoved();
    count(ex);
}

void ConnectionPool::connectionReady(const Exchange* opener)
{
    Host& pool = m_hosts[opener->host];
    if (m_multiplexed && pool.open > 0 && pool.generation == opener->poolConnection)
        pool.ready = true;
}

std::vector<Exchange*> ConnectionPool::takeStreams(std::uint32_t host)
{
    Host& pool = m_hosts[host];
    std::vector<Exchange*> streams;
    while (pool.ready && !pool.pending.empty()) {
        Exchange* next = takeWaiting(pool);
        m_limits.pendingRemoved();
        next->hasConnection = true;
        next->poolConnection = pool.generation;
        count(next);
        streams.push_back(next);
    }
    return streams;
}

void ConnectionPool::closeMultiplexed(Host& pool)
{
    if (pool.open == 0)
        return;
    pool.open = 0;
    pool.ready = false;
    ++pool.generation;
    m_limits.connectionClosed();
}

void ConnectionPool::stopConnecting(Exchange* ex)
{
    if (!ex->connecting)
        return;
    ex->connecting = false;
    m_limits.pendingRemoved();
}

ConnectionPool::Handover ConnectionPool::release(Exchange* ex, bool reusable)
{
    stopConnecting(ex);
    if (!ex->hasConnection)
        return {};
    ex->hasConnection = false;
    Host& pool = m_hosts[ex->host];
    if (m_multiplexed) {
        // A response or a stream's own reset leaves the connection; a reset by the host (a
        // refused or broken connection) closes it, unless it is already an earlier one.
        if (reusable || !ex->reset || ex->poolConnection != pool.generation)
            return {};
        closeMultiplexed(pool);
        if (!pool.pending.empty()) { // a waiting stream opens the next connection
            Exchange* next = takeWaiting(pool);
            openFor(next);
            return {next, true};
        }
        return {};
    }
    if (reusable) {
        if (pool.pending.empty()) {
            ++pool.idle;
            return {};
        }
        Exchange* next = takeWaiting(pool);
        m_limits.pendingRemoved(); // a ready connection: no longer pending
        next->hasConnection = true;
        count(next);
        return {next, false};
    }
    --pool.open; // a reset or a timeout closes the connection
    m_limits.connectionClosed();
    // The closed connection's place may serve a waiting try: it stays pending while the new
    // connection opens.
    if (!pool.pending.empty() && (pool.open == 0 || m_limits.canOpenConnection())) {
        Exchange* next = takeWaiting(pool); // pending until its connection is ready
        openFor(next);
        return {next, true};
    }
    return {};
}

void ConnectionPool::leaveQueue(Exchange* ex)
{
    auto& pending = m_hosts[ex->host].pending;
    pending.erase(std::find(pending.begin(), pending.end(), ex));
    m_limits.pendingRemoved();
    ex->queued = false;
}

void ConnectionPool::closeIdle(std::uint32_t host)
{
    Host& pool = m_hosts[host];
    if (m_multiplexed) { // the host is gone: its one connection, busy or not
        closeMultiplexed(pool);
        return;
    }
    for (; pool.idle > 0; --pool.idle) {
        --pool.open;
        m_limits.connectionClosed();
    }
}

} // namespace meshsim::models
