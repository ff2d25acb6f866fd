#include "run/experiment.h"

#include "engine/core/assert.h"
#include "engine/core/format.h"
#include "engine/core/random.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

namespace meshsim::run {

namespace {

using Json = nlohmann::ordered_json;

double variance(const std::vector<double>& x, double mean)
{
    if (x.size() < 2)
        return 0.0;
    double sum = 0.0;
    for (double v : x)
        sum += (v - mean) * (v - mean);
    return sum / static_cast<double>(x.size() - 1);
}

double meanOf(const std::vector<double>& x)
{
    double sum = 0.0;
    for (double v : x)
        sum += v;
    return x.empty() ? 0.0 : sum / static_cast<double>(x.size());
}

Difference finish(Difference d)
{
    d.significant = d.ci && std::abs(d.value) > d.halfWidth;
    return d;
}

} // namespace

double studentT95(double degrees)
{
    const boost::math::students_t t(degrees);
    return boost::math::quantile(t, 0.975);
}

Estimate estimate(const std::vector<double>& samples)
{
    Estimate e;
    e.n = samples.size();
    e.mean = meanOf(samples);
    e.sd = std::sqrt(variance(samples, e.mean));
    if (e.n >= 2) {
        e.ci = true;
        e.halfWidth
            = studentT95(static_cast<double>(e.n - 1)) * e.sd / std::sqrt(static_cast<double>(e.n));
    }
    return e;
}

double Difference::percent() const
{
    return baseline != 0.0 ? 100.0 * value / std::abs(baseline) : 0.0;
}

Difference pairedDifference(const std::vector<double>& baseline,
                            const std::vector<double>& contender)
{
    std::vector<double> d;
    for (std::size_t i = 0; i < std::min(baseline.size(), contender.size()); ++i)
        d.push_back(contender[i] - baseline[i]);
    const Estimate e = estimate(d);
    Difference out;
    out.baseline = meanOf(baseline);
    out.contender = meanOf(contender);
    out.value = e.mean;
    out.halfWidth = e.halfWidth;
    out.ci = e.ci;
    const double unpaired = variance(baseline, out.baseline) + variance(contender, out.contender);
    if (e.ci && unpaired > 0.0)
        out.varianceRatio = e.sd * e.sd / unpaired;
    return finish(out);
}

Difference welchDifference(const std::vector<double>& baseline,
                           const std::vector<double>& contender)
{
    Difference out;
    out.baseline = meanOf(baseline);
    out.contender = meanOf(contender);
    out.value = out.contender - out.baseline;
    const auto n1 = static_cast<double>(baseline.size());
    const auto n2 = static_cast<double>(contender.size());
    if (n1 < 2 || n2 < 2)
        return finish(out);
    const double a = variance(baseline, out.baseline) / n1;
    const double b = variance(contender, out.contender) / n2;
    out.ci = true;
    if (a + b > 0.0) {
        // Welch–Satterthwaite degrees of freedom.
        const double df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
        out.halfWidth = studentT95(df) * std::sqrt(a + b);
    }
    return finish(out);
}

std::uint64_t replicationSeed(std::uint64_t base, std::uint32_t replication)
{
    if (replication == 0)
        return base;
    std::uint64_t state = base ^ (0x9e3779b97f4a7c15ULL * replication);
    return engine::RandomStream::splitmix64(state);
}

std::uint64_t independentSeed(std::uint64_t base, std::uint32_t replication, std::uint32_t design)
{
    if (design == 0)
        return replicationSeed(base, replication);
    std::uint64_t state = replicationSeed(base, replication) ^ (0xbf58476d1ce4e5b9ULL * design);
    return engine::RandomStream::splitmix64(state);
}

// ---------------------------------------------------------------------------------------------
// Axes

namespace {

// "100/s" -> (100, "/s"); nullopt when it does not start with a number.
std::optional<std::pair<double, std::string>> numberAndUnit(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    double v = 0.0; // from_chars: a decimal point whatever the locale
    const char* first = text.data() + (text.front() == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), v);
    if (ec != std::errc() || !std::isfinite(v))
        return std::nullopt;
    return std::make_pair(v, std::string(end, text.data() + text.size()));
}

// The shortest text that reads back as `v` (1500, 142.85714285714286, 1e+20).
std::string formatNumber(double v)
{
    char buf[64];
    const auto result = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, result.ptr);
}

// Splits at commas outside braces and brackets.
std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out(1);
    int depth = 0;
    for (char c : text) {
        if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']')
            --depth;
        if (c == ',' && depth == 0)
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

} // namespace

