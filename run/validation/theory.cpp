#include "run/validation/theory.h"

#include "engine/core/assert.h"

#include <cmath>
#include <functional>

namespace meshsim::run::theory {

namespace {

// The t with tail(t) = target for a decreasing tail function, by bisection to 1e-12 relative.
double solveTail(const std::function<double(double)>& tail, double target)
{
    double lo = 0.0;
    double hi = 1e-6;
    while (tail(hi) > target)
        hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (tail(mid) > target ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

} // namespace

double mm1MeanSojourn(double lambda, double mu)
{
    MESHSIM_ASSERT(lambda < mu, "M/M/1 is stable");
    return 1.0 / (mu - lambda);
}

double mm1SojournQuantile(double lambda, double mu, double p)
{
    return -std::log(1.0 - p) / (mu - lambda);
}

double erlangC(double lambda, double mu, int c)
{
    const double a = lambda / mu;
    const double rho = a / c;
    MESHSIM_ASSERT(rho < 1.0, "M/M/c is stable");
    // Sum a^k / k! for k < c, and a^c / c!, by recurrence (no factorial overflow).
    double term = 1.0;
    double sum = 0.0;
    for (int k = 0; k < c; ++k) {
        sum += term;
        term *= a / (k + 1);
    }
    const double last = term / (1.0 - rho);
    return last / (sum + last);
}

double mmcMeanSojourn(double lambda, double mu, int c)
{
    return erlangC(lambda, mu, c) / (c * mu - lambda) + 1.0 / mu;
}

double mmcSojournQuantile(double lambda, double mu, int c, double p)
{
    const double wait = erlangC(lambda, mu, c);
    const double theta = c * mu - lambda;
    const auto tail = [&](double t) {
        // P(W + S > t | W ~ Exp(theta)) = (theta e^{-mu t} - mu e^{-theta t}) / (theta - mu)
        const double waitingTail
            = std::abs(theta - mu) < 1e-12 * mu
                  ? (1.0 + mu * t) * std::exp(-mu * t)
                  : (theta * std::exp(-mu * t) - mu * std::exp(-theta * t)) / (theta - mu);
        return (1.0 - wait) * std::exp(-mu * t) + wait * waitingTail;
    };
    return solveTail(tail, 1.0 - p);
}

double mg1MeanSojourn(double lambda, double meanService, double secondMomentService)
{
    const double rho = lambda * meanService;
    MESHSIM_ASSERT(rho < 1.0, "M/G/1 is stable");
    return meanService + lambda * secondMomentService / (2.0 * (1.0 - rho));
}

double tandemMeanSojourn(double lambda, const std::vector<double>& mus)
{
    double total = 0.0;
    for (const double mu : mus)
        total += mm1MeanSojourn(lambda, mu);
    return total;
}

double tandemSojournQuantile(double lambda, const std::vector<double>& mus, double p)
{
    // Hypoexponential tail with distinct rates: sum_i prod_{j != i} r_j / (r_j - r_i) e^{-r_i t}.
    std::vector<double> rates;
    for (const double mu : mus)
        rates.push_back(mu - lambda);
    for (std::size_t i = 0; i < rates.size(); ++i)
        for (std::size_t j = i + 1; j < rates.size(); ++j)
            MESHSIM_ASSERT(std::abs(rates[i] - rates[j]) > 1e-9 * rates[i],
                           "the tandem quantile formula needs distinct station rates");
    const auto tail = [&](double t) {
        double sum = 0.0;
        for (std::size_t i = 0; i < rates.size(); ++i) {
            double coefficient = 1.0;
            for (std::size_t j = 0; j < rates.size(); ++j) {
                if (j != i)
                    coefficient *= rates[j] / (rates[j] - rates[i]);
            }
            sum += coefficient * std::exp(-rates[i] * t);
        }
        return sum;
    };
    return solveTail(tail, 1.0 - p);
}

MvaResult meanValueAnalysis(int users, double think, const std::vector<double>& demands)
{
    // Reiser and Lavenberg's exact recursion over the population n = 1..N.
    std::vector<double> queue(demands.size(), 0.0);
    MvaResult result;
    result.stationResponse.assign(demands.size(), 0.0);
    for (int n = 1; n <= users; ++n) {
        double total = 0.0;
        for (std::size_t k = 0; k < demands.size(); ++k) {
            result.stationResponse[k] = demands[k] * (1.0 + queue[k]);
            total += result.stationResponse[k];
        }
        result.throughput = n / (think + total);
        result.responseTime = total;
        for (std::size_t k = 0; k < demands.size(); ++k)
            queue[k] = result.throughput * result.stationResponse[k];
    }
    return result;
}

} // namespace meshsim::run::theory
