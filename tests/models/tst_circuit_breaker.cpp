// Circuit breakers against reference/semantics.md: Envoy's cluster resource limits and retry
// budget (§2.1), resilience4j's count-based breaker (§2.3) and Hystrix's breaker (§2.4).
// Every expected number is derived in a comment from the cited section.

#include "engine/core/sim_time.h"
#include "models/circuit_breaker.h"
#include "models/config.h"

#include <QTest>

#include <cstdint>
#include <optional>

using meshsim::engine::atNanos;
using meshsim::engine::SimTime;
using meshsim::models::BreakerState;
using meshsim::models::breakerStateName;
using meshsim::models::CircuitBreakerThresholds;
using meshsim::models::LibraryBreaker;
using meshsim::models::LibraryCircuitBreakerConfig;
using meshsim::models::Resilience4jBreaker;
using meshsim::models::ResourceLimits;

namespace {
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

SimTime ms(std::int64_t milliseconds)
{
    return atNanos(milliseconds * kMs);
}

QByteArray name(BreakerState s)
{
    return QByteArray(breakerStateName(s));
}

// How many retries may start now, starting them until the limit says no.
int retriesAllowed(ResourceLimits& limits)
{
    int n = 0;
    while (limits.canRetry() && n < 100'000) {
        limits.retryStarted();
        ++n;
    }
    return n;
}

// Hystrix as the scenario loader configures it (topologies/loader.cpp, semantics §2.4 and §8):
// errorThresholdPercentage 50, a 10 s rolling window, requestVolumeThreshold 20,
// sleepWindow 5 s, one trial request.
LibraryCircuitBreakerConfig hystrixConfig()
{
    LibraryCircuitBreakerConfig c;
    c.kind = LibraryCircuitBreakerConfig::Kind::Hystrix;
    c.failureRateThreshold = 0.5;
    c.slidingWindow = 10;
    c.minimumCalls = 20;
    c.waitInOpen = meshsim::engine::SimDuration{5 * kSecond};
    c.halfOpenCalls = 1;
    return c;
}

// One call through a breaker: permission, then its result. False if the call was rejected.
template <typename Breaker>
bool call(Breaker& b, SimTime now, bool failure)
{
    if (!b.tryAcquire(now))
        return false;
    b.onResult(now, failure);
    return true;
}
} // namespace

class TestCircuitBreaker : public QObject
{
    Q_OBJECT

private slots:
    // --- Envoy resource limits (§2.1) --------------------------------------------------------

    void defaultThresholds()
    {
        // Defaults 1024 / 1024 / 1024 / 3 (semantics §2.1 table, §8).
        const CircuitBreakerThresholds t;
        QCOMPARE(t.maxConnections, std::uint32_t{1024});
        QCOMPARE(t.maxPendingRequests, std::uint32_t{1024});
        QCOMPARE(t.maxRequests, std::uint32_t{1024});
        QCOMPARE(t.maxRetries, std::uint32_t{3});
    }

