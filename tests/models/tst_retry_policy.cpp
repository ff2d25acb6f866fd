// Retry conditions and backoff against Envoy's retry semantics (reference/semantics.md §3.1, with
// Istio's default retry_on from §3.3).
//
// The backoff check is statistical: n = 20000 independent backoff sequences; the N-th wait is
// uniform on [0, bound_N), so its sample mean has standard error bound_N / sqrt(12 n). Each mean
// must be within 5 SE of bound_N / 2: for a fixed seed the outcome is deterministic, and 5 SE
// would be exceeded by chance with probability below 6e-7, so a failure means a wrong bound.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/outcome.h"
#include "models/retry_policy.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

using meshsim::engine::RandomStream;
using meshsim::engine::SimDuration;
using meshsim::models::JitteredBackoff;
using meshsim::models::Outcome;
using meshsim::models::RetryConditions;
using meshsim::models::TpsRetryBudget;

namespace {
constexpr std::int64_t kMs = 1'000'000;

std::vector<std::string> toStd(const QStringList& list)
{
    std::vector<std::string> out;
    for (const QString& s : list)
        out.push_back(s.toStdString());
    return out;
}

const QStringList kIstioDefault{"connect-failure", "refused-stream", "unavailable", "cancelled"};
} // namespace

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private slots:
    void linkerdBudgetIsRateBased()
    {
        // tower's TpsBudget with Linkerd's defaults (ratio 0.2, 10 retries/s minimum, ttl 10 s):
        // a retry withdraws 1 / 0.2 = 5, the reserve is 10 x 10 x 5 = 500. Without requests,
        // exactly 100 retries pass in a ttl; 100 requests deposited add 100 / 5 = 20 more.
        const auto at
            = [](double s) { return meshsim::engine::atNanos(static_cast<std::int64_t>(s * 1e9)); };
        TpsRetryBudget idle;
        int passed = 0;
        while (idle.withdraw(at(0.5)))
            ++passed;
        QCOMPARE(passed, 100);
        TpsRetryBudget busy;
        for (int i = 0; i < 100; ++i)
            busy.deposit(at(0.01 * i));
        passed = 0;
        while (busy.withdraw(at(1.5)))
            ++passed;
        QCOMPARE(passed, 120);
        // Ten seconds later the withdrawals of the first second have expired: the full reserve.
        QCOMPARE(busy.balance(at(11.6)), std::int64_t{500});
        // ... but not yet at 9.9 s (slots of 1 s: the window still holds second 1's withdrawals).
        TpsRetryBudget partial;
        QVERIFY(partial.withdraw(at(1.2)));
        QCOMPARE(partial.balance(at(10.9)), std::int64_t{495});
        QCOMPARE(partial.balance(at(11.0)), std::int64_t{500});
    }

    void conditions_data()
    {
        QTest::addColumn<QStringList>("retryOn");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<bool>("connectFailure");
        QTest::addColumn<bool>("perTryTimeout");
        QTest::addColumn<bool>("retriable");
        const auto row = [](const char* name,
                            const QStringList& on,
                            Outcome o,
                            bool connect,
                            bool perTry,
                            bool expected) {
            QTest::newRow(name) << on << static_cast<int>(o) << connect << perTry << expected;
        };
        // §3.1 `5xx`: any 5xx response, or any reset / disconnect / connect failure / read
        // (per-try) timeout. Outcomes here are what came back from the upstream: a 504 or 503
        // an upstream service answered because of a failure further down is a 5xx response.
        // (A route timeout ends the request without asking, and the proxy's own local replies,
        // overflow, UH, injected aborts, never get here: the caller filters them.)
        const QStringList x5{"5xx"};
        row("5xx: 500", x5, Outcome::ServerError, false, false, true);
        row("5xx: 503 queue full", x5, Outcome::QueueFull, false, false, true);
        row("5xx: connect failure", x5, Outcome::ConnectionFailure, true, false, true);
        row("5xx: reset", x5, Outcome::ConnectionFailure, false, false, true);
        row("5xx: per-try timeout", x5, Outcome::Timeout, false, true, true);
        row("5xx: upstream answered 504", x5, Outcome::Timeout, false, false, true);
        row("5xx: upstream passed on an overflow 503", x5, Outcome::Overflow, false, false, true);
        row("5xx: rate limited 429", x5, Outcome::RateLimited, false, false, false);
        row("5xx: denied 403", x5, Outcome::Denied, false, false, false);
        row("5xx: upstream passed on a UH 503", x5, Outcome::NoHealthyUpstream, false, false, true);
        row("5xx: upstream passed on an injected 503",
            x5,
            Outcome::InjectedFault,
            false,
            false,
            true);
        row("5xx: ok", x5, Outcome::Ok, false, false, false);
        // `gateway-error`: 502/503/504 responses or any reset; a 500 is not a gateway error.
        const QStringList gw{"gateway-error"};
        row("gateway-error: 503 queue full", gw, Outcome::QueueFull, false, false, true);
        row("gateway-error: connect failure", gw, Outcome::ConnectionFailure, true, false, true);
        row("gateway-error: reset", gw, Outcome::ConnectionFailure, false, false, true);
        row("gateway-error: per-try timeout", gw, Outcome::Timeout, false, true, true);
        row("gateway-error: 500", gw, Outcome::ServerError, false, false, false);
        row("gateway-error: upstream answered 504", gw, Outcome::Timeout, false, false, true);
        row("gateway-error: upstream passed on an overflow 503",
            gw,
            Outcome::Overflow,
            false,
            false,
            true);
        row("gateway-error: 429", gw, Outcome::RateLimited, false, false, false);
        // `connect-failure`: only a failed connection attempt, not a reset of an established
        // connection nor any response.
        const QStringList cf{"connect-failure"};
        row("connect-failure: connect failure", cf, Outcome::ConnectionFailure, true, false, true);
        row("connect-failure: reset", cf, Outcome::ConnectionFailure, false, false, false);
        row("connect-failure: 503", cf, Outcome::QueueFull, false, false, false);
        row("connect-failure: 500", cf, Outcome::ServerError, false, false, false);
        row("connect-failure: per-try timeout", cf, Outcome::Timeout, false, true, false);
        // `reset`: no response at all (reset, disconnect, connect failure, per-try timeout).
        const QStringList rs{"reset"};
        row("reset: reset", rs, Outcome::ConnectionFailure, false, false, true);
        row("reset: connect failure", rs, Outcome::ConnectionFailure, true, false, true);
        row("reset: per-try timeout", rs, Outcome::Timeout, false, true, true);
        row("reset: 503", rs, Outcome::QueueFull, false, false, false);
        row("reset: 500", rs, Outcome::ServerError, false, false, false);
        // Istio's default (§3.3, current code without retriable 503, istio/istio#52111):
        // connect-failure, refused-stream, unavailable, cancelled. refused-stream and the gRPC
        // conditions never match meshsim's HTTP outcomes, so only connect failures retry.
        row("istio: connect failure", kIstioDefault, Outcome::ConnectionFailure, true, false, true);
        row("istio: reset", kIstioDefault, Outcome::ConnectionFailure, false, false, false);
        row("istio: 503", kIstioDefault, Outcome::QueueFull, false, false, false);
        row("istio: 500", kIstioDefault, Outcome::ServerError, false, false, false);
        row("istio: per-try timeout", kIstioDefault, Outcome::Timeout, false, true, false);
        // Nothing configured: nothing is retried.
        row("empty: connect failure",
            QStringList{},
            Outcome::ConnectionFailure,
            true,
            false,
            false);
        row("empty: 500", QStringList{}, Outcome::ServerError, false, false, false);
    }

    void conditions()
    {
        QFETCH(QStringList, retryOn);
        QFETCH(int, outcome);
        QFETCH(bool, connectFailure);
        QFETCH(bool, perTryTimeout);
        QFETCH(bool, retriable);
        const RetryConditions conditions(toStd(retryOn));
        QCOMPARE(conditions.retriable(static_cast<Outcome>(outcome), connectFailure, perTryTimeout),
                 retriable);
    }

    void istioDefaultIsTheConfigDefault()
    {
        // RetryConfig's default retry_on is Istio's list (§3.3, §8), 1 retry, 25 ms / 250 ms.
        meshsim::models::RetryConfig c;
        QCOMPARE(c.retryOn, toStd(kIstioDefault));
        QCOMPARE(c.attempts, std::uint32_t{1});
        QCOMPARE(c.backoffBase.count(), 25 * kMs);
        QCOMPARE(c.backoffMax.count(), 250 * kMs);
    }

    void backoffBounds_data()
    {
        QTest::addColumn<int>("baseMs");
        QTest::addColumn<int>("maxMs");
        QTest::addColumn<QList<int>>("boundsMs");
        // JitteredExponentialBackOffStrategy (§3.1): next starts at B; each call returns
        // U[0, next) and then next = (next < max/2) ? 2 next : max.
        // B = 25 ms, max = 250 ms (Envoy defaults): 25, 50, 100, 200 (100 < 125 -> 200), then
        // 200 >= 125 -> 250, 250, ...
        QTest::newRow("25 ms / 250 ms") << 25 << 250 << QList<int>{25, 50, 100, 200, 250, 250};
        // B = 100 ms, max = 10 B = 1 s: 100, 200, 400, 800 (400 < 500), then 1000, 1000.
        QTest::newRow("100 ms / 1 s") << 100 << 1000 << QList<int>{100, 200, 400, 800, 1000, 1000};
        // B = 40 ms, max = 100 ms: 40, 80 (40 < 50), then 80 >= 50 -> 100: min(B 2^(N-1), max).
        QTest::newRow("40 ms / 100 ms") << 40 << 100 << QList<int>{40, 80, 100, 100};
    }

    void backoffBounds()
    {
        QFETCH(int, baseMs);
        QFETCH(int, maxMs);
        QFETCH(QList<int>, boundsMs);
        constexpr int kN = 20'000;
        constexpr double kZ = 5.0;
        RandomStream random(9, "retry/backoff");
        const auto steps = static_cast<std::size_t>(boundsMs.size());
        std::vector<double> sum(steps, 0.0);
        std::vector<std::int64_t> largest(steps, 0);
        for (int i = 0; i < kN; ++i) {
            JitteredBackoff backoff(SimDuration{baseMs * kMs}, SimDuration{maxMs * kMs});
            for (std::size_t n = 0; n < steps; ++n) {
                const std::int64_t wait = backoff.next(random).count();
                const std::int64_t bound = boundsMs[static_cast<qsizetype>(n)] * kMs;
                if (wait < 0 || wait >= bound)
                    QFAIL(qPrintable(QString("retry %1 waited %2 ns, bound %3 ns")
                                         .arg(n + 1)
                                         .arg(wait)
                                         .arg(bound)));
                sum[n] += static_cast<double>(wait);
                largest[n] = std::max(largest[n], wait);
            }
        }
        for (std::size_t n = 0; n < steps; ++n) {
            const double bound = boundsMs[static_cast<qsizetype>(n)] * static_cast<double>(kMs);
            const double mean = sum[n] / kN;
            const double se = bound / std::sqrt(12.0 * kN);
            QVERIFY2(std::abs(mean - bound / 2.0) <= kZ * se,
                     qPrintable(QString("retry %1: mean %2 ns, expected %3 +- %4")
                                    .arg(n + 1)
                                    .arg(mean)
                                    .arg(bound / 2.0)
                                    .arg(kZ * se)));
            // The bound is reached: P(all 20000 samples < 0.99 bound) = 0.99^20000 ~ e^-200.
            QVERIFY(static_cast<double>(largest[n]) >= 0.99 * bound);
        }
    }
};

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retry_policy.moc"
