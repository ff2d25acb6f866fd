// ConnectionPool: one proxy's connections to an upstream's hosts, with Envoy's circuit-breaker
// accounting (reference/semantics.md §2.1; conn_pool_base.cc newStreamImpl): every try without a
// ready connection is a pending request, also while the connection it triggered is being opened;
// beyond max_pending_requests it overflows (503 UO); max_connections makes a try wait (no error),
// a host's pool without any connection may always open one, a try counts toward max_requests once
// its connection is ready (connected()). The pool keeps
// the books only; the router opens connections and ends a request's count (requestFinished), so
// the counts below are the pool's part.

#include "models/circuit_breaker.h"
#include "models/config.h"
#include "models/connection_pool.h"
#include "models/internal/records.h"

#include <QTest>

#include <cstdint>
#include <optional>

using meshsim::models::CircuitBreakerThresholds;
using meshsim::models::ConnectionPool;
using meshsim::models::Exchange;
using meshsim::models::ResourceLimits;
using Grant = meshsim::models::ConnectionPool::Grant;

namespace {

ResourceLimits limitsOf(std::uint32_t maxConnections, std::uint32_t maxPending)
{
    CircuitBreakerThresholds t; // Envoy's defaults (1024 each, 3 retries) for the others
    t.maxConnections = maxConnections;
    t.maxPendingRequests = maxPending;
    return ResourceLimits(t, std::nullopt, 3);
}

Exchange tryTo(std::uint32_t host)
{
    Exchange ex;
    ex.host = host;
    return ex;
}

} // namespace

