#include "report/findings.h"

#include "engine/core/format.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace meshsim::report {

namespace {

using Json = nlohmann::ordered_json;

// Sentences with numbers, in the C locale whatever the user's (engine/core/format.h).
template <typename... Args>
std::string say(const char* fmt, Args... args)
{
    return engine::formatC(fmt, args...);
}

double num(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// "+5.90 ms at p50" or "5.90 ms less at p50"; with "(within noise: 95% CI a to b)" when the
// interval holds zero.
std::string change(const Json& d, const char* unit, const char* what, double scale = 1.0)
{
    const double v = d["difference"].get<double>() * scale;
    std::string out
        = v >= 0 ? say("adds %.3g %s %s", v, unit, what) : say("saves %.3g %s %s", -v, unit, what);
    if (!d["ci95"].is_null() && !d["significant"].get<bool>())
        out += say(" (within noise: the 95%% CI runs from %.3g to %.3g)",
                   d["ci95"][0].get<double>() * scale,
                   d["ci95"][1].get<double>() * scale);
    return out;
}

void comparisons(const ReportData& data, const Json& point, std::vector<Finding>& out)
{
    for (const Json& c : point["comparisons"]) {
        const std::string base = data.label(c["baseline"].get<std::size_t>());
        const std::string other = data.label(c["contender"].get<std::size_t>());
        const Json& m = c["metrics"];
        if (!m.contains("latency_p50_ms"))
            continue;
        std::string p99 = change(m["latency_p99_ms"], "ms", "at p99");
        const std::string p50 = change(m["latency_p50_ms"], "ms", "at p50");
        if (p50.compare(0, 5, p99, 0, 5) == 0)
            p99 = p99.substr(p99.find(' ') + 1); // "adds 2 ms at p50 and 5 ms at p99"
        std::string s = other + " " + p50 + " and " + p99 + " per request";
        if (m.contains("proxy_vcpu_per_1000_rps")) {
            const double v = m["proxy_vcpu_per_1000_rps"]["difference"].get<double>();
            s += say(", %s %.2f vCPU of proxies per 1,000 requests/s",
                     v >= 0 ? "and uses" : "and saves",
                     std::abs(v));
        }
        s += ", against " + base + ".";
        out.push_back({Finding::Kind::Comparison, false, s});

        const Json& e = m["error_rate"];
        const double be = e["baseline"].get<double>(), ce = e["contender"].get<double>();
        if (e["ci95"].is_null()) {
            if (be != ce)
                out.push_back({Finding::Kind::Note,
                               false,
                               say("Error rates: %.3f%% (%s) and %.3f%% (%s), from one run each: "
                                   "run with --replications to tell a difference from noise.",
                                   100 * be,
                                   base.c_str(),
                                   100 * ce,
                                   other.c_str())});
        } else if (e["significant"].get<bool>()) {
            out.push_back({Finding::Kind::Comparison,
                           false,
                           say("Errors: %.3f%% of requests fail with %s against %.3f%% with %s, a "
                               "difference beyond noise (95%% CI %+.3f to %+.3f points).",
                               100 * ce,
                               other.c_str(),
                               100 * be,
                               base.c_str(),
                               100 * e["ci95"][0].get<double>(),
                               100 * e["ci95"][1].get<double>())});
        } else if (be != ce) {
            out.push_back({Finding::Kind::Comparison,
                           false,
                           say("The error rates (%.3f%% and %.3f%%) differ by no more than noise: "
                               "the 95%% CI of the difference, %+.3f to %+.3f points, holds zero.",
                               100 * be,
                               100 * ce,
                               100 * e["ci95"][0].get<double>(),
                               100 * e["ci95"][1].get<double>())});
        }
        // A mean that falls because failures are fast.
        const Json& mean = m["latency_mean_ms"];
        if (m.contains("ok_latency_mean_ms") && ce > be && mean["difference"].get<double>() < 0) {
            const Json& ok = m["ok_latency_mean_ms"];
            out.push_back({Finding::Kind::Note,
                           false,
                           say("The mean latency of %s is lower partly because its failed "
                               "requests are fast: its successful requests take %.3g ms on "
                               "average, against %.3g ms with %s.",
                               other.c_str(),
                               ok["contender"].get<double>(),
                               ok["baseline"].get<double>(),
                               base.c_str())});
        }
    }
}

// The windows' p99 series of a run: the first window after the warmup above `limit`.
std::optional<double> firstWindowAbove(const Json& r, const std::string& key, double limit)
{
    const Json& w = r["windows"];
    const double warmup = num(r, "warmup_seconds");
    if (!w.contains(key))
        return std::nullopt;
    for (std::size_t i = 0; i < w[key].size(); ++i) {
        const double start = w["start_seconds"][i].get<double>();
        if (start + 1e-9 < warmup)
            continue;
        if (w["sent"][i].get<double>() > 0 && w[key][i].get<double>() > limit)
            return start;
    }
    return std::nullopt;
}

// Errors / sent over the windows starting in [from, to).
std::optional<double> errorShare(const Json& r, double from, double to)
{
    const Json& w = r["windows"];
    double sent = 0, errors = 0;
    for (std::size_t i = 0; i < w["start_seconds"].size(); ++i) {
        const double start = w["start_seconds"][i].get<double>();
        if (start + 1e-9 >= from && start < to - 1e-9) {
            sent += w["sent"][i].get<double>();
            errors += w["errors"][i].get<double>();
        }
    }
    if (sent <= 0)
        return std::nullopt;
    return errors / sent;
}

void perDesign(const ReportData& data,
               std::size_t d,
               const Json& designRow,
               std::vector<Finding>& out)
{
    const auto runs = data.runsOf(d);
    if (runs.empty())
        return;
    const Json& r = *runs.front();
    const std::string label = data.label(d);
    const std::string which = data.plan.replications > 1 ? " (replication 1)" : "";
    // SLO.
    for (const Json& o : designRow["slo"]["objectives"]) {
        const std::string metric = o["metric"].get<std::string>();
        const double limit = o["limit"].get<double>();
        if (o["pass"].get<bool>())
            continue;
        std::string s = metric == "error_rate"
                            ? say("%s misses its error-rate SLO: %.3f%% of requests fail, the "
                                  "limit is %.3f%%.",
                                  label.c_str(),
                                  100 * o["mean"].get<double>(),
                                  100 * limit)
                            : say("%s misses its %s SLO: %.4g ms against a limit of %.4g ms.",
                                  label.c_str(),
                                  metric.c_str(),
                                  o["mean"].get<double>(),
                                  limit);
        const std::string key = metric == "p99"    ? "latency_ms_p99"
                                : metric == "p50"  ? "latency_ms_p50"
                                : metric == "mean" ? "latency_ms_mean"
                                                   : "";
        if (!key.empty())
            if (const auto from = firstWindowAbove(r, key, limit)) {
                s += say(" The windowed %s first exceeds it at %.4g s%s",
                         metric.c_str(),
                         *from,
                         which.c_str());
                // What happened last before it.
                const Json* cause = nullptr;
                for (const Json& t : r["timeline"])
                    if (t["at_seconds"].get<double>() <= *from + num(r["windows"], "window_seconds")
                        && (t["kind"] == "killed" || t["kind"] == "node_down"
                            || t["kind"] == "restored"))
                        cause = &t;
                if (cause)
                    s += say(", after %s %s at %.4g s",
                             (*cause)["kind"].get<std::string>().c_str(),
                             (*cause)["where"].get<std::string>().c_str(),
                             (*cause)["at_seconds"].get<double>());
                s += ".";
            }
        out.push_back({Finding::Kind::Slo, true, s});
    }
    // Faults: what they did, and how long discovery took to stop sending to the instance.
    const double end = num(r, "warmup_seconds") + num(r, "measured_seconds");
    const double window = std::max(num(r["windows"], "window_seconds"), 1e-9);
    for (const Json& t : r["timeline"]) {
        if (t["kind"] != "killed" && t["kind"] != "node_down")
            continue;
        const double at = t["at_seconds"].get<double>();
        if (at >= end)
            continue; // during the drain: nothing measured saw it
        const double windowOfFault = std::floor(at / window) * window;
        const std::string where = t["where"].get<std::string>();
        double until = end;
        std::optional<double> notReady;
        for (const Json& u : r["timeline"]) {
            const double ut = u["at_seconds"].get<double>();
            if (ut < at || u["where"] != t["where"])
                continue;
            if (u["kind"] == "restored" && ut < until)
                until = ut;
            if (u["kind"] == "not_ready" && !notReady)
                notReady = ut;
        }
        const auto during = errorShare(r, windowOfFault, until);
        const auto before = errorShare(r, num(r, "warmup_seconds"), windowOfFault);
        std::string s = say("%s%s: %s %s at %.4g s",
                            label.c_str(),
                            which.c_str(),
                            t["kind"] == "killed" ? "killing" : "losing the node of",
                            where.c_str(),
                            at);
        if (during)
            s += say(": %.3g%% of the requests sent until %.4g s failed", 100 * *during, until);
        if (before)
            s += say(" (%.3g%% before)", 100 * *before);
        if (notReady)
            s += say("; the readiness probe took %.3g s to take %s out of the endpoints",
                     *notReady - at,
                     where.c_str());
        s += ".";
        out.push_back({Finding::Kind::Fault, during && before && *during > *before * 2 + 0.001, s});
    }
    // Retries that multiplied a call.
    std::vector<std::pair<double, const Json*>> amplified;
    for (const Json& e : r["edges"]) {
        const double calls = num(e, "requests");
        if (calls >= 20 && num(e, "attempts") / calls >= 1.2)
            amplified.emplace_back(num(e, "attempts") / calls, &e);
    }
    std::sort(amplified.begin(), amplified.end(), [](const auto& a, const auto& b) {
        return a.first > b.first;
    });
    for (std::size_t k = 0; k < std::min<std::size_t>(2, amplified.size()); ++k) {
        const Json& e = *amplified[k].second;
        out.push_back({Finding::Kind::Retries,
                       false,
                       say("%s%s: retries multiplied the calls from %s to %s by %.2f (%.0f tries "
                           "for %.0f calls).",
                           label.c_str(),
                           which.c_str(),
                           e["from"].get<std::string>().c_str(),
                           e["to"].get<std::string>().c_str(),
                           amplified[k].first,
                           num(e, "attempts"),
                           num(e, "requests"))});
    }
    // The service behind most failures, and how many requests depend on it.
    const double clientRequests = num(r["summary"], "requests");
    const Json* worst = nullptr;
    double worstErrors = 0;
    for (const Json& s : r["services"]) {
        double errors = 0;
        for (const auto& [cause, n] : s["errors"].items())
            errors += n.get<double>();
        errors -= num(s, "dependency_failures");
        if (errors > worstErrors) {
            worstErrors = errors;
            worst = &s;
        }
    }
    if (worst && clientRequests > 0 && worstErrors >= 10)
        out.push_back({Finding::Kind::Note,
                       false,
                       say("%s%s: %s answers %.0f requests with an error of its own (%.3g%% of "
                           "its requests); it receives %.2f requests per client request.",
                           label.c_str(),
                           which.c_str(),
                           (*worst)["name"].get<std::string>().c_str(),
                           worstErrors,
                           100 * worstErrors / std::max(1.0, num(*worst, "requests")),
                           num(*worst, "requests") / clientRequests)});
    // What the proxies cost.
    const Json& m = designRow["metrics"];
    if (m.contains("proxy_vcpu") && m["proxy_vcpu"]["mean"].get<double>() > 0) {
        const double cores = m["cores_busy"]["mean"].get<double>();
        const double proxy = m["proxy_vcpu"]["mean"].get<double>();
        out.push_back({Finding::Kind::Cost,
                       false,
                       say("%s: the proxies use %.3g vCPU (%.3g per 1,000 requests/s), %.3g%% of "
                           "the %.3g busy cores; a request makes %.3g proxy hops, each adding "
                           "%.3g ms on average.",
                           label.c_str(),
                           proxy,
                           m["proxy_vcpu_per_1000_rps"]["mean"].get<double>(),
                           cores > 0 ? 100 * proxy / cores : 0.0,
                           cores,
                           m["proxy_hops_per_request"]["mean"].get<double>(),
                           m["latency_per_proxy_hop_ms"]["mean"].get<double>())});
    }
}

} // namespace

std::vector<Finding> findings(const ReportData& data)
{
    std::vector<Finding> out;
    const Json& points = data.summary["points"];
    if (data.plan.kind == "sweep") {
        for (const Json& s : data.summary["sweep"]) {
            const std::string label = data.label(s["design"].get<std::size_t>());
            std::string text;
            if (!s["knee_offered_rps"].is_null())
                text = say("%s: the p99 reaches %.4g ms at %.4g requests/s offered (the knee, %s)",
                           label.c_str(),
                           s["p99_limit_ms"].get<double>(),
                           s["knee_offered_rps"].get<double>(),
                           s["knee_note"].get<std::string>().c_str());
            else
                text = label + ": " + s["knee_note"].get<std::string>();
            text += say("; at most %.4g requests/s succeed",
                        s["saturation_throughput_rps"].get<double>());
            if (!s["saturated_from_offered_rps"].is_null())
                text
                    += say(", and less than 95%% of the offered load succeeds from %.4g requests/s",
                           s["saturated_from_offered_rps"].get<double>());
            out.push_back({Finding::Kind::Sweep, false, text + "."});
        }
        return out;
    }
    if (points.empty())
        return out;
    comparisons(data, points[0], out);
    for (std::size_t d = 0; d < data.designs(); ++d)
        perDesign(data, d, points[0]["designs"][d], out);
    return out;
}

} // namespace meshsim::report
