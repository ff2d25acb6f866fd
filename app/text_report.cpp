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
    for (const auto& note : r["not_simulated"])
        out += "note: " + note.get<std::string>() + "\n";
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
    row("SLO", [](const Json& r) {
        const Json& slo = r["slo"];
        return slo["objectives"].empty() ? std::string("-")
                                         : std::string(slo["pass"].get<bool>() ? "met" : "NOT met");
    });
    out += "\n";
    for (const Json& run : runs) {
        for (const auto& note : run["not_simulated"])
            out += text(run["scenario"], "name") + ": note: " + note.get<std::string>() + "\n";
    }
    return out;
}

} // namespace meshsim::app
