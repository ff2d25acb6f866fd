#include "app/text_report.h"

#include "topologies/units.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace meshsim::app {

namespace m = meshsim::models;

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

double ms(std::int64_t ns)
{
    return static_cast<double>(ns) * 1e-6;
}

std::string errorList(const m::OutcomeCounts& outcomes)
{
    std::string out;
    for (std::size_t i = 1; i < m::kOutcomeCount; ++i) {
        if (outcomes.counts[i] == 0)
            continue;
        out += (out.empty() ? "" : ", ")
               + format("%s %llu",
                        std::string(m::outcomeName(static_cast<m::Outcome>(i))).c_str(),
                        static_cast<unsigned long long>(outcomes.counts[i]));
    }
    return out.empty() ? "none" : out;
}

std::string latencyRow(const std::string& label, const m::RequestStats& stats, double seconds)
{
    const m::Histogram& h = stats.latency;
    const std::uint64_t n = stats.outcomes.total();
    const double okPct
        = n ? 100.0 * static_cast<double>(stats.outcomes.ok()) / static_cast<double>(n) : 0.0;
    return format("  %-22s %9llu %8.2f%% %9.1f %9.3f %9.3f %9.3f %9.3f %9.3f\n",
                  label.c_str(),
                  static_cast<unsigned long long>(n),
                  okPct,
                  static_cast<double>(n) / seconds,
                  h.mean() * 1e-6,
                  ms(h.quantile(0.5)),
                  ms(h.quantile(0.9)),
                  ms(h.quantile(0.99)),
                  ms(h.quantile(0.999)));
}

} // namespace

std::string formatRun(const TimedRun& run)
{
    const engine::RunResult& r = run.result;
    const topologies::Scenario& s = *r.scenario;
    const m::Metrics& metrics = *r.metrics;
    const double seconds = std::max(r.measuredSeconds, 1e-9);
    std::string out;
    out += format("%s  (architecture %s, engine %s, seed %llu)\n",
                  s.name.c_str(),
                  topologies::architectureName(s.architecture).c_str(),
                  topologies::engineName(r.engine).c_str(),
                  static_cast<unsigned long long>(r.seed));
    out += format("simulated %.3f s (statistics over %.3f s after a %s warmup) in %.2f s of wall "
                  "time, %llu events\n",
                  r.simulatedSeconds,
                  r.measuredSeconds,
                  topologies::formatDuration(s.warmup).c_str(),
                  run.wallSeconds,
                  static_cast<unsigned long long>(r.events));
    for (const std::string& note : r.notes)
        out += "note: " + note + "\n";
    const m::RequestStats& summary = metrics.summary();
    out += format("requests: %llu sent, %llu answered, %llu ok; errors: %s",
                  static_cast<unsigned long long>(metrics.sent()),
                  static_cast<unsigned long long>(summary.outcomes.total()),
                  static_cast<unsigned long long>(summary.outcomes.ok()),
                  errorList(summary.outcomes).c_str());
    if (r.requestsUnanswered)
        out += format("; %llu still unanswered when the run ended",
                      static_cast<unsigned long long>(r.requestsUnanswered));
    out += "\n\n";
    out += format("  %-22s %9s %9s %9s %9s %9s %9s %9s %9s\n",
                  "client latency (ms)",
                  "requests",
                  "ok",
                  "req/s",
                  "mean",
                  "p50",
                  "p90",
                  "p99",
                  "p99.9");
    out += latencyRow("all routes", summary, seconds);
    for (std::size_t i = 0; i < metrics.routes().size(); ++i)
        out += latencyRow(metrics.layout().routes[i], metrics.routes()[i], seconds);
    out += "\n";
    out += format("  %-22s %9s %9s %9s %9s %9s %9s %9s %9s\n",
                  "service latency (ms)",
                  "requests",
                  "ok",
                  "req/s",
                  "mean",
                  "p50",
                  "p90",
                  "p99",
                  "p99.9");
    for (std::size_t i = 0; i < metrics.services().size(); ++i)
        out += latencyRow(metrics.layout().services[i], metrics.services()[i].requests, seconds);
    if (!r.slo.empty()) {
        out += "\nSLO " + std::string(r.sloPass ? "met" : "NOT met") + ":";
        for (const engine::SloResult& o : r.slo) {
            if (o.metric == "error_rate")
                out += format("  error_rate %.3f%% (limit %.3f%%) %s",
                              o.actual * 100.0,
                              o.limit * 100.0,
                              o.pass ? "ok" : "FAIL");
            else
                out += format("  %s %.3f ms (limit %.3f ms) %s",
                              o.metric.c_str(),
                              o.actual,
                              o.limit,
                              o.pass ? "ok" : "FAIL");
        }
        out += "\n";
    }
    return out;
}

std::string formatComparison(const std::vector<const TimedRun*>& runs)
{
    std::string out;
    const auto row = [&](const std::string& label, auto cell) {
        out += format("%-26s", label.c_str());
        for (const TimedRun* run : runs)
            out += format(" %22s", cell(run->result).c_str());
        out += "\n";
    };
    row("scenario", [](const engine::RunResult& r) { return r.scenario->name; });
    row("architecture", [](const engine::RunResult& r) {
        return topologies::architectureName(r.scenario->architecture);
    });
    row("engine", [](const engine::RunResult& r) { return topologies::engineName(r.engine); });
    row("seed", [](const engine::RunResult& r) {
        return format("%llu", static_cast<unsigned long long>(r.seed));
    });
    out += "\n";
    const auto summary
        = [](const engine::RunResult& r) -> const m::RequestStats& { return r.metrics->summary(); };
    row("requests answered", [&](const engine::RunResult& r) {
        return format("%llu", static_cast<unsigned long long>(summary(r).outcomes.total()));
    });
    row("throughput (req/s)", [&](const engine::RunResult& r) {
        return format("%.1f",
                      static_cast<double>(summary(r).outcomes.total())
                          / std::max(r.measuredSeconds, 1e-9));
    });
    row("error rate", [&](const engine::RunResult& r) {
        const auto n = summary(r).outcomes.total();
        return format("%.3f%%",
                      n ? 100.0 * static_cast<double>(summary(r).outcomes.errors())
                              / static_cast<double>(n)
                        : 0.0);
    });
    const std::pair<const char*, double> quantiles[] = {{"latency p50 (ms)", 0.5},
                                                        {"latency p90 (ms)", 0.9},
                                                        {"latency p99 (ms)", 0.99},
                                                        {"latency p99.9 (ms)", 0.999}};
    row("latency mean (ms)", [&](const engine::RunResult& r) {
        return format("%.3f", summary(r).latency.mean() * 1e-6);
    });
    for (const auto& [label, q] : quantiles) {
        const double quantile = q;
        row(label, [&](const engine::RunResult& r) {
            return format("%.3f", ms(summary(r).latency.quantile(quantile)));
        });
    }
    row("SLO", [](const engine::RunResult& r) {
        return r.slo.empty() ? std::string("-") : std::string(r.sloPass ? "met" : "NOT met");
    });
    out += "\n";
    for (const TimedRun* run : runs) {
        for (const std::string& note : run->result.notes)
            out += run->result.scenario->name + ": note: " + note + "\n";
    }
    return out;
}

} // namespace meshsim::app
