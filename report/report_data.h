#pragma once

// ReportData: what a report is made of, whatever produced it: the summary of an experiment
// (run/experiment.h: summarize), every run's results.json by run index, and the plan's scenario
// texts. One results.json, or several, become a one-replication compare (fromRuns), so that every
// report reads one shape. Qt-free.

#include "run/experiment.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meshsim::report {

struct ReportData
{
    nlohmann::ordered_json summary;           // meshsim-experiment/1
    std::vector<nlohmann::ordered_json> runs; // results.json per run index
    run::Plan plan;
    std::string version;   // meshsim's
    std::string generated; // the date the report was made (ISO 8601), shown as is

    // The runs of design `d` at point `p`, in replication order.
    std::vector<const nlohmann::ordered_json*> runsOf(std::size_t d, std::size_t p = 0) const;
    std::size_t designs() const { return plan.designs.size(); }
    std::string label(std::size_t d) const;
};

// Several results.json documents as a compare of one replication each (their own seeds).
ReportData fromRuns(std::vector<nlohmann::ordered_json> runs);
// An experiment: its plan and runs (summary computed again, as merge does).
ReportData fromExperiment(run::Plan plan, std::vector<nlohmann::ordered_json> runs);

} // namespace meshsim::report
