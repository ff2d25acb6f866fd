// The services section: each service, its steps (the calls it makes) and its library client.

#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

#include <algorithm>
#include <charconv>

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

namespace {

// `repeat: N`, or `repeat: {count: N | min: A, max: B, parallel: bool}`.
void readRepeat(Reader& reader, const YAML::Node& node, const std::string& path, m::Step& step)
{
    const LoadLimits& limits = reader.limits();
    if (node.IsScalar()) {
        std::uint32_t count = 1;
        if (reader.parseCount(node, path, count, 0, limits.maxRepeat))
            step.repeatMin = step.repeatMax = count;
        return;
    }
    Fields f(reader, node, path, {"count", "min", "max", "parallel"});
    if (!f.valid())
        return;
    reader.readBool(f, "parallel", step.repeatParallel);
    if (f.find("count")) {
        if (f.find("min") || f.find("max"))
            reader.error(node, path, "a repeat has \"count\" or \"min\" and \"max\", not both");
        std::uint32_t count = 1;
        if (reader.readCount(f, "count", count, 0, limits.maxRepeat))
            step.repeatMin = step.repeatMax = count;
        return;
    }
    if (!f.find("min") || !f.find("max")) {
        reader.error(node,
                     path,
                     "a repeat needs \"count\" (a number of times) or both \"min\" and \"max\" "
                     "(a number drawn uniformly between them)");
        return;
    }
    std::uint32_t min = 0;
    std::uint32_t max = 0;
    if (reader.readCount(f, "min", min, 0, limits.maxRepeat)
        && reader.readCount(f, "max", max, 0, limits.maxRepeat)) {
        if (max < min) {
            reader.error(*f.find("max"), f.pathOf("max"), "\"max\" is below \"min\"");
            return;
        }
        step.repeatMin = min;
        step.repeatMax = max;
    }
}

void readSteps(Context& ctx,
               const YAML::Node& node,
               const std::string& path,
               std::vector<m::Step>& out,
               int depth,
               std::uint32_t caller);

// `choice: [{weight: W, steps: [...]}, ...]`: each branch a sequence with its weight.
void readChoice(Context& ctx,
                const YAML::Node& node,
                const std::string& path,
                m::Step& choice,
                int depth,
                std::uint32_t caller)
{
    Reader& reader = ctx.reader;
    reader.forEachItem(node, path, "branches", [&](const YAML::Node& item, const std::string& p) {
        Fields f(reader, item, p, {"weight", "steps"});
        if (!f.valid())
            return;
        m::Step branch;
        branch.kind = m::Step::Kind::Sequence;
        if (!f.find("weight"))
            reader.error(item, p, "missing key \"weight\" (a positive number: the branch's share)");
        reader.readNumber(f, "weight", branch.weight, 1e-9, 1e12, "a positive number");
        if (const YAML::Node* st = f.find("steps"))
            readSteps(ctx, *st, f.pathOf("steps"), branch.children, depth + 1, caller);
        choice.children.push_back(std::move(branch));
    });
    if (node.IsSequence() && node.size() == 0)
        reader.error(node, path, "a choice needs at least one branch");
}

void readSteps(Context& ctx,
               const YAML::Node& node,
               const std::string& path,
               std::vector<m::Step>& out,
               int depth,
               std::uint32_t caller)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    if (depth > limits.maxStepDepth) {
        reader.error(node,
                     path,
                     "steps nested too deeply (at most " + std::to_string(limits.maxStepDepth)
                         + " levels of parallel/sequence/choice)");
        return;
    }
    reader.forEachItem(node, path, "steps", [&](const YAML::Node& item, const std::string& p) {
        m::Step step;
        if (item.IsScalar()) { // shorthand: "- catalog" calls catalog
            if (const auto callee = ctx.names.callee(item, p)) {
                step.service = callee->first;
                step.operation = callee->second;
                ctx.callSites.try_emplace({caller, callee->first}, item.Mark(), p);
                out.push_back(step);
            }
            return;
        }
        Fields f(reader,
                 item,
                 p,
                 {"call",
                  "probability",
                  "request",
                  "optional",
                  "async",
                  "repeat",
                  "parallel",
                  "sequence",
                  "choice"});
        if (!f.valid())
            return;
        const int kinds = (f.find("call") ? 1 : 0) + (f.find("parallel") ? 1 : 0)
                          + (f.find("sequence") ? 1 : 0) + (f.find("choice") ? 1 : 0);
        if (kinds != 1) {
            reader.error(item,
                         p,
                         kinds == 0 ? "a step needs one of \"call\", \"parallel\", \"sequence\" "
                                      "or \"choice\""
                                    : "a step has exactly one of \"call\", \"parallel\", "
                                      "\"sequence\" or \"choice\"");
            return;
        }
        // Keys of any step.
        reader.readFraction(f, "probability", step.probability);
        reader.readBool(f, "optional", step.optional);
        if (const YAML::Node* r = f.find("repeat"))
            readRepeat(reader, *r, f.pathOf("repeat"), step);
        if (const YAML::Node* call = f.find("call")) {
            const auto callee = ctx.names.callee(*call, f.pathOf("call"));
            reader.readSize(f, "request", step.requestBytes);
            reader.readBool(f, "async", step.async);
            if (callee) {
                step.service = callee->first;
                step.operation = callee->second;
                ctx.callSites.try_emplace({caller, callee->first}, call->Mark(), f.pathOf("call"));
                out.push_back(step);
            }
            return;
        }
        for (const char* key : {"request", "async"}) {
            if (f.find(key))
                reader.error(*f.find(key),
                             f.pathOf(key),
                             std::string("\"") + key + "\" applies to a call, not to a group");
        }
        if (const YAML::Node* choice = f.find("choice")) {
            step.kind = m::Step::Kind::Choice;
            readChoice(ctx, *choice, f.pathOf("choice"), step, depth + 1, caller);
            out.push_back(std::move(step));
            return;
        }
        const bool parallel = f.find("parallel") != nullptr;
        step.kind = parallel ? m::Step::Kind::Parallel : m::Step::Kind::Sequence;
        const char* key = parallel ? "parallel" : "sequence";
        readSteps(ctx, *f.find(key), f.pathOf(key), step.children, depth + 1, caller);
        out.push_back(std::move(step));
    });
}

