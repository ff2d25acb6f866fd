#include "app/text_report.h"

#include "run/experiment.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::app {

using Json = nlohmann::ordered_json;

std::string format(const char* fmt, ...)
{
    char buffer[1024];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buffer, sizeof buffer, fmt, ap);
    va_end(ap);
    return std::string(buffer, static_cast<std::size_t>(std::clamp(n, 0, 1023)));
}

namespace {

double number(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

unsigned long long count(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<unsigned long long>() : 0ULL;
}

std::string text(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string errorList(const Json& errors)
{
    std::string out;
    for (const auto& [cause, n] : errors.items())
        out += (out.empty() ? "" : ", ") + cause + " "
               + std::to_string(n.get<unsigned long long>());
    return out.empty() ? "none" : out;
}

std::string latencyRow(const std::string& label, const Json& block)
{
    const Json& l = block["latency_ms"];
    const double n = number(block, "requests");
    const double okPct = n > 0 ? 100.0 * number(block, "ok") / n : 0.0;
    return format("  %-22s %9llu %8.2f%% %9.1f %9.3f %9.3f %9.3f %9.3f %9.3f\n",
                  label.c_str(),
                  count(block, "requests"),
                  okPct,
                  number(block, "throughput_rps"),
                  number(l, "mean"),
                  number(l, "p50"),
                  number(l, "p90"),
                  number(l, "p99"),
                  number(l, "p999"));
}

std::string header(const char* title)
{
    return format("  %-22s %9s %9s %9s %9s %9s %9s %9s %9s\n",
                  title,
                  "requests",
                  "ok",
                  "req/s",
                  "mean",
                  "p50",
                  "p90",
                  "p99",
                  "p99.9");
}

// Calls that needed retries or were refused by a proxy, edge by edge.
std::string retriesSection(const Json& r)
{
    std::string out;
    for (const Json& e : r["edges"]) {
        const Json& flags = e["flags"];
        if (count(e, "retries") == 0 && flags.empty())
            continue;
        std::string flagText;
        for (const auto& [flag, n] : flags.items())
            flagText += (flagText.empty() ? "" : ", ") + flag + " "
                        + std::to_string(n.get<unsigned long long>());
        out += format(
            "  %-36s %9llu %9llu %9llu  %s\n",
            (text(e, "from") + " -> " + text(e, "to")).c_str(),
            count(e, "requests"),
            count(e, "retries"),
            count(e, "requests") -
                [&] {
                    unsigned long long errors = 0;
                    for (const auto& [cause, n] : e["errors"].items())
                        errors += n.get<unsigned long long>();
                    return errors;
                }(),
            flagText.c_str());
    }
    if (out.empty())
        return out;
    return format("\n  %-36s %9s %9s %9s  %s\n", "calls", "calls", "retries", "ok", "flags") + out;
}

// What the proxies cost.
std::string proxySection(const Json& r)
{
    const Json& proxies = r["proxies"];
    if (!proxies.contains("kinds") || proxies["kinds"].empty())
        return {};
    std::string out = format("\n  %-22s %11s %9s %9s %9s %9s\n",
                             "proxy",
                             "traversals",
                             "vCPU",
                             "added p50",
                             "p90",
                             "p99");
    for (const Json& p : proxies["kinds"]) {
        const Json& l = p["added_latency_ms"];
        out += format("  %-22s %11llu %9.3f %9.3f %9.3f %9.3f\n",
                      text(p, "kind").c_str(),
                      count(p, "traversals"),
                      number(p, "cpu_vcpu"),
                      number(l, "p50"),
                      number(l, "p90"),
                      number(l, "p99"));
    }
    out += format("  all proxies: %.3f vCPU, %.3f vCPU per 1000 requests/s\n",
                  number(proxies, "total_vcpu"),
                  number(proxies, "vcpu_per_1000_rps"));
    return out;
}

// Services whose busiest instance took more than 1.5 times an even share of the arrivals
// (pinned connections, a slow or killed instance, zone-aware routing): each instance's share.
std::string instanceLoadSection(const Json& r)
{
    constexpr std::size_t kShown = 8;
    std::string out;
    for (const Json& service : r["services"]) {
        // The instances of each version are compared among themselves: a split between the
        // versions is not an uneven load.
        std::vector<std::pair<std::string, std::vector<double>>> groups;
        for (const Json& i : service["instances"]) {
            const std::string group = i.contains("version")
                                          ? text(service, "name") + "@" + text(i, "version")
                                          : text(service, "name");
            if (groups.empty() || groups.back().first != group)
                groups.emplace_back(group, std::vector<double>{});
            groups.back().second.push_back(number(i, "arrivals"));
        }
        for (const auto& [name, arrivals] : groups) {
            if (arrivals.size() < 2)
                continue;
            double total = 0.0;
            double busiest = 0.0;
            for (const double a : arrivals) {
                total += a;
                busiest = std::max(busiest, a);
            }
            const double even = total / static_cast<double>(arrivals.size());
            if (total == 0.0 || busiest <= 1.5 * even)
                continue;
            out += format("  %-22s even %5.1f%%:", name.c_str(), 100.0 * even / total);
            for (std::size_t i = 0; i < arrivals.size() && i < kShown; ++i)
                out += format(" %5.1f%%", 100.0 * arrivals[i] / total);
            if (arrivals.size() > kShown)
                out += format(" ... (%zu instances)", arrivals.size());
            out += "\n";
        }
    }
    if (out.empty())
        return out;
    return "\nuneven instance load (each instance's share of the service's or version's "
           "arrivals):\n"
           + out;
}

// Instances with a CPU limit that were throttled (CFS quota in 100 ms periods).
std::string throttlingSection(const Json& r)
{
    std::string out;
    for (const Json& n : r["nodes"]) {
        if (!n.contains("throttled_periods") || count(n, "throttled_periods") == 0)
            continue;
        out += format("  %-22s limit %7.3f cores: throttled %9.3f s in %llu periods\n",
                      text(n, "name").c_str(),
                      number(n, "cpu_limit_cores"),
                      number(n, "throttled_seconds"),
                      count(n, "throttled_periods"));
    }
    if (out.empty())
        return out;
    return "\nCPU throttling (cpu_limit, 100 ms periods):\n" + out;
}

// Breakers, ejections, readiness and faults over time (the first few of each run).
std::string timelineSection(const Json& r)
{
    const Json& timeline = r["timeline"];
    if (timeline.empty())
        return {};
    constexpr std::size_t kShown = 20;
    std::string out = "\ntimeline:\n";
    std::size_t shown = 0;
    for (const Json& e : timeline) {
        if (shown++ == kShown) {
            out += format("  ... %zu more in results.json\n", timeline.size() - kShown);
            break;
        }
        out += format("  %10.3f s  %-16s %-28s %s\n",
                      number(e, "at_seconds"),
                      text(e, "kind").c_str(),
                      text(e, "where").c_str(),
                      text(e, "detail").c_str());
    }
    return out;
}

} // namespace

std::string formatRun(const Json& r)
{
    const Json& scenario = r["scenario"];
    const Json& summary = r["summary"];
    std::string out;
    out += format("%s  (architecture %s, engine %s, seed %llu)\n",
                  text(scenario, "name").c_str(),
                  text(scenario, "architecture").c_str(),
                  text(r, "engine").c_str(),
                  count(r, "seed"));
    out += format("simulated %.3f s (statistics over %.3f s after a %.3f s warmup) in %.2f s of "
                  "wall time, %llu events\n",
                  number(r, "simulated_seconds"),
                  number(r, "measured_seconds"),
                  number(r, "warmup_seconds"),
                  number(r, "wall_seconds"),
                  count(r, "events"));

    out += format("requests: %llu sent, %llu answered, %llu ok; errors: %s",
                  count(summary, "sent"),
                  count(summary, "requests"),
                  count(summary, "ok"),
                  errorList(summary["errors"]).c_str());
    if (count(summary, "unanswered_at_end") > 0)
        out += format("; %llu still unanswered when the run ended",
                      count(summary, "unanswered_at_end"));
    out += "\n\n" + header("client latency (ms)");
    out += latencyRow("all routes", summary);
    for (const Json& route : r["routes"])
        out += latencyRow(text(route, "path"), route);
    out += "\n" + header("service latency (ms)");
    for (const Json& service : r["services"]) {
        out += latencyRow(text(service, "name"), service);
        if (service.contains("operations")) // a service's named operations, as calls name them
            for (const Json& op : service["operations"])
                out += latencyRow(text(service, "name") + "." + text(op, "name"), op);
        if (service.contains("versions")) // its versions (subsets), as "reviews@v2"
            for (const Json& version : service["versions"])
                out += latencyRow(text(service, "name") + "@" + text(version, "name"), version);
    }
    out += retriesSection(r) + instanceLoadSection(r) + throttlingSection(r) + proxySection(r)
           + timelineSection(r);
    if (r.contains("gateway_cache"))
        out += format("\ngateway cache: %llu lookups, %.2f%% hits\n",
                      count(r["gateway_cache"], "lookups"),
                      100.0 * number(r["gateway_cache"], "hit_ratio"));
    const Json& slo = r["slo"];
    if (!slo["objectives"].empty()) {
        out += "\nSLO " + std::string(slo["pass"].get<bool>() ? "met" : "NOT met") + ":";
        for (const Json& o : slo["objectives"]) {
            const bool pass = o["pass"].get<bool>();
            if (text(o, "metric") == "error_rate")
                out += format("  error_rate %.3f%% (limit %.3f%%) %s",
                              number(o, "actual") * 100.0,
                              number(o, "limit") * 100.0,
                              pass ? "ok" : "FAIL");
            else
                out += format("  %s %.3f ms (limit %.3f ms) %s",
                              text(o, "metric").c_str(),
                              number(o, "actual"),
                              number(o, "limit"),
                              pass ? "ok" : "FAIL");
        }
        out += "\n";
    }
    return out;
}

namespace {

// `mean ± half width` (the mean alone without an interval).
std::string cell(const Json& estimate, const std::string& unit)
{
    const double mean = estimate["mean"].get<double>();
    std::string out = run::formatMetric(unit, mean);
    if (!estimate["ci95"].is_null()) {
        const double half = estimate["ci95"][1].get<double>() - mean;
        std::string h = run::formatMetric(unit, half);
        if (unit == "fraction" && !h.empty())
            h.pop_back(); // one % sign is enough
        out += " ± " + h;
    }
    return out;
}

// A difference in percent of its baseline; "n/a" when the baseline is 0.
std::string percentText(const Json& percent)
{
    return percent.is_number() ? format("%+.1f%%", percent.get<double>()) : std::string("n/a");
}

std::string signedMetric(const std::string& unit, double v)
{
    return (v >= 0 ? "+" : "") + run::formatMetric(unit, v);
}

// The rows of a table of designs (one column each): the metrics of `rows` in their order.
std::string designTable(const Json& designs,
                        const std::vector<std::string>& labels,
                        const char* scope,
                        const std::vector<std::string>& metrics)
{
    std::string out = format("%-34s", "");
    for (const std::string& l : labels)
        out += format(" %24s", l.substr(0, 24).c_str());
    out += "\n";
    for (const std::string& name : metrics) {
        const run::MetricInfo info = run::metricInfo(name);
        const bool unitInLabel
            = info.unit.empty() || info.unit == "fraction" || info.unit.rfind("per ", 0) == 0;
        const std::string label
            = info.label + (unitInLabel ? std::string() : " (" + info.unit + ")");
        std::string line = format("%-34s", label.substr(0, 34).c_str());
        bool any = false;
        for (const Json& d : designs) {
            const Json& m = scope ? d : d["metrics"];
            if (m.contains(name)) {
                line += format(" %24s", cell(m[name], info.unit).c_str());
                any = true;
            } else {
                line += format(" %24s", "-");
            }
        }
        if (any)
            out += line + "\n";
    }
    return out;
}

std::string sloLine(const Json& designs, const std::vector<std::string>& labels)
{
    std::string out;
    for (std::size_t d = 0; d < designs.size(); ++d) {
        const Json& slo = designs[d]["slo"];
        if (slo["objectives"].empty())
            continue;
        std::string parts;
        for (const Json& o : slo["objectives"]) {
            const std::string unit = o["unit"].get<std::string>() == "ms" ? "ms" : "fraction";
            parts += format("%s%s %s (limit %s)%s",
                            parts.empty() ? "" : ", ",
                            o["metric"].get<std::string>().c_str(),
                            run::formatMetric(unit, o["mean"].get<double>()).c_str(),
                            run::formatMetric(unit, o["limit"].get<double>()).c_str(),
                            o["pass"].get<bool>() ? "" : " MISSED");
        }
        out += format("SLO %s: %s: %s\n",
                      labels[d].c_str(),
                      slo["pass"].get<bool>() ? "met" : "NOT MET",
                      parts.c_str());
    }
    return out;
}

} // namespace

std::string formatExperiment(const Json& summary)
{
    std::string out;
    const Json& plan = summary["plan"];
    std::vector<std::string> labels;
    for (const Json& d : summary["designs"])
        labels.push_back(d["label"].get<std::string>());
    const auto reps = plan["replications"].get<unsigned long long>();
    std::string engines;
    for (const Json& e : summary["engines"])
        engines += (engines.empty() ? "" : " and ") + e.get<std::string>();
    out += format("%s of %zu design%s, %llu replication%s each, seeds from %llu, %s, engine %s\n",
                  plan["kind"].get<std::string>().c_str(),
                  labels.size(),
                  labels.size() == 1 ? "" : "s",
                  reps,
                  reps == 1 ? "" : "s",
                  plan["base_seed"].get<unsigned long long>(),
                  plan["common_random_numbers"].get<bool>() ? "common random numbers"
                                                            : "independent streams",
                  engines.c_str());
    if (reps > 1)
        out += "values: mean ± half width of the 95% confidence interval over replications\n";
    const bool sweep = plan["kind"] == "sweep";
    if (sweep) {
        for (const Json& s : summary["sweep"]) {
            out += format("\n%s: %s swept",
                          labels[s["design"].get<std::size_t>()].c_str(),
                          s["axis"].get<std::string>().c_str());
            for (const auto& [k, v] : s["fixed"].items())
                out += format(", %s=%s", k.c_str(), v.get<std::string>().c_str());
            out += "\n";
            out += format("  %-16s %12s %12s %12s %10s %12s\n",
                          "value",
                          "offered/s",
                          "throughput/s",
                          "goodput/s",
                          "errors",
                          "p99 (ms)");
            for (const Json& p : s["points"])
                out += format("  %-16s %12.1f %12.1f %12.1f %9.3f%% %12.3f\n",
                              p["value"].get<std::string>().substr(0, 16).c_str(),
                              p["offered_rps"].get<double>(),
                              p["throughput_rps"].get<double>(),
                              p["goodput_rps"].get<double>(),
                              100.0 * p["error_rate"].get<double>(),
                              p["latency_p99_ms"].get<double>());
            if (!s["p99_limit_ms"].is_null()) {
                out += format("  knee (p99 reaches %.3f ms): ", s["p99_limit_ms"].get<double>());
                out += s["knee_offered_rps"].is_null()
                           ? s["knee_note"].get<std::string>()
                           : format("%.1f requests/s offered (%s)",
                                    s["knee_offered_rps"].get<double>(),
                                    s["knee_note"].get<std::string>().c_str());
                out += "\n";
            }
            out += format("  saturation: at most %.1f successful requests/s",
                          s["saturation_throughput_rps"].get<double>());
            if (!s["saturated_from_offered_rps"].is_null())
                out += format("; less than 95%% of the offered load succeeds from %.1f requests/s "
                              "offered",
                              s["saturated_from_offered_rps"].get<double>());
            out += "\n";
        }
        out += "\n";
        std::string missed;
        for (const Json& point : summary["points"]) {
            std::string settings;
            for (const auto& [k, v] : point["settings"].items())
                settings += (settings.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
            for (std::size_t d = 0; d < labels.size(); ++d)
                if (!point["designs"][d]["slo"]["pass"].get<bool>())
                    missed += "  " + labels[d] + " at " + settings + "\n";
        }
        bool any = false;
        for (const Json& d : summary["points"][0]["designs"])
            any = any || !d["slo"]["objectives"].empty();
        if (any)
            out += missed.empty() ? "SLO met at every point\n" : "SLO NOT MET by:\n" + missed;
        return out;
    }
    for (const Json& point : summary["points"]) {
        if (!point["settings"].empty()) {
            out += "with";
            for (const auto& [k, v] : point["settings"].items())
                out += format(" %s=%s", k.c_str(), v.get<std::string>().c_str());
            out += "\n";
        }
        const Json& designs = point["designs"];
        std::vector<std::string> metrics;
        for (const auto& [name, e] : designs[0]["metrics"].items())
            if (name.rfind("slo.", 0) != 0)
                metrics.push_back(name);
        for (std::size_t d = 1; d < designs.size(); ++d)
            for (const auto& [name, e] : designs[d]["metrics"].items())
                if (name.rfind("slo.", 0) != 0
                    && std::find(metrics.begin(), metrics.end(), name) == metrics.end())
                    metrics.push_back(name);
        out += "\n" + designTable(designs, labels, nullptr, metrics);
        for (const char* scope : {"routes", "services"}) {
            std::vector<std::string> names;
            for (const Json& d : designs)
                for (const auto& [name, rows] : d[scope].items())
                    if (std::find(names.begin(), names.end(), name) == names.end())
                        names.push_back(name);
            out += format("\nper %s\n", scope[0] == 'r' ? "route" : "service");
            for (const std::string& name : names) {
                Json rows = Json::array();
                for (const Json& d : designs)
                    rows.push_back(d[scope].contains(name) ? d[scope][name] : Json::object());
                std::string table = designTable(
                    rows, labels, scope, {"throughput_rps", "error_rate", "latency_p99_ms"});
                table.erase(0, table.find('\n') + 1); // the header once, above
                out += "  " + name + "\n" + table;
            }
        }
        for (const Json& c : point["comparisons"]) {
            const std::string& base = labels[c["baseline"].get<std::size_t>()];
            const std::string& contender = labels[c["contender"].get<std::size_t>()];
            out += format("\n%s against %s (%s):\n",
                          contender.c_str(),
                          base.c_str(),
                          plan["common_random_numbers"].get<bool>() ? "paired differences, 95% CI"
                                                                    : "Welch's unpaired 95% CI");
            out += format("  %-34s %28s %10s  %s\n", "metric", "difference", "%", "significant");
            for (const auto& [name, d] : c["metrics"].items()) {
                const run::MetricInfo info = run::metricInfo(name);
                std::string diff = signedMetric(info.unit, d["difference"].get<double>());
                if (!d["ci95"].is_null())
                    diff += " [" + run::formatMetric(info.unit, d["ci95"][0].get<double>()) + ", "
                            + run::formatMetric(info.unit, d["ci95"][1].get<double>()) + "]";
                out += format("  %-34s %28s %10s  %s\n",
                              info.label.substr(0, 34).c_str(),
                              diff.c_str(),
                              percentText(d["percent"]).c_str(),
                              d["ci95"].is_null()            ? "n/a (one replication)"
                              : d["significant"].get<bool>() ? "yes"
                                                             : "no");
            }
            std::string changed;
            for (const Json& row : c["changed"]) {
                const std::string where
                    = row["scope"].get<std::string>() + " " + row["name"].get<std::string>();
                if (row.contains("only_in")) {
                    changed += format("  %s: only in %s\n",
                                      where.c_str(),
                                      labels[row["only_in"].get<std::size_t>()].c_str());
                    continue;
                }
                const run::MetricInfo info = run::metricInfo(row["metric"].get<std::string>());
                changed += format("  %s: %s %s (%s)\n",
                                  where.c_str(),
                                  info.label.c_str(),
                                  signedMetric(info.unit, row["difference"].get<double>()).c_str(),
                                  percentText(row["percent"]).c_str());
            }
            if (!changed.empty())
                out += "what changed beyond the 95% CI:\n" + changed;
        }
        const std::string slo = sloLine(designs, labels);
        if (!slo.empty())
            out += "\n" + slo;
    }
    return out;
}

} // namespace meshsim::app
