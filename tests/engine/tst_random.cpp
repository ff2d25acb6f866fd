// RandomStream and Distribution: reference vectors, stream independence, and sample statistics.
//
// Statistical checks use n = 400,000 samples. A sample mean has standard error sigma/sqrt(n);
// an empirical CDF value has standard error sqrt(p(1-p)/n). Each check accepts 5 standard
// errors: for a fixed seed the outcome is deterministic, and 5 SE would be exceeded by chance
// with probability below 6e-7, so a failure means a wrong formula, not bad luck.

#include "engine/core/distribution.h"
#include "engine/core/random.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace meshsim::engine;

namespace {
constexpr int kN = 400'000;
constexpr double kZ = 5.0;

struct Moments
{
    double mean = 0.0;
    double var = 0.0;
};

Moments moments(const Distribution& d, RandomStream& r, std::vector<double>* keep = nullptr)
{
    double sum = 0.0;
    double sum2 = 0.0;
    for (int i = 0; i < kN; ++i) {
        const double x = d.sample(r);
        sum += x;
        sum2 += x * x;
        if (keep)
            keep->push_back(x);
    }
    const double mean = sum / kN;
    return {mean, sum2 / kN - mean * mean};
}

double fractionAtOrBelow(const std::vector<double>& xs, double v)
{
    std::size_t c = 0;
    for (const double x : xs)
        c += x <= v ? 1 : 0;
    return static_cast<double>(c) / static_cast<double>(xs.size());
}
} // namespace

class TestRandom : public QObject
{
    Q_OBJECT

private slots:
    void xoshiroReferenceVector()
    {
        // Published xoshiro256** outputs for the state {1, 2, 3, 4}.
        RandomStream r = RandomStream::fromStateForTest(1, 2, 3, 4);
        QCOMPARE(r.nextU64(), std::uint64_t{11520});
        QCOMPARE(r.nextU64(), std::uint64_t{0});
        QCOMPARE(r.nextU64(), std::uint64_t{1509978240});
        QCOMPARE(r.nextU64(), std::uint64_t{1215971899390074240});
    }

    void splitmixReferenceVector()
    {
        std::uint64_t state = 0;
        QCOMPARE(RandomStream::splitmix64(state), std::uint64_t{0xe220a8397b1dcdafULL});
    }

    void fnvReferenceVector()
    {
        // FNV-1a 64: "" is the offset basis, "a" is 0xaf63dc4c8601ec8c.
        QCOMPARE(RandomStream::hashName(""), std::uint64_t{0xcbf29ce484222325ULL});
        QCOMPARE(RandomStream::hashName("a"), std::uint64_t{0xaf63dc4c8601ec8cULL});
    }

    void streamsDependOnSeedAndNameOnly()
    {
        RandomStream a(42, "service/catalog/0");
        RandomStream b(42, "service/catalog/0");
        RandomStream c(42, "service/catalog/1");
        RandomStream d(43, "service/catalog/0");
        bool differC = false;
        bool differD = false;
        for (int i = 0; i < 16; ++i) {
            const std::uint64_t x = a.nextU64();
            QCOMPARE(b.nextU64(), x);
            differC = differC || c.nextU64() != x;
            differD = differD || d.nextU64() != x;
        }
        QVERIFY(differC);
        QVERIFY(differD);
    }

    void doublesInRange()
    {
        RandomStream r(7, "range");
        for (int i = 0; i < 100'000; ++i) {
            const double u = r.nextDouble();
            QVERIFY(u >= 0.0 && u < 1.0);
            const double v = r.nextOpenDouble();
            QVERIFY(v > 0.0 && v <= 1.0);
        }
    }

    void nextBelowIsUniform()
    {
        // 10 buckets, n draws: each count is Binomial(n, 0.1), SE = sqrt(n * 0.09).
        RandomStream r(7, "below");
        std::vector<int> counts(10);
        for (int i = 0; i < kN; ++i)
            ++counts[r.nextBelow(10)];
        const double se = std::sqrt(kN * 0.1 * 0.9);
        for (const int c : counts)
            QVERIFY2(std::abs(c - kN * 0.1) <= kZ * se, qPrintable(QString::number(c)));
    }

