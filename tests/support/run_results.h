#pragma once

// Scenario runs in tests: run a scenario text on the fast platform and find what results say of
// one edge, service or proxy kind, by name.

#include "run/simulation.h"
#include "tests/support/scenario_text.h"

#include <QtGlobal>

#include <cmath>
#include <deque>
#include <optional>
#include <string>

namespace meshsim::testing {

// Runs scenario texts on the fast platform (many runs in one process); keeps each scenario for
// as long as its result is read.
class ScenarioRuns
{
public:
    run::RunResult run(const std::string& yaml, std::optional<std::uint64_t> seed = std::nullopt)
    {
        m_scenarios.push_back(loadOrDie(yaml));
        run::RunOptions options;
        options.engine = models::EngineKind::Fast;
        options.seed = seed;
        return run::runScenario(m_scenarios.back(), options);
    }

private:
    std::deque<topologies::Scenario> m_scenarios;
};

inline models::EdgeStats edgeOf(const run::RunResult& r, const char* from, const char* to)
{
    const auto& names = r.metrics->layout().components;
    for (const models::EdgeStats& e : r.metrics->edges()) {
        if (names[e.from] == from && names[e.to] == to)
            return e;
    }
    qFatal("no edge %s -> %s", from, to);
}

// Calls from one component to another; 0 when results list no such edge (none was made).
inline std::uint64_t callsBetween(const run::RunResult& r, const char* from, const char* to)
{
    const auto& names = r.metrics->layout().components;
    for (const models::EdgeStats& e : r.metrics->edges()) {
        if (names[e.from] == from && names[e.to] == to)
            return e.calls;
    }
    return 0;
}

inline const models::ServiceStats& serviceOf(const run::RunResult& r, const char* name)
{
    const auto& names = r.metrics->layout().services;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name)
            return r.metrics->services()[i];
    }
    qFatal("no service %s", name);
}

// Five standard deviations of a binomial count of n trials with probability p: the tolerance of
// the scenario tests (a false failure about once in 1.7 million runs).
inline double fiveSd(double n, double p)
{
    return 5.0 * std::sqrt(n * p * (1.0 - p));
}

} // namespace meshsim::testing
