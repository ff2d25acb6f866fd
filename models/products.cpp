// The defaults of the products meshsim's gateway and mesh stand for. Every value and its source:
// docs/mechanisms/products.md (reference/semantics.md §3.3, §3.4, §6).

#include "models/config.h"

#include <charconv>
#include <stdexcept>

namespace meshsim::models {

namespace {

constexpr SimDuration kSecond{1'000'000'000};
constexpr std::int64_t kMicrosecond = 1'000;

// nginx's proxy_next_upstream default "error timeout": a connection error, or a timeout while
// connecting, sending or reading the response header; never an HTTP status. In Envoy's terms:
// reset (a refused or reset connection, a per-try timeout) and connect-failure, retried at once
// on the next server (no backoff).
RetryConfig nextUpstream(std::uint32_t tries)
{
    RetryConfig r;
    r.attempts = tries;
    r.retryOn = {"reset", "connect-failure"};
    r.perTryTimeout = 60 * kSecond; // proxy_read_timeout / Kong's read_timeout
    r.backoffBase = SimDuration{0};
    r.backoffMax = SimDuration{0};
    r.nonIdempotentOnceSent = true;
    return r;
}

} // namespace

GatewayConfig gatewayDefaults(GatewayKind kind)
{
    GatewayConfig g; // Envoy's
    g.kind = kind;
    switch (kind) {
    case GatewayKind::Envoy:
        break;
    case GatewayKind::Kong:
        // kong/db/schema/entities/services.lua: retries 5, connect/read/write timeouts 60 s; no
        // circuit breaker (passive health checks off); rate-limiting plugin: fixed windows, 429.
        g.timeout.reset();
        g.retries = nextUpstream(5);
        g.circuitBreaker.reset();
        g.connectTimeout = 60 * kSecond;
        g.cpu = Distribution::constant(static_cast<double>(126 * kMicrosecond));
        break;
    case GatewayKind::Nginx:
        // proxy_next_upstream_tries 0: every server of the upstream once (oncePerHost);
        // proxy_connect_timeout and proxy_read_timeout 60 s; limit_req: a leaky bucket, 503.
        g.timeout.reset();
        g.retries = nextUpstream(kUnlimited);
        g.retries->oncePerHost = true;
        g.circuitBreaker.reset();
        // server max_fails=1 fail_timeout=10s: one failed attempt sets a server aside for 10 s.
        g.passiveHealth = FailureAccrualConfig{
            FailureAccrualConfig::Style::Nginx, 1, 10 * kSecond, 10 * kSecond, 0.0};
        g.connectTimeout = 60 * kSecond;
        g.cpu = Distribution::constant(static_cast<double>(27 * kMicrosecond));
        break;
    }
    return g;
}

LibraryClientConfig libraryClientDefaults(LibraryClientConfig::Kind kind)
{
    LibraryClientConfig c;
    c.kind = kind;
    LibraryCircuitBreakerConfig breaker;
    switch (kind) {
    case LibraryClientConfig::Kind::Plain:
        return c;
    case LibraryClientConfig::Kind::Resilience4j: {
        // RetryConfig: maxAttempts 3, waitDuration 500 ms, every exception retried;
        // TimeLimiterConfig: 1 s; BulkheadConfig: 25 concurrent calls, no wait;
        // CircuitBreakerConfig: the member defaults of LibraryCircuitBreakerConfig.
        RetryConfig r;
        r.attempts = 2;
        r.retryOn.clear();
        r.retryAll = true;
        r.fixedBackoff = true;
        r.backoffBase = SimDuration{500'000'000};
        r.backoffMax = r.backoffBase;
        r.perTryTimeout = kSecond;
        c.retries = r;
        c.bulkhead = 25;
        c.circuitBreaker = breaker;
        return c;
    }
    case LibraryClientConfig::Kind::Hystrix:
        // HystrixCommandProperties: 1 s execution timeout, breaker volume 20, 50% errors, 5 s
        // sleep, 10 s window; HystrixThreadPoolProperties: 10 threads, no queue.
        breaker.kind = LibraryCircuitBreakerConfig::Kind::Hystrix;
        breaker.failureRateThreshold = 0.5;
        breaker.slidingWindow = 10;
        breaker.minimumCalls = 20;
        breaker.waitInOpen = 5 * kSecond;
        breaker.halfOpenCalls = 1;
        c.circuitBreaker = breaker;
        c.timeout = kSecond;
        c.bulkhead = 10;
        return c;
    }
    return c;
}

namespace {

// A release "MAJOR.MINOR" as one comparable number (1.13 -> 1013), or -1.
int releaseNumber(const std::string& version)
{
    int major = 0;
    int minor = 0;
    const char* begin = version.data();
    const char* end = begin + version.size();
    auto [p, ec] = std::from_chars(begin, end, major);
    if (ec != std::errc{} || p == end || *p != '.')
        return -1;
    auto [q, ec2] = std::from_chars(p + 1, end, minor);
    if (ec2 != std::errc{} || (q != end && *q != '.') || major > 99 || minor > 999)
        return -1;
    return major * 1000 + minor;
}

struct Calibration
{
    int release;            // the calibration applies from this release on
    std::int64_t cpuUs;     // mean CPU per request and proxy (vCPU per 1000 rps x 1000 us)
    std::int64_t latencyUs; // fixed latency per proxy traversal
};

// Istio's performance pages, newest first (reference/semantics.md §6.1). The CPU per traversal
// is the published vCPU per 1000 requests/s less the 15 us of mTLS record work meshsim adds;
// the latency is what makes two proxies add the published p90 (docs/mechanisms/products.md).
constexpr Calibration kIstio[] = {
    {1024, 185, 750},  // 1.24: 0.20 vCPU; latency published as charts only: kept from before
    {1022, 485, 400},  // 1.22: 0.5 vCPU, +2.8 ms p90
    {1010, 335, 620},  // 1.10-1.13: 0.35 vCPU, +2.65 ms p90
    {1005, 485, 380},  // 1.5-1.9: 0.5 vCPU, +2.76 ms p90 (1.8's page)
    {1002, 585, 2810}, // 1.2 (Mixer): 0.6 vCPU, +8 ms p90
};

} // namespace

MeshConfig meshDefaults(MeshKind kind, const std::string& version)
{
    MeshConfig m;
    m.kind = kind;
    m.version = version;
    switch (kind) {
    case MeshKind::Istio: {
        const int wanted = version.empty() ? 1'000'000 : releaseNumber(version);
        if (wanted < 0)
            throw std::invalid_argument("expected a release such as \"1.24\"");
        const Calibration* c = nullptr;
        for (const Calibration& k : kIstio) {
            if (k.release <= wanted) {
                c = &k;
                break;
            }
        }
        if (!c)
            throw std::invalid_argument(
                "no published calibration before Istio 1.2 (releases 1.2 and later)");
        m.sidecar.cpu = Distribution::exponential(static_cast<double>(c->cpuUs * kMicrosecond));
        m.sidecar.latency = SimDuration{c->latencyUs * kMicrosecond};
        break;
    }
    case MeshKind::IstioAmbient:
        // A ztunnel per node (Rust, L4 and mTLS): 0.06 vCPU per 1000 requests/s (Istio 1.24's
        // page), 45 us + 15 us of mTLS records, about constant; the two ztunnels of a call add
        // 0.17 ms at p90 (Istio 1.22's page), which their CPU and the pod-to-ztunnel hops on
        // the node already take: no latency of their own. The ingress is an Envoy gateway with
        // the costs of Istio's sidecars.
        m.sidecar.cpu = Distribution::constant(static_cast<double>(45 * kMicrosecond));
        m.sidecar.latency = SimDuration{0};
        m.ingress.cpu = Distribution::exponential(static_cast<double>(185 * kMicrosecond));
        m.ingress.latency = SimDuration{750 * kMicrosecond};
        break;
    case MeshKind::Linkerd:
        // linkerd2-proxy: outbound connect timeout 1 s (linkerd/app/src/env.rs). Linkerd
        // publishes no CPU per request: 36/67 of Istio 1.12's in the same benchmark (190 us
        // with mTLS), and the latency in the ratio of the added medians (7/19 of 750 us).
        m.connectTimeout = kSecond;
        m.sidecar.cpu = Distribution::exponential(static_cast<double>(175 * kMicrosecond));
        m.sidecar.latency = SimDuration{280 * kMicrosecond};
        break;
    }
    return m;
}

} // namespace meshsim::models
