#include "report/html_report.h"

#include "engine/core/format.h"
#include "report/findings.h"
#include "report/svg.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace meshsim::report {

namespace {

using Json = nlohmann::ordered_json;

// Sizes in points: browsers and QTextDocument (the PDF, laid out at 300 dpi) read them alike.
const char* kStyle = R"(
body { font-family: sans-serif; font-size: 10.5pt; color: #202020; max-width: 1100px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 17pt; margin-bottom: 4px; }
h2 { font-size: 13.5pt; border-bottom: 1px solid #c0c0c0; padding-bottom: 3px; margin-top: 20pt; }
h3 { font-size: 11pt; margin-top: 12pt; }
.meta { color: #505050; }
ul.findings li { margin: 4pt 0; }
.alarm { color: #a00000; font-weight: bold; }
table { border-collapse: collapse; margin: 6pt 0 10pt 0; }
th, td { border: 1px solid #d0d0d0; padding: 2pt 5pt; text-align: right; font-size: 9.5pt; }
th { background: #f0f0f0; }
td.name, th.name { text-align: left; }
td.fail { color: #a00000; font-weight: bold; }
td.yes { color: #005a9c; font-weight: bold; }
pre { background: #f6f6f6; border: 1px solid #d8d8d8; padding: 6pt; font-size: 8.5pt; overflow-x: auto; }
.chart { margin: 8pt 0; }
)";

std::string esc(const std::string& s)
{
    return escapeXml(s);
}

std::string fmt(const char* f, double v)
{
    return engine::formatC(f, v); // the C locale: a GUI thread may have another
}

std::string percentText(const Json& percent)
{
    return percent.is_number() ? fmt("%+.1f%%", percent.get<double>()) : std::string("n/a");
}

// A cell with the exact value (as JSON writes it) and its reading in `unit`.
std::string cell(const Json& value, const std::string& unit, const std::string& cls = "")
{
    if (!value.is_number())
        return "<td>-</td>";
    return "<td" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + " data-v=\""
           + value.dump() + "\">" + esc(run::formatMetric(unit, value.get<double>())) + "</td>";
}

std::string estimateCell(const Json& e, const std::string& unit)
{
    if (e.is_null() || !e.contains("mean"))
        return "<td>-</td>";
    std::string out = "<td data-v=\"" + e["mean"].dump() + "\">"
                      + esc(run::formatMetric(unit, e["mean"].get<double>()));
    if (!e["ci95"].is_null())
        out += "<br/><small>[" + esc(run::formatMetric(unit, e["ci95"][0].get<double>())) + ", "
               + esc(run::formatMetric(unit, e["ci95"][1].get<double>())) + "]</small>";
    return out + "</td>";
}

std::string metricLabel(const std::string& name)
{
    const run::MetricInfo info = run::metricInfo(name);
    const bool unitShown
        = !info.unit.empty() && info.unit != "fraction" && info.unit.rfind("per ", 0) != 0;
    return info.label + (unitShown ? " (" + info.unit + ")" : "");
}

class Writer
{
public:
    Writer(const ReportData& data, const HtmlOptions& options)
        : m_data(data)
        , m_options(options)
    {}

    HtmlReport write()
    {
        header();
        findingsSection();
        sloSection();
        topologySection();
        if (m_data.plan.kind == "sweep")
            sweepSection();
        metricsSection();
        latencySection();
        errorsSection();
        timelineSection();
        scopeSection("routes",
                     "Per route",
                     {"throughput_rps",
                      "error_rate",
                      "latency_p50_ms",
                      "latency_p99_ms",
                      "ok_latency_mean_ms"});
        scopeSection("services",
                     "Per service",
                     {"throughput_rps", "error_rate", "latency_p99_ms", "dependency_failure_rate"});
        scopeSection("edges",
                     "Per edge (caller -> callee)",
                     {"calls_per_second", "error_rate", "retries_per_call"});
        proxySection();
        appendix();
        m_out += "</body></html>\n";
        return {std::move(m_out), std::move(m_charts)};
    }

private:
    void chart(const std::string& svg, int width, int height)
    {
        m_out += "<div class=\"chart\">";
        if (m_options.chartsAsImages) {
            m_out += "<img src=\"svg:" + std::to_string(m_charts.size()) + "\" width=\""
                     + std::to_string(width) + "\" height=\"" + std::to_string(height) + "\"/>";
            m_charts.push_back(svg);
        } else {
            m_out += svg;
        }
        m_out += "</div>\n";
    }

    // A chart whose height depends on its content (the topology, a timeline): its size is the one
    // its <svg> element declares.
    void chart(const std::string& svg)
    {
        const auto size = [&svg](const char* attribute, int fallback) {
            const auto at = svg.find(attribute);
            return at == std::string::npos ? fallback
                                           : std::stoi(svg.substr(at + std::strlen(attribute)));
        };
        chart(svg, size("width=\"", 720), size("height=\"", 300));
    }

    const Json& point(std::size_t p = 0) const { return m_data.summary["points"][p]; }

    std::string designHeader(const std::string& first) const
    {
        std::string out = "<tr><th class=\"name\">" + esc(first) + "</th>";
        for (std::size_t d = 0; d < m_data.designs(); ++d)
            out += "<th>" + esc(m_data.label(d)) + "</th>";
        return out + "</tr>";
    }

    std::string engines() const
    {
        std::string out;
        for (const Json& e : m_data.summary["engines"])
            out += (out.empty() ? "" : " and ") + e.get<std::string>();
        return out;
    }

    void header()
    {
        const run::Plan& plan = m_data.plan;
        std::string title;
        for (std::size_t d = 0; d < m_data.designs(); ++d)
            title += (d ? " vs " : "") + m_data.label(d);
        m_out = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
                "<meta charset=\"utf-8\"/><title>meshsim report: "
                + esc(title) + "</title><style>" + kStyle + "</style></head><body>\n";
        m_out += "<h1>" + esc(plan.kind == "sweep" ? "Sweep: " + title : title) + "</h1>\n";
        std::string seeds = plan.replications > 1
                                ? std::to_string(plan.replications) + " replications, seeds from "
                                      + std::to_string(plan.baseSeed)
                                : "seed " + std::to_string(plan.baseSeed);
        m_out += "<p class=\"meta\">" + esc(seeds)
                 + (plan.commonRandomNumbers ? ", common random numbers" : ", independent streams")
                 + "; engine " + esc(engines()) + "; meshsim " + esc(m_data.version)
                 + "; report made " + esc(m_data.generated) + ". "
                 + esc(m_data.summary.value("statistics", "")) + ".</p>\n";
    }

    void findingsSection()
    {
        m_out += "<h2>Findings</h2>\n<ul class=\"findings\">\n";
        const auto list = findings(m_data);
        for (const Finding& f : list)
            m_out += std::string("<li") + (f.alarm ? " class=\"alarm\"" : "") + ">" + esc(f.text)
                     + "</li>\n";
        if (list.empty())
            m_out += "<li>Nothing stands out.</li>\n";
        m_out += "</ul>\n";
    }

    void sloSection()
    {
        bool any = false;
        std::string rows;
        for (std::size_t p = 0; p < m_data.summary["points"].size(); ++p) {
            for (std::size_t d = 0; d < m_data.designs(); ++d) {
                for (const Json& o : point(p)["designs"][d]["slo"]["objectives"]) {
                    any = true;
                    const std::string unit = o["unit"] == "ms" ? "ms" : "fraction";
                    std::string where = m_data.label(d);
                    for (const auto& [k, v] : point(p)["settings"].items())
                        where += " " + k + "=" + v.get<std::string>();
                    rows += "<tr><td class=\"name\">" + esc(where) + "</td><td class=\"name\">"
                            + esc(o["metric"].get<std::string>()) + "</td>" + cell(o["limit"], unit)
                            + cell(o["mean"], unit)
                            + (o["pass"].get<bool>() ? "<td>met</td>"
                                                     : "<td class=\"fail\">MISSED</td>")
                            + "<td data-v=\"" + o["runs_passing"].dump() + "\">"
                            + o["runs_passing"].dump() + " of "
                            + std::to_string(m_data.plan.replications) + "</td></tr>\n";
                }
            }
        }
        if (!any)
            return;
        m_out += "<h2>Service level objectives</h2>\n<p>Judged on the mean over replications.</p>"
                 "<table width=\"100%\"><tr><th class=\"name\">design</th><th "
                 "class=\"name\">objective</th>"
                 "<th>limit</th><th>value</th><th>verdict</th><th>runs meeting it</th></tr>\n"
                 + rows + "</table>\n";
    }

    void topologySection()
    {
        m_out += "<h2>Topology</h2>\n";
        for (std::size_t d = 0; d < std::min<std::size_t>(m_data.designs(), 4); ++d) {
            const auto runs = m_data.runsOf(d);
            if (runs.empty())
                continue;
            m_out += "<h3>" + esc(m_data.label(d)) + "</h3>\n";
            chart(topologySvg(*runs.front()));
        }
    }

    void metricsSection()
    {
        for (std::size_t p = 0; p < m_data.summary["points"].size(); ++p) {
            if (m_data.plan.kind == "sweep")
                break; // the sweep section shows its points
            const Json& designs = point(p)["designs"];
            m_out += "<h2>Metrics</h2>\n<table width=\"100%\">" + designHeader("metric") + "\n";
            std::vector<std::string> names;
            for (const Json& d : designs)
                for (const auto& [name, e] : d["metrics"].items())
                    if (std::find(names.begin(), names.end(), name) == names.end())
                        names.push_back(name);
            for (const std::string& name : names) {
                m_out += "<tr><td class=\"name\">" + esc(metricLabel(name)) + "</td>";
                for (const Json& d : designs)
                    m_out += d["metrics"].contains(name)
                                 ? estimateCell(d["metrics"][name], run::metricInfo(name).unit)
                                 : "<td>-</td>";
                m_out += "</tr>\n";
            }
            m_out += "</table>\n";
            for (const Json& c : point(p)["comparisons"]) {
                const std::string base = m_data.label(c["baseline"].get<std::size_t>());
                const std::string other = m_data.label(c["contender"].get<std::size_t>());
                m_out += "<h3>" + esc(other) + " against " + esc(base) + "</h3>\n<p>"
                         + (m_data.plan.commonRandomNumbers
                                ? "Paired differences over replications (common random numbers)."
                                : "Welch's unpaired intervals (independent streams).")
                         + " Significant: the 95% confidence interval of the difference leaves out "
                           "zero.</p>\n<table width=\"100%\"><tr><th class=\"name\">metric</th><th>"
                         + esc(base) + "</th><th>" + esc(other)
                         + "</th><th>difference</th><th>95% CI</th><th>%</th><th>significant</th>"
                           "</tr>\n";
                for (const auto& [name, diff] : c["metrics"].items()) {
                    const std::string unit = run::metricInfo(name).unit;
                    const bool sig = diff["significant"].get<bool>();
                    m_out += "<tr><td class=\"name\">" + esc(metricLabel(name)) + "</td>"
                             + cell(diff["baseline"], unit) + cell(diff["contender"], unit)
                             + cell(diff["difference"], unit)
                             + (diff["ci95"].is_null()
                                    ? std::string("<td>-</td>")
                                    : "<td>["
                                          + esc(run::formatMetric(unit,
                                                                  diff["ci95"][0].get<double>()))
                                          + ", "
                                          + esc(run::formatMetric(unit,
                                                                  diff["ci95"][1].get<double>()))
                                          + "]</td>")
                             + "<td>" + percentText(diff["percent"]) + "</td>"
                             + (diff["ci95"].is_null() ? "<td>n/a</td>"
                                : sig                  ? "<td class=\"yes\">yes</td>"
                                                       : "<td>no</td>")
                             + "</tr>\n";
                }
                m_out += "</table>\n";
                std::string changed;
                for (const Json& row : c["changed"]) {
                    if (row.contains("only_in")) {
                        changed += "<li>" + esc(row["scope"].get<std::string>()) + " "
                                   + esc(row["name"].get<std::string>()) + ": only in "
                                   + esc(m_data.label(row["only_in"].get<std::size_t>()))
                                   + "</li>\n";
                        continue;
                    }
                    const std::string metric = row["metric"].get<std::string>();
                    const std::string unit = run::metricInfo(metric).unit;
                    changed += "<li>" + esc(row["scope"].get<std::string>()) + " "
                               + esc(row["name"].get<std::string>()) + ": "
                               + esc(metricLabel(metric)) + " "
                               + esc(run::formatMetric(unit, row["baseline"].get<double>()))
                               + " &#8594; "
                               + esc(run::formatMetric(unit, row["contender"].get<double>())) + " ("
                               + percentText(row["percent"]) + ")</li>\n";
                }
                if (!changed.empty())
                    m_out += "<p>What changed beyond the 95% CI:</p><ul>\n" + changed + "</ul>\n";
            }
        }
    }

    void latencySection()
    {
        m_out += "<h2>Latency</h2>\n";
        LineChart cdf;
        cdf.title = "Client latency distribution";
        cdf.xLabel = "latency (ms, log scale)";
        cdf.yLabel = "share of requests at most (%)";
        cdf.logX = true;
        LineChart overTime;
        overTime.title = "Client latency p99 over time (per window of sent requests)";
        overTime.xLabel = "simulated time (s)";
        overTime.yLabel = "p99 (ms)";
        for (std::size_t d = 0; d < m_data.designs(); ++d) {
            const auto runs = m_data.runsOf(d);
            if (runs.empty())
                continue;
            const Json& r = *runs.front();
            Series s{m_data.label(d), {}};
            const Json& points = r["summary"]["latency_cdf_ms"];
            for (std::size_t i = 0; i < points.size(); ++i) {
                const double share = i < 99 ? static_cast<double>(i + 1) : i == 99 ? 99.9 : 100.0;
                s.points.emplace_back(points[i].get<double>(), share);
            }
            cdf.series.push_back(s);
            Series t{m_data.label(d), {}};
            const Json& w = r["windows"];
            for (std::size_t i = 0; i < w["start_seconds"].size(); ++i)
                if (w["sent"][i].get<double>() > 0)
                    t.points.emplace_back(w["start_seconds"][i].get<double>()
                                              + w["window_seconds"].get<double>() / 2,
                                          w["latency_ms_p99"][i].get<double>());
            overTime.series.push_back(t);
            for (const Json& o : r["slo"]["objectives"])
                if (o["metric"] == "p99") {
                    overTime.limit = o["limit"].get<double>();
                    overTime.limitLabel = "p99 SLO " + fmt("%.4g ms", *overTime.limit);
                }
        }
        if (m_data.plan.replications > 1)
            m_out += "<p>Charts show replication 1 of each design.</p>\n";
        chart(lineChart(cdf), cdf.width, cdf.height);
        chart(lineChart(overTime), overTime.width, overTime.height);
        m_out += "<table width=\"100%\">" + designHeader("client latency (ms)") + "\n";
        for (const char* p : {"mean", "p50", "p90", "p95", "p99", "p999", "max"}) {
            m_out += std::string("<tr><td class=\"name\">") + p + "</td>";
            for (std::size_t d = 0; d < m_data.designs(); ++d) {
                const auto runs = m_data.runsOf(d);
                m_out += runs.empty() ? "<td>-</td>"
                                      : cell((*runs.front())["summary"]["latency_ms"][p], "ms");
            }
            m_out += "</tr>\n";
        }
        m_out += "</table>\n";
    }

    void errorsSection()
    {
        BarChart chart_;
        chart_.title = "Errors by cause (share of client requests)";
        chart_.yLabel = "share of requests";
        chart_.percent = true;
        std::vector<std::string> causes;
        for (const Json& d : point()["designs"])
            for (const auto& [name, e] : d["metrics"].items())
                if (name.rfind("errors.", 0) == 0
                    && std::find(causes.begin(), causes.end(), name) == causes.end())
                    causes.push_back(name);
        m_out += "<h2>Errors by cause</h2>\n";
        if (causes.empty()) {
            m_out += "<p>No client request failed.</p>\n";
            return;
        }
        for (const std::string& c : causes)
            chart_.categories.push_back(c.substr(7));
        for (std::size_t d = 0; d < m_data.designs(); ++d) {
            Series s{m_data.label(d), {}};
            const Json& m = point()["designs"][d]["metrics"];
            for (std::size_t i = 0; i < causes.size(); ++i)
                s.points.emplace_back(static_cast<double>(i),
                                      m.contains(causes[i]) ? m[causes[i]]["mean"].get<double>()
                                                            : 0.0);
            chart_.series.push_back(s);
        }
        chart(barChart(chart_), chart_.width, chart_.height);
    }

    void timelineSection()
    {
        m_out += "<h2>Timeline: faults, readiness, health, ejections, breakers</h2>\n";
        for (std::size_t d = 0; d < m_data.designs(); ++d) {
            const auto runs = m_data.runsOf(d);
            if (runs.empty())
                continue;
            const Json& t = (*runs.front())["timeline"];
            m_out += "<h3>" + esc(m_data.label(d)) + "</h3>\n";
            if (t.empty()) {
                m_out += "<p>No state changed.</p>\n";
                continue;
            }
            chart(timelineSvg(*runs.front()));
            m_out += "<table width=\"100%\"><tr><th>at (s)</th><th class=\"name\">event</th><th "
                     "class=\"name\">"
                     "where</th><th class=\"name\">detail</th></tr>\n";
            constexpr std::size_t kRows = 200;
            for (std::size_t i = 0; i < std::min(kRows, t.size()); ++i)
                m_out += "<tr>" + cell(t[i]["at_seconds"], "") + "<td class=\"name\">"
                         + esc(t[i]["kind"].get<std::string>()) + "</td><td class=\"name\">"
                         + esc(t[i]["where"].get<std::string>()) + "</td><td class=\"name\">"
                         + esc(t[i]["detail"].get<std::string>()) + "</td></tr>\n";
            m_out += "</table>\n";
            if (t.size() > kRows)
                m_out += "<p>" + std::to_string(t.size() - kRows)
                         + " more events are in results.json.</p>\n";
        }
    }

    void scopeSection(const char* scope, const char* title, const std::vector<std::string>& metrics)
    {
        if (m_data.plan.kind == "sweep")
            return;
        const Json& designs = point()["designs"];
        std::vector<std::string> names;
        for (const Json& d : designs)
            for (const auto& [name, rows] : d[scope].items())
                if (std::find(names.begin(), names.end(), name) == names.end())
                    names.push_back(name);
        if (names.empty())
            return;
        m_out += std::string("<h2>") + title
                 + "</h2>\n<table width=\"100%\"><tr><th class=\"name\">"
                 + (scope[0] == 'e'   ? "edge"
                    : scope[0] == 'r' ? "route"
                                      : "service")
                 + "</th><th class=\"name\">metric</th>";
        for (std::size_t d = 0; d < m_data.designs(); ++d)
            m_out += "<th>" + esc(m_data.label(d)) + "</th>";
        m_out += "</tr>\n";
        for (const std::string& name : names) {
            bool first = true;
            for (const std::string& metric : metrics) {
                bool any = false;
                for (const Json& d : designs)
                    any = any || (d[scope].contains(name) && d[scope][name].contains(metric));
                if (!any)
                    continue;
                m_out += "<tr><td class=\"name\">" + (first ? esc(name) : std::string()) + "</td>"
                         + "<td class=\"name\">" + esc(metricLabel(metric)) + "</td>";
                first = false;
                for (const Json& d : designs)
                    m_out
                        += d[scope].contains(name) && d[scope][name].contains(metric)
                               ? estimateCell(d[scope][name][metric], run::metricInfo(metric).unit)
                               : "<td>-</td>";
                m_out += "</tr>\n";
            }
        }
        m_out += "</table>\n";
    }

    void proxySection()
    {
        std::string rows;
        for (std::size_t d = 0; d < m_data.designs(); ++d) {
            const auto runs = m_data.runsOf(d);
            if (runs.empty())
                continue;
            for (const Json& k : (*runs.front())["proxies"]["kinds"])
                rows += "<tr><td class=\"name\">" + esc(m_data.label(d))
                        + "</td><td class=\"name\">" + esc(k["kind"].get<std::string>()) + "</td>"
                        + cell(k["traversals"], "count") + cell(k["cpu_vcpu"], "")
                        + cell(k["cpu_us_per_traversal"], "")
                        + cell(k["added_latency_ms"]["mean"], "ms")
                        + cell(k["added_latency_ms"]["p99"], "ms") + "</tr>\n";
        }
        if (rows.empty())
            return;
        m_out += "<h2>What the proxies cost</h2>\n<table width=\"100%\"><tr><th "
                 "class=\"name\">design</th>"
                 "<th class=\"name\">proxy</th><th>traversals</th><th>vCPU</th><th>CPU per "
                 "traversal (us)</th><th>added latency mean (ms)</th><th>added p99 (ms)</th></tr>\n"
                 + rows + "</table>\n";
    }

    void sweepSection()
    {
        m_out += "<h2>Sweep</h2>\n";
        LineChart p99;
        p99.title = "Client latency p99 against offered load";
        p99.xLabel = "offered load (requests/s)";
        p99.yLabel = "p99 (ms)";
        LineChart throughput;
        throughput.title = "Throughput and goodput against offered load";
        throughput.xLabel = "offered load (requests/s)";
        throughput.yLabel = "requests/s";
        for (const Json& s : m_data.summary["sweep"]) {
            std::string name = m_data.label(s["design"].get<std::size_t>());
            for (const auto& [k, v] : s["fixed"].items())
                name += " " + k + "=" + v.get<std::string>();
            Series a{name, {}}, b{name + " throughput", {}}, g{name + " goodput", {}};
            for (const Json& p : s["points"]) {
                a.points.emplace_back(p["offered_rps"].get<double>(),
                                      p["latency_p99_ms"].get<double>());
                b.points.emplace_back(p["offered_rps"].get<double>(),
                                      p["throughput_rps"].get<double>());
                g.points.emplace_back(p["offered_rps"].get<double>(),
                                      p["goodput_rps"].get<double>());
            }
            p99.series.push_back(a);
            throughput.series.push_back(b);
            throughput.series.push_back(g);
            if (!s["p99_limit_ms"].is_null()) {
                p99.limit = s["p99_limit_ms"].get<double>();
                p99.limitLabel = "p99 limit " + fmt("%.4g ms", *p99.limit);
            }
            m_out += "<h3>" + esc(name) + ": " + esc(s["axis"].get<std::string>())
                     + "</h3>\n"
                       "<table width=\"100%\"><tr><th class=\"name\">value</th><th>offered "
                       "(req/s)</th><th>"
                       "throughput (req/s)</th><th>goodput (req/s)</th><th>error rate</th><th>p99 "
                       "(ms)</th></tr>\n";
            for (const Json& p : s["points"])
                m_out += "<tr><td class=\"name\">" + esc(p["value"].get<std::string>()) + "</td>"
                         + cell(p["offered_rps"], "req/s") + cell(p["throughput_rps"], "req/s")
                         + cell(p["goodput_rps"], "req/s") + cell(p["error_rate"], "fraction")
                         + cell(p["latency_p99_ms"], "ms") + "</tr>\n";
            m_out += "</table>\n<p>Knee: "
                     + (s["knee_offered_rps"].is_null()
                            ? esc(s["knee_note"].get<std::string>())
                            : "<span data-v=\"" + s["knee_offered_rps"].dump() + "\">"
                                  + fmt("%.1f", s["knee_offered_rps"].get<double>())
                                  + "</span> requests/s offered ("
                                  + esc(s["knee_note"].get<std::string>()) + ")")
                     + ". Saturation: at most <span data-v=\""
                     + s["saturation_throughput_rps"].dump() + "\">"
                     + fmt("%.1f", s["saturation_throughput_rps"].get<double>())
                     + "</span> successful requests/s.</p>\n";
        }
        chart(lineChart(p99), p99.width, p99.height);
        chart(lineChart(throughput), throughput.width, throughput.height);
    }

    void appendix()
    {
        m_out
            += "<h2>Runs</h2>\n<table width=\"100%\"><tr><th>run</th><th class=\"name\">design</th>"
               "<th class=\"name\">settings</th><th>replication</th><th>seed</th><th>engine</th>"
               "<th>requests</th></tr>\n";
        for (std::size_t i = 0; i < m_data.runs.size() && i < m_data.plan.runCount(); ++i) {
            const run::RunSpec spec = m_data.plan.run(i);
            std::string settings;
            for (const auto& o : m_data.plan.settings(spec.point))
                settings += (settings.empty() ? "" : ", ") + o.path + "=" + o.value;
            const Json& r = m_data.runs[i];
            m_out += "<tr><td>" + std::to_string(i) + "</td><td class=\"name\">"
                     + esc(m_data.label(spec.design)) + "</td><td class=\"name\">" + esc(settings)
                     + "</td><td>" + std::to_string(spec.replication + 1) + "</td><td>"
                     + r["seed"].dump() + "</td><td>" + esc(r.value("engine", "")) + "</td>"
                     + cell(r["summary"]["requests"], "count") + "</tr>\n";
        }
        m_out += "</table>\n<h2>Scenarios</h2>\n";
        for (std::size_t d = 0; d < m_data.designs(); ++d) {
            const std::string text = d < m_data.plan.scenarioTexts.size()
                                         ? m_data.plan.scenarioTexts[d]
                                         : std::string();
            m_out += "<h3>" + esc(m_data.label(d)) + " (" + esc(m_data.plan.designs[d].scenario)
                     + ")</h3>\n";
            m_out += text.empty() ? "<p>The scenario's text is not in these results.</p>\n"
                                  : "<pre>" + esc(text) + "</pre>\n";
        }
    }

    const ReportData& m_data;
    const HtmlOptions& m_options;
    std::string m_out;
    std::vector<std::string> m_charts;
};

} // namespace

HtmlReport htmlReport(const ReportData& data, const HtmlOptions& options)
{
    return Writer(data, options).write();
}

} // namespace meshsim::report
