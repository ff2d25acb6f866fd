#include "topologies/loader.h"

#include "topologies/builtin_scenarios.h"
#include "topologies/internal/names.h"
#include "topologies/internal/yaml_reader.h"
#include "topologies/placement.h"
#include "topologies/topology_graph.h"
#include "topologies/units.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace meshsim::topologies {

using engine::Distribution;
using engine::SimDuration;
namespace m = meshsim::models;

std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates)
{
    const auto distance = [](std::string_view a, std::string_view b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j)
            row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t up = row[j];
                const bool same = std::tolower(static_cast<unsigned char>(a[i - 1]))
                                  == std::tolower(static_cast<unsigned char>(b[j - 1]));
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
                diagonal = up;
            }
        }
        return row[b.size()];
    };
    std::optional<std::string> best;
    std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& candidate : candidates) {
        const std::size_t d = distance(word, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    return best;
}

namespace {

using internal::BudgetExceeded;
using internal::EnumName;
using internal::Fields;
using internal::quote;

// The reader of one file: the toolkit, the names references resolve against, one member per
// section.
class Loader : public internal::Reader
{
public:
    Loader(std::string file, const LoadLimits& limits, std::vector<Diagnostic>& diagnostics)
        : Reader(std::move(file), limits, diagnostics)
    {}

    void load(const YAML::Node& root, Scenario& scenario);

    // --- structured values -------------------------------------------------------------------
    bool distribution(const YAML::Node& node, const std::string& path, Distribution& out);
    bool readDistribution(const Fields& f, std::string_view key, Distribution& out)
    {
        const YAML::Node* node = f.find(key);
        return node && distribution(*node, f.pathOf(key), out);
    }

    // --- sections ----------------------------------------------------------------------------
    void platform(const YAML::Node& node, Scenario& s);
    void link(const Fields& f, std::string_view key, m::LinkConfig& out);
    void placement(const YAML::Node& node, const std::string& path, m::PlacementConstraint& out);
    void services(const YAML::Node& node, Scenario& s);
    void steps(const YAML::Node& node,
               const std::string& path,
               std::vector<m::Step>& out,
               int depth,
               std::uint32_t caller);
    void routes(const YAML::Node& node, Scenario& s);
    void retries(const YAML::Node& node, const std::string& path, m::RetryConfig& out);
    void loadBalancer(const YAML::Node& node, const std::string& path, m::LoadBalancerConfig& out);
    void gateway(const YAML::Node& node, Scenario& s);
    void mesh(const YAML::Node& node, Scenario& s);
    void meshPolicy(const Fields& f, m::MeshPolicy& out);
    void workloads(const YAML::Node& node, Scenario& s);
    void arrival(const YAML::Node& node, const std::string& path, m::ArrivalConfig& out);
    void faults(const YAML::Node& node, Scenario& s);
    void slo(const YAML::Node& node, Scenario& s);
    void
    libraryClient(const YAML::Node& node, const std::string& path, m::LibraryClientConfig& out);

    void validateTopology(const YAML::Node& root, Scenario& s);

private:
    internal::Names m_names{*this};
    // Where each call edge was written, to point at the step that closes a cycle.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<YAML::Mark, std::string>>
        m_callSites;
    std::uint64_t m_totalInstances = 0;
};

// --- distributions -------------------------------------------------------------------------

bool Loader::distribution(const YAML::Node& node, const std::string& path, Distribution& out)
{
    visit(node);
    if (node.IsScalar()) { // shorthand: a duration means a constant
        SimDuration value{0};
        if (!parseNode(node,
                       path,
                       value,
                       parseDuration,
                       "a duration or a distribution such as {dist: exponential, mean: 2ms}"))
            return false;
        out = Distribution::constant(static_cast<double>(value.count()));
        return true;
    }
    Fields f(*this,
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
        error(node,
              path,
              "missing key \"dist\" (expected one of constant, exponential, "
              "lognormal, normal, uniform, pareto, empirical)");
        return false;
    }
    if (!readEnum(f, "dist", kind, kKinds))
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
                error(
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
            error(node, path, "lognormal takes either median + p99 or mean + sigma, not both");
            clean = false;
        }
        if (!clean)
            return false;
    }
    const auto need = [&](std::string_view key, SimDuration& value, bool positive) {
        if (!f.find(key)) {
            error(node, path, "missing key " + quote(key) + " for this distribution");
            return false;
        }
        return readDuration(f, key, value, positive);
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
                expected(
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
            error(node,
                  path,
                  "missing key \"sigma\" (lognormal takes mean + sigma, the "
                  "standard deviation of ln X, or median + p99)");
            return false;
        }
        if (!readNumber(f, "sigma", sigma, 0.0, 10.0, "a sigma between 0 and 10 (of ln X)"))
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
            expected(*f.find("max"), f.pathOf("max"), "max >= min", "impossible value");
            return false;
        }
        out = Distribution::uniform(ns(a), ns(b));
        return true;
    case Kind::Pareto: {
        double shape = 0.0;
        if (!need("scale", a, true))
            return false;
        if (!f.find("shape")) {
            error(node, path, "missing key \"shape\" for this distribution");
            return false;
        }
        if (!readNumber(f, "shape", shape, 0.01, 100.0, "a shape between 0.01 and 100"))
            return false;
        if (shape <= 1.0)
            warning(*f.find("shape"),
                    f.pathOf("shape"),
                    "a Pareto shape <= 1 has an infinite mean: averages will not converge");
        out = Distribution::pareto(ns(a), shape);
        return true;
    }
    case Kind::Empirical: {
        const YAML::Node* values = f.find("values");
        if (!values) {
            error(node, path, "missing key \"values\" (a list of durations)");
            return false;
        }
        std::vector<double> samples;
        bool good = true;
        forEachItem(*values,
                    f.pathOf("values"),
                    "durations",
                    [&](const YAML::Node& item, const std::string& p) {
                        SimDuration v{0};
                        if (parseNode(item, p, v, parseDuration, "a duration"))
                            samples.push_back(ns(v));
                        else
                            good = false;
                    });
        std::vector<double> weights;
        if (const YAML::Node* w = f.find("weights")) {
            forEachItem(*w,
                        f.pathOf("weights"),
                        "weights",
                        [&](const YAML::Node& item, const std::string& p) {
                            if (!scalar(item, p, "a positive weight"))
                                return;
                            const auto number = parseNumber(item.Scalar());
                            if (!number || *number <= 0.0) {
                                expected(item, p, "a positive weight");
                                good = false;
                                return;
                            }
                            weights.push_back(*number);
                        });
            if (good && weights.size() != samples.size()) {
                error(*w,
                      f.pathOf("weights"),
                      "one weight per value expected (" + std::to_string(samples.size())
                          + " values, " + std::to_string(weights.size()) + " weights)");
                good = false;
            }
        }
        if (good && samples.empty()) {
            error(*values, f.pathOf("values"), "an empirical distribution needs values");
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

// --- platform ------------------------------------------------------------------------------

void Loader::link(const Fields& f, std::string_view key, m::LinkConfig& out)
{
    const YAML::Node* node = f.find(key);
    if (!node)
        return;
    Fields l(*this, *node, f.pathOf(key), {"latency", "bandwidth"});
    if (!l.valid())
        return;
    readDuration(l, "latency", out.latency);
    readBandwidth(l, "bandwidth", out.bitsPerSecond);
}

void Loader::platform(const YAML::Node& node, Scenario& s)
{
    Fields f(*this,
             node,
             "platform",
             {"zones", "nodes", "network", "client_network", "placement", "connect_timeout"});
    if (!f.valid())
        return;
    m::PlatformConfig& p = s.platform;
    if (const YAML::Node* zones = f.find("zones")) {
        p.zones.clear();
        forEachItem(*zones,
                    f.pathOf("zones"),
                    "zone names",
                    [&](const YAML::Node& item, const std::string& path) {
                        if (!scalar(item, path, "a zone name"))
                            return;
                        if (std::find(p.zones.begin(), p.zones.end(), item.Scalar())
                            != p.zones.end()) {
                            error(item, path, "duplicate zone " + quote(item.Scalar()));
                            return;
                        }
                        p.zones.push_back(item.Scalar());
                    });
        if (p.zones.empty())
            p.zones.emplace_back("default");
    }
    m_names.setZones(p.zones);
    if (const YAML::Node* nodes = f.find("nodes")) {
        forEachItem(
            *nodes,
            f.pathOf("nodes"),
            "nodes",
            [&](const YAML::Node& item, const std::string& path) {
                if (p.nodes.size() >= limits().maxNodes) {
                    if (p.nodes.size() == limits().maxNodes)
                        error(item,
                              path,
                              "too many nodes (at most " + std::to_string(limits().maxNodes) + ")");
                    p.nodes.emplace_back();
                    return;
                }
                Fields n(*this, item, path, {"name", "zone", "cores", "speed"});
                if (!n.valid())
                    return;
                m::NodeConfig config;
                if (!n.find("name"))
                    error(item, path, "missing key \"name\"");
                readName(n, "name", config.name);
                if (const YAML::Node* z = n.find("zone")) {
                    if (const auto index = m_names.zone(*z, n.pathOf("zone")))
                        config.zone = *index;
                } else if (p.zones.size() > 1) {
                    error(item, path, "missing key \"zone\" (the platform has several zones)");
                }
                readCount(n, "cores", config.cores, 1, 4096);
                readNumber(n,
                           "speed",
                           config.speed,
                           0.001,
                           1000.0,
                           "a relative speed between 0.001 and 1000 (1 = reference CPU)");
                if (!config.name.empty()
                    && std::find(m_names.nodes().begin(), m_names.nodes().end(), config.name)
                           != m_names.nodes().end())
                    error(
                        *n.find("name"), n.pathOf("name"), "duplicate node " + quote(config.name));
                m_names.addNode(config.name);
                p.nodes.push_back(config);
            });
        p.declaredNodes = !p.nodes.empty();
    }
    if (const YAML::Node* network = f.find("network")) {
        visit(*network);
        if (network->IsScalar() && network->Scalar() == "ideal") {
            p.sameNode = p.sameZone = p.crossZone = m::LinkConfig{SimDuration{0}, 0.0};
        } else if (network->IsScalar()) {
            expected(*network,
                     f.pathOf("network"),
                     "ideal (no network cost) or a mapping of same_node, same_zone, cross_zone");
        } else {
            Fields n(
                *this, *network, f.pathOf("network"), {"same_node", "same_zone", "cross_zone"});
            if (n.valid()) {
                link(n, "same_node", p.sameNode);
                link(n, "same_zone", p.sameZone);
                link(n, "cross_zone", p.crossZone);
            }
        }
    }
    link(f, "client_network", p.client);
    // A transfer between zones also crosses each zone's own network (the SimGrid platform builds
    // it that way), so the cross-zone class cannot be faster than the same-zone one.
    const bool slowerBandwidth = p.sameZone.bitsPerSecond == 0.0
                                 || (p.crossZone.bitsPerSecond > 0.0
                                     && p.crossZone.bitsPerSecond <= p.sameZone.bitsPerSecond);
    if (p.zones.size() > 1 && (p.crossZone.latency < p.sameZone.latency || !slowerBandwidth))
        error(f.nodeOr("network", node),
              f.pathOf("network.cross_zone"),
              "impossible value (expected cross_zone to be no faster than same_zone: a latency of "
              "at least "
                  + formatDuration(p.sameZone.latency)
                  + " and a bandwidth no higher; a "
                    "transfer between zones also crosses each zone's network)");
    static constexpr EnumName<m::PlacementStrategy> kPlacement[]
        = {{"spread", m::PlacementStrategy::Spread}, {"pack", m::PlacementStrategy::Pack}};
    readEnum(f, "placement", p.placement, kPlacement);
    readDuration(f, "connect_timeout", s.system.connectTimeout, true);
}

void Loader::placement(const YAML::Node& node, const std::string& path, m::PlacementConstraint& out)
{
    Fields f(*this, node, path, {"nodes", "zones"});
    if (!f.valid())
        return;
    if (const YAML::Node* nodes = f.find("nodes")) {
        forEachItem(*nodes,
                    f.pathOf("nodes"),
                    "node names",
                    [&](const YAML::Node& item, const std::string& p) {
                        if (const auto index = m_names.node(item, p))
                            out.nodes.push_back(*index);
                    });
    }
    if (const YAML::Node* zones = f.find("zones")) {
        forEachItem(*zones,
                    f.pathOf("zones"),
                    "zone names",
                    [&](const YAML::Node& item, const std::string& p) {
                        if (const auto index = m_names.zone(item, p))
                            out.zones.push_back(*index);
                    });
    }
}

// --- services ------------------------------------------------------------------------------

void Loader::steps(const YAML::Node& node,
                   const std::string& path,
                   std::vector<m::Step>& out,
                   int depth,
                   std::uint32_t caller)
{
    if (depth > limits().maxStepDepth) {
        error(node,
              path,
              "steps nested too deeply (at most " + std::to_string(limits().maxStepDepth)
                  + " levels of parallel/sequence)");
        return;
    }
    forEachItem(node, path, "steps", [&](const YAML::Node& item, const std::string& p) {
        m::Step step;
        if (item.IsScalar()) { // shorthand: "- catalog" calls catalog
            if (const auto callee = m_names.service(item, p)) {
                step.service = *callee;
                m_callSites.try_emplace({caller, *callee}, item.Mark(), p);
                out.push_back(step);
            }
            return;
        }
        Fields f(
            *this, item, p, {"call", "probability", "request", "optional", "parallel", "sequence"});
        if (!f.valid())
            return;
        const int kinds = (f.find("call") ? 1 : 0) + (f.find("parallel") ? 1 : 0)
                          + (f.find("sequence") ? 1 : 0);
        if (kinds != 1) {
            error(item,
                  p,
                  kinds == 0 ? "a step needs one of \"call\", \"parallel\" or \"sequence\""
                             : "a step has exactly one of \"call\", \"parallel\" or \"sequence\"");
            return;
        }
        if (const YAML::Node* call = f.find("call")) {
            const auto callee = m_names.service(*call, f.pathOf("call"));
            readFraction(f, "probability", step.probability);
            readSize(f, "request", step.requestBytes);
            readBool(f, "optional", step.optional);
            if (callee) {
                step.service = *callee;
                m_callSites.try_emplace({caller, *callee}, call->Mark(), f.pathOf("call"));
                out.push_back(step);
            }
            return;
        }
        for (const char* key : {"probability", "request", "optional"}) {
            if (f.find(key))
                error(*f.find(key),
                      f.pathOf(key),
                      std::string("\"") + key + "\" applies to a call, not to a group");
        }
        const bool parallel = f.find("parallel") != nullptr;
        step.kind = parallel ? m::Step::Kind::Parallel : m::Step::Kind::Sequence;
        const char* key = parallel ? "parallel" : "sequence";
        steps(*f.find(key), f.pathOf(key), step.children, depth + 1, caller);
        out.push_back(std::move(step));
    });
}

void Loader::libraryClient(const YAML::Node& node,
                           const std::string& path,
                           m::LibraryClientConfig& out)
{
    Fields f(*this, node, path, {"circuit_breaker", "retries", "timeout"});
    if (!f.valid())
        return;
    if (const YAML::Node* cb = f.find("circuit_breaker")) {
        Fields c(*this,
                 *cb,
                 f.pathOf("circuit_breaker"),
                 {"kind",
                  "failure_rate_threshold",
                  "sliding_window",
                  "minimum_calls",
                  "wait_in_open",
                  "half_open_calls"});
        if (c.valid()) {
            m::LibraryCircuitBreakerConfig config;
            using K = m::LibraryCircuitBreakerConfig::Kind;
            static constexpr EnumName<K> kKinds[]
                = {{"resilience4j", K::Resilience4j}, {"hystrix", K::Hystrix}};
            readEnum(c, "kind", config.kind, kKinds);
            if (config.kind == K::Hystrix) { // Hystrix defaults, reference/semantics.md §8
                config.failureRateThreshold = 0.5;
                config.slidingWindow = 10; // seconds: 10 buckets of 1 s
                config.minimumCalls = 20;  // requestVolumeThreshold
                config.waitInOpen = SimDuration{5'000'000'000};
                config.halfOpenCalls = 1;
            }
            readFraction(c, "failure_rate_threshold", config.failureRateThreshold);
            readCount(c, "sliding_window", config.slidingWindow, 1, 1'000'000);
            readCount(c, "minimum_calls", config.minimumCalls, 1, 1'000'000);
            readDuration(c, "wait_in_open", config.waitInOpen, true);
            readCount(c, "half_open_calls", config.halfOpenCalls, 1, 1'000'000);
            out.circuitBreaker = config;
        }
    }
    if (const YAML::Node* r = f.find("retries")) {
        m::RetryConfig config;
        retries(*r, f.pathOf("retries"), config);
        out.retries = config;
    }
    readDuration(f, "timeout", out.timeout, true);
}

void Loader::services(const YAML::Node& node, Scenario& s)
{
    forEachItem(node, "services", "services", [&](const YAML::Node& item, const std::string& p) {
        const auto index = static_cast<std::uint32_t>(s.system.services.size());
        m::ServiceConfig config;
        Fields f(*this,
                 item,
                 p,
                 {"name",
                  "replicas",
                  "workers",
                  "queue",
                  "cpu",
                  "errors",
                  "response",
                  "steps",
                  "placement",
                  "client"});
        if (f.valid()) {
            if (!f.find("name"))
                error(item, p, "missing key \"name\"");
            readName(f, "name", config.name);
            if (!config.name.empty()
                && std::find(
                       m_names.services().begin(), m_names.services().begin() + index, config.name)
                       != m_names.services().begin() + index)
                error(*f.find("name"), f.pathOf("name"), "duplicate service " + quote(config.name));
            if (config.name == "gateway" || config.name == "ingress")
                error(*f.find("name"),
                      f.pathOf("name"),
                      "the name " + quote(config.name)
                          + " is reserved for the proxy tier of that name (results list it "
                            "among the services)");
            readCount(f, "replicas", config.replicas, 1, limits().maxReplicas);
            readCount(f, "workers", config.workers, 1, limits().maxWorkers);
            readCount(f, "queue", config.queue, 0, 100'000'000, true);
            readDistribution(f, "cpu", config.cpu);
            readFraction(f, "errors", config.errorRate);
            readSize(f, "response", config.responseBytes);
            if (const YAML::Node* st = f.find("steps"))
                steps(*st, f.pathOf("steps"), config.steps, 0, index);
            if (const YAML::Node* pl = f.find("placement"))
                placement(*pl, f.pathOf("placement"), config.placement);
            if (const YAML::Node* c = f.find("client"))
                libraryClient(*c, f.pathOf("client"), config.client);
            m_totalInstances += config.replicas;
        }
        s.system.services.push_back(std::move(config));
    });
    if (s.system.services.size() > limits().maxServices)
        error(node,
              "services",
              "too many services (" + std::to_string(s.system.services.size()) + ", at most "
                  + std::to_string(limits().maxServices) + ")");
    if (m_totalInstances > limits().maxInstances)
        error(node,
              "services",
              "too many instances in all (" + std::to_string(m_totalInstances) + ", at most "
                  + std::to_string(limits().maxInstances) + ")");
}

// --- routes --------------------------------------------------------------------------------

void Loader::retries(const YAML::Node& node, const std::string& path, m::RetryConfig& out)
{
    Fields f(*this,
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
    readCount(f, "attempts", out.attempts, 0, 100);
    readDuration(f, "per_try_timeout", out.perTryTimeout, true);
    readBool(f, "hedge_on_per_try_timeout", out.hedgeOnPerTryTimeout);
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
        forEachItem(*on,
                    f.pathOf("retry_on"),
                    "retry conditions",
                    [&](const YAML::Node& item, const std::string& p) {
                        if (!scalar(item, p, "a retry condition"))
                            return;
                        if (std::find(kConditions.begin(), kConditions.end(), item.Scalar())
                            == kConditions.end()) {
                            std::string message = "unknown retry condition " + quote(item.Scalar());
                            if (const auto hint = closestMatch(item.Scalar(), kConditions))
                                message += " (did you mean " + quote(*hint) + "?)";
                            error(item, p, message);
                            return;
                        }
                        out.retryOn.push_back(item.Scalar());
                    });
    }
    if (const YAML::Node* b = f.find("backoff")) {
        Fields bf(*this, *b, f.pathOf("backoff"), {"base", "max"});
        if (bf.valid()) {
            readDuration(bf, "base", out.backoffBase, true);
            if (!bf.find("max") && bf.find("base"))
                out.backoffMax = out.backoffBase * 10; // Envoy: max defaults to 10 x base
            readDuration(bf, "max", out.backoffMax, true);
            if (out.backoffMax < out.backoffBase)
                error(*b, f.pathOf("backoff"), "impossible value (expected max >= base)");
        }
    }
    if (const YAML::Node* b = f.find("budget")) {
        Fields bf(*this, *b, f.pathOf("budget"), {"percent", "min_concurrency"});
        if (bf.valid()) {
            double percent = 0.2;
            readFraction(bf, "percent", percent);
            out.budgetPercent = percent;
            readCount(bf, "min_concurrency", out.budgetMinConcurrency, 0, 1'000'000);
        }
    }
}

void Loader::routes(const YAML::Node& node, Scenario& s)
{
    forEachItem(node, "routes", "routes", [&](const YAML::Node& item, const std::string& p) {
        m::RouteConfig config;
        Fields f(*this,
                 item,
                 p,
                 {"path",
                  "prefix",
                  "headers",
                  "to",
                  "aggregate",
                  "sequence",
                  "split",
                  "timeout",
                  "retries"});
        if (f.valid()) {
            if (!f.find("path"))
                error(item, p, "missing key \"path\"");
            readName(f, "path", config.path);
            const auto index = s.system.routes.size();
            if (!config.path.empty() && config.path.front() != '/')
                expected(*f.find("path"), f.pathOf("path"), "a path starting with /");
            if (!config.path.empty()
                && std::find(m_names.routes().begin(),
                             m_names.routes().begin() + static_cast<std::ptrdiff_t>(index),
                             config.path)
                       != m_names.routes().begin() + static_cast<std::ptrdiff_t>(index))
                error(*f.find("path"), f.pathOf("path"), "duplicate route " + quote(config.path));
            const int kinds = (f.find("to") ? 1 : 0) + (f.find("aggregate") ? 1 : 0)
                              + (f.find("sequence") ? 1 : 0) + (f.find("split") ? 1 : 0);
            if (kinds != 1) {
                error(item,
                      p,
                      std::string(kinds == 0 ? "a route needs" : "a route has exactly")
                          + " one of \"to\", \"aggregate\", \"sequence\" or \"split\"");
            } else if (const YAML::Node* to = f.find("to")) {
                config.kind = m::RouteConfig::Kind::Service;
                if (const auto t = m_names.service(*to, f.pathOf("to")))
                    config.targets.push_back(*t);
            } else if (f.find("split")) {
                config.kind = m::RouteConfig::Kind::Split;
                forEachItem(*f.find("split"),
                            f.pathOf("split"),
                            "{to, weight} entries",
                            [&](const YAML::Node& e, const std::string& ep) {
                                Fields sf(*this, e, ep, {"to", "weight"});
                                if (!sf.valid())
                                    return;
                                double weight = 1.0;
                                readNumber(sf, "weight", weight, 1e-9, 1e9, "a positive weight");
                                if (!sf.find("to")) {
                                    error(e, ep, "missing key \"to\"");
                                    return;
                                }
                                if (const auto t
                                    = m_names.service(*sf.find("to"), sf.pathOf("to"))) {
                                    config.targets.push_back(*t);
                                    config.weights.push_back(weight);
                                }
                            });
            } else {
                const bool aggregate = f.find("aggregate") != nullptr;
                config.kind
                    = aggregate ? m::RouteConfig::Kind::Aggregate : m::RouteConfig::Kind::Sequence;
                const char* key = aggregate ? "aggregate" : "sequence";
                forEachItem(*f.find(key),
                            f.pathOf(key),
                            aggregate ? "service names or {to, optional} entries" : "service names",
                            [&](const YAML::Node& e, const std::string& ep) {
                                visit(e);
                                if (aggregate && e.IsMap()) {
                                    Fields af(*this, e, ep, {"to", "optional"});
                                    if (!af.valid())
                                        return;
                                    if (!af.find("to")) {
                                        error(e, ep, "missing key \"to\"");
                                        return;
                                    }
                                    bool optional = false;
                                    readBool(af, "optional", optional);
                                    if (const auto t
                                        = m_names.service(*af.find("to"), af.pathOf("to"))) {
                                        config.targets.push_back(*t);
                                        config.optional.push_back(optional);
                                    }
                                    return;
                                }
                                if (const auto t = m_names.service(e, ep)) {
                                    config.targets.push_back(*t);
                                    config.optional.push_back(false);
                                }
                            });
                if (config.targets.empty() && f.find(key)->IsSequence())
                    error(*f.find(key), f.pathOf(key), "a composition needs at least one service");
            }
            readDuration(f, "timeout", config.timeout, true);
            if (const YAML::Node* r = f.find("retries")) {
                m::RetryConfig retry;
                retries(*r, f.pathOf("retries"), retry);
                config.retries = retry;
            }
            if (f.find("prefix")) {
                std::string prefix;
                readName(f, "prefix", prefix);
                if (!prefix.empty() && prefix.front() != '/')
                    expected(*f.find("prefix"), f.pathOf("prefix"), "a prefix starting with /");
                config.prefix = prefix;
            }
            if (const YAML::Node* h = f.find("headers"))
                readHeaders(*h, f.pathOf("headers"), config.headers);
        }
        s.system.routes.push_back(std::move(config));
    });
}

// --- gateway and mesh ----------------------------------------------------------------------

void Loader::loadBalancer(const YAML::Node& node,
                          const std::string& path,
                          m::LoadBalancerConfig& out)
{
    static constexpr EnumName<m::LoadBalancerPolicy> kPolicies[]
        = {{"round_robin", m::LoadBalancerPolicy::RoundRobin},
           {"least_request", m::LoadBalancerPolicy::LeastRequest},
           {"random", m::LoadBalancerPolicy::Random},
           {"ring_hash", m::LoadBalancerPolicy::RingHash},
           {"maglev", m::LoadBalancerPolicy::Maglev}};
    visit(node);
    if (node.IsScalar()) {
        parseEnum(node, path, out.policy, kPolicies);
        return;
    }
    Fields f(*this,
             node,
             path,
             {"policy", "choice_count", "active_request_bias", "panic_threshold", "zone_aware"});
    if (!f.valid())
        return;
    readEnum(f, "policy", out.policy, kPolicies);
    readCount(f, "choice_count", out.choiceCount, 2, 100);
    readNumber(
        f, "active_request_bias", out.activeRequestBias, 0.0, 100.0, "a bias between 0 and 100");
    out.panicThresholdSet = readFraction(f, "panic_threshold", out.panicThreshold);
    readBool(f, "zone_aware", out.zoneAware);
}

void Loader::gateway(const YAML::Node& node, Scenario& s)
{
    m::GatewayConfig& g = s.system.gateway;
    g.present = true;
    Fields f(*this,
             node,
             "gateway",
             {"replicas",
              "workers",
              "queue",
              "cpu",
              "auth",
              "rate_limit",
              "cache",
              "translation",
              "load_balancer",
              "placement"});
    if (!f.valid())
        return;
    readCount(f, "replicas", g.replicas, 1, limits().maxReplicas);
    readCount(f, "workers", g.workers, 1, limits().maxWorkers);
    readCount(f, "queue", g.queue, 0, 100'000'000, true);
    readDistribution(f, "cpu", g.cpu);
    if (const YAML::Node* a = f.find("auth")) {
        Fields af(*this, *a, f.pathOf("auth"), {"kind", "cpu", "reject"});
        if (af.valid()) {
            m::AuthConfig auth;
            readString(af, "kind", auth.kind);
            readDuration(af, "cpu", auth.cpu);
            readFraction(af, "reject", auth.rejectFraction);
            g.auth = auth;
        }
    }
    if (const YAML::Node* r = f.find("rate_limit")) {
        Fields rf(
            *this,
            *r,
            f.pathOf("rate_limit"),
            {"algorithm", "rate", "burst", "key", "nodelay", "window", "scope", "disable_penalty"});
        if (rf.valid()) {
            m::RateLimitConfig rl;
            static constexpr EnumName<m::RateLimitAlgorithm> kAlgorithms[]
                = {{"token_bucket", m::RateLimitAlgorithm::TokenBucket},
                   {"leaky_bucket", m::RateLimitAlgorithm::LeakyBucket},
                   {"fixed_window", m::RateLimitAlgorithm::FixedWindow},
                   {"sliding_window", m::RateLimitAlgorithm::SlidingWindow}};
            static constexpr EnumName<m::RateLimitKey> kKeys[]
                = {{"global", m::RateLimitKey::Global},
                   {"client", m::RateLimitKey::Client},
                   {"route", m::RateLimitKey::Route}};
            readEnum(rf, "algorithm", rl.algorithm, kAlgorithms);
            if (!rf.find("rate"))
                error(*r, f.pathOf("rate_limit"), "missing key \"rate\" (e.g. rate: 1000/s)");
            readRate(rf, "rate", rl.ratePerSecond);
            readCount(rf, "burst", rl.burst, 0, 100'000'000);
            readEnum(rf, "key", rl.key, kKeys);
            readBool(rf, "nodelay", rl.nodelay);
            readBool(rf, "disable_penalty", rl.disablePenalty);
            static constexpr EnumName<m::RateLimitScope> kScopes[] = {
                {"instance", m::RateLimitScope::Instance}, {"global", m::RateLimitScope::Global}};
            readEnum(rf, "scope", rl.scope, kScopes);
            readDuration(rf, "window", rl.window, true);
            g.rateLimit = rl;
        }
    }
    if (const YAML::Node* c = f.find("cache")) {
        Fields cf(*this, *c, f.pathOf("cache"), {"routes", "ttl", "capacity"});
        if (cf.valid()) {
            m::CacheConfig cache;
            if (const YAML::Node* rs = cf.find("routes")) {
                forEachItem(*rs,
                            cf.pathOf("routes"),
                            "route paths",
                            [&](const YAML::Node& e, const std::string& ep) {
                                if (const auto r = m_names.route(e, ep))
                                    cache.routes.push_back(*r);
                            });
            }
            readDuration(cf, "ttl", cache.ttl, true);
            readCount(cf, "capacity", cache.capacity, 1, 100'000'000);
            g.cache = cache;
        }
    }
    if (const YAML::Node* t = f.find("translation")) {
        Fields tf(*this, *t, f.pathOf("translation"), {"cpu"});
        SimDuration cpu{40'000};
        if (tf.valid())
            readDuration(tf, "cpu", cpu);
        g.translationCpu = cpu;
    }
    if (const YAML::Node* lb = f.find("load_balancer"))
        loadBalancer(*lb, f.pathOf("load_balancer"), g.loadBalancer);
    if (const YAML::Node* pl = f.find("placement"))
        placement(*pl, f.pathOf("placement"), g.placement);
}

void Loader::meshPolicy(const Fields& f, m::MeshPolicy& out)
{
    if (const YAML::Node* lb = f.find("load_balancer")) {
        m::LoadBalancerConfig config;
        config.policy = m::LoadBalancerPolicy::LeastRequest; // Istio >= 1.14 default
        loadBalancer(*lb, f.pathOf("load_balancer"), config);
        out.loadBalancer = config;
    }
    readDuration(f, "timeout", out.timeout, true);
    if (const YAML::Node* r = f.find("retries")) {
        m::RetryConfig config;
        config.attempts = 2; // Istio default
        retries(*r, f.pathOf("retries"), config);
        out.retries = config;
    }
    if (const YAML::Node* cb = f.find("circuit_breaker")) {
        Fields c(*this,
                 *cb,
                 f.pathOf("circuit_breaker"),
                 {"max_connections", "max_pending_requests", "max_requests", "max_retries"});
        if (c.valid()) {
            // Istio leaves every threshold at 2^32 - 1 unless the DestinationRule sets it
            // (reference/semantics.md §2.1).
            m::CircuitBreakerThresholds t{
                m::kUnlimited, m::kUnlimited, m::kUnlimited, m::kUnlimited};
            readCount(c, "max_connections", t.maxConnections, 1, m::kUnlimited, true);
            readCount(c, "max_pending_requests", t.maxPendingRequests, 1, m::kUnlimited, true);
            readCount(c, "max_requests", t.maxRequests, 1, m::kUnlimited, true);
            readCount(c, "max_retries", t.maxRetries, 0, m::kUnlimited, true);
            out.circuitBreaker = t;
        }
    }
    if (const YAML::Node* od = f.find("outlier_detection")) {
        Fields o(*this,
                 *od,
                 f.pathOf("outlier_detection"),
                 {"consecutive_5xx",
                  "consecutive_gateway_failure",
                  "enforcing_consecutive_gateway_failure",
                  "interval",
                  "base_ejection_time",
                  "max_ejection_time",
                  "max_ejection_percent",
                  "success_rate_minimum_hosts",
                  "success_rate_request_volume",
                  "success_rate_stdev_factor",
                  "failure_percentage_threshold",
                  "enforcing_failure_percentage",
                  "enforcing_success_rate",
                  "failure_percentage_minimum_hosts",
                  "failure_percentage_request_volume",
                  "successful_active_health_check_uneject_host"});
        if (o.valid()) {
            m::OutlierDetectionConfig c;
            readCount(o, "consecutive_5xx", c.consecutive5xx, 1, 1'000'000);
            readCount(o, "consecutive_gateway_failure", c.consecutiveGatewayFailure, 1, 1'000'000);
            readFraction(
                o, "enforcing_consecutive_gateway_failure", c.enforcingConsecutiveGatewayFailure);
            readDuration(o, "interval", c.interval, true);
            readDuration(o, "base_ejection_time", c.baseEjectionTime, true);
            if (!o.find("max_ejection_time"))
                c.maxEjectionTime = std::max(SimDuration{300'000'000'000}, c.baseEjectionTime);
            readDuration(o, "max_ejection_time", c.maxEjectionTime, true);
            readFraction(o, "max_ejection_percent", c.maxEjectionPercent);
            readCount(o, "success_rate_minimum_hosts", c.successRateMinimumHosts, 1, 1'000'000);
            readCount(o, "success_rate_request_volume", c.successRateRequestVolume, 1, 100'000'000);
            readNumber(o,
                       "success_rate_stdev_factor",
                       c.successRateStdevFactor,
                       0.0,
                       100.0,
                       "a factor between 0 and 100");
            readFraction(o, "failure_percentage_threshold", c.failurePercentageThreshold);
            readFraction(o, "enforcing_failure_percentage", c.enforcingFailurePercentage);
            readFraction(o, "enforcing_success_rate", c.enforcingSuccessRate);
            readCount(o,
                      "failure_percentage_minimum_hosts",
                      c.failurePercentageMinimumHosts,
                      1,
                      1'000'000);
            readCount(o,
                      "failure_percentage_request_volume",
                      c.failurePercentageRequestVolume,
                      1,
                      100'000'000);
            readBool(o,
                     "successful_active_health_check_uneject_host",
                     c.successfulActiveHealthCheckUnejectHost);
            out.outlierDetection = c;
        }
    }
    if (const YAML::Node* hc = f.find("health_check")) {
        Fields h(*this,
                 *hc,
                 f.pathOf("health_check"),
                 {"interval", "timeout", "unhealthy_threshold", "healthy_threshold"});
        if (h.valid()) {
            m::HealthCheckConfig c;
            readDuration(h, "interval", c.interval, true);
            readDuration(h, "timeout", c.timeout, true);
            readCount(h, "unhealthy_threshold", c.unhealthyThreshold, 1, 1000);
            readCount(h, "healthy_threshold", c.healthyThreshold, 1, 1000);
            out.healthCheck = c;
        }
    }
}

void Loader::mesh(const YAML::Node& node, Scenario& s)
{
    m::MeshConfig& mesh = s.system.mesh;
    mesh.present = true;
    Fields f(*this,
             node,
             "mesh",
             {"sidecar", "ingress", "defaults", "destinations", "authorization", "faults"});
    if (!f.valid())
        return;
    if (const YAML::Node* sc = f.find("sidecar")) {
        Fields sf(*this, *sc, f.pathOf("sidecar"), {"cpu", "latency", "mtls"});
        if (sf.valid()) {
            readDistribution(sf, "cpu", mesh.sidecar.cpu);
            readDuration(sf, "latency", mesh.sidecar.latency);
            if (const YAML::Node* mt = sf.find("mtls")) {
                visit(*mt);
                if (mt->IsScalar()) {
                    readBool(sf, "mtls", mesh.sidecar.mtls);
                } else {
                    Fields mf(*this, *mt, sf.pathOf("mtls"), {"handshake_cpu", "request_cpu"});
                    if (mf.valid()) {
                        mesh.sidecar.mtls = true;
                        readDuration(mf, "handshake_cpu", mesh.sidecar.mtlsHandshakeCpu);
                        readDuration(mf, "request_cpu", mesh.sidecar.mtlsRequestCpu);
                    }
                }
            }
        }
    }
    if (const YAML::Node* in = f.find("ingress")) {
        Fields inf(*this, *in, f.pathOf("ingress"), {"replicas", "workers", "placement"});
        if (inf.valid()) {
            readCount(inf, "replicas", mesh.ingress.replicas, 1, limits().maxReplicas);
            readCount(inf, "workers", mesh.ingress.workers, 1, limits().maxWorkers);
            if (const YAML::Node* pl = inf.find("placement"))
                placement(*pl, inf.pathOf("placement"), mesh.ingress.placement);
        }
    }
    const std::initializer_list<std::string_view> policyKeys{"load_balancer",
                                                             "timeout",
                                                             "retries",
                                                             "circuit_breaker",
                                                             "outlier_detection",
                                                             "health_check"};
    if (const YAML::Node* d = f.find("defaults")) {
        Fields df(*this, *d, f.pathOf("defaults"), policyKeys);
        if (df.valid())
            meshPolicy(df, mesh.defaults);
    }
    if (const YAML::Node* ds = f.find("destinations")) {
        forEachItem(*ds,
                    f.pathOf("destinations"),
                    "destination policies",
                    [&](const YAML::Node& item, const std::string& p) {
                        Fields df(*this,
                                  item,
                                  p,
                                  {"service",
                                   "load_balancer",
                                   "timeout",
                                   "retries",
                                   "circuit_breaker",
                                   "outlier_detection",
                                   "health_check"});
                        if (!df.valid())
                            return;
                        m::DestinationPolicy dp;
                        if (!df.find("service")) {
                            error(item, p, "missing key \"service\"");
                            return;
                        }
                        const auto target
                            = m_names.service(*df.find("service"), df.pathOf("service"));
                        meshPolicy(df, dp.policy);
                        if (target) {
                            dp.service = *target;
                            mesh.destinations.push_back(dp);
                        }
                    });
    }
    if (const YAML::Node* az = f.find("authorization")) {
        forEachItem(*az,
                    f.pathOf("authorization"),
                    "authorization rules",
                    [&](const YAML::Node& item, const std::string& p) {
                        Fields af(*this, item, p, {"to", "allow_from", "deny_from"});
                        if (!af.valid())
                            return;
                        m::AuthorizationRule rule;
                        if (!af.find("to")) {
                            error(item, p, "missing key \"to\"");
                            return;
                        }
                        const auto to = m_names.service(*af.find("to"), af.pathOf("to"));
                        for (const char* key : {"allow_from", "deny_from"}) {
                            const YAML::Node* list = af.find(key);
                            if (!list)
                                continue;
                            auto& target = std::string_view(key) == "allow_from" ? rule.allowFrom
                                                                                 : rule.denyFrom;
                            forEachItem(*list,
                                        af.pathOf(key),
                                        "service names",
                                        [&](const YAML::Node& e, const std::string& ep) {
                                            if (const auto sv = m_names.service(e, ep))
                                                target.push_back(*sv);
                                        });
                        }
                        if (to) {
                            rule.to = *to;
                            mesh.authorization.push_back(rule);
                        }
                    });
    }
    if (const YAML::Node* fs = f.find("faults")) {
        forEachItem(*fs,
                    f.pathOf("faults"),
                    "fault injections",
                    [&](const YAML::Node& item, const std::string& p) {
                        Fields ff(*this, item, p, {"to", "delay", "abort"});
                        if (!ff.valid())
                            return;
                        m::FaultInjectionConfig fi;
                        if (!ff.find("to")) {
                            error(item, p, "missing key \"to\"");
                            return;
                        }
                        const auto to = m_names.service(*ff.find("to"), ff.pathOf("to"));
                        if (const YAML::Node* d = ff.find("delay")) {
                            Fields df(*this, *d, ff.pathOf("delay"), {"fixed", "percent"});
                            if (df.valid()) {
                                if (!df.find("fixed") || !df.find("percent"))
                                    error(*d,
                                          ff.pathOf("delay"),
                                          "a delay needs \"fixed\" (how long) and \"percent\" "
                                          "(of requests), as in Istio");
                                readDuration(df, "fixed", fi.delay);
                                readFraction(df, "percent", fi.delayFraction);
                            }
                        }
                        if (const YAML::Node* a = ff.find("abort")) {
                            Fields af(*this, *a, ff.pathOf("abort"), {"status", "percent"});
                            if (af.valid()) {
                                if (!af.find("status") || !af.find("percent"))
                                    error(*a,
                                          ff.pathOf("abort"),
                                          "an abort needs \"status\" (HTTP code) and "
                                          "\"percent\" (of requests), as in Istio");
                                readCount(af, "status", fi.abortStatus, 200, 599);
                                readFraction(af, "percent", fi.abortFraction);
                            }
                        }
                        if (!ff.find("delay") && !ff.find("abort"))
                            error(item, p, "a fault injection needs \"delay\" or \"abort\"");
                        if (to) {
                            fi.service = *to;
                            mesh.faults.push_back(fi);
                        }
                    });
    }
}

// --- workloads -----------------------------------------------------------------------------

void Loader::arrival(const YAML::Node& node, const std::string& path, m::ArrivalConfig& out)
{
    Fields f(*this, node, path, {"process", "rate", "on", "off", "schedule", "users", "think"});
    if (!f.valid())
        return;
    using P = m::ArrivalConfig::Process;
    static constexpr EnumName<P> kProcesses[] = {{"poisson", P::Poisson},
                                                 {"constant", P::Constant},
                                                 {"on_off", P::OnOff},
                                                 {"steps", P::Steps},
                                                 {"closed", P::Closed}};
    if (!f.find("process")) {
        error(node,
              path,
              "missing key \"process\" (expected one of poisson, constant, on_off, "
              "steps, closed)");
        return;
    }
    if (!readEnum(f, "process", out.process, kProcesses))
        return;
    const auto require = [&](std::string_view key, const char* example) {
        if (f.find(key))
            return true;
        error(node,
              path,
              "missing key " + quote(key) + " for this arrival process (e.g. " + example + ")");
        return false;
    };
    const auto forbid = [&](std::initializer_list<std::string_view> keys) {
        for (const std::string_view key : keys) {
            if (const YAML::Node* n = f.find(key))
                error(*n, f.pathOf(key), quote(key) + " does not apply to this arrival process");
        }
    };
    switch (out.process) {
    case P::Poisson:
    case P::Constant:
        if (require("rate", "rate: 200/s"))
            readRate(f, "rate", out.ratePerSecond);
        forbid({"on", "off", "schedule", "users", "think"});
        break;
    case P::OnOff:
        if (require("rate", "rate: 200/s"))
            readRate(f, "rate", out.ratePerSecond);
        if (require("on", "on: 10s"))
            readDistribution(f, "on", out.on);
        if (require("off", "off: 5s"))
            readDistribution(f, "off", out.off);
        if (out.on.mean() <= 0.0)
            error(f.nodeOr("on", node),
                  f.pathOf("on"),
                  "impossible value (expected on periods longer than 0)");
        forbid({"schedule", "users", "think"});
        break;
    case P::Steps:
        if (require("schedule", "schedule: [{at: 0s, rate: 100/s}, {at: 60s, rate: 400/s}]")) {
            forEachItem(*f.find("schedule"),
                        f.pathOf("schedule"),
                        "{at, rate} entries",
                        [&](const YAML::Node& item, const std::string& p) {
                            Fields sf(*this, item, p, {"at", "rate"});
                            if (!sf.valid())
                                return;
                            m::RateStep step;
                            if (!sf.find("at") || !sf.find("rate")) {
                                error(item, p, "a schedule entry needs \"at\" and \"rate\"");
                                return;
                            }
                            readDuration(sf, "at", step.at);
                            readRate(sf, "rate", step.ratePerSecond, false);
                            if (!out.schedule.empty() && step.at <= out.schedule.back().at)
                                error(*sf.find("at"),
                                      sf.pathOf("at"),
                                      "impossible value (expected times in increasing order)");
                            out.schedule.push_back(step);
                        });
            if (out.schedule.empty())
                error(*f.find("schedule"), f.pathOf("schedule"), "the schedule is empty");
        }
        forbid({"rate", "on", "off", "users", "think"});
        break;
    case P::Closed:
        if (require("users", "users: 50"))
            readCount(f, "users", out.users, 1, limits().maxUsers);
        if (f.find("think"))
            readDistribution(f, "think", out.think);
        forbid({"rate", "on", "off", "schedule"});
        break;
    }
}

void Loader::workloads(const YAML::Node& node, Scenario& s)
{
    std::set<std::string> names;
    forEachItem(node, "workloads", "workloads", [&](const YAML::Node& item, const std::string& p) {
        m::WorkloadConfig config;
        Fields f(*this, item, p, {"name", "arrival", "clients", "request", "mix", "start", "stop"});
        if (!f.valid())
            return;
        config.name = "workload-" + std::to_string(s.system.workloads.size() + 1);
        readName(f, "name", config.name);
        if (!names.insert(config.name).second)
            error(f.nodeOr("name", item),
                  f.pathOf("name"),
                  "duplicate workload " + quote(config.name));
        if (!f.find("arrival"))
            error(item,
                  p,
                  "missing key \"arrival\" (e.g. arrival: {process: poisson, rate: "
                  "100/s})");
        else
            arrival(*f.find("arrival"), f.pathOf("arrival"), config.arrival);
        readCount(f, "clients", config.clients, 1, 100'000'000);
        readSize(f, "request", config.requestBytes);
        readDuration(f, "start", config.start);
        readDuration(f, "stop", config.stop, true);
        if (config.stop && *config.stop <= config.start)
            error(*f.find("stop"), f.pathOf("stop"), "impossible value (expected stop > start)");
        if (!f.find("mix")) {
            if (s.system.routes.size() == 1) { // one route: the mix is obvious
                config.mix.push_back(m::MixEntry{0, 1.0, {}});
            } else if (m_names.routesListed()) {
                error(item, p, "missing key \"mix\" (which routes this workload requests)");
            }
        } else {
            forEachItem(
                *f.find("mix"),
                f.pathOf("mix"),
                "{path, weight} entries",
                [&](const YAML::Node& e, const std::string& ep) {
                    Fields mf(*this, e, ep, {"path", "headers", "weight", "keys"});
                    if (!mf.valid())
                        return;
                    m::MixEntry entry;
                    readNumber(mf, "weight", entry.weight, 1e-9, 1e9, "a positive weight");
                    if (const YAML::Node* k = mf.find("keys")) {
                        Fields kf(*this, *k, mf.pathOf("keys"), {"count", "zipf"});
                        if (kf.valid()) {
                            std::uint32_t count = 0;
                            if (!kf.find("count"))
                                error(*k, mf.pathOf("keys"), "missing key \"count\"");
                            readCount(kf, "count", count, 1, 1'000'000'000);
                            entry.keys.count = count;
                            readNumber(kf,
                                       "zipf",
                                       entry.keys.zipf,
                                       0.0,
                                       10.0,
                                       "a Zipf exponent between 0 and 10");
                        }
                    }
                    if (!mf.find("path")) {
                        error(e, ep, "missing key \"path\"");
                        return;
                    }
                    std::vector<std::pair<std::string, std::string>> headers;
                    if (const YAML::Node* h = mf.find("headers"))
                        readHeaders(*h, mf.pathOf("headers"), headers);
                    if (const auto r = m_names.matchRoute(
                            *mf.find("path"), mf.pathOf("path"), headers, s.system.routes)) {
                        entry.route = *r;
                        config.mix.push_back(entry);
                    }
                });
            if (f.find("mix")->IsSequence() && f.find("mix")->size() == 0)
                error(*f.find("mix"), f.pathOf("mix"), "the mix is empty");
        }
        s.system.workloads.push_back(std::move(config));
    });
}

// --- faults --------------------------------------------------------------------------------

void Loader::faults(const YAML::Node& node, Scenario& s)
{
    forEachItem(node, "faults", "faults", [&](const YAML::Node& item, const std::string& p) {
        Fields f(*this,
                 item,
                 p,
                 {"at", "until", "kill", "node_down", "slow", "errors", "partition", "degrade"});
        if (!f.valid())
            return;
        m::FaultConfig fault;
        if (!f.find("at"))
            error(item, p, "missing key \"at\" (when the fault starts, e.g. at: 30s)");
        readDuration(f, "at", fault.at);
        readDuration(f, "until", fault.until, true);
        if (fault.until && *fault.until <= fault.at)
            error(*f.find("until"), f.pathOf("until"), "impossible value (expected until > at)");
        int kinds = 0;
        for (const char* k : {"kill", "node_down", "slow", "errors", "partition", "degrade"})
            kinds += f.find(k) ? 1 : 0;
        if (kinds != 1) {
            error(item,
                  p,
                  std::string(kinds == 0 ? "a fault needs" : "a fault has exactly")
                      + " one of kill, node_down, slow, errors, partition, degrade");
            return;
        }
        const auto serviceOf = [&](const Fields& ff) -> std::optional<std::uint32_t> {
            if (!ff.find("service")) {
                error(ff.node(), ff.path(), "missing key \"service\"");
                return std::nullopt;
            }
            return m_names.service(*ff.find("service"), ff.pathOf("service"));
        };
        // Which instances of the service a kill, slow or errors fault hits: `instances` (the
        // first N), `instance` (one index) or, by default, all of them.
        const auto instancesOf = [&](Fields& ff, const YAML::Node& n, const std::string& np) {
            const std::uint32_t replicas = s.system.services[fault.service].replicas;
            if (ff.find("instances") && ff.find("instance")) {
                error(n,
                      np,
                      "use \"instances\" (a count) or \"instance\" "
                      "(an index), not both");
                return false;
            }
            if (ff.find("instance")) {
                std::uint32_t index = 0;
                const bool ok = readCount(ff, "instance", index, 0, replicas - 1);
                fault.instances.push_back(index);
                return ok;
            }
            std::uint32_t count = replicas;
            bool ok = true;
            if (ff.find("instances"))
                ok = readCount(ff, "instances", count, 1, replicas);
            for (std::uint32_t i = 0; i < count; ++i)
                fault.instances.push_back(i);
            return ok;
        };
        bool good = true;
        if (const YAML::Node* k = f.find("kill")) {
            fault.kind = m::FaultConfig::Kind::Kill;
            Fields kf(*this, *k, f.pathOf("kill"), {"service", "instances", "instance"});
            const auto sv = kf.valid() ? serviceOf(kf) : std::nullopt;
            good = sv.has_value();
            if (sv) {
                fault.service = *sv;
                good = instancesOf(kf, *k, f.pathOf("kill"));
            }
        } else if (const YAML::Node* n = f.find("node_down")) {
            fault.kind = m::FaultConfig::Kind::NodeDown;
            const YAML::Node* ref = n;
            std::string refPath = f.pathOf("node_down");
            std::optional<Fields> nf;
            visit(*n);
            if (n->IsMap()) {
                nf.emplace(*this, *n, refPath, std::initializer_list<std::string_view>{"node"});
                ref = nf->find("node");
                refPath = nf->pathOf("node");
                if (!ref)
                    error(*n, f.pathOf("node_down"), "missing key \"node\"");
            }
            const auto index = ref ? m_names.node(*ref, refPath) : std::nullopt;
            good = index.has_value();
            if (index)
                fault.node = *index;
        } else if (const YAML::Node* sl = f.find("slow")) {
            fault.kind = m::FaultConfig::Kind::Slow;
            Fields sf(*this,
                      *sl,
                      f.pathOf("slow"),
                      {"service", "factor", "latency", "instances", "instance"});
            const auto sv = sf.valid() ? serviceOf(sf) : std::nullopt;
            good = sv.has_value();
            if (sv) {
                fault.service = *sv;
                good = instancesOf(sf, *sl, f.pathOf("slow"));
                readNumber(sf,
                           "factor",
                           fault.factor,
                           0.001,
                           1e6,
                           "a factor by which CPU work is multiplied (e.g. 5)");
                readDuration(sf, "latency", fault.addedLatency);
                if (!sf.find("factor") && !sf.find("latency")) {
                    error(*sl, f.pathOf("slow"), "a slow fault needs \"factor\" or \"latency\"");
                    good = false;
                }
            }
        } else if (const YAML::Node* er = f.find("errors")) {
            fault.kind = m::FaultConfig::Kind::Errors;
            Fields ef(*this, *er, f.pathOf("errors"), {"service", "rate", "instances", "instance"});
            const auto sv = ef.valid() ? serviceOf(ef) : std::nullopt;
            good = sv.has_value();
            if (sv) {
                fault.service = *sv;
                good = instancesOf(ef, *er, f.pathOf("errors"));
                if (!ef.find("rate")) {
                    error(*er, f.pathOf("errors"), "missing key \"rate\" (e.g. rate: 20%)");
                    good = false;
                }
                readFraction(ef, "rate", fault.errorRate);
            }
        } else if (const YAML::Node* pt = f.find("partition")) {
            fault.kind = m::FaultConfig::Kind::Partition;
            std::vector<std::uint32_t> zones;
            forEachItem(*pt,
                        f.pathOf("partition"),
                        "two zone names",
                        [&](const YAML::Node& e, const std::string& ep) {
                            if (const auto z = m_names.zone(e, ep))
                                zones.push_back(*z);
                        });
            if (zones.size() != 2 || zones[0] == zones[1]) {
                if (pt->IsSequence())
                    error(*pt, f.pathOf("partition"), "a partition names two different zones");
                good = false;
            } else {
                fault.zoneA = zones[0];
                fault.zoneB = zones[1];
            }
        } else if (const YAML::Node* dg = f.find("degrade")) {
            fault.kind = m::FaultConfig::Kind::Degrade;
            Fields df(*this, *dg, f.pathOf("degrade"), {"zones", "latency", "bandwidth"});
            if (df.valid()) {
                std::vector<std::uint32_t> zones;
                if (const YAML::Node* zs = df.find("zones"))
                    forEachItem(*zs,
                                df.pathOf("zones"),
                                "one or two zone names",
                                [&](const YAML::Node& e, const std::string& ep) {
                                    if (const auto z = m_names.zone(e, ep))
                                        zones.push_back(*z);
                                });
                if (zones.empty() || zones.size() > 2) {
                    error(*dg,
                          f.pathOf("degrade"),
                          "a degradation names one zone (inside it) or two (between them)");
                    good = false;
                } else {
                    fault.zoneA = zones[0];
                    fault.zoneB = zones.back();
                }
                SimDuration latency{0};
                if (readDuration(df, "latency", latency))
                    fault.latency = latency;
                double bandwidth = 0.0;
                if (readBandwidth(df, "bandwidth", bandwidth))
                    fault.bitsPerSecond = bandwidth;
                if (!df.find("latency") && !df.find("bandwidth")) {
                    error(*dg,
                          f.pathOf("degrade"),
                          "a degradation needs \"latency\" and/or \"bandwidth\"");
                    good = false;
                }
            }
        }
        if (good)
            s.system.faults.push_back(std::move(fault));
    });
}

void Loader::slo(const YAML::Node& node, Scenario& s)
{
    Fields f(*this, node, "slo", {"mean", "p50", "p90", "p95", "p99", "p999", "error_rate"});
    if (!f.valid())
        return;
    using M = m::SloConfig::Metric;
    const std::pair<const char*, M> latencies[] = {{"mean", M::Mean},
                                                   {"p50", M::P50},
                                                   {"p90", M::P90},
                                                   {"p95", M::P95},
                                                   {"p99", M::P99},
                                                   {"p999", M::P999}};
    for (const auto& [key, metric] : latencies) {
        SimDuration limit{0};
        if (readDuration(f, key, limit, true))
            s.slo.objectives.push_back({metric, static_cast<double>(limit.count())});
    }
    double rate = 0.0;
    if (readFraction(f, "error_rate", rate))
        s.slo.objectives.push_back({M::ErrorRate, rate});
}

// --- topology ------------------------------------------------------------------------------

void Loader::validateTopology(const YAML::Node& root, Scenario& s)
{
    TopologyGraph graph(s);
    if (const auto cycle = graph.findCallCycle()) {
        std::string text;
        for (const std::uint32_t sv : *cycle)
            text += (text.empty() ? "" : " -> ") + s.system.services[sv].name;
        text += " -> " + s.system.services[cycle->front()].name;
        const auto site = m_callSites.find({cycle->back(), cycle->front()});
        const bool known = site != m_callSites.end();
        report(Diagnostic::Severity::Error,
               known ? site->second.first : YAML::Mark::null_mark(),
               known ? site->second.second : std::string(),
               "call cycle: " + text + " (requests would call each other forever)");
    }
    const std::vector<bool> reachable = graph.servicesReachableFromRoutes();
    for (std::size_t i = 0; i < s.system.services.size(); ++i) {
        if (!reachable[i]) {
            report(Diagnostic::Severity::Warning,
                   m_names.serviceMarks()[i],
                   "services[" + std::to_string(i) + "]",
                   "service " + quote(s.system.services[i].name)
                       + " is not reached by any route: it will receive no requests");
        }
    }
    std::vector<bool> used(s.system.routes.size(), false);
    for (const m::WorkloadConfig& w : s.system.workloads)
        for (const m::MixEntry& e : w.mix)
            used[e.route] = true;
    const YAML::Node routesNode = root["routes"];
    for (std::size_t i = 0; i < s.system.routes.size(); ++i) {
        if (!used[i])
            warning(routesNode[i],
                    "routes[" + std::to_string(i) + "]",
                    "route " + quote(s.system.routes[i].path) + " is in no workload's mix");
    }
    std::string placementError = checkPlacement(s);
    if (!placementError.empty())
        error(root["platform"] ? root["platform"] : root, "platform", placementError);
}

void Loader::load(const YAML::Node& root, Scenario& s)
{
    Fields f(*this, root, "", {"meshsim", "name",      "description", "seed",      "duration",
                               "warmup",  "drain",     "window",      "engine",    "architecture",
                               "slo",     "platform",  "services",    "routes",    "gateway",
                               "mesh",    "workloads", "faults",      "discovery", "traces"});
    if (!f.valid())
        return;
    if (const YAML::Node* version = f.find("meshsim")) {
        std::uint32_t v = 0;
        if (parseCount(*version, "meshsim", v, 0, 1000) && v != 1)
            error(*version,
                  "meshsim",
                  "unsupported format version " + std::to_string(v) + " (expected 1)");
    } else {
        error(root,
              "",
              "missing key \"meshsim\" (the format version: write meshsim: 1 at the "
              "top of the file)");
    }
    readString(f, "name", s.name);
    readString(f, "description", s.description);
    if (const YAML::Node* seed = f.find("seed")) {
        if (scalar(*seed, "seed", "a whole number")) {
            const std::string& t = seed->Scalar();
            std::uint64_t value = 0;
            const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
            if (ec != std::errc() || ptr != t.data() + t.size())
                expected(*seed, "seed", "a whole number from 0 to 18446744073709551615");
            else
                s.seed = value;
        }
    }
    readDuration(f, "duration", s.duration, true);
    readDuration(f, "warmup", s.warmup);
    readDuration(f, "drain", s.drain);
    readDuration(f, "window", s.window, true);
    if (s.warmup >= s.duration)
        error(f.nodeOr("warmup", root),
              "warmup",
              "impossible value (expected a warmup shorter than the duration, "
                  + formatDuration(s.duration) + ")");
    if (s.window.count() > 0
        && static_cast<std::size_t>((s.duration + s.drain) / s.window) > limits().maxWindows)
        error(f.nodeOr("window", root),
              "window",
              "too many time windows (expected at most " + std::to_string(limits().maxWindows)
                  + " windows over duration + drain; choose a longer window)");
    static constexpr EnumName<m::EngineKind> kEngines[]
        = {{"fast", m::EngineKind::Fast}, {"simgrid", m::EngineKind::SimGrid}};
    readEnum(f, "engine", s.engine, kEngines);
    static constexpr EnumName<m::Architecture> kArchitectures[]
        = {{"direct", m::Architecture::Direct},
           {"gateway", m::Architecture::Gateway},
           {"mesh", m::Architecture::Mesh},
           {"gateway+mesh", m::Architecture::GatewayMesh}};
    readEnum(f, "architecture", s.system.architecture, kArchitectures);

    m_names.collect(root);
    if (const YAML::Node* p = f.find("platform"))
        platform(*p, s);
    else
        m_names.setZones(s.platform.zones);
    if (const YAML::Node* sv = f.find("services"))
        services(*sv, s);
    else
        error(root, "", "missing key \"services\" (the services to simulate)");
    if (const YAML::Node* r = f.find("routes"))
        routes(*r, s);
    else
        error(root, "", "missing key \"routes\" (the paths clients request)");
    if (const YAML::Node* g = f.find("gateway"))
        gateway(*g, s);
    if (const YAML::Node* mh = f.find("mesh"))
        mesh(*mh, s);
    if (const YAML::Node* w = f.find("workloads"))
        workloads(*w, s);
    else
        error(root, "", "missing key \"workloads\" (who sends requests, and how often)");
    if (const YAML::Node* fl = f.find("faults"))
        faults(*fl, s);
    if (const YAML::Node* sl = f.find("slo"))
        slo(*sl, s);
    if (const YAML::Node* d = f.find("discovery")) {
        Fields df(*this,
                  *d,
                  "discovery",
                  {"readiness_period", "failure_threshold", "success_threshold", "propagation"});
        if (df.valid()) {
            readDuration(df, "readiness_period", s.system.discovery.readinessPeriod, true);
            readCount(df, "failure_threshold", s.system.discovery.failureThreshold, 1, 1000);
            readCount(df, "success_threshold", s.system.discovery.successThreshold, 1, 1000);
            readDuration(df, "propagation", s.system.discovery.propagation);
        }
    }
    if (const YAML::Node* t = f.find("traces")) {
        Fields tf(*this, *t, "traces", {"sample", "max"});
        if (tf.valid()) {
            readFraction(tf, "sample", s.system.traces.sampleFraction);
            readCount(tf, "max", s.system.traces.maxTraces, 0, 10'000);
        }
    }

    const bool wantsGateway = s.system.hasGateway();
    const bool wantsMesh = s.system.hasMesh();
    if (s.system.gateway.present && !wantsGateway)
        warning(*f.find("gateway"),
                "gateway",
                "the gateway section is ignored in architecture "
                    + architectureName(s.system.architecture));
    if (s.system.mesh.present && !wantsMesh)
        warning(*f.find("mesh"),
                "mesh",
                "the mesh section is ignored in architecture "
                    + architectureName(s.system.architecture));
    // Settings of one architecture that another ignores.
    const YAML::Node* routesNode = f.find("routes");
    if (!wantsGateway && routesNode && routesNode->IsSequence()
        && routesNode->size() == s.system.routes.size()) {
        for (std::size_t i = 0; i < s.system.routes.size(); ++i) {
            if (s.system.routes[i].retries)
                warning((*routesNode)[i],
                        "routes[" + std::to_string(i) + "].retries",
                        "route retries are the gateway's; they are ignored in architecture "
                            + architectureName(s.system.architecture));
        }
    }
    const YAML::Node* servicesNode = f.find("services");
    if (wantsMesh && servicesNode && servicesNode->IsSequence()
        && servicesNode->size() == s.system.services.size()) {
        for (std::size_t i = 0; i < s.system.services.size(); ++i) {
            const m::LibraryClientConfig& c = s.system.services[i].client;
            if (c.circuitBreaker || c.retries || c.timeout)
                warning((*servicesNode)[i],
                        "services[" + std::to_string(i) + "].client",
                        "library resilience is ignored in architecture "
                            + architectureName(s.system.architecture)
                            + " (the sidecars apply the mesh policies)");
        }
    }
    if (s.system.services.empty() && f.find("services") && f.find("services")->IsSequence())
        error(*f.find("services"), "services", "no services (expected at least one)");
    if (s.system.routes.empty() && f.find("routes") && f.find("routes")->IsSequence())
        error(*f.find("routes"), "routes", "no routes (expected at least one)");
    if (s.system.workloads.empty() && f.find("workloads") && f.find("workloads")->IsSequence())
        error(*f.find("workloads"), "workloads", "no workloads (expected at least one)");

    if (s.system.gateway.present
        && m_totalInstances + s.system.gateway.replicas > limits().maxInstances)
        error(*f.find("gateway"),
              "gateway.replicas",
              "too many instances in all (services and gateway: at most "
                  + std::to_string(limits().maxInstances) + ")");
    // Things that are valid but cannot happen in this run (indices match only without errors).
    const bool clean = !hasErrors();
    if (const YAML::Node* fl = f.find("faults"); clean && fl && fl->IsSequence()) {
        for (std::size_t i = 0; i < s.system.faults.size() && i < fl->size(); ++i) {
            if (s.system.faults[i].at >= s.duration)
                warning((*fl)[i],
                        "faults[" + std::to_string(i) + "].at",
                        "the fault starts after the run ends (duration "
                            + formatDuration(s.duration) + "): it has no effect");
        }
    }
    if (const YAML::Node* w = f.find("workloads"); clean && w && w->IsSequence()) {
        for (std::size_t i = 0; i < s.system.workloads.size() && i < w->size(); ++i) {
            if (s.system.workloads[i].start >= s.duration)
                warning((*w)[i],
                        "workloads[" + std::to_string(i) + "].start",
                        "the workload starts after the run ends (duration "
                            + formatDuration(s.duration) + "): it sends nothing");
        }
    }

    if (!hasErrors())
        validateTopology(root, s);
}

} // namespace

LoadResult
loadScenarioText(std::string_view text, const std::string& displayName, const LoadLimits& limits)
{
    LoadResult result;
    const auto fail = [&](int line, int column, std::string message) {
        Diagnostic d;
        d.file = displayName;
        d.line = line;
        d.column = column;
        d.message = std::move(message);
        result.diagnostics.push_back(std::move(d));
        return result;
    };
    if (text.size() > limits.maxFileBytes)
        return fail(0,
                    0,
                    "file too large (" + std::to_string(text.size()) + " bytes; at most "
                        + std::to_string(limits.maxFileBytes) + " bytes)");
    // Binary data: NUL and other control bytes have no place in a scenario file.
    int line = 1;
    int column = 1;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0 || (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f)
            return fail(line,
                        column,
                        "binary data (control byte " + std::to_string(u)
                            + "): expected a YAML text file");
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    const bool blank = std::all_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    });
    if (blank)
        return fail(0,
                    0,
                    "empty file (expected a scenario: meshsim: 1, services, routes, "
                    "workloads)");
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::DeepRecursion& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "YAML nested too deeply (more than " + std::to_string(e.depth())
                        + " levels of lists or mappings)");
    } catch (const YAML::Exception& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "YAML syntax error: " + e.msg);
    }
    if (!root || root.IsNull())
        return fail(0,
                    0,
                    "empty file (expected a scenario: meshsim: 1, services, routes, "
                    "workloads)");
    Scenario scenario;
    scenario.file = displayName;
    try {
        Loader loader(displayName, limits, result.diagnostics);
        loader.load(root, scenario);
    } catch (const BudgetExceeded& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "document too large to read: more than "
                        + std::to_string(limits.maxNodesVisited)
                        + " values (counting every use of an alias)");
    } catch (const YAML::Exception& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "YAML error: " + e.msg);
    }
    std::stable_sort(result.diagnostics.begin(),
                     result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return a.line != b.line ? a.line < b.line : a.column < b.column;
                     });
    if (!hasErrors(result.diagnostics)) {
        if (scenario.name.empty())
            scenario.name = displayName;
        result.scenario = std::move(scenario);
    }
    return result;
}

LoadResult loadScenarioFile(const std::string& path, const LoadLimits& limits)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult result;
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::Error, path, 0, 0, "", "cannot open the file"});
        return result;
    }
    // Read at most one byte past the limit: a huge file is refused without reading it all.
    std::string text(limits.maxFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return loadScenarioText(text, path, limits);
}

LoadResult loadScenario(const std::string& nameOrPath, const LoadLimits& limits)
{
    struct Set
    {
        std::string_view prefix;
        std::vector<std::string> (*names)();
        std::optional<std::string_view> (*text)(std::string_view);
        const char* what;
    };
    static const Set kSets[]
        = {{"builtin:", builtinScenarioNames, builtinScenarioText, "built-in scenario"},
           {"validation:", validationScenarioNames, validationScenarioText, "validation scenario"}};
    for (const Set& set : kSets) {
        if (nameOrPath.rfind(set.prefix, 0) != 0)
            continue;
        const std::string name = nameOrPath.substr(set.prefix.size());
        if (const auto text = set.text(name))
            return loadScenarioText(*text, nameOrPath, limits);
        LoadResult result;
        std::string message = std::string("no ") + set.what + " named " + quote(name);
        if (const auto hint = closestMatch(name, set.names()))
            message += " (did you mean " + std::string(set.prefix) + *hint + "?)";
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::Error, nameOrPath, 0, 0, "", message});
        return result;
    }
    return loadScenarioFile(nameOrPath, limits);
}

} // namespace meshsim::topologies
