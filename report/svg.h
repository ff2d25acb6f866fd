#pragma once

// SVG for reports: line charts, grouped bar charts and the topology, as self-contained <svg>
// elements (no script, no external reference, fonts by generic family), written as well-formed
// XML so that the same text embeds in HTML and renders through QSvgRenderer into a PDF. Qt-free.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::report {

// Okabe–Ito colours: told apart by readers with colour-vision deficiencies.
const std::string& seriesColour(std::size_t i);
// Text and attribute values escaped for XML (control characters dropped, broken UTF-8 replaced).
std::string escapeXml(const std::string& text);
// The first `characters` characters of UTF-8 text (never half a character).
std::string utf8Prefix(const std::string& text, std::size_t characters);

struct Series
{
    std::string name;
    std::vector<std::pair<double, double>> points;
};

struct LineChart
{
    std::string title;
    std::string xLabel;
    std::string yLabel;
    std::vector<Series> series;
    std::optional<double> limit; // a horizontal line (an SLO), labelled
    std::string limitLabel;
    bool logX = false;
    int width = 720;
    int height = 300;
};
std::string lineChart(const LineChart& chart);

struct BarChart
{
    std::string title;
    std::string yLabel;
    std::vector<std::string> categories; // groups along x
    std::vector<Series> series;          // one bar per series in each group: points[i].second
    bool percent = false;                // values are fractions, shown as %
    int width = 720;
    int height = 280;
};
std::string barChart(const BarChart& chart);

// The components of a run (results.json edges: workloads, gateway or ingress, services) in
// layers by call depth, with an arrow per caller -> callee pair labelled with its calls per second.
std::string topologySvg(const nlohmann::ordered_json& results, int width = 720);

// The state changes of a run (results.json timeline) over simulated time: a row per kind of change
// (faults, readiness, health checks, ejections, breakers), a mark per change, faults shaded until
// their instance is restored, and the warmup greyed.
std::string timelineSvg(const nlohmann::ordered_json& results, int width = 720);

// 1, 2, 5 x 10^k ticks covering [low, high].
std::vector<double> niceTicks(double low, double high, int target = 6);

} // namespace meshsim::report