void readLibraryClient(Reader& reader,
                       const YAML::Node& node,
                       const std::string& path,
                       m::LibraryClientConfig& out)
{
    Fields f(reader,
             node,
             path,
             {"kind", "circuit_breaker", "retries", "timeout", "bulkhead", "load_balancer"});
    if (!f.valid())
        return;
    // The library first: its defaults are what the other keys change.
    using C = m::LibraryClientConfig::Kind;
    static constexpr EnumName<C> kLibraries[]
        = {{"resilience4j", C::Resilience4j}, {"hystrix", C::Hystrix}};
    C library = C::Plain;
    reader.readEnum(f, "kind", library, kLibraries);
    out = m::libraryClientDefaults(library);
    if (const YAML::Node* cb = f.find("circuit_breaker")) {
        Fields c(reader,
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
            // The client's library, unless the breaker names one.
            if (library == C::Hystrix)
                config.kind = K::Hystrix;
            reader.readEnum(c, "kind", config.kind, kKinds);
            if (config.kind == K::Hystrix) { // Hystrix defaults, reference/semantics.md §8
                config.failureRateThreshold = 0.5;
                config.slidingWindow = 10; // seconds: 10 buckets of 1 s
                config.minimumCalls = 20;  // requestVolumeThreshold
                config.waitInOpen = SimDuration{5'000'000'000};
                config.halfOpenCalls = 1;
            }
            reader.readFraction(c, "failure_rate_threshold", config.failureRateThreshold);
            reader.readCount(c, "sliding_window", config.slidingWindow, 1, 1'000'000);
            reader.readCount(c, "minimum_calls", config.minimumCalls, 1, 1'000'000);
            reader.readDuration(c, "wait_in_open", config.waitInOpen, true);
            reader.readCount(c, "half_open_calls", config.halfOpenCalls, 1, 1'000'000);
            out.circuitBreaker = config;
        }
    }
    if (const YAML::Node* r = f.find("retries")) {
        m::RetryConfig config = out.retries.value_or(m::RetryConfig{});
        readRetries(reader, *r, f.pathOf("retries"), config);
        if (config.fixedBackoff) // resilience4j waits backoff.base before every retry
            config.backoffMax = config.backoffBase;
        out.retries = config;
    }
    // 0 turns the library's timeout off.
    std::optional<SimDuration> timeout;
    if (reader.readDuration(f, "timeout", timeout, false))
        out.timeout = timeout->count() > 0 ? timeout : std::nullopt;
    if (const YAML::Node* lb = f.find("load_balancer")) {
        m::LoadBalancerConfig config;
        readLoadBalancer(reader, *lb, f.pathOf("load_balancer"), config);
        out.loadBalancer = config;
    }
    std::uint32_t bulkhead = out.bulkhead.value_or(m::kUnlimited);
    if (reader.readCount(f, "bulkhead", bulkhead, 1, m::kUnlimited, true))
        out.bulkhead = bulkhead == m::kUnlimited ? std::nullopt : std::optional(bulkhead);
}

// An operation's keys `cpu`, `errors`, `response`, `after_cpu` and `steps` over what `op` holds:
// a named operation's over the service's defaults, a version's changes over the service's
// operation (an entry of the version's `operations`, or the version itself for a plain service).
void readOperationChanges(Context& ctx,
                          const Fields& f,
                          m::OperationConfig& op,
                          std::uint32_t service)
{
    Reader& reader = ctx.reader;
    readDistribution(reader, f, "cpu", op.cpu);
    reader.readFraction(f, "errors", op.errorRate);
    reader.readSize(f, "response", op.responseBytes);
    if (f.find("after_cpu")) {
        engine::Distribution after;
        if (readDistribution(reader, f, "after_cpu", after))
            op.afterCpu = after;
    }
    if (const YAML::Node* st = f.find("steps")) {
        op.steps.clear();
        readSteps(ctx, *st, f.pathOf("steps"), op.steps, 0, service);
    }
}

// A list of a service's `key` that may not be empty (then the key is left out) nor longer than
// `max`: an error at the list otherwise.
void checkListSize(Reader& reader,
                   const YAML::Node& node,
                   const std::string& path,
                   const std::string& key,
                   const std::string& noun,
                   std::size_t size,
                   std::size_t max)
{
    if (node.IsSequence() && node.size() == 0)
        reader.error(
            node, path, "no " + noun + " (expected at least one, or no \"" + key + "\" key)");
    if (size > max)
        reader.error(
            node, path, "too many " + noun + " (at most " + std::to_string(max) + " per service)");
}

// The named operations of a service; the service's cpu, errors, response and after_cpu are
// each operation's defaults (read before).
void readOperations(Context& ctx,
                    const YAML::Node& node,
                    const std::string& path,
                    m::ServiceConfig& service,
                    std::uint32_t index)
{
    Reader& reader = ctx.reader;
    reader.forEachItem(node, path, "operations", [&](const YAML::Node& item, const std::string& p) {
        Fields f(reader, item, p, {"name", "cpu", "errors", "response", "steps", "after_cpu"});
        if (!f.valid())
            return;
        m::OperationConfig op;
        op.cpu = service.cpu;
        op.errorRate = service.errorRate;
        op.responseBytes = service.responseBytes;
        op.afterCpu = service.afterCpu;
        if (!f.find("name"))
            reader.error(item, p, "missing key \"name\"");
        if (reader.readName(f, "name", op.name)) {
            if (op.name.find('.') != std::string::npos)
                reader.error(*f.find("name"),
                             f.pathOf("name"),
                             "an operation's name has no \".\" (calls write service.operation)");
            for (const m::OperationConfig& other : service.operations)
                if (other.name == op.name)
                    reader.error(*f.find("name"),
                                 f.pathOf("name"),
                                 "duplicate operation " + quote(op.name) + " of service "
                                     + quote(service.name));
        }
        readOperationChanges(ctx, f, op, index); // its own work over the service's defaults
        service.operations.push_back(std::move(op));
    });
    checkListSize(reader,
                  node,
                  path,
                  "operations",
                  "operations",
                  service.operations.size(),
                  reader.limits().maxOperations);
}

// `versions`: the service's instances in subsets, each with its replicas and its changes to the
// service's work. Read after everything else of the service (its operations are the base).
void readVersions(Context& ctx,
                  const YAML::Node& node,
                  const std::string& path,
                  m::ServiceConfig& service,
                  std::uint32_t index)
{
    Reader& reader = ctx.reader;
    const std::vector<m::OperationConfig> base = m::operationsOf(service);
    std::uint64_t replicas = 0;
    reader.forEachItem(node, path, "versions", [&](const YAML::Node& item, const std::string& p) {
        Fields f(reader,
                 item,
                 p,
                 {"name",
                  "replicas",
                  "labels",
                  "cpu",
                  "errors",
                  "response",
                  "after_cpu",
                  "steps",
                  "operations"});
        if (!f.valid())
            return;
        m::VersionConfig version;
        version.operations = base;
        if (!f.find("name"))
            reader.error(item, p, "missing key \"name\" (the version's label, as v1)");
        if (reader.readName(f, "name", version.name)) {
            for (const m::VersionConfig& other : service.versions)
                if (other.name == version.name)
                    reader.error(*f.find("name"),
                                 f.pathOf("name"),
                                 "duplicate version " + quote(version.name) + " of service "
                                     + quote(service.name));
        }
        reader.readCount(f, "replicas", version.replicas, 0, reader.limits().maxReplicas);
        replicas += version.replicas;
        if (const YAML::Node* l = f.find("labels"))
            reader.readHeaders(*l, f.pathOf("labels"), version.labels);
        if (service.operations.empty()) {
            if (const YAML::Node* o = f.find("operations"))
                reader.error(*o,
                             f.pathOf("operations"),
                             "the service has no operations: write a version's cpu, errors, "
                             "response or steps beside its name");
            readOperationChanges(ctx, f, version.operations.front(), index);
        } else {
            for (const char* key : {"cpu", "errors", "response", "after_cpu", "steps"})
                if (const YAML::Node* k = f.find(key))
                    reader.error(*k,
                                 f.pathOf(key),
                                 std::string("the service has operations: a version changes \"")
                                     + key
                                     + "\" per operation, under the version's "
                                       "\"operations\" ({name, "
                                     + key + "})");
            if (const YAML::Node* ops = f.find("operations")) {
                std::vector<std::string> names;
                for (const m::OperationConfig& op : base)
                    names.push_back(op.name);
                reader.forEachItem(
                    *ops,
                    f.pathOf("operations"),
                    "operations",
                    [&](const YAML::Node& o, const std::string& op) {
                        Fields of(reader,
                                  o,
                                  op,
                                  {"name", "cpu", "errors", "response", "after_cpu", "steps"});
                        if (!of.valid())
                            return;
                        const YAML::Node* n = of.find("name");
                        if (!n) {
                            reader.error(
                                o, op, "missing key \"name\" (one of the service's operations)");
                            return;
                        }
                        if (const auto which = reader.parseChoice(*n, of.pathOf("name"), names))
                            readOperationChanges(ctx, of, version.operations[*which], index);
                    });
            }
        }
        service.versions.push_back(std::move(version));
    });
    checkListSize(reader,
                  node,
                  path,
                  "versions",
                  "versions",
                  service.versions.size(),
                  reader.limits().maxVersions);
    if (!service.versions.empty() && replicas == 0)
        reader.error(node, path, "the versions have no replicas in all (expected at least one)");
    if (replicas <= reader.limits().maxReplicas)
        service.replicas = static_cast<std::uint32_t>(replicas);
    else
        reader.error(node,
                     path,
                     "too many replicas in all versions (at most "
                         + std::to_string(reader.limits().maxReplicas) + ")");
}

// `traffic`: which version a request goes to, by its headers or by weight (an Istio
// VirtualService over the versions). Read after the versions.
void readTraffic(Context& ctx,
                 const YAML::Node& node,
                 const std::string& path,
                 m::ServiceConfig& service)
{
    Reader& reader = ctx.reader;
    std::vector<std::string> names;
    for (const m::VersionConfig& v : service.versions)
        names.push_back(v.name);
    if (names.empty()) {
        reader.error(node,
                     path,
                     "traffic rules choose among a service's versions: add \"versions\" to the "
                     "service");
        return;
    }
    reader.forEachItem(
        node, path, "traffic rules", [&](const YAML::Node& item, const std::string& p) {
            Fields f(reader, item, p, {"match", "version", "split"});
            if (!f.valid())
                return;
            m::TrafficRule rule;
            if (const YAML::Node* match = f.find("match")) {
                Fields mf(reader, *match, f.pathOf("match"), {"headers"});
                if (mf.valid()) {
                    if (const YAML::Node* h = mf.find("headers"))
                        reader.readHeaders(*h, mf.pathOf("headers"), rule.headers);
                    else
                        reader.error(*match, f.pathOf("match"), "missing key \"headers\"");
                }
            }
            const YAML::Node* version = f.find("version");
            const YAML::Node* split = f.find("split");
            if ((version != nullptr) == (split != nullptr)) {
                reader.error(
                    item,
                    p,
                    "a traffic rule has exactly one of \"version\" (where its requests go) "
                    "or \"split\" (versions and their weights, as {v1: 90, v2: 10})");
                return;
            }
            if (version) {
                if (const auto v = reader.parseChoice(*version, f.pathOf("version"), names)) {
                    rule.versions.push_back(static_cast<std::uint32_t>(*v));
                    rule.weights.push_back(1.0);
                }
            } else {
                reader.visit(*split);
                if (!split->IsMap() || split->size() == 0) {
                    reader.expected(*split,
                                    f.pathOf("split"),
                                    "a mapping of versions to weights (as {v1: 90, v2: 10})");
                    return;
                }
                Fields sf(reader, *split, f.pathOf("split"), names);
                for (const std::string& name : names) {
                    if (!sf.find(name))
                        continue;
                    double weight = 0.0;
                    if (!reader.readNumber(sf, name, weight, 0.0, 1e9, "a weight (a number >= 0)"))
                        continue;
                    const auto v = static_cast<std::uint32_t>(
                        std::find(names.begin(), names.end(), name) - names.begin());
                    rule.versions.push_back(v);
                    rule.weights.push_back(weight);
                }
                double total = 0.0;
                for (const double w : rule.weights)
                    total += w;
                if (!rule.weights.empty() && total <= 0.0)
                    reader.error(*split, f.pathOf("split"), "the weights add up to 0");
            }
            service.traffic.push_back(std::move(rule));
        });
    checkListSize(reader,
                  node,
                  path,
                  "traffic",
                  "traffic rules",
                  service.traffic.size(),
                  reader.limits().maxTrafficRules);
    if (!service.traffic.empty() && !service.traffic.back().headers.empty())
        reader.error(node,
                     path,
                     "the last traffic rule has a \"match\": add a rule without one for the "
                     "requests no rule matches (Istio answers them 404)");
}

// A CPU quantity as Kubernetes writes it: millicores ("500m") or cores (0.5, 2), in cores.
bool readCpu(Reader& reader, const Fields& f, std::string_view key, std::optional<double>& out)
{
    const YAML::Node* node = f.find(key);
    if (!node || !reader.scalar(*node, f.pathOf(key), "a CPU quantity"))
        return false;
    std::string text = node->Scalar();
    double scale = 1.0;
    if (!text.empty() && text.back() == 'm') {
        text.pop_back();
        scale = 1e-3;
    }
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    value *= scale;
    if (text.empty() || ec != std::errc() || ptr != end || !(value >= 1e-3 && value <= 1e4)) {
        reader.expected(*node,
                        f.pathOf(key),
                        "a CPU quantity from 1m to 10000 cores, in millicores (\"500m\") or "
                        "cores (0.5, 2)");
        return false;
    }
    out = value;
    return true;
}

// A service's Kubernetes resources: requests and limits of CPU.
void readResources(Context& ctx,
                   const YAML::Node& node,
                   const std::string& path,
                   const Scenario& s,
                   m::ResourcesConfig& out)
{
    Reader& reader = ctx.reader;
    Fields f(reader, node, path, {"cpu_request", "cpu_limit"});
    if (!f.valid())
        return;
    readCpu(reader, f, "cpu_request", out.cpuRequest);
    readCpu(reader, f, "cpu_limit", out.cpuLimit);
    if (out.cpuRequest && out.cpuLimit && *out.cpuRequest > *out.cpuLimit + 1e-12)
        reader.error(*f.find("cpu_request"),
                     f.pathOf("cpu_request"),
                     "the CPU request exceeds the limit (Kubernetes requires request <= limit)");
    if (s.platform.declaredNodes && (out.cpuRequest || out.cpuLimit)) {
        reader.warning(node,
                       path,
                       "ignored with declared nodes: an instance's CPU request and limit apply to "
                       "a node of its own (remove platform.nodes to use them)");
        out = {};
    }
}

} // namespace

