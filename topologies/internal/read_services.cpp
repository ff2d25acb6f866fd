// The services section: each service, its steps (the calls it makes) and its library client.

#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

#include <algorithm>

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

namespace {

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
                         + " levels of parallel/sequence)");
        return;
    }
    reader.forEachItem(node, path, "steps", [&](const YAML::Node& item, const std::string& p) {
        m::Step step;
        if (item.IsScalar()) { // shorthand: "- catalog" calls catalog
            if (const auto callee = ctx.names.service(item, p)) {
                step.service = *callee;
                ctx.callSites.try_emplace({caller, *callee}, item.Mark(), p);
                out.push_back(step);
            }
            return;
        }
        Fields f(reader,
                 item,
                 p,
                 {"call", "probability", "request", "optional", "parallel", "sequence"});
        if (!f.valid())
            return;
        const int kinds = (f.find("call") ? 1 : 0) + (f.find("parallel") ? 1 : 0)
                          + (f.find("sequence") ? 1 : 0);
        if (kinds != 1) {
            reader.error(item,
                         p,
                         kinds == 0
                             ? "a step needs one of \"call\", \"parallel\" or \"sequence\""
                             : "a step has exactly one of \"call\", \"parallel\" or \"sequence\"");
            return;
        }
        if (const YAML::Node* call = f.find("call")) {
            const auto callee = ctx.names.service(*call, f.pathOf("call"));
            reader.readFraction(f, "probability", step.probability);
            reader.readSize(f, "request", step.requestBytes);
            reader.readBool(f, "optional", step.optional);
            if (callee) {
                step.service = *callee;
                ctx.callSites.try_emplace({caller, *callee}, call->Mark(), f.pathOf("call"));
                out.push_back(step);
            }
            return;
        }
        for (const char* key : {"probability", "request", "optional"}) {
            if (f.find(key))
                reader.error(*f.find(key),
                             f.pathOf(key),
                             std::string("\"") + key + "\" applies to a call, not to a group");
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
    Fields f(reader, node, path, {"kind", "circuit_breaker", "retries", "timeout", "bulkhead"});
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
    std::uint32_t bulkhead = out.bulkhead.value_or(m::kUnlimited);
    if (reader.readCount(f, "bulkhead", bulkhead, 1, m::kUnlimited, true))
        out.bulkhead = bulkhead == m::kUnlimited ? std::nullopt : std::optional(bulkhead);
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
                      "placement",
                      "client"});
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
                reader.readCount(f, "workers", config.workers, 1, limits.maxWorkers);
                reader.readCount(f, "queue", config.queue, 0, 100'000'000, true);
                readDistribution(reader, f, "cpu", config.cpu);
                reader.readFraction(f, "errors", config.errorRate);
                reader.readSize(f, "response", config.responseBytes);
                if (const YAML::Node* st = f.find("steps"))
                    readSteps(ctx, *st, f.pathOf("steps"), config.steps, 0, index);
                if (const YAML::Node* pl = f.find("placement"))
                    readPlacement(ctx, *pl, f.pathOf("placement"), config.placement);
                if (const YAML::Node* c = f.find("client"))
                    readLibraryClient(reader, *c, f.pathOf("client"), config.client);
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
