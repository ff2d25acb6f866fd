#include "app/text_report.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

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
    for (const Json& service : r["services"])
        out += latencyRow(text(service, "name"), service);
    out += retriesSection(r) + proxySection(r) + timelineSection(r);
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

std::string formatComparison(const std::vector<Json>& runs)
{
    std::string out;
    const auto row = [&](const std::string& label, auto cell) {
        out += format("%-26s", label.c_str());
        for (const Json& run : runs)
            out += format(" %22s", cell(run).c_str());
        out += "\n";
    };
    row("scenario", [](const Json& r) { return text(r["scenario"], "name"); });
    row("architecture", [](const Json& r) { return text(r["scenario"], "architecture"); });
    row("engine", [](const Json& r) { return text(r, "engine"); });
    row("seed", [](const Json& r) { return format("%llu", count(r, "seed")); });
    out += "\n";
    row("requests answered",
        [](const Json& r) { return format("%llu", count(r["summary"], "requests")); });
    row("throughput (req/s)",
        [](const Json& r) { return format("%.1f", number(r["summary"], "throughput_rps")); });
    row("error rate",
        [](const Json& r) { return format("%.3f%%", 100.0 * number(r["summary"], "error_rate")); });
    const std::pair<const char*, const char*> latencies[] = {{"latency mean (ms)", "mean"},
                                                             {"latency p50 (ms)", "p50"},
                                                             {"latency p90 (ms)", "p90"},
                                                             {"latency p99 (ms)", "p99"},
                                                             {"latency p99.9 (ms)", "p999"}};
    for (const auto& [label, key] : latencies) {
        const char* k = key;
        row(label,
            [k](const Json& r) { return format("%.3f", number(r["summary"]["latency_ms"], k)); });
    }
    row("retries", [](const Json& r) {
        unsigned long long retries = 0;
        for (const Json& e : r["edges"])
            retries += count(e, "retries");
        return format("%llu", retries);
    });
    row("proxy vCPU",
        [](const Json& r) { return format("%.3f", number(r["proxies"], "total_vcpu")); });
    row("proxy vCPU per 1000 req/s",
        [](const Json& r) { return format("%.3f", number(r["proxies"], "vcpu_per_1000_rps")); });
    row("SLO", [](const Json& r) {
        const Json& slo = r["slo"];
        return slo["objectives"].empty() ? std::string("-")
                                         : std::string(slo["pass"].get<bool>() ? "met" : "NOT met");
    });
    out += "\n";
    return out;
}

} // namespace meshsim::app
