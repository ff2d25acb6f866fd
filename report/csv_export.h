#pragma once

// CSV export of a report (`meshsim-cli report ... --csv DIR`): the summary, the comparisons and
// every run's results as flat tables that pandas, R and spreadsheets read as they are. Qt-free;
// deterministic (the same ReportData gives byte-identical files).
//
// Format (RFC 4180): comma-separated, one header row, a field quoted with `"` when it holds a
// comma, a quote or a line break (quotes doubled), every line ending in "\n". A number is written
// exactly as results.json and experiment.json write it (nlohmann::json's dump: integers as
// integers, other numbers in the shortest form that reads back as the same double), so a value
// parsed from a CSV equals the one in the JSON bit for bit. A missing or null value (a confidence
// interval of one replication, an absent key) is an empty field; booleans are `true`/`false`.
//
// Files, each row of a per-run file starting with the key columns `run` (run index), `design`
// (its label), one column per swept axis named by its key path (the point's value), then
// `replication` (1-based) and `seed`:
//   summary.csv      per design, point and metric of the summary: design, axes, metric, unit,
//                    mean, ci95_low, ci95_high, sd, n
//   comparisons.csv  per point, contender and metric: baseline, contender, axes, metric,
//                    baseline_mean, contender_mean, difference, ci95_low, ci95_high, percent,
//                    significant, variance_ratio
//   runs.csv         per run: its client summary, proxy cost and SLO verdict
//   timeseries.csv   per run and window (results.json "windows")
//   routes.csv       per run and route
//   services.csv     per run and service tier
//   edges.csv        per run and caller -> callee pair, with a column per error cause and per
//                    response flag that occurs in any run (`errors.<cause>`, `flags.<flag>`)
//   errors.csv       per run and error cause of its summary: count and share of the requests

#include "report/report_data.h"

#include <string>
#include <vector>

namespace meshsim::report {

struct CsvFile
{
    std::string name; // file name, no directory: `summary.csv`
    std::string text; // the whole file
};

// The CSV files of a report, in the order listed above (every file, even when it has no rows).
std::vector<CsvFile> csvFiles(const ReportData& data);

// One field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR or LF.
std::string csvField(const std::string& text);

} // namespace meshsim::report
