// ResponseCache (LRU with a TTL) and ZipfSampler (rejection-inversion, Hörmann and Derflinger).
//
// Statistical checks use n = 400,000 samples; an empirical frequency has standard error
// sqrt(p (1 - p) / n). Each check accepts 5 standard errors: for a fixed seed the outcome is
// deterministic, and 5 SE would be exceeded by chance with probability below 6e-7, so a failure
// means a wrong sampler, not bad luck.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/response_cache.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::RandomStream;
using meshsim::engine::SimDuration;
using meshsim::engine::SimTime;
using meshsim::models::ResponseCache;
using meshsim::models::ZipfSampler;

namespace {
constexpr int kN = 400'000;
constexpr double kZ = 5.0;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

SimTime ms(std::int64_t milliseconds)
{
    return atNanos(milliseconds * kMs);
}
} // namespace

class TestResponseCache : public QObject
{
    Q_OBJECT

private slots:
    // --- cache ---------------------------------------------------------------------------------

    void leastRecentlyUsedIsEvicted()
    {
        // Capacity 2: store a, store b, look up a (a becomes the most recently used), store c
        // -> the least recently used entry, b, is evicted; a stays.
        const std::uint64_t a = 1;
        const std::uint64_t b = 2;
        const std::uint64_t c = 3;
        ResponseCache cache(2, SimDuration{60 * kSecond});
        cache.store(a, ms(0));
        cache.store(b, ms(1));
        QVERIFY(cache.lookup(a, ms(2)));
        cache.store(c, ms(3));
        QCOMPARE(cache.size(), std::size_t{2});
        QCOMPARE(cache.evictions(), std::uint64_t{1});
        QVERIFY(cache.lookup(a, ms(4)));
        QVERIFY(!cache.lookup(b, ms(4)));
        QVERIFY(cache.lookup(c, ms(4)));
    }

    void withoutLookupsTheOldestIsEvicted()
    {
        // No lookups: LRU order is store order; storing again refreshes an entry's position.
        ResponseCache cache(2, SimDuration{60 * kSecond});
        cache.store(1, ms(0));
        cache.store(2, ms(1));
        cache.store(1, ms(2)); // 1 is the most recent again, no eviction
        QCOMPARE(cache.evictions(), std::uint64_t{0});
        cache.store(3, ms(3)); // evicts 2
        QVERIFY(cache.lookup(1, ms(4)));
        QVERIFY(!cache.lookup(2, ms(4)));
        QVERIFY(cache.lookup(3, ms(4)));
    }