std::optional<Axis> parseAxis(std::string_view text, std::string& error)
{
    const auto o = topologies::parseOverride(text, error);
    if (!o)
        return std::nullopt;
    Axis axis{o->path, {}};
    const std::string& v = o->value;
    const std::size_t dots = v.find("..");
    const bool flow = !v.empty() && (v.front() == '{' || v.front() == '[');
    if (dots == std::string::npos || flow) {
        for (std::string item : splitList(v)) {
            while (!item.empty() && item.front() == ' ')
                item.erase(item.begin());
            while (!item.empty() && item.back() == ' ')
                item.pop_back();
            if (item.empty()) {
                error = o->path + ": an empty value in '" + v + "'";
                return std::nullopt;
            }
            axis.values.push_back(item);
        }
        return axis;
    }
    const std::string from = v.substr(0, dots);
    std::string to = v.substr(dots + 2);
    std::optional<long> steps;
    if (const std::size_t slash = to.rfind('/'); slash != std::string::npos) {
        const std::string tail = to.substr(slash + 1);
        char* end = nullptr;
        const long n = std::strtol(tail.c_str(), &end, 10);
        if (!tail.empty() && *end == '\0') {
            steps = n;
            to = to.substr(0, slash);
        }
    }
    const auto a = numberAndUnit(from);
    const auto b = numberAndUnit(to);
    const std::string expected = "expected FROM..TO/STEPS such as 100/s..2000/s/20, or FROM..TO "
                                 "of whole numbers such as 0..4";
    if (!a || !b || a->second != b->second) {
        error = o->path + ": '" + v + "': " + expected + " (both ends with the same unit)";
        return std::nullopt;
    }
    if (steps) {
        if (*steps < 2 || *steps > 10'000) {
            error = o->path + ": '" + v + "': STEPS must be from 2 to 10000";
            return std::nullopt;
        }
        for (long i = 0; i < *steps; ++i) {
            const double x = a->first
                             + (b->first - a->first) * static_cast<double>(i)
                                   / static_cast<double>(*steps - 1);
            axis.values.push_back(formatNumber(x) + a->second);
        }
        return axis;
    }
    // Whole numbers, counted exactly (within ±2^53, where doubles hold every integer).
    constexpr double kExact = 9007199254740992.0;
    if (a->first != std::floor(a->first) || b->first != std::floor(b->first) || b->first < a->first
        || std::abs(a->first) > kExact || std::abs(b->first) > kExact
        || b->first - a->first > 10'000) {
        error = o->path + ": '" + v + "': " + expected + " (at most 10001 values)";
        return std::nullopt;
    }
    const auto first = static_cast<long long>(a->first);
    const auto last = static_cast<long long>(b->first);
    for (long long x = first; x <= last; ++x)
        axis.values.push_back(std::to_string(x) + a->second);
    return axis;
}

// ---------------------------------------------------------------------------------------------
// Plan

std::size_t Plan::points() const
{
    std::size_t n = 1;
    for (const Axis& a : axes)
        n *= a.values.size();
    return n;
}

std::vector<topologies::Override> Plan::settings(std::size_t point) const
{
    // The last axis varies fastest.
    std::vector<topologies::Override> out(axes.size());
    for (std::size_t k = axes.size(); k-- > 0;) {
        const std::size_t size = axes[k].values.size();
        out[k] = {axes[k].path, axes[k].values[point % size]};
        point /= size;
    }
    return out;
}

RunSpec Plan::run(std::size_t index) const
{
    // Order: point, then design, then replication (a shard of every n-th run spreads each
    // point's designs and replications over the shards).
    RunSpec r;
    r.index = index;
    r.replication = static_cast<std::uint32_t>(index % replications);
    r.design = (index / replications) % designs.size();
    r.point = index / (replications * designs.size());
    r.seed = commonRandomNumbers
                 ? replicationSeed(baseSeed, r.replication)
                 : independentSeed(baseSeed, r.replication, static_cast<std::uint32_t>(r.design));
    const Design& design = designs[r.design];
    if (design.architecture)
        r.overrides.push_back({"architecture", *design.architecture});
    if (design.gatewayKind)
        r.overrides.push_back({"gateway.kind", *design.gatewayKind});
    if (design.meshKind)
        r.overrides.push_back({"mesh.kind", *design.meshKind});
    for (topologies::Override& o : settings(r.point))
        r.overrides.push_back(std::move(o));
    return r;
}

Json Plan::toJson() const
{
    Json j;
    j["format"] = "meshsim-plan/1";
    j["kind"] = kind;
    Json ds = Json::array();
    for (std::size_t d = 0; d < designs.size(); ++d) {
        Json dj{{"label", designs[d].label}, {"scenario", designs[d].scenario}};
        dj["architecture"]
            = designs[d].architecture ? Json(*designs[d].architecture) : Json(nullptr);
        dj["gateway_kind"] = designs[d].gatewayKind ? Json(*designs[d].gatewayKind) : Json(nullptr);
        dj["mesh_kind"] = designs[d].meshKind ? Json(*designs[d].meshKind) : Json(nullptr);
        dj["text"] = d < scenarioTexts.size() ? scenarioTexts[d] : std::string();
        ds.push_back(dj);
    }
    j["designs"] = ds;
    Json as = Json::array();
    for (const Axis& a : axes)
        as.push_back({{"path", a.path}, {"values", a.values}});
    j["axes"] = as;
    j["replications"] = replications;
    j["base_seed"] = baseSeed;
    j["common_random_numbers"] = commonRandomNumbers;
    j["engine"] = engine ? Json(*engine) : Json(nullptr);
    j["duration"] = duration ? Json(*duration) : Json(nullptr);
    j["core_hour_cost"] = coreHourCost ? Json(*coreHourCost) : Json(nullptr);
    j["p99_limit_ms"] = p99LimitMs ? Json(*p99LimitMs) : Json(nullptr);
    j["runs"] = runCount();
    return j;
}

