// RateLimiter against the gateways' algorithms (reference/semantics.md §4): Envoy's token bucket
// (§4.1), nginx limit_req's leaky bucket (§4.3), Kong's fixed window (§4.4) and Kong's sliding
// window counter (§4.5). Every expected number is derived in a comment.

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/rate_limiter.h"

#include <QTest>

#include <algorithm>
#include <cstdint>

using meshsim::engine::atNanos;
using meshsim::engine::SimTime;
using meshsim::models::RateDecision;
using meshsim::models::RateLimitAlgorithm;
using meshsim::models::RateLimitConfig;
using meshsim::models::RateLimiter;

namespace {
constexpr std::int64_t kMs = 1'000'000;

SimTime ms(std::int64_t milliseconds)
{
    return atNanos(milliseconds * kMs);
}

RateLimitConfig
limiterConfig(RateLimitAlgorithm algorithm, double rate, std::uint32_t burst, bool nodelay = false)
{
    RateLimitConfig c;
    c.algorithm = algorithm;
    c.ratePerSecond = rate;
    c.burst = burst;
    c.nodelay = nodelay;
    return c; // window: the default 1 s
}

// Admits requests for `key` at `now` until the first denial (at most `limit`); returns how many
// were allowed.
int allowedInARow(RateLimiter& rl, std::uint64_t key, SimTime now, int limit = 1000)
{
    int n = 0;
    while (n < limit && rl.admit(key, now).allowed)
        ++n;
    return n;
}
} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT

private slots:
    // --- token bucket (§4.1) -----------------------------------------------------------------

    void tokenBucket()
    {
        // Rate 10/s (one token per 100 ms), burst 5 = max_tokens; the bucket starts full.
        RateLimiter rl(limiterConfig(RateLimitAlgorithm::TokenBucket, 10.0, 5));
        // t = 0: 5 tokens -> 5 requests pass, the 6th is denied (available 0 < 1).
        QCOMPARE(allowedInARow(rl, 1, ms(0)), 5);
        QVERIFY(!rl.admit(1, ms(0)).allowed);
        // t = 50 ms: 0.5 token refilled (continuous refill) -> still denied.
        QVERIFY(!rl.admit(1, ms(50)).allowed);
        // t = 100 ms: (100 ms) x 10/s = 1 token -> one passes, the next is denied.
        QVERIFY(rl.admit(1, ms(100)).allowed);
        QVERIFY(!rl.admit(1, ms(100)).allowed);
        // 1 s later (t = 1.1 s): 10 tokens would have refilled, capped at max_tokens = 5.
        QCOMPARE(allowedInARow(rl, 1, ms(1100)), 5);
        // A token bucket never delays.
        QCOMPARE(rl.admit(1, ms(5000)).delay.count(), std::int64_t{0});
    }

    // --- leaky bucket, nginx limit_req (§4.3) ------------------------------------------------

    void leakyBucketNoBurst()
    {
        // rate 10 r/s = 10000 milli-requests/s; burst 0 -> reject when excess > 0.
        // excess = max(0, excess - rate x ms / 1000 + 1000); the first request of a key has
        // excess 0.
        {
            // 0 and 50 ms: excess = max(0, 0 - 10000 x 50 / 1000 + 1000) = 500 > 0 -> rejected.
            RateLimiter rl(limiterConfig(RateLimitAlgorithm::LeakyBucket, 10.0, 0));
            QVERIFY(rl.admit(1, ms(0)).allowed);
            QVERIFY(!rl.admit(1, ms(50)).allowed);
            // The rejected request is not accounted: at 100 ms excess is again
            // max(0, 0 - 1000 + 1000) = 0 -> passes, undelayed.
            const RateDecision d = rl.admit(1, ms(100));
            QVERIFY(d.allowed);
            QCOMPARE(d.delay.count(), std::int64_t{0});
        }
        {
            // 0 and 100 ms: excess = max(0, 0 - 10000 x 100 / 1000 + 1000) = 0 -> both pass.
            RateLimiter rl(limiterConfig(RateLimitAlgorithm::LeakyBucket, 10.0, 0));
            QVERIFY(rl.admit(1, ms(0)).allowed);
            const RateDecision d = rl.admit(1, ms(100));
            QVERIFY(d.allowed);
            QCOMPARE(d.delay.count(), std::int64_t{0});
        }
    }

    void leakyBucketBurst_data()
    {
        QTest::addColumn<bool>("nodelay");
        QTest::newRow("burst 5") << false;
        QTest::newRow("burst 5 nodelay") << true;
    }

    void leakyBucketBurst()
    {
        // Burst 5: reject when excess > 5000. Six requests at t = 0 have excess 0, 1000, ...,
        // 5000 (no time passes, each adds 1000) -> all pass; the 7th would have 6000 -> rejected.
        // Without nodelay (delay threshold 0) each is delayed excess / rate:
        // 0, 1000/10000 s = 100 ms, 200, 300, 400, 500 ms, so they leave at the rate.
        // With nodelay they pass at once but are still accounted.
        QFETCH(bool, nodelay);
        RateLimiter rl(limiterConfig(RateLimitAlgorithm::LeakyBucket, 10.0, 5, nodelay));
        for (std::int64_t i = 0; i < 6; ++i) {
            const RateDecision d = rl.admit(1, ms(0));
            QVERIFY2(d.allowed, qPrintable(QString("request %1").arg(i + 1)));
            QCOMPARE(d.delay.count(), nodelay ? std::int64_t{0} : i * 100 * kMs);
        }
        QVERIFY(!rl.admit(1, ms(0)).allowed);
        // t = 100 ms: excess = max(0, 5000 - 1000 + 1000) = 5000 <= 5000 -> passes (the rejected
        // 7th added nothing), delayed 500 ms unless nodelay.
        const RateDecision d = rl.admit(1, ms(100));
        QVERIFY(d.allowed);
        QCOMPARE(d.delay.count(), nodelay ? std::int64_t{0} : 500 * kMs);
        // t = 700 ms: excess = max(0, 5000 - 6000 + 1000) = 0 -> passes, no delay.
        const RateDecision later = rl.admit(1, ms(700));
        QVERIFY(later.allowed);
        QCOMPARE(later.delay.count(), std::int64_t{0});
    }

    // --- fixed window, Kong rate-limiting (§4.4) ---------------------------------------------

    void fixedWindow()
    {
        // Rate 10/s, window 1 s: limit 10 per window; rejected when usage >= limit (rejected
        // requests are not counted); windows are aligned to multiples of 1 s.
        RateLimiter rl(limiterConfig(RateLimitAlgorithm::FixedWindow, 10.0, 0));
        QCOMPARE(rl.windowLimit(), 10.0);
        QCOMPARE(allowedInARow(rl, 1, ms(200)), 10); // the 11th is rejected
        QVERIFY(!rl.admit(1, ms(999)).allowed);
        // A new window [1 s, 2 s) starts from 0.
        QCOMPARE(allowedInARow(rl, 1, ms(1000)), 10);
    }

    void fixedWindowIsAligned()
    {
        // 9 requests at 0.95 s fall in window [0, 1 s); at 1.05 s a new window has begun, so
        // 10 more pass although 19 arrived within 100 ms (the known fixed-window burst).
        RateLimiter rl(limiterConfig(RateLimitAlgorithm::FixedWindow, 10.0, 0));
        QCOMPARE(allowedInARow(rl, 1, ms(950), 9), 9);
        QCOMPARE(allowedInARow(rl, 1, ms(1050)), 10);
        QVERIFY(!rl.admit(1, ms(1050)).allowed);
    }

    // --- sliding window counter, Kong rate-limiting-advanced (§4.5) --------------------------

    void slidingWindow_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("secondAtMs");
        QTest::addColumn<int>("secondPassed");
        // Limit 10 per 1 s window. estimate = current + previous x (1 - elapsed fraction of the
        // current window); reject when estimate >= 10; rejected requests are counted.
        // `first` requests at 0.5 s (window 0, no previous): estimates 0, 1, ..., so the first
        // 10 pass; then requests at `secondAtMs` until one is rejected.
        // At 1.5 s: previous 10, elapsed 0.5 -> estimate = current + 5: current 0..4 pass
        // (5..9), the 6th (10) is rejected -> 5.
        QTest::newRow("10, then at 1.5 s") << 10 << 1500 << 5;
        // 12 at 0.5 s: 10 pass, 2 rejected but counted -> previous 12, 12 x 0.5 = 6:
        // current 0..3 pass (6..9) -> 4.
        QTest::newRow("12 (2 rejected, counted), then at 1.5 s") << 12 << 1500 << 4;
        // At 1.75 s: 10 x 0.25 = 2.5: current 0..7 pass (2.5..9.5), 8 gives 10.5 -> 8.
        QTest::newRow("10, then at 1.75 s") << 10 << 1750 << 8;
        // At 1.0 s exactly: elapsed 0, the whole previous window counts: 10 >= 10 -> 0.
        QTest::newRow("10, then at 1.0 s") << 10 << 1000 << 0;
        // At 2.5 s: window 2 does not follow window 0, previous = 0 -> 10.
        QTest::newRow("10, then at 2.5 s") << 10 << 2500 << 10;
    }

    void slidingWindow()
    {
        QFETCH(int, first);
        QFETCH(int, secondAtMs);
        QFETCH(int, secondPassed);
        RateLimitConfig config = limiterConfig(RateLimitAlgorithm::SlidingWindow, 10.0, 0);
        RateLimiter rl(config);
        QCOMPARE(rl.windowLimit(), 10.0);
        int passed = 0;
        for (int i = 0; i < first; ++i)
            passed += rl.admit(1, ms(500)).allowed ? 1 : 0;
        QCOMPARE(passed, std::min(first, 10));
        // 20 requests at the second instant: the first `secondPassed` pass, then all are
        // rejected (the count only grows).
        for (int i = 0; i < 20; ++i)
            QCOMPARE(rl.admit(1, ms(secondAtMs)).allowed, i < secondPassed);
    }

    void slidingWindowWithoutPenalty()
    {
        // disable_penalty: rejected requests are not counted. 12 at 0.5 s: 10 pass, 2 rejected
        // and not counted -> previous 10, at 1.5 s 10 x 0.5 = 5: 5 pass (as with 10 requests).
        RateLimitConfig config = limiterConfig(RateLimitAlgorithm::SlidingWindow, 10.0, 0);
        config.disablePenalty = true;
        RateLimiter rl(config);
        int passed = 0;
        for (int i = 0; i < 12; ++i)
            passed += rl.admit(1, ms(500)).allowed ? 1 : 0;
        QCOMPARE(passed, 10);
        passed = 0;
        for (int i = 0; i < 20; ++i)
            passed += rl.admit(1, ms(1500)).allowed ? 1 : 0;
        QCOMPARE(passed, 5);
    }

    // --- keys ----------------------------------------------------------------------------------

    void keysAreIndependent_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<int>("burst");
        QTest::addColumn<int>("allowed");
        // Requests for one key at t = 0 until the first denial (rate 10/s):
        // token bucket burst 5 -> 5; leaky bucket burst 0 -> 1 (the 2nd has excess 1000 > 0);
        // fixed and sliding windows -> 10 per 1 s window.
        QTest::newRow("token bucket")
            << static_cast<int>(RateLimitAlgorithm::TokenBucket) << 5 << 5;
        QTest::newRow("leaky bucket")
            << static_cast<int>(RateLimitAlgorithm::LeakyBucket) << 0 << 1;
        QTest::newRow("fixed window")
            << static_cast<int>(RateLimitAlgorithm::FixedWindow) << 0 << 10;
        QTest::newRow("sliding window")
            << static_cast<int>(RateLimitAlgorithm::SlidingWindow) << 0 << 10;
    }

    void keysAreIndependent()
    {
        // Each key has its own bucket / window: exhausting key 1 leaves key 2 untouched.
        QFETCH(int, algorithm);
        QFETCH(int, burst);
        QFETCH(int, allowed);
        RateLimiter rl(limiterConfig(
            static_cast<RateLimitAlgorithm>(algorithm), 10.0, static_cast<std::uint32_t>(burst)));
        QCOMPARE(allowedInARow(rl, 1, ms(0)), allowed);
        QVERIFY(!rl.admit(1, ms(0)).allowed);
        QCOMPARE(allowedInARow(rl, 2, ms(0)), allowed);
        QVERIFY(!rl.admit(2, ms(0)).allowed);
        QVERIFY(!rl.admit(1, ms(0)).allowed);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_rate_limiter.moc"
