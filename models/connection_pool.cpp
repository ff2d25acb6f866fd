#include "models/connection_pool.h"

#include "engine/core/assert.h"
#include "models/internal/records.h"

#include <algorithm>

namespace meshsim::models {

ConnectionPool::ConnectionPool(std::size_t hosts, ResourceLimits& limits)
    : m_hosts(hosts)
    , m_limits(limits)
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
    if (pool.idle > 0) {
        --pool.idle;
        ex->hasConnection = true;
        count(ex);
        return Grant::Reuse;
    }
    // Envoy: a host's pool without any connection may always open one, whatever
    // max_connections says (reference/semantics.md §2.1).
    if (pool.open == 0 || m_limits.canOpenConnection()) {
        m_limits.connectionOpened();
        ++pool.open;
        ex->hasConnection = true;
        ex->freshConnection = true;
        count(ex);
        return Grant::Open;
    }
    if (m_limits.canQueue()) {
        m_limits.pendingAdded();
        ex->queued = true;
        pool.pending.push_back(ex);
        return Grant::Queued;
    }
    return Grant::Overflow;
}

ConnectionPool::Handover ConnectionPool::release(Exchange* ex, bool reusable)
{
    if (!ex->hasConnection)
        return {};
    ex->hasConnection = false;
    Host& pool = m_hosts[ex->host];
    const auto takeWaiting = [&] {
        Exchange* next = pool.pending.front();
        pool.pending.pop_front();
        next->queued = false;
        m_limits.pendingRemoved();
        return next;
    };
    if (reusable) {
        if (pool.pending.empty()) {
            ++pool.idle;
            return {};
        }
        Exchange* next = takeWaiting();
        next->hasConnection = true;
        count(next);
        return {next, false};
    }
    --pool.open; // a reset or a timeout closes the connection
    m_limits.connectionClosed();
    // The closed connection's place may serve a waiting try.
    if (!pool.pending.empty() && (pool.open == 0 || m_limits.canOpenConnection())) {
        Exchange* next = takeWaiting();
        const Grant grant = acquire(next);
        MESHSIM_ASSERT(grant == Grant::Open, "no idle connection while tries wait");
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
    for (; pool.idle > 0; --pool.idle) {
        --pool.open;
        m_limits.connectionClosed();
    }
}

} // namespace meshsim::models
