// Histogram: exactness below 256, the 1/256 relative error bound above, quantiles, merge,
// and memory independent of the number of values.

#include "models/histogram.h"

#include <QTest>

#include <cmath>

using meshsim::models::Histogram;

class TestHistogram : public QObject
{
    Q_OBJECT

private slots:
    void smallValuesAreExact()
    {
        Histogram h;
        for (int v = 0; v < 256; ++v)
            h.record(v);
        QCOMPARE(h.count(), std::uint64_t{256});
        QCOMPARE(h.quantile(0.0), std::int64_t{0});
        QCOMPARE(h.quantile(0.5), std::int64_t{127}); // rank ceil(128) = value 127
        QCOMPARE(h.quantile(1.0), std::int64_t{255});
        QCOMPARE(h.mean(), 127.5);
    }

    void bucketArithmeticIsContiguous()
    {
        // Every bucket starts where the previous one ends, up to 2^62.
        for (std::uint32_t i = 1; i < Histogram::bucketIndex(std::uint64_t{1} << 62); ++i) {
            QCOMPARE(Histogram::bucketLower(i),
                     Histogram::bucketLower(i - 1) + Histogram::bucketWidth(i - 1));
            QCOMPARE(Histogram::bucketIndex(Histogram::bucketLower(i)), i);
            QCOMPARE(
                Histogram::bucketIndex(Histogram::bucketLower(i) + Histogram::bucketWidth(i) - 1),
                i);
        }
    }

    void relativeErrorBelowOnePercent()
    {
        // The reported value of a single recorded value v is within 1/256 of v (bucket width
        // <= lower/128, the midpoint is at most half a width away).
        std::uint64_t x = 12345;
        for (int i = 0; i < 20000; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            const auto v = static_cast<std::int64_t>((x >> 20) % 1'000'000'000'000ULL);
            Histogram h;
            h.record(v);
            h.record(v + 1'000'000'000'000'000LL); // keeps min/max clamping out of the way
            const std::int64_t r = h.quantile(0.5);
            QVERIFY2(std::abs(static_cast<double>(r - v)) <= static_cast<double>(v) / 256.0 + 0.5,
                     qPrintable(QString("%1 -> %2").arg(v).arg(r)));
        }
    }

    void quantilesOfUniformValues()
    {
        Histogram h;
        for (std::int64_t v = 1; v <= 1'000'000; ++v)
            h.record(v * 1000); // 1 us .. 1 s in ns
        const auto near = [](std::int64_t actual, double expected) {
            return std::abs(static_cast<double>(actual) - expected) <= expected / 256.0 + 1.0;
        };
        QVERIFY(near(h.quantile(0.5), 500'000'000.0));
        QVERIFY(near(h.quantile(0.99), 990'000'000.0));
        QVERIFY(near(h.quantile(0.999), 999'000'000.0));
        QCOMPARE(h.min(), std::int64_t{1000});
        QCOMPARE(h.max(), std::int64_t{1'000'000'000});
        QCOMPARE(h.quantile(1.0), std::int64_t{1'000'000'000}); // clamped to the max
        QCOMPARE(h.mean(), 500'000'500.0);
        // 20 powers of two between 1 us and 1 s, 128 buckets each: memory independent of count.
        QVERIFY(h.bucketsInUse() <= 21 * 128);
    }

    void countAtOrBelow()
    {
        Histogram h;
        for (int v = 0; v < 100; ++v)
            h.record(v);
        QCOMPARE(h.countAtOrBelow(49), std::uint64_t{50});
        QCOMPARE(h.countAtOrBelow(-1), std::uint64_t{0});
        QCOMPARE(h.countAtOrBelow(1'000'000), std::uint64_t{100});
    }

    void mergeEqualsRecordingTogether()
    {
        Histogram a;
        Histogram b;
        Histogram all;
        for (std::int64_t v = 0; v < 100'000; v += 7) {
            (v % 2 ? a : b).record(v * 313);
            all.record(v * 313);
        }
        Histogram merged = a;
        merged.merge(b);
        QCOMPARE(merged.count(), all.count());
        QCOMPARE(merged.min(), all.min());
        QCOMPARE(merged.max(), all.max());
        QCOMPARE(merged.sum(), all.sum());
        for (const double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0})
            QCOMPARE(merged.quantile(q), all.quantile(q));
        Histogram empty;
        empty.merge(all);
        QCOMPARE(empty.quantile(0.5), all.quantile(0.5));
    }

    void emptyHistogram()
    {
        Histogram h;
        QCOMPARE(h.quantile(0.99), std::int64_t{0});
        QCOMPARE(h.mean(), 0.0);
        QVERIFY(h.empty());
    }
};

QTEST_GUILESS_MAIN(TestHistogram)
#include "tst_histogram.moc"
