#pragma once

// Findings: what a report says first, in plain language, each sentence computed from the numbers
// of the summary and the runs (never written by hand, never a number the evidence below does not
// show): what a design adds against the baseline and whether it is beyond noise, why a mean can
// fall when more requests fail, when and after what an SLO starts failing, what a fault did and
// how long discovery took to react, how much retries multiplied a call, what the proxies cost,
// and where a sweep's knee and saturation lie. Qt-free.

#include "report/report_data.h"

#include <string>
#include <vector>

namespace meshsim::report {

struct Finding
{
    enum class Kind { Comparison, Slo, Fault, Retries, Cost, Sweep, Note };
    Kind kind = Kind::Note;
    bool alarm = false; // a failed SLO, a fault's damage: shown marked
    std::string text;
};

std::vector<Finding> findings(const ReportData& data);

} // namespace meshsim::report