void readServices(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    reader.forEachItem(
        node, "services", "services", [&](const YAML::Node& item, const std::string& p) {
            const auto index = static_cast<std::uint32_t>(s.system.services.size());
            m::ServiceConfig config;
            Fields f(reader,
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
                      "after_cpu",
                      "operations",
                      "placement",
                      "client",
                      "protocol",
                      "max_connection_age",
                      "resources",
                      "versions",
                      "traffic"});
            if (f.valid()) {
                if (!f.find("name"))
                    reader.error(item, p, "missing key \"name\"");
                reader.readName(f, "name", config.name);
                const std::vector<std::string>& declared = ctx.names.services();
                if (!config.name.empty()
                    && std::find(declared.begin(), declared.begin() + index, config.name)
                           != declared.begin() + index)
                    reader.error(*f.find("name"),
                                 f.pathOf("name"),
                                 "duplicate service " + quote(config.name));
                if (config.name == "gateway" || config.name == "ingress")
                    reader.error(
                        *f.find("name"),
                        f.pathOf("name"),
                        "the name " + quote(config.name)
                            + " is reserved for the proxy tier of that name (results list it "
                              "among the services)");
                reader.readCount(f, "replicas", config.replicas, 1, limits.maxReplicas);
                reader.readCount(f, "workers", config.workers, 1, limits.maxWorkers, true);
                reader.readCount(f, "queue", config.queue, 0, 100'000'000, true);
                readDistribution(reader, f, "cpu", config.cpu);
                reader.readFraction(f, "errors", config.errorRate);
                reader.readSize(f, "response", config.responseBytes);
                if (const YAML::Node* st = f.find("steps"))
                    readSteps(ctx, *st, f.pathOf("steps"), config.steps, 0, index);
                if (f.find("after_cpu")) {
                    engine::Distribution after;
                    if (readDistribution(reader, f, "after_cpu", after))
                        config.afterCpu = after;
                }
                if (const YAML::Node* ops = f.find("operations")) {
                    if (const YAML::Node* st = f.find("steps"))
                        reader.error(*st,
                                     f.pathOf("steps"),
                                     "a service with operations has its steps in each operation");
                    readOperations(ctx, *ops, f.pathOf("operations"), config, index);
                }
                if (const YAML::Node* pl = f.find("placement"))
                    readPlacement(ctx, *pl, f.pathOf("placement"), config.placement);
                if (const YAML::Node* c = f.find("client"))
                    readLibraryClient(reader, *c, f.pathOf("client"), config.client);
                if (const YAML::Node* res = f.find("resources"))
                    readResources(ctx, *res, f.pathOf("resources"), s, config.resources);
                static constexpr EnumName<m::Protocol> kProtocols[]
                    = {{"http1", m::Protocol::Http1},
                       {"http2", m::Protocol::Http2},
                       {"grpc", m::Protocol::Grpc}};
                reader.readEnum(f, "protocol", config.protocol, kProtocols);
                reader.readDuration(f, "max_connection_age", config.maxConnectionAge, true);
                if (config.maxConnectionAge && config.protocol == m::Protocol::Http1)
                    reader.error(*f.find("max_connection_age"),
                                 f.pathOf("max_connection_age"),
                                 "max_connection_age applies to long-lived connections: write "
                                 "\"protocol: grpc\" or \"protocol: http2\" beside it");
                if (const YAML::Node* v = f.find("versions")) {
                    if (const YAML::Node* r = f.find("replicas"))
                        reader.error(*r,
                                     f.pathOf("replicas"),
                                     "a service with versions has its replicas in each version");
                    readVersions(ctx, *v, f.pathOf("versions"), config, index);
                }
                if (const YAML::Node* t = f.find("traffic"))
                    readTraffic(ctx, *t, f.pathOf("traffic"), config);
                ctx.totalInstances += config.replicas;
            }
            s.system.services.push_back(std::move(config));
        });
    if (s.system.services.size() > limits.maxServices)
        reader.error(node,
                     "services",
                     "too many services (" + std::to_string(s.system.services.size()) + ", at most "
                         + std::to_string(limits.maxServices) + ")");
    if (ctx.totalInstances > limits.maxInstances)
        reader.error(node,
                     "services",
                     "too many instances in all (" + std::to_string(ctx.totalInstances)
                         + ", at most " + std::to_string(limits.maxInstances) + ")");
}

} // namespace meshsim::topologies::internal
