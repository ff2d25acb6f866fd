#pragma once

// Experiments: many runs asked one question. A plan names the designs (scenario files, each
// optionally in another architecture), the settings to sweep (a grid of `--set` axes) and the
// number of replications; it enumerates its runs in a fixed order, each with its seed and its
// overrides, so that any share of them (a shard) can run anywhere and the results merge into
// what one machine would have written. The summary turns the runs' results.json documents into
// estimates with 95% confidence intervals (Student t over replications), baseline-vs-contender
// differences with their significance, overhead accounting and, for a sweep, the knee and the
// saturation throughput. Qt-free; deterministic (the summary holds no wall-clock time).
//
// Replications: replication r of a design runs with seed replicationSeed(base, r) (r = 0 is the
// base seed itself, so a one-replication compare is the plain run). With common random numbers
// (the default) every design of a replication uses that seed: components draw from streams named
// after them (engine/core/random.h), so the arrivals, route mix and keys of a workload, and the
// draws of each instance of a service, are the same in every design; differences between designs
// are then estimated from paired differences, whose variance is smaller by the streams' positive
// correlation. With independent streams each design gets a seed of its own and differences use
// Welch's unpaired interval.

#include "topologies/overrides.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::run {

// Mean and 95% confidence interval of independent samples (Student t with n − 1 degrees of
// freedom); halfWidth is 0 and `ci` false with fewer than two samples.
struct Estimate
{
    std::size_t n = 0;
    double mean = 0.0;
    double sd = 0.0; // sample standard deviation
    double halfWidth = 0.0;
    bool ci = false;
    double low() const { return mean - halfWidth; }
    double high() const { return mean + halfWidth; }
};
Estimate estimate(const std::vector<double>& samples);
// The two-sided 95% quantile of Student's t with `degrees` degrees of freedom (Boost.Math).
double studentT95(double degrees);

// A difference contender − baseline and its 95% confidence interval.
struct Difference
{
    double baseline = 0.0; // means
    double contender = 0.0;
    double value = 0.0;
    double halfWidth = 0.0;
    bool ci = false;
    bool significant = false; // the interval excludes 0
    // Var(paired difference) / (Var(baseline) + Var(contender)): below 1 when common random
    // numbers helped (paired only; -1 when not computed).
    double varianceRatio = -1.0;
    double percent() const; // of the baseline (0 when the baseline is 0)
};
// Paired (common random numbers: sample i of both comes from replication i).
Difference pairedDifference(const std::vector<double>& baseline,
                            const std::vector<double>& contender);
// Welch's unpaired interval (independent streams).
Difference welchDifference(const std::vector<double>& baseline,
                           const std::vector<double>& contender);

std::uint64_t replicationSeed(std::uint64_t base, std::uint32_t replication);
std::uint64_t independentSeed(std::uint64_t base, std::uint32_t replication, std::uint32_t design);

// One swept key and its values, as `--set KEY=V1,V2,...`, `KEY=FROM..TO/STEPS` (STEPS values,
// ends included, units kept: `rate=100/s..2000/s/20`) or `KEY=FROM..TO` (whole numbers).
struct Axis
{
    std::string path;
    std::vector<std::string> values;
};
std::optional<Axis> parseAxis(std::string_view text, std::string& error);

struct Design
{
    std::string label;
    std::string scenario; // a file path, builtin:<name> or validation:<name>
    std::optional<std::string> architecture;
    std::optional<std::string> gatewayKind = std::nullopt; // gateway.kind, when the design sets it
    std::optional<std::string> meshKind = std::nullopt;    // mesh.kind
};

struct RunSpec
{
    std::size_t index = 0;
    std::size_t design = 0;
    std::size_t point = 0;
    std::uint32_t replication = 0;
    std::uint64_t seed = 0;
    std::vector<topologies::Override> overrides; // the architecture, then the point's settings
};

struct Plan
{
    std::string kind = "compare"; // or "sweep"
    std::vector<Design> designs;
    std::vector<Axis> axes;
    std::uint32_t replications = 1;
    std::uint64_t baseSeed = 1;
    bool commonRandomNumbers = true;
    std::optional<std::string> engine;      // overrides the scenarios' engine
    std::optional<std::string> duration;    // overrides their duration
    std::optional<double> coreHourCost;     // money per core-hour, for the cost rows
    std::optional<double> p99LimitMs;       // the knee's limit (default: the scenario's p99 SLO)
    std::vector<std::string> scenarioTexts; // per design: its text as loaded (for reports)

    std::size_t points() const;
    std::size_t runCount() const { return points() * designs.size() * replications; }
    RunSpec run(std::size_t index) const;
    // The settings of a point: one (path, value) per axis.
    std::vector<topologies::Override> settings(std::size_t point) const;
    // Whether run `index` belongs to shard k of n (1 ≤ k ≤ n): every n-th run from the k-th.
    static bool inShard(std::size_t index, std::size_t k, std::size_t n)
    {
        return index % n == k - 1;
    }

    nlohmann::ordered_json toJson() const;
    // A plan read back; refuses one outside the limits the commands accept (1 to 10000
    // replications, 1 to 64 designs, at most 100000 points and 10 million runs).
    static std::optional<Plan> fromJson(const nlohmann::ordered_json& json, std::string& error);
};

// Whether `results` has every key, of the right type, that summaries and reports read (the
// results.json of this meshsim version); false with `error` naming the first key that is not.
bool checkResults(const nlohmann::ordered_json& results, std::string& error);

// Whether `results` is run `index` of `plan`: a results.json (checkResults) with the run's seed
// and, when the design names one, its architecture.
bool checkRun(const Plan& plan,
              std::size_t index,
              const nlohmann::ordered_json& results,
              std::string& error);

// The summary document (docs/experiments.md, "experiment.json") of a plan and the results.json of
// each of its runs, by run index (exactly plan.runCount() of them, each passing checkResults).
nlohmann::ordered_json summarize(const Plan& plan,
                                 const std::vector<nlohmann::ordered_json>& results);

// How a quantity of the summary reads: its label and unit (`req/s`, `fraction`, `ms`, `per
// request`, `per call`, `vCPU`, `cores`, `per hour`). Unknown names read as themselves.
struct MetricInfo
{
    std::string label;
    std::string unit;
    bool lowerIsBetter = true;
};
MetricInfo metricInfo(const std::string& name);
// A value in its unit for people: `12.345 ms`, `0.107%`, `203.1 req/s`.
std::string formatMetric(const std::string& unit, double value);

// Exit status 3 for `--fail-on-slo`: whether any design (at any point) misses an objective of its
// SLO, judged on the mean over replications.
bool sloFailed(const nlohmann::ordered_json& summary);

} // namespace meshsim::run
