#include "report/report_data.h"

namespace meshsim::report {

using Json = nlohmann::ordered_json;

std::vector<const Json*> ReportData::runsOf(std::size_t d, std::size_t p) const
{
    std::vector<const Json*> out;
    for (std::uint32_t r = 0; r < plan.replications; ++r) {
        const std::size_t index = (p * plan.designs.size() + d) * plan.replications + r;
        if (index < runs.size())
            out.push_back(&runs[index]);
    }
    return out;
}

std::string ReportData::label(std::size_t d) const
{
    return d < plan.designs.size() ? plan.designs[d].label : std::string();
}

ReportData fromRuns(std::vector<Json> runs)
{
    run::Plan plan;
    plan.kind = "compare";
    plan.replications = 1;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Json& r = runs[i];
        const std::string name = r["scenario"].value("name", "run");
        const std::string architecture = r["scenario"].value("architecture", "");
        std::string label = name + (architecture.empty() ? "" : " [" + architecture + "]");
        for (const run::Design& d : plan.designs)
            if (d.label == label)
                label += " #" + std::to_string(i + 1);
        plan.designs.push_back(
            {label, r["scenario"].value("file", ""), std::nullopt, std::nullopt, std::nullopt});
        plan.scenarioTexts.emplace_back();
    }
    // Each run keeps its own seed: independent streams unless they share one.
    plan.baseSeed = runs.empty() ? 0 : runs.front().value("seed", std::uint64_t{0});
    plan.commonRandomNumbers = true;
    for (const Json& r : runs)
        if (r.value("seed", std::uint64_t{0}) != plan.baseSeed)
            plan.commonRandomNumbers = false;
    if (!runs.empty() && !runs.front()["engine"].is_null())
        plan.engine = runs.front().value("engine", "");
    return fromExperiment(std::move(plan), std::move(runs));
}

ReportData fromExperiment(run::Plan plan, std::vector<Json> runs)
{
    ReportData data;
    data.summary = run::summarize(plan, runs);
    data.runs = std::move(runs);
    data.plan = std::move(plan);
    return data;
}

} // namespace meshsim::report