std::optional<Plan> Plan::fromJson(const Json& j, std::string& error)
{
    try {
        if (j.value("format", "") != "meshsim-plan/1") {
            error = "not a meshsim plan (format meshsim-plan/1)";
            return std::nullopt;
        }
        Plan p;
        p.kind = j.at("kind").get<std::string>();
        for (const Json& d : j.at("designs")) {
            Design design{
                d.at("label").get<std::string>(), d.at("scenario").get<std::string>(), {}, {}, {}};
            if (!d.at("architecture").is_null())
                design.architecture = d.at("architecture").get<std::string>();
            if (d.contains("gateway_kind") && !d.at("gateway_kind").is_null())
                design.gatewayKind = d.at("gateway_kind").get<std::string>();
            if (d.contains("mesh_kind") && !d.at("mesh_kind").is_null())
                design.meshKind = d.at("mesh_kind").get<std::string>();
            p.designs.push_back(design);
            p.scenarioTexts.push_back(d.value("text", ""));
        }
        for (const Json& a : j.at("axes"))
            p.axes.push_back(
                {a.at("path").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
        p.replications = j.at("replications").get<std::uint32_t>();
        p.baseSeed = j.at("base_seed").get<std::uint64_t>();
        p.commonRandomNumbers = j.at("common_random_numbers").get<bool>();
        const auto optionalText = [&](const char* key) -> std::optional<std::string> {
            return j.at(key).is_null() ? std::nullopt
                                       : std::optional<std::string>(j.at(key).get<std::string>());
        };
        const auto optionalNumber = [&](const char* key) -> std::optional<double> {
            return j.at(key).is_null() ? std::nullopt
                                       : std::optional<double>(j.at(key).get<double>());
        };
        p.engine = optionalText("engine");
        p.duration = optionalText("duration");
        p.coreHourCost = optionalNumber("core_hour_cost");
        p.p99LimitMs = optionalNumber("p99_limit_ms");
        if (p.designs.empty() || p.replications < 1) {
            error = "a plan needs a design and a replication";
            return std::nullopt;
        }
        std::size_t points = 1;
        for (const Axis& a : p.axes) {
            if (a.values.empty() || a.values.size() > 100'000) {
                error = "axis " + a.path + " has no values or too many";
                return std::nullopt;
            }
            points *= a.values.size();
            if (points > 100'000) {
                error = "the grid has more than 100000 points";
                return std::nullopt;
            }
        }
        if (p.replications > 10'000 || p.designs.size() > 64
            || points * p.designs.size() * p.replications > 10'000'000) {
            error = "more replications, designs or runs than an experiment may have";
            return std::nullopt;
        }
        return p;
    } catch (const nlohmann::json::exception& e) {
        error = std::string("malformed plan: ") + e.what();
        return std::nullopt;
    }
}

// ---------------------------------------------------------------------------------------------
// Checking a results.json

namespace {

class Checker
{
public:
    explicit Checker(std::string& error)
        : m_error(error)
    {}
    bool ok() const { return m_error.empty(); }

    const Json* at(const Json& j, const std::string& path, const char* key, Json::value_t type)
    {
        if (!ok())
            return nullptr;
        const auto it = j.find(key);
        const std::string where = path.empty() ? key : path + "." + key;
        if (it == j.end())
            return fail(where, "is missing");
        const bool good = type == Json::value_t::number_float      ? it->is_number()
                          : type == Json::value_t::number_unsigned ? it->is_number_unsigned()
                                                                   : it->type() == type;
        if (!good)
            return fail(where, "has the wrong type");
        return &*it;
    }
    void numbers(const Json& j, const std::string& path, std::initializer_list<const char*> keys)
    {
        for (const char* k : keys)
            at(j, path, k, Json::value_t::number_float);
    }
    void strings(const Json& j, const std::string& path, std::initializer_list<const char*> keys)
    {
        for (const char* k : keys)
            at(j, path, k, Json::value_t::string);
    }
    void numberValues(const Json& j, const std::string& path)
    {
        for (const auto& [k, v] : j.items())
            if (ok() && !v.is_number()) {
                std::string where = path;
                where += '.';
                where += k;
                fail(where, "is not a number");
            }
    }
    void requestBlock(const Json& j, const std::string& path)
    {
        numbers(j, path, {"requests", "ok", "error_rate", "throughput_rps", "goodput_rps"});
        if (const Json* e = at(j, path, "errors", Json::value_t::object))
            numberValues(*e, path + ".errors");
        for (const char* block : {"latency_ms", "latency_ok_ms"})
            if (const Json* l = at(j, path, block, Json::value_t::object))
                numbers(
                    *l, path + "." + block, {"mean", "p50", "p90", "p95", "p99", "p999", "max"});
    }
    template <typename F>
    void each(const Json& j, const std::string& path, const char* key, F f)
    {
        if (const Json* list = at(j, path, key, Json::value_t::array))
            for (std::size_t i = 0; i < list->size() && ok(); ++i) {
                const std::string item
                    = (path.empty() ? "" : path + ".") + key + "[" + std::to_string(i) + "]";
                if (!(*list)[i].is_object())
                    fail(item, "is not an object");
                else
                    f((*list)[i], item);
            }
    }
    const Json* fail(const std::string& where, const char* what)
    {
        if (ok())
            m_error = where + " " + what;
        return nullptr;
    }

private:
    std::string& m_error;
};

} // namespace

bool checkResults(const Json& r, std::string& error)
{
    error.clear();
    Checker c(error);
    if (!r.is_object() || r.value("format", "") != "meshsim-results/1") {
        error = "not a results.json of this meshsim (format meshsim-results/1)";
        return false;
    }
    using T = Json::value_t;
    if (const Json* s = c.at(r, "", "scenario", T::object))
        c.strings(*s, "scenario", {"name", "file", "architecture"});
    c.at(r, "", "seed", T::number_unsigned);
    c.strings(r, "", {"engine"});
    c.numbers(r, "", {"warmup_seconds", "measured_seconds"});
    if (const Json* s = c.at(r, "", "summary", T::object)) {
        c.requestBlock(*s, "summary");
        c.numbers(*s, "summary", {"sent", "unanswered_at_end"});
        if (const Json* cdf = c.at(*s, "summary", "latency_cdf_ms", T::array))
            for (const Json& v : *cdf)
                if (!v.is_number())
                    c.fail("summary.latency_cdf_ms", "holds something other than numbers");
    }
    c.each(r, "", "routes", [&](const Json& j, const std::string& p) {
        c.requestBlock(j, p);
        c.strings(j, p, {"path"});
    });
    c.each(r, "", "services", [&](const Json& j, const std::string& p) {
        c.requestBlock(j, p);
        c.strings(j, p, {"name", "kind"});
        c.numbers(j, p, {"dependency_failures"});
    });
    c.each(r, "", "edges", [&](const Json& j, const std::string& p) {
        c.strings(j, p, {"from", "to"});
        c.numbers(j, p, {"requests", "attempts", "retries"});
        for (const char* k : {"errors", "flags"})
            if (const Json* o = c.at(j, p, k, T::object))
                c.numberValues(*o, p + "." + k);
    });
    if (const Json* proxies = c.at(r, "", "proxies", T::object)) {
        c.numbers(*proxies, "proxies", {"total_vcpu", "vcpu_per_1000_rps"});
        c.each(*proxies, "proxies", "kinds", [&](const Json& j, const std::string& p) {
            c.strings(j, p, {"kind"});
            c.numbers(j, p, {"traversals", "cpu_vcpu", "cpu_us_per_traversal"});
            if (const Json* l = c.at(j, p, "added_latency_ms", T::object))
                c.numbers(*l, p + ".added_latency_ms", {"mean", "p50", "p90", "p99"});
        });
    }
    c.each(r, "", "nodes", [&](const Json& j, const std::string& p) {
        c.strings(j, p, {"name"});
        c.numbers(j, p, {"cores", "utilisation"});
    });
    if (const Json* w = c.at(r, "", "windows", T::object)) {
        c.numbers(*w, "windows", {"window_seconds"});
        std::optional<std::size_t> length;
        for (const char* k : {"start_seconds",
                              "sent",
                              "ok",
                              "errors",
                              "latency_ms_mean",
                              "latency_ms_p50",
                              "latency_ms_p99"})
            if (const Json* column = c.at(*w, "windows", k, T::array)) {
                if (length && column->size() != *length)
                    c.fail(std::string("windows.") + k, "has another length than start_seconds");
                length = column->size();
                for (const Json& v : *column)
                    if (!v.is_number())
                        c.fail(std::string("windows.") + k, "holds something other than numbers");
            }
    }
    c.each(r, "", "timeline", [&](const Json& j, const std::string& p) {
        c.numbers(j, p, {"at_seconds"});
        c.strings(j, p, {"kind", "where", "detail"});
    });
    c.at(r, "", "traces", T::array);
    if (const Json* slo = c.at(r, "", "slo", T::object)) {
        c.at(*slo, "slo", "pass", T::boolean);
        c.each(*slo, "slo", "objectives", [&](const Json& j, const std::string& p) {
            c.strings(j, p, {"metric", "unit"});
            c.numbers(j, p, {"limit", "actual"});
            c.at(j, p, "pass", T::boolean);
        });
    }
    return c.ok();
}

bool checkRun(const Plan& plan, std::size_t index, const Json& results, std::string& error)
{
    if (!checkResults(results, error))
        return false;
    const RunSpec spec = plan.run(index);
    if (results["seed"].get<std::uint64_t>() != spec.seed) {
        error = "its seed is not run " + std::to_string(index) + "'s seed of the plan ("
                + std::to_string(spec.seed) + "): a run of another experiment";
        return false;
    }
    const auto& architecture = plan.designs[spec.design].architecture;
    if (architecture && results["scenario"]["architecture"].get<std::string>() != *architecture) {
        error = "it ran in architecture " + results["scenario"]["architecture"].get<std::string>()
                + ", the plan's design " + std::to_string(spec.design) + " in " + *architecture;
        return false;
    }
    for (const auto& [key, kind] :
         {std::pair{"gateway_kind", plan.designs[spec.design].gatewayKind},
          std::pair{"mesh_kind", plan.designs[spec.design].meshKind}}) {
        const Json& scenario = results["scenario"];
        if (kind && scenario.value(key, std::string()) != *kind) {
            error = std::string("its ") + key + " is not the plan's design "
                    + std::to_string(spec.design) + "'s " + *kind;
            return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Summary

namespace {

double num(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The named quantities of one run, in a fixed order: what a design's rows are made of.
using Quantities = std::vector<std::pair<std::string, double>>;

void requestQuantities(const Json& block, double seconds, Quantities& q)
{
    const double requests = num(block, "requests");
    q.emplace_back("throughput_rps", num(block, "throughput_rps"));
    q.emplace_back("goodput_rps", num(block, "goodput_rps"));
    q.emplace_back("error_rate", num(block, "error_rate"));
    for (const char* p : {"mean", "p50", "p90", "p99", "p999"})
        q.emplace_back(std::string("latency_") + p + "_ms", num(block["latency_ms"], p));
    if (block.contains("latency_ok_ms"))
        for (const char* p : {"mean", "p50", "p99"})
            q.emplace_back(std::string("ok_latency_") + p + "_ms", num(block["latency_ok_ms"], p));
    (void)requests;
    (void)seconds;
}

Quantities runQuantities(const Json& r,
                         const std::set<std::string>& causes,
                         std::optional<double> coreHourCost)
{
    Quantities q;
    const Json& s = r["summary"];
    const double seconds = std::max(num(r, "measured_seconds"), 1e-9);
    const double requests = num(s, "requests");
    q.emplace_back("offered_rps", num(s, "sent") / seconds);
    requestQuantities(s, seconds, q);
    for (const std::string& cause : causes) {
        const auto& errors = s["errors"];
        const double n = errors.contains(cause) ? errors[cause].get<double>() : 0.0;
        q.emplace_back("errors." + cause, requests > 0 ? n / requests : 0.0);
    }
    double retries = 0.0, attempts = 0.0;
    for (const Json& e : r["edges"]) {
        retries += num(e, "retries");
        attempts += num(e, "attempts");
    }
    q.emplace_back("retries_per_request", requests > 0 ? retries / requests : 0.0);
    q.emplace_back("calls_per_request", requests > 0 ? attempts / requests : 0.0);
    const Json& proxies = r["proxies"];
    double traversals = 0.0, added = 0.0;
    for (const Json& k : proxies["kinds"]) {
        traversals += num(k, "traversals");
        added += num(k, "traversals") * num(k["added_latency_ms"], "mean");
    }
    q.emplace_back("proxy_vcpu", num(proxies, "total_vcpu"));
    q.emplace_back("proxy_vcpu_per_1000_rps", num(proxies, "vcpu_per_1000_rps"));
    q.emplace_back("proxy_hops_per_request", requests > 0 ? traversals / requests : 0.0);
    q.emplace_back("latency_per_proxy_hop_ms", traversals > 0 ? added / traversals : 0.0);
    double cores = 0.0;
    for (const Json& n : r["nodes"])
        cores += num(n, "utilisation") * num(n, "cores");
    q.emplace_back("cores_busy", cores);
    if (coreHourCost) {
        q.emplace_back("cost_per_hour", cores * *coreHourCost);
        q.emplace_back("proxy_cost_per_hour", num(proxies, "total_vcpu") * *coreHourCost);
    }
    for (const Json& o : r["slo"]["objectives"])
        q.emplace_back("slo." + o["metric"].get<std::string>(), num(o, "actual"));
    return q;
}

// Rows of a scope (routes, services, edges): name -> quantities.
std::map<std::string, Quantities> scopeQuantities(const Json& r, const std::string& scope)
{
    std::map<std::string, Quantities> out;
    const double seconds = std::max(num(r, "measured_seconds"), 1e-9);
    if (scope == "routes") {
        for (const Json& route : r["routes"]) {
            Quantities& q = out[route["path"].get<std::string>()];
            requestQuantities(route, seconds, q);
        }
    } else if (scope == "services") {
        // A service's row, then one per named operation ("cart.get", as calls name it) and one
        // per version ("reviews@v2").
        const auto add = [&](const std::string& name, const Json& block) {
            Quantities& q = out[name];
            requestQuantities(block, seconds, q);
            const double requests = num(block, "requests");
            q.emplace_back("dependency_failure_rate",
                           requests > 0 ? num(block, "dependency_failures") / requests : 0.0);
        };
        for (const Json& service : r["services"]) {
            const std::string name = service["name"].get<std::string>();
            add(name, service);
            if (service.contains("operations"))
                for (const Json& op : service["operations"])
                    add(name + "." + op["name"].get<std::string>(), op);
            if (service.contains("versions"))
                for (const Json& version : service["versions"])
                    add(name + "@" + version["name"].get<std::string>(), version);
        }
    } else {
        for (const Json& e : r["edges"]) {
            Quantities& q = out[e["from"].get<std::string>() + " -> " + e["to"].get<std::string>()];
            const double calls = num(e, "requests");
            double errors = 0.0;
            for (const auto& [cause, n] : e["errors"].items())
                errors += n.get<double>();
            q.emplace_back("calls_per_second", calls / seconds);
            q.emplace_back("error_rate", calls > 0 ? errors / calls : 0.0);
            q.emplace_back("retries_per_call", calls > 0 ? num(e, "retries") / calls : 0.0);
        }
    }
    return out;
}

Json estimateJson(const Estimate& e)
{
    Json j;
    j["mean"] = e.mean;
    j["ci95"] = e.ci ? Json::array({e.low(), e.high()}) : Json(nullptr);
    j["sd"] = e.sd;
    j["n"] = e.n;
    return j;
}

Json differenceJson(const Difference& d)
{
    Json j;
    j["baseline"] = d.baseline;
    j["contender"] = d.contender;
    j["difference"] = d.value;
    j["ci95"] = d.ci ? Json::array({d.value - d.halfWidth, d.value + d.halfWidth}) : Json(nullptr);
    j["percent"] = d.baseline != 0.0 ? Json(d.percent()) : Json(nullptr);
    j["significant"] = d.significant;
    j["variance_ratio"] = d.varianceRatio >= 0.0 ? Json(d.varianceRatio) : Json(nullptr);
    return j;
}

// Samples per quantity name, in first-seen order, by replication: a row a run does not have (an
// edge without calls) counts 0 there, so that replication r of one design pairs with
// replication r of another.
struct Samples
{
    std::size_t replications = 1;
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> values;
    void add(std::size_t replication, const Quantities& q)
    {
        for (const auto& [name, v] : q) {
            auto [it, fresh] = values.try_emplace(name, std::vector<double>(replications, 0.0));
            if (fresh)
                order.push_back(name);
            it->second[replication] = v;
        }
    }
    Json estimates() const
    {
        Json j = Json::object();
        for (const std::string& name : order)
            j[name] = estimateJson(estimate(values.at(name)));
        return j;
    }
};

} // namespace

Json summarize(const Plan& plan, const std::vector<Json>& results)
{
    MESHSIM_ASSERT(results.size() == plan.runCount(), "a summary needs every run of its plan");
    std::set<std::string> causes;
    for (const Json& r : results)
        for (const auto& [cause, n] : r["summary"]["errors"].items())
            causes.insert(cause);
    const std::size_t designs = plan.designs.size();
    const auto differenceOf = [&](const std::vector<double>& b, const std::vector<double>& c) {
        return plan.commonRandomNumbers ? pairedDifference(b, c) : welchDifference(b, c);
    };
    static const char* const kScopes[] = {"routes", "services", "edges"};
    // What a "what changed" row may report (the rest follows from these).
    static const std::set<std::string> kChangedMetrics = {"throughput_rps",
                                                          "error_rate",
                                                          "latency_mean_ms",
                                                          "latency_p99_ms",
                                                          "dependency_failure_rate",
                                                          "calls_per_second",
                                                          "retries_per_call"};

    Json j;
    j["format"] = "meshsim-experiment/1";
    j["plan"] = plan.toJson();
    j["plan"].erase("designs");
    Json designList = Json::array();
    for (const Design& d : plan.designs)
        designList.push_back(
            {{"label", d.label},
             {"scenario", d.scenario},
             {"architecture", d.architecture ? Json(*d.architecture) : Json(nullptr)},
             {"gateway_kind", d.gatewayKind ? Json(*d.gatewayKind) : Json(nullptr)},
             {"mesh_kind", d.meshKind ? Json(*d.meshKind) : Json(nullptr)}});
    j["designs"] = designList;
    // The platforms the runs used (the scenarios' `engine`, or --engine).
    std::set<std::string> engines;
    for (const Json& r : results)
        engines.insert(r.value("engine", ""));
    j["engines"] = engines;
    j["statistics"] = plan.commonRandomNumbers
                          ? "95% Student t intervals over replications; differences paired "
                            "(common random numbers)"
                          : "95% Student t intervals over replications; differences by Welch's "
                            "unpaired interval (independent streams)";
    Json points = Json::array();
    for (std::size_t p = 0; p < plan.points(); ++p) {
        Json point;
        Json settings = Json::object();
        for (const topologies::Override& o : plan.settings(p))
            settings[o.path] = o.value;
        point["settings"] = settings;
        std::vector<Samples> overall(designs, Samples{plan.replications, {}, {}});
        std::vector<std::map<std::string, std::map<std::string, Samples>>> scoped(designs);
        std::vector<std::vector<Json>> sloRows(designs);
        Json designRows = Json::array();
        for (std::size_t d = 0; d < designs; ++d) {
            Json row;
            row["design"] = d;
            Json runs = Json::array();
            for (std::uint32_t rep = 0; rep < plan.replications; ++rep) {
                const std::size_t index = (p * designs + d) * plan.replications + rep;
                runs.push_back(index);
                const Json& r = results[index];
                overall[d].add(rep, runQuantities(r, causes, plan.coreHourCost));
                for (const char* scope : kScopes)
                    for (const auto& [name, q] : scopeQuantities(r, scope))
                        scoped[d][scope]
                            .try_emplace(name, Samples{plan.replications, {}, {}})
                            .first->second.add(rep, q);
            }
            row["runs"] = runs;
            row["seeds"] = Json::array();
            for (std::uint32_t rep = 0; rep < plan.replications; ++rep)
                row["seeds"].push_back(
                    results[(p * designs + d) * plan.replications + rep]["seed"]);
            row["metrics"] = overall[d].estimates();
            for (const char* scope : kScopes) {
                Json rows = Json::object();
                for (const auto& [name, samples] : scoped[d][scope])
                    rows[name] = samples.estimates();
                row[scope] = rows;
            }
            // SLO: each objective judged on its mean over replications.
            Json slo = Json::array();
            bool pass = true;
            const Json& first = results[(p * designs + d) * plan.replications]["slo"];
            for (const Json& o : first["objectives"]) {
                const std::string metric = o["metric"].get<std::string>();
                const Estimate e = estimate(overall[d].values.at("slo." + metric));
                const bool ok = e.mean <= num(o, "limit");
                std::size_t runsPassing = 0;
                for (std::uint32_t rep = 0; rep < plan.replications; ++rep)
                    for (const Json& x :
                         results[(p * designs + d) * plan.replications + rep]["slo"]["objectives"])
                        if (x["metric"] == o["metric"] && x["pass"].get<bool>())
                            ++runsPassing;
                slo.push_back({{"metric", metric},
                               {"limit", num(o, "limit")},
                               {"unit", o["unit"]},
                               {"mean", e.mean},
                               {"ci95", e.ci ? Json::array({e.low(), e.high()}) : Json(nullptr)},
                               {"pass", ok},
                               {"runs_passing", runsPassing}});
                pass = pass && ok;
            }
            row["slo"] = {{"pass", pass}, {"objectives", slo}};
            designRows.push_back(row);
        }
        point["designs"] = designRows;
        // Every contender against the first design.
        Json comparisons = Json::array();
        for (std::size_t d = 1; d < designs; ++d) {
            Json c;
            c["baseline"] = 0;
            c["contender"] = d;
            Json metrics = Json::object();
            for (const std::string& name : overall[0].order) {
                if (!overall[d].values.count(name))
                    continue;
                metrics[name] = differenceJson(
                    differenceOf(overall[0].values[name], overall[d].values[name]));
            }
            c["metrics"] = metrics;
            // What changed: the rows of routes, services and edges that moved beyond their CI.
            Json changed = Json::array();
            for (const char* scope : kScopes) {
                for (const auto& [name, base] : scoped[0][scope]) {
                    const auto other = scoped[d][scope].find(name);
                    if (other == scoped[d][scope].end())
                        continue;
                    for (const std::string& metric : base.order) {
                        if (!kChangedMetrics.count(metric) || !other->second.values.count(metric))
                            continue;
                        const Difference diff
                            = differenceOf(base.values.at(metric), other->second.values.at(metric));
                        if (!diff.significant)
                            continue;
                        Json row = differenceJson(diff);
                        row["scope"] = scope;
                        row["name"] = name;
                        row["metric"] = metric;
                        changed.push_back(row);
                    }
                }
                // Rows only one of the two designs has (a gateway, an ingress, their edges).
                for (const auto& [name, samples] : scoped[d][scope])
                    if (!scoped[0][scope].count(name))
                        changed.push_back({{"scope", scope}, {"name", name}, {"only_in", d}});
                for (const auto& [name, samples] : scoped[0][scope])
                    if (!scoped[d][scope].count(name))
                        changed.push_back({{"scope", scope}, {"name", name}, {"only_in", 0}});
            }
            c["changed"] = changed;
            comparisons.push_back(c);
        }
        point["comparisons"] = comparisons;
        points.push_back(point);
    }
    j["points"] = points;

    // A sweep: along the first axis, per design and per combination of the other axes.
    Json sweep = Json::array();
    if (plan.kind == "sweep" && !plan.axes.empty()) {
        const std::size_t along = plan.axes.front().values.size();
        const std::size_t others = plan.points() / along;
        for (std::size_t d = 0; d < designs; ++d) {
            for (std::size_t o = 0; o < others; ++o) {
                Json s;
                s["design"] = d;
                s["axis"] = plan.axes.front().path;
                Json fixed = Json::object();
                for (std::size_t k = 1; k < plan.axes.size(); ++k) {
                    const auto set = plan.settings(o)[k];
                    fixed[set.path] = set.value;
                }
                s["fixed"] = fixed;
                std::optional<double> limit = plan.p99LimitMs;
                Json rows = Json::array();
                std::vector<double> offered, throughput, goodput, p99;
                for (std::size_t i = 0; i < along; ++i) {
                    const Json& m = points[i * others + o]["designs"][d]["metrics"];
                    offered.push_back(m["offered_rps"]["mean"].get<double>());
                    throughput.push_back(m["throughput_rps"]["mean"].get<double>());
                    goodput.push_back(m["goodput_rps"]["mean"].get<double>());
                    p99.push_back(m["latency_p99_ms"]["mean"].get<double>());
                    rows.push_back({{"value", plan.axes.front().values[i]},
                                    {"offered_rps", offered.back()},
                                    {"throughput_rps", throughput.back()},
                                    {"goodput_rps", m["goodput_rps"]["mean"]},
                                    {"error_rate", m["error_rate"]["mean"]},
                                    {"latency_p99_ms", p99.back()}});
                    if (!limit)
                        for (const Json& x :
                             points[i * others + o]["designs"][d]["slo"]["objectives"])
                            if (x["metric"] == "p99")
                                limit = num(x, "limit");
                }
                s["points"] = rows;
                s["p99_limit_ms"] = limit ? Json(*limit) : Json(nullptr);
                // Along the offered load (an axis may run downwards, or not be the load).
                std::vector<std::size_t> order(along);
                for (std::size_t i = 0; i < along; ++i)
                    order[i] = i;
                std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                    return offered[a] < offered[b];
                });
                // The knee: the offered load at which the mean p99 reaches the limit, linear
                // between the last point under it and the first over it.
                Json knee = nullptr;
                std::string kneeNote = "no p99 limit (give --p99-limit or an slo.p99)";
                if (limit) {
                    kneeNote = "every point meets the limit: the knee lies beyond the range";
                    for (std::size_t k = 0; k < along; ++k) {
                        const std::size_t i = order[k];
                        if (p99[i] <= *limit)
                            continue;
                        if (k == 0) {
                            kneeNote = "the first point already misses the limit: the knee lies "
                                       "below the range";
                        } else {
                            const std::size_t h = order[k - 1];
                            const double f = (*limit - p99[h]) / (p99[i] - p99[h]);
                            knee = offered[h] + f * (offered[i] - offered[h]);
                            kneeNote = "between " + engine::formatFixed(offered[h], 1) + " and "
                                       + engine::formatFixed(offered[i], 1) + " requests/s offered";
                        }
                        break;
                    }
                }
                s["knee_offered_rps"] = knee;
                s["knee_note"] = kneeNote;
                // Saturation: the most successful requests per second the design answered, and
                // the least offered load of which it answers less than 95% successfully.
                s["saturation_throughput_rps"] = *std::max_element(goodput.begin(), goodput.end());
                Json saturated = nullptr;
                for (const std::size_t i : order)
                    if (goodput[i] < 0.95 * offered[i]) {
                        saturated = offered[i];
                        break;
                    }
                s["saturated_from_offered_rps"] = saturated;
                sweep.push_back(s);
            }
        }
    }
    j["sweep"] = sweep;
    return j;
}

MetricInfo metricInfo(const std::string& name)
{
    static const std::map<std::string, MetricInfo> kInfo = {
        {"offered_rps", {"offered load", "req/s", false}},
        {"throughput_rps", {"throughput", "req/s", false}},
        {"goodput_rps", {"goodput", "req/s", false}},
        {"error_rate", {"error rate", "fraction", true}},
        {"latency_mean_ms", {"latency mean", "ms", true}},
        {"latency_p50_ms", {"latency p50", "ms", true}},
        {"latency_p90_ms", {"latency p90", "ms", true}},
        {"latency_p99_ms", {"latency p99", "ms", true}},
        {"latency_p999_ms", {"latency p99.9", "ms", true}},
        {"ok_latency_mean_ms", {"latency of successes, mean", "ms", true}},
        {"ok_latency_p50_ms", {"latency of successes, p50", "ms", true}},
        {"ok_latency_p99_ms", {"latency of successes, p99", "ms", true}},
        {"retries_per_request", {"retries per request", "per request", true}},
        {"calls_per_request", {"calls per request", "per request", true}},
        {"proxy_vcpu", {"proxy CPU", "vCPU", true}},
        {"proxy_vcpu_per_1000_rps", {"proxy vCPU per 1000 req/s", "vCPU", true}},
        {"proxy_hops_per_request", {"proxy hops per request", "per request", true}},
        {"latency_per_proxy_hop_ms", {"latency added per proxy hop", "ms", true}},
        {"cores_busy", {"cores busy", "cores", true}},
        {"cost_per_hour", {"cost of the busy cores", "per hour", true}},
        {"proxy_cost_per_hour", {"cost of the proxies", "per hour", true}},
        {"dependency_failure_rate", {"failed by a call", "fraction", true}},
        {"calls_per_second", {"calls", "req/s", false}},
        {"retries_per_call", {"retries per call", "per call", true}},
    };
    if (const auto it = kInfo.find(name); it != kInfo.end())
        return it->second;
    if (name.rfind("errors.", 0) == 0)
        return {"errors: " + name.substr(7), "fraction", true};
    if (name.rfind("slo.", 0) == 0) {
        const std::string metric = name.substr(4);
        return {"SLO " + metric, metric == "error_rate" ? "fraction" : "ms", true};
    }
    return {name, "", true};
}

std::string formatMetric(const std::string& unit, double value)
{
    if (unit == "fraction")
        return engine::formatFixed(100.0 * value, 3) + "%";
    if (unit == "req/s")
        return engine::formatFixed(value, 1);
    if (unit == "count")
        return engine::formatFixed(value, 0);
    if (unit == "per hour")
        return engine::formatFixed(value, 2);
    return engine::formatFixed(value, 3);
}

bool sloFailed(const Json& summary)
{
    for (const Json& point : summary["points"])
        for (const Json& d : point["designs"])
            if (!d["slo"]["pass"].get<bool>())
                return true;
    return false;
}

} // namespace meshsim::run
