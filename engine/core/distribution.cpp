#include "engine/core/distribution.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

namespace meshsim::engine {

Distribution Distribution::constant(double value)
{
    Distribution d;
    d.m_kind = Kind::Constant;
    d.m_a = value;
    return d;
}

Distribution Distribution::exponential(double mean)
{
    Distribution d;
    d.m_kind = Kind::Exponential;
    d.m_a = mean;
    return d;
}

Distribution Distribution::logNormal(double mu, double sigma)
{
    Distribution d;
    d.m_kind = Kind::LogNormal;
    d.m_a = mu;
    d.m_b = sigma;
    return d;
}

Distribution Distribution::logNormalFromMean(double mean, double sigma)
{
    // E[X] = exp(mu + sigma^2 / 2)  =>  mu = ln(mean) - sigma^2 / 2.
    return logNormal(std::log(mean) - 0.5 * sigma * sigma, sigma);
}

Distribution Distribution::logNormalFromMedianP99(double median, double p99)
{
    // median = exp(mu); p99 = exp(mu + z_0.99 * sigma).
    return logNormal(std::log(median), std::log(p99 / median) / standardNormalQuantile(0.99));
}

Distribution Distribution::normal(double mean, double stddev)
{
    Distribution d;
    d.m_kind = Kind::Normal;
    d.m_a = mean;
    d.m_b = stddev;
    return d;
}

Distribution Distribution::uniform(double min, double max)
{
    Distribution d;
    d.m_kind = Kind::Uniform;
    d.m_a = min;
    d.m_b = max;
    return d;
}

Distribution Distribution::pareto(double scale, double shape)
{
    Distribution d;
    d.m_kind = Kind::Pareto;
    d.m_a = scale;
    d.m_b = shape;
    return d;
}

Distribution Distribution::empirical(std::vector<double> values, std::vector<double> weights)
{
    MESHSIM_ASSERT(!values.empty(), "an empirical distribution has values");
    MESHSIM_ASSERT(weights.empty() || weights.size() == values.size(),
                   "one weight per empirical value");
    Distribution d;
    d.m_kind = Kind::Empirical;
    if (weights.empty())
        weights.assign(values.size(), 1.0);
    double total = 0.0;
    for (const double w : weights)
        total += w;
    double running = 0.0;
    d.m_cumulative.reserve(weights.size());
    for (const double w : weights) {
        running += w;
        d.m_cumulative.push_back(running / total);
    }
    d.m_cumulative.back() = 1.0;
    // Walker's alias table, built by Vose's method ("A linear algorithm for generating random
    // numbers with a given distribution", 1991): column i keeps value i with probability
    // m_keep[i], else gives value m_alias[i]; every column is picked with probability 1/n.
    const std::size_t n = weights.size();
    MESHSIM_ASSERT(n < (std::size_t{1} << 32), "an empirical distribution has under 2^32 values");
    d.m_keep.assign(n, 1.0);
    d.m_alias.resize(n);
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small;
    std::vector<std::uint32_t> large;
    for (std::size_t i = 0; i < n; ++i) {
        scaled[i] = weights[i] / total * static_cast<double>(n);
        d.m_alias[i] = static_cast<std::uint32_t>(i);
        (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
        const std::uint32_t s = small.back();
        small.pop_back();
        const std::uint32_t l = large.back();
        d.m_keep[s] = scaled[s];
        d.m_alias[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
    // What is left is 1 up to rounding: those columns keep their value (m_keep = 1).
    d.m_values = std::move(values);
    return d;
}

namespace {

// Marsaglia and Tsang, "The Ziggurat Method for Generating Random Variables", Journal of
// Statistical Software 5(8), 2000: the tables are computed once from their closed forms. Unlike
// the paper's generator, the layer index and the value come from different bits of one 64-bit
// draw (Leong et al. 2005 showed that sharing bits correlates them).
struct ExponentialZiggurat
{
    std::uint32_t k[256];
    double w[256];
    double f[256];
    static constexpr double kR = 7.697117470131487;

    ExponentialZiggurat()
    {
        constexpr double kV = 3.949659822581572e-3;
        constexpr double kM = 4294967296.0; // 2^32
        double d = kR;
        double t = d;
        const double q = kV / std::exp(-d);
        k[0] = static_cast<std::uint32_t>((d / q) * kM);
        k[1] = 0;
        w[0] = q / kM;
        w[255] = d / kM;
        f[0] = 1.0;
        f[255] = std::exp(-d);
        for (int i = 254; i >= 1; --i) {
            d = -std::log(kV / d + std::exp(-d));
            k[i + 1] = static_cast<std::uint32_t>((d / t) * kM);
            t = d;
            f[i] = std::exp(-d);
            w[i] = d / kM;
        }
    }
};

struct NormalZiggurat
{
    std::uint32_t k[128];
    double w[128];
    double f[128];
    static constexpr double kR = 3.442619855899;

    NormalZiggurat()
    {
        constexpr double kV = 9.91256303526217e-3;
        constexpr double kM = 2147483648.0; // 2^31
        double d = kR;
        double t = d;
        const double q = kV / std::exp(-0.5 * d * d);
        k[0] = static_cast<std::uint32_t>((d / q) * kM);
        k[1] = 0;
        w[0] = q / kM;
        w[127] = d / kM;
        f[0] = 1.0;
        f[127] = std::exp(-0.5 * d * d);
        for (int i = 126; i >= 1; --i) {
            d = std::sqrt(-2.0 * std::log(kV / d + std::exp(-0.5 * d * d)));
            k[i + 1] = static_cast<std::uint32_t>((d / t) * kM);
            t = d;
            f[i] = std::exp(-0.5 * d * d);
            w[i] = d / kM;
        }
    }
};

const ExponentialZiggurat& exponentialTables()
{
    static const ExponentialZiggurat tables;
    return tables;
}

const NormalZiggurat& normalTables()
{
    static const NormalZiggurat tables;
    return tables;
}

} // namespace

double standardExponential(RandomStream& random)
{
    const ExponentialZiggurat& z = exponentialTables();
    for (;;) {
        const std::uint64_t bits = random.nextU64();
        const std::size_t i = bits & 0xff;
        const auto j = static_cast<std::uint32_t>(bits >> 32);
        const double x = j * z.w[i];
        if (j < z.k[i])
            return x; // inside the layer's rectangle: the common case
        if (i == 0)   // the tail beyond R: R plus a fresh exponential
            return ExponentialZiggurat::kR - std::log(random.nextOpenDouble());
        if (z.f[i] + random.nextDouble() * (z.f[i - 1] - z.f[i]) < std::exp(-x))
            return x;
    }
}

double standardNormal(RandomStream& random)
{
    const NormalZiggurat& z = normalTables();
    for (;;) {
        const std::uint64_t bits = random.nextU64();
        const std::size_t i = bits & 0x7f;
        const bool negative = (bits & 0x80) != 0;
        const auto j = static_cast<std::uint32_t>(bits >> 33); // 31 bits
        double x = j * z.w[i];
        if (j < z.k[i])
            return negative ? -x : x;
        if (i == 0) { // the tail beyond R (Marsaglia 1964)
            double y;
            do {
                x = -std::log(random.nextOpenDouble()) / NormalZiggurat::kR;
                y = -std::log(random.nextOpenDouble());
            } while (y + y < x * x);
            return negative ? -(NormalZiggurat::kR + x) : NormalZiggurat::kR + x;
        }
        if (z.f[i] + random.nextDouble() * (z.f[i - 1] - z.f[i]) < std::exp(-0.5 * x * x))
            return negative ? -x : x;
    }
}

double Distribution::sample(RandomStream& random) const
{
    switch (m_kind) {
    case Kind::Constant:
        return m_a;
    case Kind::Exponential:
        return m_a * standardExponential(random);
    case Kind::LogNormal:
        return std::exp(m_a + m_b * standardNormal(random));
    case Kind::Normal:
        for (int attempt = 0; attempt < 64; ++attempt) {
            const double x = m_a + m_b * standardNormal(random);
            if (x >= 0.0)
                return x;
        }
        return 0.0; // only reachable when mean << 0, which the loader rejects
    case Kind::Uniform:
        return m_a + (m_b - m_a) * random.nextDouble();
    case Kind::Pareto:
        return m_a * std::pow(random.nextOpenDouble(), -1.0 / m_b);
    case Kind::Empirical: {
        // One draw: its high 32 bits pick a column (Lemire's multiply-shift, n < 2^32), its low
        // 32 bits decide between the column's value and its alias.
        const std::uint64_t bits = random.nextU64();
        const auto column = static_cast<std::size_t>(((bits >> 32) * m_values.size()) >> 32);
        const double u = static_cast<double>(bits & 0xffff'ffffULL) * 0x1.0p-32;
        return m_values[u < m_keep[column] ? column : m_alias[column]];
    }
    }
    return 0.0;
}

double Distribution::mean() const
{
    switch (m_kind) {
    case Kind::Constant:
    case Kind::Exponential:
        return m_a;
    case Kind::LogNormal:
        return std::exp(m_a + 0.5 * m_b * m_b);
    case Kind::Normal: {
        // Mean of the normal truncated below at 0: mu + sigma * phi(alpha) / (1 - Phi(alpha)).
        if (m_b <= 0.0)
            return m_a;
        const double alpha = -m_a / m_b;
        const double phi = std::exp(-0.5 * alpha * alpha) / std::sqrt(2.0 * std::numbers::pi);
        const double tail = 0.5 * std::erfc(alpha / std::numbers::sqrt2);
        return m_a + m_b * phi / tail;
    }
    case Kind::Uniform:
        return 0.5 * (m_a + m_b);
    case Kind::Pareto:
        return m_b > 1.0 ? m_b * m_a / (m_b - 1.0) : std::numeric_limits<double>::infinity();
    case Kind::Empirical: {
        double mean = 0.0;
        double previous = 0.0;
        for (std::size_t i = 0; i < m_values.size(); ++i) {
            mean += m_values[i] * (m_cumulative[i] - previous);
            previous = m_cumulative[i];
        }
        return mean;
    }
    }
    return 0.0;
}

double Distribution::secondMoment() const
{
    switch (m_kind) {
    case Kind::Constant:
        return m_a * m_a;
    case Kind::Exponential:
        return 2.0 * m_a * m_a;
    case Kind::LogNormal:
        return std::exp(2.0 * m_a + 2.0 * m_b * m_b);
    case Kind::Normal: {
        // Truncated at 0: E[X^2] = mu^2 + sigma^2 + mu * sigma * lambda, lambda = phi/(1-Phi).
        if (m_b <= 0.0)
            return m_a * m_a;
        const double alpha = -m_a / m_b;
        const double phi = std::exp(-0.5 * alpha * alpha) / std::sqrt(2.0 * std::numbers::pi);
        const double tail = 0.5 * std::erfc(alpha / std::numbers::sqrt2);
        return m_a * m_a + m_b * m_b + m_a * m_b * phi / tail;
    }
    case Kind::Uniform:
        return (m_a * m_a + m_a * m_b + m_b * m_b) / 3.0;
    case Kind::Pareto:
        return m_b > 2.0 ? m_b * m_a * m_a / (m_b - 2.0) : std::numeric_limits<double>::infinity();
    case Kind::Empirical: {
        double m2 = 0.0;
        double previous = 0.0;
        for (std::size_t i = 0; i < m_values.size(); ++i) {
            m2 += m_values[i] * m_values[i] * (m_cumulative[i] - previous);
            previous = m_cumulative[i];
        }
        return m2;
    }
    }
    return 0.0;
}

std::string Distribution::describe() const
{
    std::ostringstream out;
    out.imbue(std::locale::classic());
    switch (m_kind) {
    case Kind::Constant:
        out << "constant(" << m_a << ")";
        break;
    case Kind::Exponential:
        out << "exponential(mean=" << m_a << ")";
        break;
    case Kind::LogNormal:
        out << "lognormal(mu=" << m_a << ", sigma=" << m_b << ")";
        break;
    case Kind::Normal:
        out << "normal(mean=" << m_a << ", stddev=" << m_b << ")";
        break;
    case Kind::Uniform:
        out << "uniform(" << m_a << ", " << m_b << ")";
        break;
    case Kind::Pareto:
        out << "pareto(scale=" << m_a << ", shape=" << m_b << ")";
        break;
    case Kind::Empirical:
        out << "empirical(" << m_values.size() << " values)";
        break;
    }
    return out.str();
}

double standardNormalQuantile(double p)
{
    // Peter J. Acklam's algorithm for the inverse normal CDF.
    MESHSIM_ASSERT(p > 0.0 && p < 1.0, "a quantile level is inside (0, 1)");
    static constexpr double a[] = {-3.969683028665376e+01,
                                   2.209460984245205e+02,
                                   -2.759285104469687e+02,
                                   1.383577518672690e+02,
                                   -3.066479806614716e+01,
                                   2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01,
                                   1.615858368580409e+02,
                                   -1.556989798598866e+02,
                                   6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03,
                                   -3.223964580411365e-01,
                                   -2.400758277161838e+00,
                                   -2.549732539343734e+00,
                                   4.374664141464968e+00,
                                   2.938163982698783e+00};
    static constexpr double d[] = {
        7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double kLow = 0.02425;
    if (p < kLow) {
        const double q = std::sqrt(-2.0 * std::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
               / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    if (p > 1.0 - kLow) {
        const double q = std::sqrt(-2.0 * std::log(1.0 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
               / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    const double q = p - 0.5;
    const double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
           / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

} // namespace meshsim::engine
