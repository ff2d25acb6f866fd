#pragma once

// Distribution: the in-house probability distributions of meshsim.
//
// Written here rather than taken from <random> because the standard distributions may produce
// different numbers on different standard libraries, which would break "same seed, same
// results". Every distribution samples from a RandomStream the caller owns. Values are in the
// caller's base unit (nanoseconds for durations, bytes for sizes).

#include "engine/core/random.h"
#include "engine/core/sim_time.h"

#include <string>
#include <vector>

namespace meshsim::engine {

class Distribution
{
public:
    enum class Kind { Constant, Exponential, LogNormal, Normal, Uniform, Pareto, Empirical };

    static Distribution constant(double value);
    static Distribution exponential(double mean);
    // ln X ~ Normal(mu, sigma).
    static Distribution logNormal(double mu, double sigma);
    static Distribution logNormalFromMean(double mean, double sigma);
    static Distribution logNormalFromMedianP99(double median, double p99);
    // Normal(mean, stddev) truncated to [0, inf) by rejection.
    static Distribution normal(double mean, double stddev);
    static Distribution uniform(double min, double max);
    // Pareto type I: P(X > x) = (scale / x)^shape for x >= scale.
    static Distribution pareto(double scale, double shape);
    // Picks one of `values` with probability proportional to `weights` (equal when empty), in
    // constant time whatever the number of values (an alias table).
    static Distribution empirical(std::vector<double> values, std::vector<double> weights = {});

    Distribution() = default; // constant 0

    double sample(RandomStream& random) const;
    SimDuration sampleDuration(RandomStream& random) const
    {
        return durationFromNanos(sample(random));
    }

    Kind kind() const { return m_kind; }
    // The distribution's mean (infinite for a Pareto with shape <= 1).
    double mean() const;
    // Second moment E[X^2] (infinite where it does not exist); used by queueing formulas.
    double secondMoment() const;
    // Parameters as written for people, e.g. "exponential(mean=4e+06)".
    std::string describe() const;

    double param1() const { return m_a; }
    double param2() const { return m_b; }

private:
    Kind m_kind = Kind::Constant;
    double m_a = 0.0;
    double m_b = 0.0;
    std::vector<double> m_values;
    std::vector<double> m_cumulative; // normalised cumulative weights, last == 1
    // Empirical sampling in O(1): Walker's alias table (distribution.cpp).
    std::vector<double> m_keep;
    std::vector<std::uint32_t> m_alias;
};

// Standard normal quantile z_p (Acklam's rational approximation, |error| < 1.2e-9).
double standardNormalQuantile(double p);
// Standard normal deviate (Marsaglia and Tsang's ziggurat, 128 layers).
double standardNormal(RandomStream& random);
// Exponential deviate of mean 1 (Marsaglia and Tsang's ziggurat, 256 layers).
double standardExponential(RandomStream& random);

} // namespace meshsim::engine
