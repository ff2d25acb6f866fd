#include "topologies/internal/read_common.h"

#include "topologies/loader.h"
#include "topologies/units.h"

#include <algorithm>
#include <vector>

namespace meshsim::topologies::internal {

using engine::Distribution;
using engine::SimDuration;
namespace m = meshsim::models;

// --- distributions -------------------------------------------------------------------------

bool parseDistribution(Reader& reader,
                       const YAML::Node& node,
                       const std::string& path,
                       Distribution& out)
{
    reader.visit(node);
    if (node.IsScalar()) { // shorthand: a duration means a constant
        SimDuration value{0};
        if (!reader.parseNode(
                node,
                path,
                value,
                parseDuration,
                "a duration or a distribution such as {dist: exponential, mean: 2ms}"))
            return false;
        out = Distribution::constant(static_cast<double>(value.count()));
        return true;
    }
    Fields f(reader,
             node,
             path,
             {"dist",
              "value",
              "mean",
              "sigma",
              "median",
              "p99",
              "stddev",
              "min",
              "max",
              "scale",
              "shape",
              "values",
              "weights"});
    if (!f.valid())
        return false;
    enum class Kind { Constant, Exponential, LogNormal, Normal, Uniform, Pareto, Empirical };
    static constexpr EnumName<Kind> kKinds[] = {{"constant", Kind::Constant},
                                                {"exponential", Kind::Exponential},
                                                {"lognormal", Kind::LogNormal},
                                                {"normal", Kind::Normal},
                                                {"uniform", Kind::Uniform},
                                                {"pareto", Kind::Pareto},
                                                {"empirical", Kind::Empirical}};
    Kind kind = Kind::Constant;
    if (!f.find("dist")) {
        reader.error(node,
                     path,
                     "missing key \"dist\" (expected one of constant, exponential, "
                     "lognormal, normal, uniform, pareto, empirical)");
        return false;
    }
    if (!reader.readEnum(f, "dist", kind, kKinds))
        return false;
    {
        static const std::vector<std::vector<std::string_view>> kAllowed{
            {"value"},
            {"mean"},
            {"mean", "sigma", "median", "p99"},
            {"mean", "stddev"},
            {"min", "max"},
            {"scale", "shape"},
            {"values", "weights"}};
        const auto& allowed = kAllowed[static_cast<std::size_t>(kind)];
        bool clean = true;
        for (const auto& [key, value] : f.entries()) {
            if (key != "dist" && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                reader.error(
                    value,
                    f.pathOf(key),
                    quote(key) + " does not apply to dist " + f.find("dist")->Scalar()
                        + " (it takes " +
                        [&] {
                            std::string list;
                            for (const auto k : allowed)
                                list += (list.empty() ? "" : ", ") + std::string(k);
                            return list;
                        }()
                        + ")");
                clean = false;
            }
        }
        if (kind == Kind::LogNormal && (f.find("median") || f.find("p99"))
            && (f.find("mean") || f.find("sigma"))) {
            reader.error(
                node, path, "lognormal takes either median + p99 or mean + sigma, not both");
            clean = false;
        }
        if (!clean)
            return false;
    }
    const auto need = [&](std::string_view key, SimDuration& value, bool positive) {
        if (!f.find(key)) {
            reader.error(node, path, "missing key " + quote(key) + " for this distribution");
            return false;
        }
        return reader.readDuration(f, key, value, positive);
    };
    const auto ns = [](SimDuration d) { return static_cast<double>(d.count()); };
    SimDuration a{0};
    SimDuration b{0};
    switch (kind) {
    case Kind::Constant:
        if (!need("value", a, false))
            return false;
        out = Distribution::constant(ns(a));
        return true;
    case Kind::Exponential:
        if (!need("mean", a, true))
            return false;
        out = Distribution::exponential(ns(a));
        return true;
    case Kind::LogNormal: {
        if (f.find("median") || f.find("p99")) {
            if (!need("median", a, true) || !need("p99", b, true))
                return false;
            if (b <= a) {
                reader.expected(
                    *f.find("p99"), f.pathOf("p99"), "a p99 above the median", "impossible value");
                return false;
            }
            out = Distribution::logNormalFromMedianP99(ns(a), ns(b));
            return true;
        }
        double sigma = 0.0;
        if (!need("mean", a, true))
            return false;
        if (!f.find("sigma")) {
            reader.error(node,
                         path,
                         "missing key \"sigma\" (lognormal takes mean + sigma, the "
                         "standard deviation of ln X, or median + p99)");
            return false;
        }
        if (!reader.readNumber(f, "sigma", sigma, 0.0, 10.0, "a sigma between 0 and 10 (of ln X)"))
            return false;
        out = Distribution::logNormalFromMean(ns(a), sigma);
        return true;
    }
    case Kind::Normal:
        if (!need("mean", a, true) || !need("stddev", b, false))
            return false;
        out = Distribution::normal(ns(a), ns(b));
        return true;
    case Kind::Uniform:
        if (!need("min", a, false) || !need("max", b, false))
            return false;
        if (b < a) {
            reader.expected(*f.find("max"), f.pathOf("max"), "max >= min", "impossible value");
            return false;
        }
        out = Distribution::uniform(ns(a), ns(b));
        return true;
    case Kind::Pareto: {
        double shape = 0.0;
        if (!need("scale", a, true))
            return false;
        if (!f.find("shape")) {
            reader.error(node, path, "missing key \"shape\" for this distribution");
            return false;
        }
        if (!reader.readNumber(f, "shape", shape, 0.01, 100.0, "a shape between 0.01 and 100"))
            return false;
        if (shape <= 1.0)
            reader.warning(*f.find("shape"),
                           f.pathOf("shape"),
                           "a Pareto shape <= 1 has an infinite mean: averages will not converge");
        out = Distribution::pareto(ns(a), shape);
        return true;
    }
    case Kind::Empirical: {
        const YAML::Node* values = f.find("values");
        if (!values) {
            reader.error(node, path, "missing key \"values\" (a list of durations)");
            return false;
        }
        std::vector<double> samples;
        bool good = true;
        reader.forEachItem(*values,
                           f.pathOf("values"),
                           "durations",
                           [&](const YAML::Node& item, const std::string& p) {
                               SimDuration v{0};
                               if (reader.parseNode(item, p, v, parseDuration, "a duration"))
                                   samples.push_back(ns(v));
                               else
                                   good = false;
                           });
        std::vector<double> weights;
        if (const YAML::Node* w = f.find("weights")) {
            reader.forEachItem(*w,
                               f.pathOf("weights"),
                               "weights",
                               [&](const YAML::Node& item, const std::string& p) {
                                   if (!reader.scalar(item, p, "a positive weight"))
                                       return;
                                   const auto number = parseNumber(item.Scalar());
                                   if (!number || *number <= 0.0) {
                                       reader.expected(item, p, "a positive weight");
                                       good = false;
                                       return;
                                   }
                                   weights.push_back(*number);
                               });
            if (good && weights.size() != samples.size()) {
                reader.error(*w,
                             f.pathOf("weights"),
                             "one weight per value expected (" + std::to_string(samples.size())
                                 + " values, " + std::to_string(weights.size()) + " weights)");
                good = false;
            }
        }
        if (good && samples.empty()) {
            reader.error(*values, f.pathOf("values"), "an empirical distribution needs values");
            good = false;
        }
        if (!good)
            return false;
        out = Distribution::empirical(std::move(samples), std::move(weights));
        return true;
    }
    }
    return false;
}

bool readDistribution(Reader& reader, const Fields& f, std::string_view key, Distribution& out)
{
    const YAML::Node* node = f.find(key);
    return node && parseDistribution(reader, *node, f.pathOf(key), out);
}

// --- policies and placement ----------------------------------------------------------------

bool readMethod(Reader& reader, const Fields& f, std::string_view key, std::string& out)
{
    const YAML::Node* node = f.find(key);
    if (!node || !reader.scalar(*node, f.pathOf(key), "an HTTP method"))
        return false;
    const std::string& value = node->Scalar();
    const bool token = !value.empty() && value.size() <= 32
                       && std::all_of(value.begin(), value.end(), [](char c) {
                              return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
                          });
    if (!token) {
        std::string upper = value;
        for (char& c : upper)
            c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        reader.error(*node,
                     f.pathOf(key),
                     "expected an HTTP method in capitals, as requests carry it (GET, POST, PUT, "
                     "DELETE, PATCH, ...)"
                         + (upper != value && !upper.empty() && upper.size() <= 32
                                ? ": write " + quote(upper)
                                : std::string()));
        return false;
    }
    out = value;
    return true;
}

void readRetries(Reader& reader,
                 const YAML::Node& node,
                 const std::string& path,
                 m::RetryConfig& out)
{
    if (node.IsScalar()) { // `retries: 3`: the count alone is a common first try
        reader.visit(node);
        reader.error(node,
                     path,
                     "a retry policy is a mapping: write \"" + path.substr(path.rfind('.') + 1)
                         + ": {attempts: " + node.Scalar()
                         + "}\" (attempts: the retries after the first try; see "
                           "docs/scenario-format.md#retry-policy)");
        return;
    }
    Fields f(reader,
             node,
             path,
             {"attempts",
              "per_try_timeout",
              "retry_on",
              "backoff",
              "budget",
              "hedge_on_per_try_timeout"});
    if (!f.valid())
        return;
    reader.readCount(f, "attempts", out.attempts, 0, 100);
    reader.readDuration(f, "per_try_timeout", out.perTryTimeout, true);
    reader.readBool(f, "hedge_on_per_try_timeout", out.hedgeOnPerTryTimeout);
    if (const YAML::Node* on = f.find("retry_on")) {
        static const std::vector<std::string> kConditions{"5xx",
                                                          "gateway-error",
                                                          "reset",
                                                          "connect-failure",
                                                          "retriable-4xx",
                                                          "refused-stream",
                                                          "retriable-status-codes",
                                                          "unavailable",
                                                          "cancelled",
                                                          "deadline-exceeded",
                                                          "resource-exhausted",
                                                          "internal"};
        out.retryOn.clear();
        reader.forEachItem(*on,
                           f.pathOf("retry_on"),
                           "retry conditions",
                           [&](const YAML::Node& item, const std::string& p) {
                               if (!reader.scalar(item, p, "a retry condition"))
                                   return;
                               if (std::find(kConditions.begin(), kConditions.end(), item.Scalar())
                                   == kConditions.end()) {
                                   std::string message
                                       = "unknown retry condition " + quote(item.Scalar());
                                   if (const auto hint = closestMatch(item.Scalar(), kConditions))
                                       message += " (did you mean " + quote(*hint) + "?)";
                                   reader.error(item, p, message);
                                   return;
                               }
                               out.retryOn.push_back(item.Scalar());
                           });
    }
    if (const YAML::Node* b = f.find("backoff")) {
        Fields bf(reader, *b, f.pathOf("backoff"), {"base", "max"});
        if (bf.valid()) {
            reader.readDuration(bf, "base", out.backoffBase, true);
            if (!bf.find("max") && bf.find("base"))
                out.backoffMax = out.backoffBase * 10; // Envoy: max defaults to 10 x base
            reader.readDuration(bf, "max", out.backoffMax, true);
            if (out.backoffMax < out.backoffBase)
                reader.error(*b, f.pathOf("backoff"), "impossible value (expected max >= base)");
        }
    }
    if (const YAML::Node* b = f.find("budget")) {
        Fields bf(reader, *b, f.pathOf("budget"), {"percent", "min_concurrency"});
        if (bf.valid()) {
            double percent = 0.2;
            reader.readFraction(bf, "percent", percent);
            out.budgetPercent = percent;
            reader.readCount(bf, "min_concurrency", out.budgetMinConcurrency, 0, 1'000'000);
        }
    }
}

void readThresholds(Reader& reader,
                    const YAML::Node& node,
                    const std::string& path,
                    m::CircuitBreakerThresholds& out,
                    bool zeroIsUnset)
{
    Fields c(reader,
             node,
             path,
             {"max_connections", "max_pending_requests", "max_requests", "max_retries"});
    if (!c.valid())
        return;
    const auto read = [&](std::string_view key, std::uint32_t& value, std::uint32_t least) {
        if (zeroIsUnset) {
            std::uint32_t v = value;
            if (reader.readCount(c, key, v, 0, m::kUnlimited, true))
                value = v == 0 ? m::kUnlimited : v;
            return;
        }
        reader.readCount(c, key, value, least, m::kUnlimited, true);
    };
    read("max_connections", out.maxConnections, 1);
    read("max_pending_requests", out.maxPendingRequests, 1);
    read("max_requests", out.maxRequests, 1);
    read("max_retries", out.maxRetries, 0);
}

void readLoadBalancer(Reader& reader,
                      const YAML::Node& node,
                      const std::string& path,
                      m::LoadBalancerConfig& out)
{
    static constexpr EnumName<m::LoadBalancerPolicy> kPolicies[]
        = {{"round_robin", m::LoadBalancerPolicy::RoundRobin},
           {"least_request", m::LoadBalancerPolicy::LeastRequest},
           {"random", m::LoadBalancerPolicy::Random},
           {"ring_hash", m::LoadBalancerPolicy::RingHash},
           {"maglev", m::LoadBalancerPolicy::Maglev},
           {"peak_ewma", m::LoadBalancerPolicy::PeakEwma}};
    reader.visit(node);
    if (node.IsScalar()) {
        reader.parseEnum(node, path, out.policy, kPolicies);
        return;
    }
    Fields f(reader,
             node,
             path,
             {"policy",
              "choice_count",
              "active_request_bias",
              "panic_threshold",
              "zone_aware",
              "locality_failover"});
    if (!f.valid())
        return;
    reader.readEnum(f, "policy", out.policy, kPolicies);
    reader.readBool(f, "locality_failover", out.localityFailover);
    reader.readCount(f, "choice_count", out.choiceCount, 2, 100);
    reader.readNumber(
        f, "active_request_bias", out.activeRequestBias, 0.0, 100.0, "a bias between 0 and 100");
    out.panicThresholdSet = reader.readFraction(f, "panic_threshold", out.panicThreshold);
    reader.readBool(f, "zone_aware", out.zoneAware);
}

void readPlacement(Context& ctx,
                   const YAML::Node& node,
                   const std::string& path,
                   m::PlacementConstraint& out)
{
    Reader& reader = ctx.reader;
    Fields f(reader, node, path, {"nodes", "zones"});
    if (!f.valid())
        return;
    if (const YAML::Node* nodes = f.find("nodes")) {
        reader.forEachItem(*nodes,
                           f.pathOf("nodes"),
                           "node names",
                           [&](const YAML::Node& item, const std::string& p) {
                               if (const auto index = ctx.names.node(item, p))
                                   out.nodes.push_back(*index);
                           });
    }
    if (const YAML::Node* zones = f.find("zones")) {
        reader.forEachItem(*zones,
                           f.pathOf("zones"),
                           "zone names",
                           [&](const YAML::Node& item, const std::string& p) {
                               if (const auto index = ctx.names.zone(item, p))
                                   out.zones.push_back(*index);
                           });
    }
}

} // namespace meshsim::topologies::internal
