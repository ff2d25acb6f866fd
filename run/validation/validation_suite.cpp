#include "run/validation/validation_suite.h"

#include "engine/core/assert.h"
#include "engine/core/distribution.h"
#include "engine/core/format.h"
#include "run/results_json.h"
#include "run/simulation.h"
#include "run/validation/theory.h"
#include "topologies/loader.h"

#include <cmath>

namespace meshsim::run::validation {

namespace m = meshsim::models;

double studentTQuantile(double p, int df)
{
    const double z = engine::standardNormalQuantile(p);
    const double n = df;
    const double z2 = z * z;
    const double g1 = (z2 + 1.0) * z / 4.0;
    const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    const double g4
        = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    return z + g1 / n + g2 / (n * n) + g3 / (n * n * n) + g4 / (n * n * n * n);
}

namespace {

constexpr double kConfidence = 0.999;
constexpr double kHistogramResolution = 1.0 / 256.0;

struct Batches
{
    std::vector<double> values;
    double halfWidth() const
    {
        const auto k = static_cast<double>(values.size());
        double mean = 0.0;
        for (const double v : values)
            mean += v;
        mean /= k;
        double ss = 0.0;
        for (const double v : values)
            ss += (v - mean) * (v - mean);
        const double se = std::sqrt(ss / (k - 1.0) / k);
        return studentTQuantile(0.5 + kConfidence / 2.0, static_cast<int>(values.size()) - 1) * se;
    }
};

// One column of the results' time series, restricted to the windows after the warmup.
Batches column(const nlohmann::ordered_json& results, const char* key, std::size_t firstWindow)
{
    Batches b;
    const auto& values = results["windows"][key];
    for (std::size_t w = firstWindow; w < values.size(); ++w)
        b.values.push_back(values[w].get<double>());
    return b;
}

Check check(const std::string& scenario,
            const std::string& model,
            const std::string& quantity,
            double theory,
            double simulated,
            double halfWidth,
            std::uint64_t samples)
{
    Check c;
    c.scenario = scenario;
    c.model = model;
    c.quantity = quantity;
    c.theory = theory;
    c.simulated = simulated;
    c.halfWidth = halfWidth;
    c.samples = samples;
    c.pass = std::abs(simulated - theory) <= halfWidth;
    return c;
}

} // namespace

std::vector<std::string> suiteScenarios()
{
    return {"mm1", "mmc", "md1", "mg1", "tandem", "closed"};
}

std::vector<Check> checksFromResults(const std::string& name,
                                     const topologies::Scenario& s,
                                     const nlohmann::ordered_json& results)
{
    const auto firstWindow = static_cast<std::size_t>(s.warmup / s.window);
    const nlohmann::ordered_json& summary = results["summary"];
    const auto n = summary["requests"].get<std::uint64_t>();
    const double simMean = summary["latency_ms"]["mean"].get<double>();
    const double simP99 = summary["latency_ms"]["p99"].get<double>();
    const double meanHalf = column(results, "latency_ms_mean", firstWindow).halfWidth();
    const double p99Half = column(results, "latency_ms_p99", firstWindow).halfWidth();
    const auto seconds = [](double ns) { return ns * 1e-9; };

    std::vector<Check> checks;
    const auto addMean = [&](const std::string& model, double theorySeconds) {
        checks.push_back(
            check(name, model, "mean sojourn (ms)", theorySeconds * 1e3, simMean, meanHalf, n));
    };
    const auto addP99 = [&](const std::string& model, double theorySeconds) {
        const double theory = theorySeconds * 1e3;
        checks.push_back(check(name,
                               model,
                               "p99 sojourn (ms)",
                               theory,
                               simP99,
                               p99Half + kHistogramResolution * theory,
                               n));
    };

    const auto& services = s.system.services;
    if (s.system.workloads.front().arrival.process == m::ArrivalConfig::Process::Closed) {
        std::vector<double> demands;
        for (const m::ServiceConfig& svc : services)
            demands.push_back(seconds(svc.cpu.mean()));
        const int users = static_cast<int>(s.system.workloads.front().arrival.users);
        const double think = seconds(s.system.workloads.front().arrival.think.mean());
        const theory::MvaResult mva = theory::meanValueAnalysis(users, think, demands);
        const std::string model = "closed network, MVA, N = " + std::to_string(users);
        checks.push_back(
            check(name, model, "mean response (ms)", mva.responseTime * 1e3, simMean, meanHalf, n));
        // Per-window throughput: answered requests per second of window.
        Batches throughput;
        const auto& ok = results["windows"]["ok"];
        const auto& errors = results["windows"]["errors"];
        const double windowSeconds = results["windows"]["window_seconds"].get<double>();
        for (std::size_t w = firstWindow; w < ok.size(); ++w)
            throughput.values.push_back((ok[w].get<double>() + errors[w].get<double>())
                                        / windowSeconds);
        checks.push_back(check(name,
                               model,
                               "throughput (req/s)",
                               mva.throughput,
                               summary["throughput_rps"].get<double>(),
                               throughput.halfWidth(),
                               n));
        return checks;
    }

    const double lambda = s.system.workloads.front().arrival.ratePerSecond;
    if (services.size() > 1) { // tandem of M/M/1 stations
        std::vector<double> mus;
        for (const m::ServiceConfig& svc : services)
            mus.push_back(1.0 / seconds(svc.cpu.mean()));
        const std::string model = "Jackson tandem of " + std::to_string(mus.size()) + " M/M/1";
        addMean(model, theory::tandemMeanSojourn(lambda, mus));
        addP99(model, theory::tandemSojournQuantile(lambda, mus, 0.99));
        return checks;
    }
    const m::ServiceConfig& server = services.front();
    const double meanService = seconds(server.cpu.mean());
    const double mu = 1.0 / meanService;
    const auto c = static_cast<int>(server.workers);
    const double rho = lambda * meanService / c;
    const std::string rhoText = ", rho = " + engine::formatSignificant(rho, 2);
    switch (server.cpu.kind()) {
    case engine::Distribution::Kind::Exponential:
        if (c == 1) {
            addMean("M/M/1" + rhoText, theory::mm1MeanSojourn(lambda, mu));
            addP99("M/M/1" + rhoText, theory::mm1SojournQuantile(lambda, mu, 0.99));
        } else {
            const std::string model = "M/M/" + std::to_string(c) + rhoText;
            addMean(model, theory::mmcMeanSojourn(lambda, mu, c));
            addP99(model, theory::mmcSojournQuantile(lambda, mu, c, 0.99));
        }
        break;
    case engine::Distribution::Kind::Constant:
        addMean("M/D/1" + rhoText,
                theory::mg1MeanSojourn(lambda, meanService, meanService * meanService));
        break;
    default:
        addMean("M/G/1 (" + server.cpu.describe().substr(0, server.cpu.describe().find('(')) + ")"
                    + rhoText,
                theory::mg1MeanSojourn(lambda, meanService, server.cpu.secondMoment() * 1e-18));
        break;
    }
    return checks;
}

std::vector<Check> runScenario(const std::string& name, m::EngineKind engine, const Runner& runner)
{
    const std::string ref = "validation:" + name;
    topologies::LoadResult loaded = topologies::loadScenario(ref);
    MESHSIM_ASSERT(loaded.ok(), "validation scenarios are valid");
    nlohmann::ordered_json results;
    if (runner) {
        results = runner(ref, engine);
    } else {
        RunOptions options;
        options.engine = engine;
        results = resultsToJson(run::runScenario(*loaded.scenario, options), 0.0);
    }
    return checksFromResults(name, *loaded.scenario, results);
}

std::vector<Check> runSuite(m::EngineKind engine, const Runner& runner)
{
    std::vector<Check> all;
    for (const std::string& name : suiteScenarios()) {
        std::vector<Check> checks = runScenario(name, engine, runner);
        all.insert(all.end(), checks.begin(), checks.end());
    }
    return all;
}

std::string markdownTable(const std::vector<Check>& checks)
{
    std::string out;
    out += "| scenario | model | quantity | theory | simulated | error | 99.9% CI ± | samples | "
           "result |\n";
    out += "|---|---|---|---:|---:|---:|---:|---:|---|\n";
    for (const Check& c : checks) {
        out += "| " + c.scenario + " | " + c.model + " | " + c.quantity + " | "
               + engine::formatFixed(c.theory, 4) + " | " + engine::formatFixed(c.simulated, 4)
               + " | " + (c.relativeError() >= 0 ? "+" : "")
               + engine::formatFixed(100.0 * c.relativeError(), 2) + "% | "
               + engine::formatFixed(c.halfWidth, 4) + " | " + std::to_string(c.samples) + " | "
               + (c.pass ? "pass" : "**FAIL**") + " |\n";
    }
    return out;
}

std::string markdownReport(const std::vector<Check>& fast,
                           const std::vector<Check>& simgrid,
                           const std::string& command)
{
    std::string out;
    out += "# Validation against queueing theory\n\n";
    out += "Generated by `" + command
           + "`; do not edit by hand. The runs are deterministic, so the same build gives the "
             "same tables.\n\n";
    out += "Each scenario (tests/validation/scenarios/, loadable as `validation:<name>`) has zero "
           "network cost and `architecture: direct`, so the simulator must reproduce the closed "
           "form exactly up to sampling error. It runs 1,550 simulated seconds: a 50 s warmup, "
           "then 30 windows of 50 s that serve as the batches of the batch-means method. The "
           "99.9% confidence interval of a simulated value is t(0.9995, 29) x (standard deviation "
           "of the 30 batch values) / sqrt(30); for percentiles it is widened by the histogram's "
           "resolution (0.4% of the value). A check passes when the theoretical value lies inside "
           "the interval.\n\n";
    out += "## Fast platform\n\n" + markdownTable(fast);
    if (!simgrid.empty()) {
        out += "\n## SimGrid platform\n\nThe same scenarios on SimGrid, each run in a process "
               "of its own. Results differ from the fast platform's by sampling only: events at "
               "equal times may run in another order, and SimGrid keeps time in double-precision "
               "seconds.\n\n"
               + markdownTable(simgrid);
    }
    out += "\n## Where the two platforms agree, and where they differ\n\n"
           "Both platforms give an uncontended transfer of B bytes exactly latency + B / "
           "bandwidth of its path class, and both share a node's cores by processor sharing (n "
           "computations on c cores each run at min(1, c / n) of a core), so with the same seed "
           "they agree wherever the network is not saturated "
           "(tests/simgrid/tst_cross_validation.cpp, `agreeWhereNothingIsContended`: a two-zone "
           "shop at 400 requests/s, mean and p99 within 3.29 standard errors of their "
           "difference; `cpuSharingAgrees`: two services on one core take twice as long on "
           "both).\n\n"
           "They differ where flows compete for bandwidth, because only SimGrid shares it:\n\n"
           "- A saturated link (`saturatedLinkIsSharedOnlyBySimGrid`): four 1.25 MB responses "
           "cross a 100 Mbps inter-zone link at once. SimGrid's max-min fair sharing gives each "
           "25 Mbps, so the request takes 1 ms + 320 us (requests) + 1 ms + 400 ms (responses) = "
           "402.32 ms; the fast platform, which has no contention, gives each flow the whole "
           "link: 102.08 ms. Both values are checked to the nanosecond.\n"
           "- A busy network interface (tests/simgrid/tst_simgrid_platform.cpp, "
           "`receivingNicIsShared`, `unequalFlowsFinishInTurn`): flows into one node share its "
           "interface; flows that finish early hand their share to the others.\n\n"
           "Use SimGrid (the default engine of a single run) when messages are large or links "
           "are thin; the fast platform is exact for CPU contention and for latency-bound "
           "traffic, and is tens of times faster (docs/performance.md), which is why the "
           "validation suite and sweeps use it by default.\n";
    out += "\nFormulas (run/validation/theory.cpp):\n\n"
           "- M/M/1: mean sojourn 1/(mu - lambda); the sojourn time is exponential, so its p99 is "
           "ln(100)/(mu - lambda).\n"
           "- M/M/c: Erlang C gives the probability C of waiting; mean sojourn C/(c mu - lambda) "
           "+ 1/mu; the sojourn is 'no wait' (probability 1 - C) or an Exp(c mu - lambda) wait, "
           "plus an Exp(mu) service, and its p99 solves P(T > t) = 0.01.\n"
           "- M/D/1 and M/G/1: Pollaczek-Khinchine, E[S] + lambda E[S^2] / (2 (1 - rho)).\n"
           "- Tandem: in a series of M/M/1 stations fed by a Poisson stream the station sojourn "
           "times are independent exponentials with rates mu_i - lambda (Burke; Reich), so the "
           "total is hypoexponential: its mean is the sum of the means and its p99 solves the "
           "hypoexponential tail.\n"
           "- Closed network: exact mean value analysis (Reiser and Lavenberg) over N users with "
           "an exponential think time as a delay station.\n";
    return out;
}

} // namespace meshsim::run::validation
