// The gateway section: the API gateway's capacity, auth, rate limit, cache and load balancer.

#include "topologies/internal/enum_names.h"
#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

void readGateway(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    m::GatewayConfig& g = s.system.gateway;
    g.present = true;
    Fields f(reader,
             node,
             "gateway",
             {"kind",
              "replicas",
              "workers",
              "queue",
              "cpu",
              "auth",
              "rate_limit",
              "cache",
              "translation",
              "load_balancer",
              "placement",
              "timeout",
              "retries",
              "circuit_breaker",
              "connect_timeout",
              "passive_health"});
    if (!f.valid())
        return;
    // The product first: its defaults are what the other keys change.
    m::GatewayKind kind = m::GatewayKind::Envoy;
    reader.readEnum(f, "kind", kind, kGatewayKindNames);
    g = m::gatewayDefaults(kind);
    g.present = true;
    reader.readCount(f, "replicas", g.replicas, 1, limits.maxReplicas);
    reader.readCount(f, "workers", g.workers, 1, limits.maxWorkers);
    reader.readCount(f, "queue", g.queue, 0, 100'000'000, true);
    readDistribution(reader, f, "cpu", g.cpu);
    if (const YAML::Node* a = f.find("auth")) {
        Fields af(reader, *a, f.pathOf("auth"), {"kind", "cpu", "reject"});
        if (af.valid()) {
            m::AuthConfig auth;
            reader.readString(af, "kind", auth.kind);
            reader.readDuration(af, "cpu", auth.cpu);
            reader.readFraction(af, "reject", auth.rejectFraction);
            g.auth = auth;
        }
    }
    if (const YAML::Node* r = f.find("rate_limit")) {
        Fields rf(
            reader,
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
            reader.readEnum(rf, "algorithm", rl.algorithm, kAlgorithms);
            if (!rf.find("rate"))
                reader.error(
                    *r, f.pathOf("rate_limit"), "missing key \"rate\" (e.g. rate: 1000/s)");
            reader.readRate(rf, "rate", rl.ratePerSecond);
            reader.readCount(rf, "burst", rl.burst, 0, 100'000'000);
            reader.readEnum(rf, "key", rl.key, kKeys);
            reader.readBool(rf, "nodelay", rl.nodelay);
            reader.readBool(rf, "disable_penalty", rl.disablePenalty);
            static constexpr EnumName<m::RateLimitScope> kScopes[] = {
                {"instance", m::RateLimitScope::Instance}, {"global", m::RateLimitScope::Global}};
            reader.readEnum(rf, "scope", rl.scope, kScopes);
            reader.readDuration(rf, "window", rl.window, true);
            g.rateLimit = rl;
        }
    }
    if (const YAML::Node* c = f.find("cache")) {
        Fields cf(reader, *c, f.pathOf("cache"), {"routes", "ttl", "capacity"});
        if (cf.valid()) {
            m::CacheConfig cache;
            if (const YAML::Node* rs = cf.find("routes")) {
                reader.forEachItem(*rs,
                                   cf.pathOf("routes"),
                                   "route paths",
                                   [&](const YAML::Node& e, const std::string& ep) {
                                       if (const auto r = ctx.names.route(e, ep))
                                           cache.routes.push_back(*r);
                                   });
            }
            reader.readDuration(cf, "ttl", cache.ttl, true);
            reader.readCount(cf, "capacity", cache.capacity, 1, 100'000'000);
            g.cache = cache;
        }
    }
    if (const YAML::Node* t = f.find("translation")) {
        Fields tf(reader, *t, f.pathOf("translation"), {"cpu"});
        SimDuration cpu{40'000};
        if (tf.valid())
            reader.readDuration(tf, "cpu", cpu);
        g.translationCpu = cpu;
    }
    if (const YAML::Node* lb = f.find("load_balancer"))
        readLoadBalancer(reader, *lb, f.pathOf("load_balancer"), g.loadBalancer);
    if (const YAML::Node* pl = f.find("placement"))
        readPlacement(ctx, *pl, f.pathOf("placement"), g.placement);
    // The resilience of the gateway's calls; 0 turns the timeout off (as Envoy's timeout: 0s).
    std::optional<SimDuration> timeout;
    if (reader.readDuration(f, "timeout", timeout, false))
        g.timeout = timeout->count() > 0 ? timeout : std::nullopt;
    if (const YAML::Node* r = f.find("retries")) {
        m::RetryConfig config = g.retries ? *g.retries : m::RetryConfig{};
        readRetries(reader, *r, f.pathOf("retries"), config);
        g.retries = config;
    }
    if (const YAML::Node* cb = f.find("circuit_breaker")) {
        m::CircuitBreakerThresholds t = g.circuitBreaker.value_or(m::CircuitBreakerThresholds{});
        readThresholds(reader, *cb, f.pathOf("circuit_breaker"), t, false);
        g.circuitBreaker = t;
    }
    reader.readDuration(f, "connect_timeout", g.connectTimeout, true);
    if (const YAML::Node* ph = f.find("passive_health")) {
        // NGINX's server max_fails and fail_timeout; max_fails 0 turns them off, as in NGINX.
        Fields pf(reader, *ph, f.pathOf("passive_health"), {"max_fails", "fail_timeout"});
        if (pf.valid()) {
            m::FailureAccrualConfig c = g.passiveHealth.value_or(
                m::FailureAccrualConfig{m::FailureAccrualConfig::Style::Nginx,
                                        1,
                                        SimDuration{10'000'000'000},
                                        SimDuration{10'000'000'000},
                                        0.0});
            reader.readCount(pf, "max_fails", c.consecutiveFailures, 0, 1'000'000);
            if (reader.readDuration(pf, "fail_timeout", c.minPenalty, true))
                c.maxPenalty = c.minPenalty;
            if (c.consecutiveFailures == 0)
                g.passiveHealth.reset();
            else
                g.passiveHealth = c;
        }
    }
}

} // namespace meshsim::topologies::internal