    void maxRetries()
    {
        // Without a budget, max_retries = 3 concurrent retries: the 4th is not attempted.
        ResourceLimits limits(CircuitBreakerThresholds{}, std::nullopt, 3);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(limits.canRetry());
            limits.retryStarted();
        }
        QVERIFY(!limits.canRetry());
        QCOMPARE(limits.retries(), std::uint32_t{3});
        limits.retryFinished(); // a retry in flight ended: room for one more
        QVERIFY(limits.canRetry());
    }

    void maxRequestsAndPending()
    {
        // max_requests and max_pending_requests 1024: the 1025th overflows (503 UO).
        ResourceLimits limits(CircuitBreakerThresholds{}, std::nullopt, 3);
        for (int i = 0; i < 1024; ++i) {
            QVERIFY(limits.canStartRequest());
            limits.requestStarted();
        }
        QVERIFY(!limits.canStartRequest());
        limits.requestFinished();
        QVERIFY(limits.canStartRequest());

        for (int i = 0; i < 1024; ++i) {
            QVERIFY(limits.canQueue());
            limits.pendingAdded();
        }
        QVERIFY(!limits.canQueue());
        limits.pendingRemoved();
        QVERIFY(limits.canQueue());
        QCOMPARE(limits.pending(), std::uint32_t{1023});
    }

    void connections()
    {
        // max_connections across the cluster: over the limit requests wait as pending. (The
        // exception "a host's pool with 0 connections always gets one" (§2.1) is per host, so
        // the pool applies it, not these cluster-wide limits.)
        CircuitBreakerThresholds zero;
        zero.maxConnections = 0;
        ResourceLimits none(zero, std::nullopt, 3);
        QVERIFY(!none.canOpenConnection());

        CircuitBreakerThresholds one;
        one.maxConnections = 1;
        ResourceLimits limits(one, std::nullopt, 3);
        QVERIFY(limits.canOpenConnection());
        limits.connectionOpened();
        QVERIFY(!limits.canOpenConnection()); // 1 open = max
        QCOMPARE(limits.connections(), std::uint32_t{1});
        limits.connectionClosed();
        QVERIFY(limits.canOpenConnection());
    }

    void retryBudget_data()
    {
        QTest::addColumn<int>("active");
        QTest::addColumn<int>("pending");
        QTest::addColumn<int>("allowed");
        // max_retries_now = max(budget_percent x (active + pending), min_retry_concurrency),
        // canCreate = retries < max_retries_now (§2.1), with 20% and min 3 (§3.2, §8).
        // 100 active: 0.2 x 100 = 20 -> retries 0..19 may start, the 21st may not.
        QTest::newRow("100 active") << 100 << 0 << 20;
        // Pending requests count too: 0.2 x (50 + 50) = 20.
        QTest::newRow("50 active + 50 pending") << 50 << 50 << 20;
        // Nothing active: the minimum concurrency, 3.
        QTest::newRow("idle") << 0 << 0 << 3;
        // 10 active: 0.2 x 10 = 2 < 3 -> still 3.
        QTest::newRow("10 active") << 10 << 0 << 3;
        // 1000 active: 200 (the budget replaces max_retries = 3 entirely).
        QTest::newRow("1000 active") << 1000 << 0 << 200;
        // 21 active: 0.2 x 21 = 4.2, truncated to 4 as Envoy's std::max<uint64_t> does.
        QTest::newRow("21 active: truncated") << 21 << 0 << 4;
        // 24 active: 4.8 -> 4 still.
        QTest::newRow("24 active: truncated") << 24 << 0 << 4;
    }

    void retryBudget()
    {
        QFETCH(int, active);
        QFETCH(int, pending);
        QFETCH(int, allowed);
        ResourceLimits limits(CircuitBreakerThresholds{}, 0.2, 3);
        for (int i = 0; i < active; ++i)
            limits.requestStarted();
        for (int i = 0; i < pending; ++i)
            limits.pendingAdded();
        QCOMPARE(retriesAllowed(limits), allowed);
    }

    // --- resilience4j (§2.3) -----------------------------------------------------------------

    void resilience4jDefaults()
    {
        // failureRateThreshold 50%, COUNT window 100, minimumNumberOfCalls 100, 60 s open wait,
        // 10 calls in half-open (§2.3 table).
        const LibraryCircuitBreakerConfig c;
        QVERIFY(c.kind == LibraryCircuitBreakerConfig::Kind::Resilience4j);
        QCOMPARE(c.failureRateThreshold, 0.5);
        QCOMPARE(c.slidingWindow, std::uint32_t{100});
        QCOMPARE(c.minimumCalls, std::uint32_t{100});
        QCOMPARE(c.waitInOpen.count(), 60 * kSecond);
        QCOMPARE(c.halfOpenCalls, std::uint32_t{10});
    }

    void resilience4jOpensAtThreshold_data()
    {
        QTest::addColumn<int>("failuresFirst");
        QTest::addColumn<int>("successes");
        QTest::addColumn<int>("failuresLast");
        QTest::addColumn<QByteArray>("state");
        // Calls in this order: failuresFirst failures, successes, failuresLast failures. No
        // decision before min(minimumCalls, window) = 100 calls; from then on, after each call,
        // OPEN iff the failure rate of the last 100 calls is >= 50% (">=", §2.3).
        QTest::newRow("49 failures + 51 successes: 49% < 50%")
            << 49 << 51 << 0 << QByteArray("closed");
        QTest::newRow("50 + 50: 50% >= 50%") << 50 << 50 << 0 << QByteArray("open");
        QTest::newRow("99 failures: below minimum calls") << 99 << 0 << 0 << QByteArray("closed");
        QTest::newRow("100 failures: 100%") << 100 << 0 << 0 << QByteArray("open");
        // The window slides: after 100 successes, 50 failures make the last 100 calls
        // 50 + 50 (the 150th call opens it; at the 149th the rate was 49%).
        QTest::newRow("100 successes, then 50 failures") << 0 << 100 << 50 << QByteArray("open");
        QTest::newRow("100 successes, then 49 failures") << 0 << 100 << 49 << QByteArray("closed");
    }

    void resilience4jOpensAtThreshold()
    {
        QFETCH(int, failuresFirst);
        QFETCH(int, successes);
        QFETCH(int, failuresLast);
        QFETCH(QByteArray, state);
        Resilience4jBreaker cb{LibraryCircuitBreakerConfig{}};
        const SimTime t = ms(1000);
        for (int i = 0; i < failuresFirst; ++i)
            QVERIFY(call(cb, t, true));
        for (int i = 0; i < successes; ++i)
            QVERIFY(call(cb, t, false));
        for (int i = 0; i < failuresLast; ++i)
            QVERIFY(call(cb, t, true));
        QCOMPARE(name(cb.state()), state);
    }

    void resilience4jOpenWaitThenHalfOpen_data()
    {
        QTest::addColumn<int>("halfOpenFailures");
        QTest::addColumn<QByteArray>("state");
        // HALF_OPEN: a fresh window of the 10 permitted calls; after all 10, failure rate
        // >= 50% -> OPEN, else CLOSED (§2.3).
        QTest::newRow("10 successes") << 0 << QByteArray("closed");
        QTest::newRow("4 failures of 10: 40%") << 4 << QByteArray("closed");
        QTest::newRow("5 failures of 10: 50%") << 5 << QByteArray("open");
        QTest::newRow("10 failures") << 10 << QByteArray("open");
    }

    void resilience4jOpenWaitThenHalfOpen()
    {
        QFETCH(int, halfOpenFailures);
        QFETCH(QByteArray, state);
        Resilience4jBreaker cb{LibraryCircuitBreakerConfig{}};
        const std::int64_t openedMs = 1000;
        for (int i = 0; i < 100; ++i)
            QVERIFY(call(cb, ms(openedMs), true));
        QCOMPARE(name(cb.state()), QByteArray("open"));

        // OPEN rejects until the 60 s wait has passed (CallNotPermittedException).
        QVERIFY(!cb.tryAcquire(ms(openedMs + 1)));
        QVERIFY(!cb.tryAcquire(ms(openedMs + 30'000)));
        QVERIFY(!cb.tryAcquire(atNanos((openedMs + 60'000) * kMs - 1))); // 1 ns before 60 s
        QCOMPARE(name(cb.state()), QByteArray("open"));

        // After the wait the next tryAcquirePermission moves to HALF_OPEN (lazily) and is the
        // first of exactly 10 permitted calls; the 11th is rejected.
        const SimTime later = ms(openedMs + 60'001);
        for (int i = 0; i < 10; ++i) {
            QVERIFY2(cb.tryAcquire(later), qPrintable(QString("permit %1").arg(i + 1)));
            QCOMPARE(name(cb.state()), QByteArray("half_open"));
        }
        QVERIFY(!cb.tryAcquire(later));

        // Results of the 10 trial calls (failures first). No decision before the 10th.
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(name(cb.state()), QByteArray("half_open"));
            cb.onResult(later, i < halfOpenFailures);
        }
        QCOMPARE(name(cb.state()), state);
        if (state == QByteArray("closed")) {
            QVERIFY(cb.tryAcquire(later)); // closed again: calls flow
        } else {
            // Reopened at `later`: rejected again for a full wait.
            QVERIFY(!cb.tryAcquire(ms(openedMs + 60'001 + 59'999)));
            QVERIFY(cb.tryAcquire(ms(openedMs + 60'001 + 60'001)));
            QCOMPARE(name(cb.state()), QByteArray("half_open"));
        }
    }

    void resilience4jWaitIsStrict()
    {
        // The open wait is over strictly after wait_in_open (resilience4j Instant.isAfter):
        // exactly 60 s after opening a call is still rejected; 1 ns later it is the first trial.
        Resilience4jBreaker cb{LibraryCircuitBreakerConfig{}};
        for (int i = 0; i < 100; ++i)
            QVERIFY(call(cb, ms(0), true));
        QVERIFY(!cb.tryAcquire(ms(60'000)));
        QCOMPARE(name(cb.state()), QByteArray("open"));
        QVERIFY(cb.tryAcquire(atNanos(60'000 * kMs + 1)));
        QCOMPARE(name(cb.state()), QByteArray("half_open"));
    }

    void resilience4jHalfOpenDecidesAtMinimumCalls()
    {
        // Half-open metrics use min(minimumNumberOfCalls, permitted calls) as their minimum
        // (CircuitBreakerMetrics.forHalfOpen): with minimum_calls 4 and 10 permitted calls the
        // breaker decides on the 4th result: 2 failures of 4 (50%) reopen it; 1 of 4 closes it.
        for (const int failures : {2, 1}) {
            LibraryCircuitBreakerConfig config;
            config.minimumCalls = 4;
            Resilience4jBreaker cb{config};
            for (int i = 0; i < 4; ++i)
                QVERIFY(call(cb, ms(0), true));
            QCOMPARE(name(cb.state()), QByteArray("open"));
            const SimTime later = ms(60'001);
            for (int i = 0; i < 4; ++i)
                QVERIFY(cb.tryAcquire(later));
            for (int i = 0; i < 3; ++i) {
                cb.onResult(later, i < failures);
                QCOMPARE(name(cb.state()), QByteArray("half_open"));
            }
            cb.onResult(later, false);
            QCOMPARE(name(cb.state()), QByteArray(failures == 2 ? "open" : "closed"));
        }
    }

    void resilience4jThroughFacade()
    {
        // LibraryBreaker picks resilience4j for the default kind: 50 + 50 opens it.
        LibraryBreaker cb{LibraryCircuitBreakerConfig{}};
        for (int i = 0; i < 100; ++i)
            QVERIFY(call(cb, ms(0), i % 2 == 0));
        QCOMPARE(name(cb.state()), QByteArray("open"));
        QVERIFY(!cb.tryAcquire(ms(1000)));
    }

    // --- Hystrix (§2.4) ----------------------------------------------------------------------

    void hystrixVolumeThreshold()
    {
        // CLOSED -> OPEN needs total >= requestVolumeThreshold (20) AND errorPercentage >= 50,
        // and Hystrix decides only on its health snapshots, every 500 ms. 19 failures between
        // 100 and 280 ms: 100% errors but volume 19 < 20; the 20th at 300 ms reaches the volume,
        // yet the breaker stays closed until the snapshot at 500 ms opens it.
        LibraryBreaker cb(hystrixConfig());
        for (int i = 0; i < 19; ++i)
            QVERIFY(call(cb, ms(100 + 10 * i), true));
        QVERIFY(call(cb, ms(300), true));
        QCOMPARE(name(cb.state()), QByteArray("closed"));
        QVERIFY(cb.tryAcquire(ms(499))); // no snapshot yet: still let through
        QVERIFY(!cb.tryAcquire(ms(500)));
        QCOMPARE(name(cb.state()), QByteArray("open"));
    }

    void hystrixErrorPercentage_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<int>("successes");
        QTest::addColumn<QByteArray>("state");
        // Successes first, then failures, all within the 10 s window: errorPercentage =
        // int(errors / total x 100) >= 50 opens at the next snapshot (§2.4).
        QTest::newRow("9 of 20: 45%") << 9 << 11 << QByteArray("closed");
        QTest::newRow("10 of 20: 50%") << 10 << 10 << QByteArray("open");
        QTest::newRow("19 of 40: 47%") << 19 << 21 << QByteArray("closed");
    }

    void hystrixErrorPercentage()
    {
        QFETCH(int, failures);
        QFETCH(int, successes);
        QFETCH(QByteArray, state);
        LibraryBreaker cb(hystrixConfig());
        std::int64_t t = 0;
        for (int i = 0; i < successes; ++i)
            QVERIFY(call(cb, ms(t += 100), false));
        for (int i = 0; i < failures; ++i)
            QVERIFY(call(cb, ms(t += 100), true));
        cb.tryAcquire(ms(t + 500)); // a snapshot has been taken since the last call
        QCOMPARE(name(cb.state()), state);
    }

    void hystrixRollingWindow_data()
    {
        QTest::addColumn<int>("lastAtMs");
        QTest::addColumn<QByteArray>("state");
        // 19 failures at 0.5 s (bucket 1 of 500 ms), the 20th later. Snapshot k (at k x 500 ms)
        // sums the 20 buckets k - 20 .. k - 1. 20th at 9.5 s (bucket 19): snapshot 20 at 10 s
        // holds buckets 0..19, 20 calls -> open. 20th at 10.4 s (bucket 20): snapshot 21 at
        // 10.5 s holds 1..20 -> open. 20th at 10.5 s (bucket 21): snapshot 21 does not hold it
        // yet (19 calls), snapshot 22 at 11 s no longer holds bucket 1 (1 call) -> closed.
        QTest::newRow("20th at 9.5 s") << 9500 << QByteArray("open");
        QTest::newRow("20th at 10.4 s") << 10'400 << QByteArray("open");
        QTest::newRow("20th at 10.5 s") << 10'500 << QByteArray("closed");
    }

    void hystrixRollingWindow()
    {
        QFETCH(int, lastAtMs);
        QFETCH(QByteArray, state);
        LibraryBreaker cb(hystrixConfig());
        for (int i = 0; i < 19; ++i)
            QVERIFY(call(cb, ms(500), true));
        QVERIFY(call(cb, ms(lastAtMs), true));
        cb.tryAcquire(ms(lastAtMs + 1000));
        QCOMPARE(name(cb.state()), state);
    }

    void hystrixSleepWindowAndTrial_data()
    {
        QTest::addColumn<bool>("trialFails");
        QTest::newRow("trial succeeds") << false;
        QTest::newRow("trial fails") << true;
    }

    void hystrixSleepWindowAndTrial()
    {
        // 20 failures at 1 s: the snapshot at 1.5 s opens it (circuitOpened = 1.5 s).
        // attemptExecution lets a request through only when now > circuitOpened + sleepWindow
        // (5 s), strictly; then exactly one trial runs (HALF_OPEN). Success -> CLOSED with the
        // metrics reset; failure -> OPEN with circuitOpened = now (§2.4).
        QFETCH(bool, trialFails);
        LibraryBreaker cb(hystrixConfig());
        for (int i = 0; i < 20; ++i)
            QVERIFY(call(cb, ms(1000), true));
        const std::int64_t opened = 1500;
        QVERIFY(cb.tryAcquire(ms(opened - 1)));
        QVERIFY(!cb.tryAcquire(ms(opened)));
        QCOMPARE(name(cb.state()), QByteArray("open"));

        QVERIFY(!cb.tryAcquire(ms(opened + 4999)));
        QVERIFY(!cb.tryAcquire(ms(opened + 5000))); // not yet: now must exceed opened + 5 s
        QCOMPARE(name(cb.state()), QByteArray("open"));

        const std::int64_t trialAt = opened + 5001;
        QVERIFY(cb.tryAcquire(ms(trialAt))); // the single trial
        QCOMPARE(name(cb.state()), QByteArray("half_open"));
        QVERIFY(!cb.tryAcquire(ms(trialAt))); // only one request while the trial runs
        QVERIFY(!cb.tryAcquire(ms(trialAt + 100)));

        const std::int64_t resultAt = trialAt + 200;
        cb.onResult(ms(resultAt), trialFails);
        if (!trialFails) {
            QCOMPARE(name(cb.state()), QByteArray("closed"));
            // Metrics were reset: the 20 old failures no longer count, so 19 new failures
            // (volume 19 < 20) keep it closed even though they are within 10 s of the old ones.
            for (int i = 0; i < 19; ++i)
                QVERIFY(call(cb, ms(resultAt + 1 + i), true));
            QVERIFY(cb.tryAcquire(ms(resultAt + 1000)));
            QCOMPARE(name(cb.state()), QByteArray("closed"));
        } else {
            QCOMPARE(name(cb.state()), QByteArray("open"));
            // Reopened at resultAt: another full sleep window.
            QVERIFY(!cb.tryAcquire(ms(resultAt + 5000)));
            QVERIFY(cb.tryAcquire(ms(resultAt + 5001)));
            QCOMPARE(name(cb.state()), QByteArray("half_open"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuit_breaker.moc"