    void timeToLive()
    {
        // Stored at 0 with TTL 10 s: fresh while now - stored < 10 s: a hit at 9.999 s, a miss
        // at exactly 10 s (and the stale entry is dropped).
        ResponseCache cache(10, SimDuration{10 * kSecond});
        cache.store(7, ms(0));
        QVERIFY(cache.lookup(7, ms(9999)));
        QVERIFY(!cache.lookup(7, ms(10'000)));
        QCOMPARE(cache.size(), std::size_t{0});
        // Storing again restarts the TTL.
        cache.store(7, ms(10'000));
        QVERIFY(cache.lookup(7, ms(19'999)));
        QVERIFY(!cache.lookup(7, ms(20'000)));
    }

    void lookupDoesNotExtendTheTtl()
    {
        // Freshness counts from the store, not from the last hit.
        ResponseCache cache(10, SimDuration{10 * kSecond});
        cache.store(7, ms(0));
        QVERIFY(cache.lookup(7, ms(5000)));
        QVERIFY(!cache.lookup(7, ms(10'000)));
    }

    // --- Zipf ----------------------------------------------------------------------------------

    void zipfFrequencies_data()
    {
        QTest::addColumn<qulonglong>("n");
        QTest::addColumn<double>("s");
        // P(k) = k^-s / sum_{i=1..n} i^-s (ZipfSampler::probability sums the series exactly).
        // (n = 100, s = 1.1): P(1) = 0.2338, P(2) = 0.1091, P(10) = 0.0186.
        QTest::newRow("n=100 s=1.1") << qulonglong{100} << 1.1;
        // s = 1 exactly takes the series branches of the helper functions (|x| < 1e-8).
        QTest::newRow("n=100 s=1") << qulonglong{100} << 1.0;
        QTest::newRow("n=1000 s=0.5") << qulonglong{1000} << 0.5;
        QTest::newRow("n=100 s=2") << qulonglong{100} << 2.0;
    }

    void zipfFrequencies()
    {
        // Keys 1, 2 and 10: each count is Binomial(n, P(k)); accept 5 SE.
        QFETCH(qulonglong, n);
        QFETCH(double, s);
        const ZipfSampler zipf(n, s);
        RandomStream random(31, "cache/zipf");
        std::vector<int> counts(11, 0);
        int outOfRange = 0;
        for (int i = 0; i < kN; ++i) {
            const std::uint64_t k = zipf.sample(random);
            if (k < 1 || k > n)
                ++outOfRange;
            else if (k <= 10)
                ++counts[k];
        }
        QCOMPARE(outOfRange, 0);
        double total = 0.0;
        for (std::uint64_t k = 1; k <= n; ++k)
            total += zipf.probability(k);
        QVERIFY(std::abs(total - 1.0) < 1e-9);
        for (const std::uint64_t k : {1, 2, 10}) {
            const double p = zipf.probability(k);
            // P(k) / P(1) = k^-s
            QVERIFY(std::abs(p / zipf.probability(1) - std::pow(static_cast<double>(k), -s))
                    < 1e-12);
            const double se = std::sqrt(p * (1.0 - p) / kN);
            const double freq = static_cast<double>(counts[k]) / kN;
            QVERIFY2(std::abs(freq - p) <= kZ * se,
                     qPrintable(QString("P(%1) = %2, observed %3, 5 SE = %4")
                                    .arg(k)
                                    .arg(p)
                                    .arg(freq)
                                    .arg(kZ * se)));
        }
    }

    void zipfWithExponentZeroIsUniform()
    {
        // s = 0: P(k) = 1/n. n = 10, each count Binomial(400000, 0.1), SE = sqrt(n 0.1 0.9).
        const ZipfSampler zipf(10, 0.0);
        RandomStream random(32, "cache/zipf-uniform");
        std::vector<int> counts(11, 0);
        int outOfRange = 0;
        for (int i = 0; i < kN; ++i) {
            const std::uint64_t k = zipf.sample(random);
            if (k < 1 || k > 10)
                ++outOfRange;
            else
                ++counts[k];
        }
        QCOMPARE(outOfRange, 0);
        const double se = std::sqrt(kN * 0.1 * 0.9);
        for (std::size_t k = 1; k <= 10; ++k) {
            QCOMPARE(zipf.probability(k), 0.1);
            QVERIFY2(std::abs(counts[k] - kN * 0.1) <= kZ * se,
                     qPrintable(QString("key %1: %2").arg(k).arg(counts[k])));
        }
    }

    void zipfRangeForHugeN_data()
    {
        QTest::addColumn<double>("s");
        QTest::newRow("s=1.1") << 1.1;
        QTest::newRow("s=0.8") << 0.8;
        QTest::newRow("s=0") << 0.0;
    }

    void zipfRangeForHugeN()
    {
        // n = 1e9: O(1) per sample, no table; every sample in [1, n]. (probability() would sum
        // 1e9 terms, so it is not called here.)
        QFETCH(double, s);
        constexpr std::uint64_t kHuge = 1'000'000'000;
        const ZipfSampler zipf(kHuge, s);
        RandomStream random(33, "cache/zipf-huge");
        std::uint64_t largest = 0;
        for (int i = 0; i < 10'000; ++i) {
            const std::uint64_t k = zipf.sample(random);
            if (k < 1 || k > kHuge)
                QFAIL(qPrintable(QString("sample %1 out of [1, 1e9]").arg(k)));
            largest = std::max(largest, k);
        }
        QVERIFY(largest > 1); // not stuck on the first key
    }
};

QTEST_GUILESS_MAIN(TestResponseCache)
#include "tst_response_cache.moc"