    void distributionMoments_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("a");
        QTest::addColumn<double>("b");
        QTest::addColumn<double>("mean");
        QTest::addColumn<double>("stddev");
        // Closed forms: exponential(m): mean m, sd m. lognormal(mu, s): mean e^(mu+s^2/2),
        // var (e^(s^2)-1) e^(2mu+s^2). uniform(a,b): (a+b)/2, (b-a)/sqrt(12).
        // pareto(xm, alpha): alpha xm/(alpha-1), var xm^2 alpha/((alpha-1)^2 (alpha-2)).
        QTest::newRow("exponential") << 0 << 4.0 << 0.0 << 4.0 << 4.0;
        QTest::newRow("lognormal") << 1 << 0.5 << 0.4 << std::exp(0.5 + 0.08)
                                   << std::sqrt((std::exp(0.16) - 1) * std::exp(1.0 + 0.16));
        QTest::newRow("uniform") << 2 << 2.0 << 6.0 << 4.0 << 4.0 / std::sqrt(12.0);
        QTest::newRow("pareto") << 3 << 3.0 << 4.5 << 4.5 * 3.0 / 3.5
                                << std::sqrt(9.0 * 4.5 / (3.5 * 3.5 * 2.5));
        // normal(8, 2) truncated at 0: mean 8 + 2 phi(4) / Phi(4) (the truncation moves it by
        // 2.7e-4) and its sd is sqrt(E[X^2] - mean^2) with E[X^2] = 68 + 16 phi(4) / Phi(4).
        QTest::newRow("normal far from 0")
            << 4 << 8.0 << 2.0 << 8.000267668928938 << 1.9994645725598248;
        QTest::newRow("constant") << 5 << 2.5 << 0.0 << 2.5 << 0.0;
    }

    void distributionMoments()
    {
        QFETCH(int, kind);
        QFETCH(double, a);
        QFETCH(double, b);
        QFETCH(double, mean);
        QFETCH(double, stddev);
        Distribution d;
        switch (kind) {
        case 0:
            d = Distribution::exponential(a);
            break;
        case 1:
            d = Distribution::logNormal(a, b);
            break;
        case 2:
            d = Distribution::uniform(a, b);
            break;
        case 3:
            d = Distribution::pareto(a, b);
            break;
        case 4:
            d = Distribution::normal(a, b);
            break;
        default:
            d = Distribution::constant(a);
        }
        QVERIFY(std::abs(d.mean() - mean) <= 1e-9 * std::max(1.0, mean));
        RandomStream r(1, QTest::currentDataTag());
        const Moments m = moments(d, r);
        const double se = stddev / std::sqrt(static_cast<double>(kN));
        QVERIFY2(std::abs(m.mean - mean) <= kZ * se + 1e-12,
                 qPrintable(QString("mean %1 expected %2 (SE %3)").arg(m.mean).arg(mean).arg(se)));
        if (stddev > 0.0) {
            // The sample sd converges much faster than 10% at this n for these shapes.
            QVERIFY2(std::abs(std::sqrt(m.var) - stddev) <= 0.05 * stddev,
                     qPrintable(QString("sd %1 expected %2").arg(std::sqrt(m.var)).arg(stddev)));
        }
        QVERIFY(std::abs(d.secondMoment() - (stddev * stddev + mean * mean))
                <= 1e-9 * std::max(1.0, d.secondMoment()));
    }

    void kolmogorovSmirnov_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("exponential (ziggurat)") << 0;
        QTest::newRow("normal (ziggurat)") << 1;
    }

    void kolmogorovSmirnov()
    {
        // The whole distribution, not only its moments: the Kolmogorov-Smirnov distance between
        // n samples and the exact CDF. Under the null hypothesis sqrt(n) D converges to the
        // Kolmogorov distribution, whose 99.9% quantile is 1.949; a sampler with a wrong
        // ziggurat layer or tail would exceed it by far.
        QFETCH(int, kind);
        RandomStream r(17, QTest::currentDataTag());
        std::vector<double> xs(kN);
        for (double& x : xs)
            x = kind == 0 ? standardExponential(r) : standardNormal(r);
        std::sort(xs.begin(), xs.end());
        double d = 0.0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const double cdf
                = kind == 0 ? 1.0 - std::exp(-xs[i]) : 0.5 * std::erfc(-xs[i] / std::sqrt(2.0));
            const double lo = static_cast<double>(i) / kN;
            const double hi = static_cast<double>(i + 1) / kN;
            d = std::max({d, cdf - lo, hi - cdf});
        }
        QVERIFY2(std::sqrt(static_cast<double>(kN)) * d < 1.949,
                 qPrintable(QString("sqrt(n) D = %1").arg(std::sqrt(double(kN)) * d)));
        if (kind == 0)
            QCOMPARE(xs.front() >= 0.0, true);
        // The tails are reached: beyond the ziggurat's last layer (R = 7.70 / 3.44) about
        // n e^-7.7 = 181 and 2 n (1 - Phi(3.44)) = 230 samples are expected.
        const double r0 = kind == 0 ? 7.697117470131487 : 3.442619855899;
        const auto beyond
            = std::count_if(xs.begin(), xs.end(), [&](double x) { return std::abs(x) > r0; });
        QVERIFY2(beyond > 100 && beyond < 350, qPrintable(QString::number(beyond)));
    }

    void logNormalFromMedianAndP99()
    {
        // The bookstore's frontend: median 2 ms, p99 12 ms. The empirical CDF at those points
        // must be 0.5 and 0.99 within 5 binomial standard errors.
        const Distribution d = Distribution::logNormalFromMedianP99(2e6, 12e6);
        RandomStream r(3, "lognormal");
        std::vector<double> xs;
        xs.reserve(kN);
        moments(d, r, &xs);
        const double f50 = fractionAtOrBelow(xs, 2e6);
        const double f99 = fractionAtOrBelow(xs, 12e6);
        QVERIFY2(std::abs(f50 - 0.5) <= kZ * std::sqrt(0.25 / kN),
                 qPrintable(QString::number(f50)));
        QVERIFY2(std::abs(f99 - 0.99) <= kZ * std::sqrt(0.0099 / kN),
                 qPrintable(QString::number(f99)));
    }

    void logNormalFromMean()
    {
        const Distribution d = Distribution::logNormalFromMean(5.0, 0.5);
        QVERIFY(std::abs(d.mean() - 5.0) < 1e-12);
    }

    void truncatedNormalMean()
    {
        // Normal(1, 1) truncated at 0: mean = 1 + phi(-1)/(1 - Phi(-1)) = 1.2876...
        const Distribution d = Distribution::normal(1.0, 1.0);
        QVERIFY(std::abs(d.mean() - 1.2875999709391783) < 1e-9);
        RandomStream r(5, "truncated");
        const Moments m = moments(d, r);
        QVERIFY(std::abs(m.mean - d.mean()) <= kZ * 1.0 / std::sqrt(static_cast<double>(kN)));
    }

    void empiricalWeights()
    {
        const Distribution d = Distribution::empirical({1.0, 10.0}, {3.0, 1.0});
        QCOMPARE(d.mean(), 0.75 * 1.0 + 0.25 * 10.0);
        RandomStream r(9, "empirical");
        int ones = 0;
        for (int i = 0; i < kN; ++i)
            ones += d.sample(r) == 1.0 ? 1 : 0;
        QVERIFY(std::abs(ones - 0.75 * kN) <= kZ * std::sqrt(kN * 0.75 * 0.25));
    }

    void empiricalAliasTableKeepsEveryWeight()
    {
        // 1,000 values with weights 1 to 7, one far heavier and one far lighter: every value's
        // frequency in n draws is binomial(n, p_i); each within five standard deviations.
        constexpr int kValues = 1'000;
        std::vector<double> values;
        std::vector<double> weights;
        double total = 0.0;
        for (int i = 0; i < kValues; ++i) {
            values.push_back(static_cast<double>(i));
            weights.push_back(i == 0 ? 500.0 : i == 1 ? 1e-3 : 1.0 + i % 7);
            total += weights.back();
        }
        const Distribution d = Distribution::empirical(values, weights);
        RandomStream r(5, "alias");
        constexpr int kDraws = 4'000'000;
        std::vector<int> counts(kValues, 0);
        for (int i = 0; i < kDraws; ++i)
            ++counts[static_cast<std::size_t>(d.sample(r))];
        for (int i = 0; i < kValues; ++i) {
            const double p = weights[static_cast<std::size_t>(i)] / total;
            const double sd = std::sqrt(kDraws * p * (1.0 - p));
            QVERIFY2(std::abs(counts[static_cast<std::size_t>(i)] - kDraws * p) <= kZ * sd + 1.0,
                     qPrintable(QString("value %1: %2 draws, expected %3")
                                    .arg(i)
                                    .arg(counts[static_cast<std::size_t>(i)])
                                    .arg(kDraws * p)));
        }
    }

    void normalQuantile()
    {
        QVERIFY(std::abs(standardNormalQuantile(0.99) - 2.3263478740408408) < 1e-8);
        QVERIFY(std::abs(standardNormalQuantile(0.5)) < 1e-12);
        QVERIFY(std::abs(standardNormalQuantile(0.025) + 1.959963984540054) < 1e-8);
    }

    void sameSeedSameSamples()
    {
        const Distribution d = Distribution::logNormalFromMedianP99(1.0, 9.0);
        RandomStream a(11, "x");
        RandomStream b(11, "x");
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(d.sample(a), d.sample(b));
    }
};

QTEST_GUILESS_MAIN(TestRandom)
#include "tst_random.moc"
