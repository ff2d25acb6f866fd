#pragma once

// The HTML report: one self-contained file (inline CSS and SVG, no script, no network, no other
// file) that shows the findings first, then the evidence: SLO verdicts, the topology, the
// metrics with their confidence intervals and the differences between designs, the latency
// distribution and its p99 over time against the SLO, errors by cause, the timeline of
// breakers, ejections and readiness, per-route, per-service and per-edge tables, proxy costs, a
// sweep's curves, and the scenario text, seeds, engine, meshsim version and date. Every number in a
// table carries its exact value in `data-v` (as results.json writes it). Well-formed XML (XHTML
// serialisation of HTML5), so that it can be parsed and checked. Qt-free.

#include "report/report_data.h"

#include <string>
#include <vector>

namespace meshsim::report {

struct HtmlOptions
{
    // Charts as <img src="svg:N"> with their SVG in HtmlReport::charts (for renderers that do not
    // read inline SVG, such as QTextDocument for the PDF) instead of inline <svg>.
    bool chartsAsImages = false;
};

struct HtmlReport
{
    std::string html;
    std::vector<std::string> charts; // with chartsAsImages: the SVG of "svg:N"
};

HtmlReport htmlReport(const ReportData& data, const HtmlOptions& options = {});

} // namespace meshsim::report
