#pragma once

// Closed forms of queueing theory, used to validate the simulator (docs/validation.md).
//
// Rates are per second, times in seconds. Each function states the model it solves; all assume
// FCFS stations and a stable system (utilisation < 1), which callers guarantee.

#include <vector>

namespace meshsim::run::theory {

// M/M/1: Poisson arrivals (lambda), exponential service (mu). The sojourn time is exponential
// with rate mu - lambda.
double mm1MeanSojourn(double lambda, double mu);
double mm1SojournQuantile(double lambda, double mu, double p);

// Erlang C: probability that an arrival waits in an M/M/c queue.
double erlangC(double lambda, double mu, int c);
// M/M/c mean sojourn: C / (c mu - lambda) + 1 / mu.
double mmcMeanSojourn(double lambda, double mu, int c);
// M/M/c sojourn quantile: T = W + S with W = 0 w.p. 1 - C, else Exp(c mu - lambda), and
// S ~ Exp(mu) independent; P(T > t) is solved for 1 - p by bisection.
double mmcSojournQuantile(double lambda, double mu, int c, double p);

// M/G/1 mean sojourn by Pollaczek-Khinchine: E[S] + lambda E[S^2] / (2 (1 - rho)).
double mg1MeanSojourn(double lambda, double meanService, double secondMomentService);

// A tandem of M/M/1 stations fed by one Poisson stream (Jackson network): the sojourn times at
// the stations are independent exponentials with rates mu_i - lambda (Burke, Reich), so the
// end-to-end time is hypoexponential.
double tandemMeanSojourn(double lambda, const std::vector<double>& mus);
double tandemSojournQuantile(double lambda, const std::vector<double>& mus, double p);

// Exact mean value analysis of a closed network: `users` customers, each thinking for `think`
// seconds on average (a delay station), then visiting FCFS single-server stations with the
// given mean service demands once each.
struct MvaResult
{
    double throughput = 0.0;   // requests per second
    double responseTime = 0.0; // seconds, think time excluded
    std::vector<double> stationResponse;
};
MvaResult meanValueAnalysis(int users, double think, const std::vector<double>& demands);

} // namespace meshsim::run::theory