class TestConnectionPool : public QObject
{
    Q_OBJECT

private slots:
    void firstTryOpensAndTheConnectionIsReused()
    {
        ResourceLimits limits = limitsOf(1024, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        // Pending while its connection opens; counted once it is ready.
        QVERIFY(a.hasConnection && a.freshConnection && a.connecting && !a.counted);
        QCOMPARE(limits.pending(), 1U);
        QCOMPARE(limits.requests(), 0U);
        pool.connected(&a);
        QVERIFY(!a.connecting && a.counted);
        QCOMPARE(limits.pending(), 0U);
        QCOMPARE(limits.connections(), 1U);
        QCOMPARE(limits.requests(), 1U);
        // A response leaves the connection usable: idle, then reused by the next try.
        const ConnectionPool::Handover none = pool.release(&a, true);
        QVERIFY(none.ex == nullptr);
        QVERIFY(!a.hasConnection);
        QCOMPARE(pool.host(0).idle, 1U);
        Exchange b = tryTo(0);
        QCOMPARE(pool.acquire(&b), Grant::Reuse);
        QVERIFY(b.hasConnection && !b.freshConnection);
        QCOMPARE(pool.host(0).idle, 0U);
        QCOMPARE(pool.host(0).open, 1U);
        QCOMPARE(limits.connections(), 1U); // still the one connection
        QCOMPARE(limits.requests(), 2U);    // a's count ends in the router, not here
    }

    void maxConnectionsMakesTriesWaitWithoutError()
    {
        // §2.1: max_connections tripped is no error: the request waits as pending, and takes
        // over the connection when the try on it is done with it.
        ResourceLimits limits = limitsOf(1, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        QCOMPARE(pool.acquire(&b), Grant::Queued);
        QVERIFY(b.queued && !b.hasConnection && !b.counted);
        QCOMPARE(limits.pending(), 1U);
        QCOMPARE(limits.requests(), 1U); // a waiting try does not count toward max_requests
        const ConnectionPool::Handover next = pool.release(&a, true);
        QCOMPARE(next.ex, &b);
        QVERIFY(!next.open); // sent on a's connection
        QVERIFY(b.hasConnection && !b.queued && b.counted);
        QCOMPARE(limits.pending(), 0U);
        QCOMPARE(limits.requests(), 2U);
        QCOMPARE(limits.connections(), 1U);
        QCOMPARE(pool.host(0).idle, 0U);
    }

    void aHostWithoutConnectionsMayAlwaysOpenOne()
    {
        // §2.1: "A pool with 0 connections always gets one", whatever max_connections says:
        // with max_connections 1 taken by host 0, host 1 still opens its first; with
        // max_connections 0, so does a host's very first try.
        ResourceLimits limits = limitsOf(1, 1024);
        ConnectionPool pool(2, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(1);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        QCOMPARE(pool.acquire(&b), Grant::Open);
        QCOMPARE(limits.connections(), 2U);

        ResourceLimits none = limitsOf(0, 1024);
        ConnectionPool zero(1, none);
        Exchange c = tryTo(0);
        Exchange d = tryTo(0);
        QCOMPARE(zero.acquire(&c), Grant::Open);
        QCOMPARE(zero.acquire(&d), Grant::Queued); // the host has one now: the limit applies
    }

    void pendingOverflowIsRefused()
    {
        // §2.1: a try without a ready connection while max_pending_requests wait overflows
        // (503 UO); it neither waits nor counts. A's connection is ready, b waits for it.
        ResourceLimits limits = limitsOf(1, 1);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        Exchange c = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        QCOMPARE(pool.acquire(&b), Grant::Queued);
        QCOMPARE(pool.acquire(&c), Grant::Overflow);
        QVERIFY(!c.queued && !c.hasConnection && !c.counted);
        QCOMPARE(limits.pending(), 1U);
        QCOMPARE(limits.requests(), 1U);
        QCOMPARE(pool.host(0).pending.size(), std::size_t{1});
    }

    void aTryWhoseConnectionOpensIsPending()
    {
        // Envoy counts a stream whose connection is being opened as pending (Istio's own
        // circuit-breaking example, http1MaxPendingRequests 1, sees 503s in bursts): with
        // max_pending_requests 1, a second try to a host whose first connection is still
        // opening overflows, whatever max_connections allows.
        ResourceLimits limits = limitsOf(1024, 1);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        QCOMPARE(pool.acquire(&b), Grant::Overflow);
        QCOMPARE(limits.pending(), 1U);
        // Once a's connection is ready the slot is free again: b's retry opens a second one.
        pool.connected(&a);
        QCOMPARE(pool.acquire(&b), Grant::Open);
        // A try reset while its connection opens gives its slot back with the connection.
        QVERIFY(pool.release(&b, false).ex == nullptr);
        QCOMPARE(limits.pending(), 0U);
        QCOMPARE(limits.connections(), 1U);
    }

    void waitingTriesAreServedInArrivalOrder()
    {
        ResourceLimits limits = limitsOf(1, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        Exchange c = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        QCOMPARE(pool.acquire(&b), Grant::Queued);
        QCOMPARE(pool.acquire(&c), Grant::Queued);
        QCOMPARE(pool.release(&a, true).ex, &b);
        QCOMPARE(pool.release(&b, true).ex, &c);
        QVERIFY(pool.release(&c, true).ex == nullptr);
        QCOMPARE(pool.host(0).idle, 1U);
        QCOMPARE(limits.pending(), 0U);
    }

    void aClosedConnectionsPlaceServesAWaitingTry()
    {
        // A reset or a timeout closes the connection: the waiting try opens a new one in its
        // place (still within max_connections).
        ResourceLimits limits = limitsOf(1, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        QCOMPARE(pool.acquire(&b), Grant::Queued);
        const ConnectionPool::Handover next = pool.release(&a, false);
        QCOMPARE(next.ex, &b);
        QVERIFY(next.open);
        QVERIFY(b.hasConnection && b.freshConnection && !b.queued && b.connecting);
        QCOMPARE(limits.connections(), 1U); // one closed, one opened
        QCOMPARE(limits.pending(), 1U);     // b stays pending while its connection opens
        pool.connected(&b);
        QCOMPARE(limits.pending(), 0U);
        QCOMPARE(pool.host(0).open, 1U);
        QCOMPARE(pool.host(0).idle, 0U);
        // Closed with nobody waiting: the connection is gone.
        QVERIFY(pool.release(&b, false).ex == nullptr);
        QCOMPARE(limits.connections(), 0U);
        QCOMPARE(pool.host(0).open, 0U);
    }

    void aTryLeavingTheQueueIsNotServed()
    {
        ResourceLimits limits = limitsOf(1, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        Exchange c = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        QCOMPARE(pool.acquire(&b), Grant::Queued);
        QCOMPARE(pool.acquire(&c), Grant::Queued);
        pool.leaveQueue(&b); // reset before it had a connection
        QVERIFY(!b.queued);
        QCOMPARE(limits.pending(), 1U);
        QCOMPARE(pool.release(&a, true).ex, &c);
    }

    void idleConnectionsDieWithTheirHost()
    {
        ResourceLimits limits = limitsOf(2, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        Exchange b = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        QCOMPARE(pool.acquire(&b), Grant::Open); // 1 < max_connections 2
        pool.release(&a, true);
        pool.release(&b, true);
        QCOMPARE(pool.host(0).idle, 2U);
        QCOMPARE(limits.connections(), 2U);
        pool.closeIdle(0);
        QCOMPARE(pool.host(0).idle, 0U);
        QCOMPARE(pool.host(0).open, 0U);
        QCOMPARE(limits.connections(), 0U);
    }

    void http2CarriesEveryTryOnOneConnection()
    {
        // Envoy's HTTP/2 pool: the first try opens the host's one connection, the next ones wait
        // for it (pending) and all become streams on it once it is up; later tries ride it at
        // once. A stream's own reset (a per-try timeout) keeps the connection.
        ResourceLimits limits = limitsOf(1024, 1024);
        ConnectionPool pool(2, limits, true);
        Exchange a = tryTo(0), b = tryTo(0), c = tryTo(0), other = tryTo(1);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        QCOMPARE(pool.acquire(&b), Grant::Queued);
        QCOMPARE(pool.acquire(&c), Grant::Queued);
        QCOMPARE(pool.acquire(&other), Grant::Open); // per host
        QCOMPARE(limits.pending(), 4U);
        QCOMPARE(limits.connections(), 2U);
        QVERIFY(pool.takeStreams(0).empty()); // not up yet
        pool.connected(&a);
        pool.connectionReady(&a);
        const auto streams = pool.takeStreams(0);
        QCOMPARE(streams.size(), std::size_t{2});
        QVERIFY(streams[0] == &b && streams[1] == &c);
        QCOMPARE(limits.pending(), 1U); // other's connection is still opening
        QCOMPARE(limits.requests(), 3U);
        Exchange d = tryTo(0);
        QCOMPARE(pool.acquire(&d), Grant::Reuse);
        QCOMPARE(limits.connections(), 2U);
        // A per-try timeout resets b's stream (not a reset by the host): the connection stays.
        QVERIFY(!pool.release(&b, false).ex);
        Exchange e = tryTo(0);
        QCOMPARE(pool.acquire(&e), Grant::Reuse);
        QCOMPARE(pool.host(0).open, 1U);
    }

    void http2ConnectionResetByItsHostCloses()
    {
        // The host resets the connection (it died): the next try opens a new one, and a late
        // reset of a stream of the old connection does not close the new one.
        ResourceLimits limits = limitsOf(1024, 1024);
        ConnectionPool pool(1, limits, true);
        Exchange a = tryTo(0), b = tryTo(0);
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        pool.connectionReady(&a);
        QCOMPARE(pool.acquire(&b), Grant::Reuse);
        a.reset = true;
        QVERIFY(!pool.release(&a, false).ex);
        QCOMPARE(pool.host(0).open, 0U);
        QCOMPARE(limits.connections(), 0U);
        Exchange c = tryTo(0);
        QCOMPARE(pool.acquire(&c), Grant::Open);
        b.reset = true; // b rode the old connection
        QVERIFY(!pool.release(&b, false).ex);
        QCOMPARE(pool.host(0).open, 1U);
        // A refused opening hands the place to the first waiting try, which opens anew.
        Exchange d = tryTo(0);
        QCOMPARE(pool.acquire(&d), Grant::Queued);
        c.reset = true;
        const auto next = pool.release(&c, false);
        QVERIFY(next.ex == &d && next.open);
        // The host dies: its connection closes, busy or not.
        pool.closeIdle(0);
        QCOMPARE(pool.host(0).open, 0U);
        QCOMPARE(limits.connections(), 0U);
    }

    void aTryCountsOnce()
    {
        ResourceLimits limits = limitsOf(1024, 1024);
        ConnectionPool pool(1, limits);
        Exchange a = tryTo(0);
        pool.count(&a);
        pool.count(&a);
        QCOMPARE(limits.requests(), 1U);
        // Granted a connection later, it is not counted again.
        QCOMPARE(pool.acquire(&a), Grant::Open);
        pool.connected(&a);
        QCOMPARE(limits.requests(), 1U);
        // Releasing a try that holds no connection changes nothing.
        Exchange stranger = tryTo(0);
        QVERIFY(pool.release(&stranger, false).ex == nullptr);
        QCOMPARE(limits.connections(), 1U);
        QCOMPARE(pool.host(0).open, 1U);
    }
};

QTEST_GUILESS_MAIN(TestConnectionPool)
#include "tst_connection_pool.moc"
