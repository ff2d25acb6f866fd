#pragma once

// Validated configuration of every model, as the scenario loader produces it.
//
// These structs are plain data: the loader (topologies/) fills them from a scenario file and
// checks every value, so models may trust them (no negative rates, probabilities in [0, 1],
// references resolved to indices). Durations carry their unit in the type; sizes are bytes;
// rates are per second; fractions are in [0, 1]. Defaults are the documented defaults of
// docs/scenario-format.md and, for proxies, of reference/semantics.md §8.

#include "engine/core/distribution.h"
#include "engine/core/sim_time.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

using engine::Distribution;
using engine::SimDuration;

using ServiceIndex = std::uint32_t;
using RouteIndex = std::uint32_t;
using NodeIndex = std::uint32_t;
using ZoneIndex = std::uint32_t;

inline constexpr std::uint32_t kUnlimited = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint64_t kKilobyte = 1000;

enum class Architecture { Direct, Gateway, Mesh, GatewayMesh };
enum class EngineKind { Fast, SimGrid };

// --- platform ------------------------------------------------------------------------------

struct LinkConfig
{
    SimDuration latency{0};
    double bitsPerSecond = 0.0; // 0 = unlimited
};

struct NodeConfig
{
    std::string name;
    ZoneIndex zone = 0;
    std::uint32_t cores = 1;
    double speed = 1.0;
};

enum class PlacementStrategy { Spread, Pack };

// Where the instances of one component may run: nodes and/or zones (empty = anywhere).
struct PlacementConstraint
{
    std::vector<NodeIndex> nodes;
    std::vector<ZoneIndex> zones;
};

struct PlatformConfig
{
    // Without declared nodes every instance runs on a node of its own with one core per worker
    // ("dedicated" CPUs: no CPU contention between instances).
    bool declaredNodes = false;
    std::vector<std::string> zones{"default"};
    std::vector<NodeConfig> nodes;
    LinkConfig sameNode{SimDuration{20'000}, 40e9};
    LinkConfig sameZone{SimDuration{150'000}, 10e9};
    LinkConfig crossZone{SimDuration{1'000'000}, 5e9};
    LinkConfig client{SimDuration{0}, 0.0};
    PlacementStrategy placement = PlacementStrategy::Spread;
};

// --- services ------------------------------------------------------------------------------

struct Step
{
    enum class Kind { Call, Parallel, Sequence };
    Kind kind = Kind::Call;
    ServiceIndex service = 0;               // Call: the callee
    double probability = 1.0;               // Call: the call happens with this probability
    std::uint64_t requestBytes = kKilobyte; // Call: size of the request sent
    bool optional = false;                  // Call: a failure does not fail the caller
    std::vector<Step> children;             // Parallel / Sequence
};

// Library-level resilience inside an application (Hystrix / resilience4j style), used where no
// sidecar does the job (architectures direct and gateway).
struct LibraryCircuitBreakerConfig
{
    enum class Kind { Resilience4j, Hystrix };
    Kind kind = Kind::Resilience4j;
    double failureRateThreshold = 0.5;
    std::uint32_t slidingWindow = 100;
    std::uint32_t minimumCalls = 100;
    SimDuration waitInOpen{60'000'000'000};
    std::uint32_t halfOpenCalls = 10;
};

struct RetryConfig
{
    std::uint32_t attempts = 1; // retries after the first try
    std::optional<SimDuration> perTryTimeout;
    std::vector<std::string> retryOn{
        "connect-failure", "refused-stream", "unavailable", "cancelled"};
    SimDuration backoffBase{25'000'000};
    SimDuration backoffMax{250'000'000};
    std::optional<double> budgetPercent; // retry budget replaces max_retries when set
    std::uint32_t budgetMinConcurrency = 3;
    bool hedgeOnPerTryTimeout = false; // Envoy hedge_on_per_try_timeout
};

struct LibraryClientConfig
{
    std::optional<LibraryCircuitBreakerConfig> circuitBreaker;
    std::optional<RetryConfig> retries;
    std::optional<SimDuration> timeout;
};

struct ServiceConfig
{
    std::string name;
    std::uint32_t replicas = 1;
    std::uint32_t workers = 16;
    std::uint32_t queue = 1024; // pending requests per instance beyond the workers
    Distribution cpu = Distribution::constant(1e6);
    double errorRate = 0.0;
    std::uint64_t responseBytes = kKilobyte;
    std::vector<Step> steps; // run in sequence after the CPU work
    PlacementConstraint placement;
    LibraryClientConfig client;
};

// --- routes --------------------------------------------------------------------------------

struct RouteConfig
{
    enum class Kind { Service, Aggregate, Sequence, Split };
    std::string path;
    Kind kind = Kind::Service;
    std::vector<ServiceIndex> targets;
    std::vector<double> weights; // Split: one weight per target
    std::vector<bool> optional;  // Aggregate: per target, a failure only degrades
    // Matching (Envoy route matching, first match in declared order): a request matches when
    // its path starts with `prefix` (or equals `path` without a prefix) and carries every
    // header of `headers` with that exact value.
    std::optional<std::string> prefix;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<SimDuration> timeout; // the client (or gateway) gives up after it
    std::optional<RetryConfig> retries; // gateway route retries
};

// --- gateway -------------------------------------------------------------------------------

enum class LoadBalancerPolicy { RoundRobin, LeastRequest, Random, RingHash, Maglev };

struct LoadBalancerConfig
{
    LoadBalancerPolicy policy = LoadBalancerPolicy::RoundRobin;
    std::uint32_t choiceCount = 2;
    double activeRequestBias = 1.0;
    double panicThreshold = 0.5;    // Envoy's default; see panicThresholdSet
    bool panicThresholdSet = false; // unset: 0 when outlier detection is on (Istio), else 0.5
    bool zoneAware = false;
};

enum class RateLimitAlgorithm { TokenBucket, LeakyBucket, FixedWindow, SlidingWindow };
enum class RateLimitKey { Global, Client, Route };

enum class RateLimitScope { Instance, Global };

struct RateLimitConfig
{
    RateLimitAlgorithm algorithm = RateLimitAlgorithm::TokenBucket;
    RateLimitScope scope = RateLimitScope::Instance; // Kong `policy: local`, Envoy local RL
    double ratePerSecond = 0.0;
    std::uint32_t burst = 0;
    RateLimitKey key = RateLimitKey::Global;
    bool nodelay = false;              // nginx limit_req
    bool disablePenalty = false;       // sliding window: do not count rejected requests (Kong)
    SimDuration window{1'000'000'000}; // fixed / sliding windows
};

struct AuthConfig
{
    std::string kind = "jwt";
    SimDuration cpu{50'000};
    double rejectFraction = 0.0;
};

struct CacheConfig
{
    std::vector<RouteIndex> routes;
    SimDuration ttl{30'000'000'000};
    std::uint32_t capacity = 10'000;
};

struct GatewayConfig
{
    bool present = false;
    std::uint32_t replicas = 1;
    std::uint32_t workers = 4; // threads of an event-driven proxy (nginx workers, Envoy threads)
    std::uint32_t queue = 1024;
    Distribution cpu = Distribution::constant(150'000);
    std::optional<AuthConfig> auth;
    std::optional<RateLimitConfig> rateLimit;
    std::optional<CacheConfig> cache;
    std::optional<SimDuration> translationCpu;
    LoadBalancerConfig loadBalancer;
    PlacementConstraint placement;
};

// --- mesh ----------------------------------------------------------------------------------

struct CircuitBreakerThresholds
{
    std::uint32_t maxConnections = 1024;
    std::uint32_t maxPendingRequests = 1024;
    std::uint32_t maxRequests = 1024;
    std::uint32_t maxRetries = 3;
};

struct OutlierDetectionConfig
{
    std::uint32_t consecutive5xx = 5;
    std::uint32_t consecutiveGatewayFailure = 5;
    double enforcingConsecutiveGatewayFailure = 0.0;
    SimDuration interval{10'000'000'000};
    SimDuration baseEjectionTime{30'000'000'000};
    SimDuration maxEjectionTime{300'000'000'000};
    double maxEjectionPercent = 0.10;
    std::uint32_t successRateMinimumHosts = 5;
    std::uint32_t successRateRequestVolume = 100;
    double successRateStdevFactor = 1.9;
    double enforcingSuccessRate = 0.0; // Istio sets 0 (Envoy's own default is 100%)
    double failurePercentageThreshold = 0.85;
    std::uint32_t failurePercentageMinimumHosts = 5;
    std::uint32_t failurePercentageRequestVolume = 50;
    double enforcingFailurePercentage = 0.0;
    bool successfulActiveHealthCheckUnejectHost = true; // a passing health check ends an ejection
};

struct FaultInjectionConfig
{
    ServiceIndex service = 0;
    double delayFraction = 0.0;
    SimDuration delay{0};
    double abortFraction = 0.0;
    std::uint32_t abortStatus = 503;
};

struct AuthorizationRule
{
    ServiceIndex to = 0;
    std::vector<ServiceIndex> allowFrom; // empty = no ALLOW policy
    std::vector<ServiceIndex> denyFrom;
};

// Envoy active health checking (reference/semantics.md §7.2): every `interval` each host is
// probed; a probe that gets no answer within `timeout` fails; `unhealthyThreshold` failures mark
// it unhealthy, `healthyThreshold` successes healthy again; the first result sets it at once.
struct HealthCheckConfig
{
    SimDuration interval{5'000'000'000};
    SimDuration timeout{1'000'000'000};
    std::uint32_t unhealthyThreshold = 3;
    std::uint32_t healthyThreshold = 1;
};

struct MeshPolicy
{
    std::optional<LoadBalancerConfig> loadBalancer;
    std::optional<SimDuration> timeout;
    std::optional<RetryConfig> retries;
    std::optional<CircuitBreakerThresholds> circuitBreaker;
    std::optional<OutlierDetectionConfig> outlierDetection;
    std::optional<HealthCheckConfig> healthCheck;
};

struct DestinationPolicy
{
    ServiceIndex service = 0;
    MeshPolicy policy;
};

struct SidecarConfig
{
    // Per request and per proxy a request passes; defaults calibrated to Istio's published
    // figures (reference/semantics.md §6.1: 0.35 vCPU per 1000 rps per proxy, +2.65 ms at p90
    // for the two proxies of a call): exponential CPU of mean 350 us, plus 750 us of latency.
    Distribution cpu = Distribution::exponential(350'000);
    SimDuration latency{750'000};
    bool mtls = true;
    SimDuration mtlsHandshakeCpu{600'000};
    SimDuration mtlsRequestCpu{15'000};
};

// The mesh's ingress proxy (architecture mesh): L7 routing only, an Envoy like the sidecars.
struct IngressConfig
{
    std::uint32_t replicas = 2;
    std::uint32_t workers = 4; // Envoy worker threads (--concurrency)
    PlacementConstraint placement;
};

struct MeshConfig
{
    bool present = false;
    SidecarConfig sidecar;
    IngressConfig ingress;
    MeshPolicy defaults;
    std::vector<DestinationPolicy> destinations;
    std::vector<AuthorizationRule> authorization;
    std::vector<FaultInjectionConfig> faults;
};

// --- workloads -----------------------------------------------------------------------------

struct RateStep
{
    SimDuration at{0};
    double ratePerSecond = 0.0;
};

struct ArrivalConfig
{
    enum class Process { Poisson, Constant, OnOff, Steps, Closed };
    Process process = Process::Poisson;
    double ratePerSecond = 0.0;                     // Poisson, Constant, OnOff (rate while on)
    Distribution on = Distribution::constant(1e9);  // OnOff: length of an on period
    Distribution off = Distribution::constant(1e9); // OnOff: length of an off period
    std::vector<RateStep> schedule;                 // Steps: Poisson with a piecewise rate
    std::uint32_t users = 0;                        // Closed
    Distribution think = Distribution::constant(0); // Closed
};

struct KeyPopularity
{
    std::uint64_t count = 0; // distinct keys; 0 = no keys
    double zipf = 0.0;       // exponent s of P(k) ∝ 1 / k^s
};

struct MixEntry
{
    RouteIndex route = 0;
    double weight = 1.0;
    KeyPopularity keys;
};

struct WorkloadConfig
{
    std::string name;
    ArrivalConfig arrival;
    std::uint32_t clients = 1;              // distinct clients (rate limiting keyed by client)
    std::uint64_t requestBytes = kKilobyte; // size of every call a client sends
    std::vector<MixEntry> mix;
    SimDuration start{0};
    std::optional<SimDuration> stop;
};

// --- faults --------------------------------------------------------------------------------

struct FaultConfig
{
    enum class Kind { Kill, NodeDown, Slow, Errors, Partition, Degrade };
    Kind kind = Kind::Kill;
    SimDuration at{0};
    std::optional<SimDuration> until; // Kill: restore then; others: end of the fault
    ServiceIndex service = 0;
    std::vector<std::uint32_t> instances; // Kill: which instances (indices)
    NodeIndex node = 0;
    double factor = 1.0;         // Slow: CPU work multiplied by it
    SimDuration addedLatency{0}; // Slow: added to every request's service time
    double errorRate = 0.0;      // Errors: probability of a 5xx while active
    ZoneIndex zoneA = 0;         // Partition / Degrade
    ZoneIndex zoneB = 0;
    std::optional<SimDuration> latency;  // Degrade
    std::optional<double> bitsPerSecond; // Degrade
};

// --- discovery and observability -------------------------------------------------------------

// How instances enter and leave the endpoints callers see (reference/semantics.md §7.1):
// Kubernetes readiness probes every `readinessPeriod`; `failureThreshold` failed probes make an
// instance NotReady, `successThreshold` successful ones Ready; the change reaches callers and
// proxies `propagation` later (EndpointSlice -> istiod debounce -> xDS push, or kube-proxy).
struct DiscoveryConfig
{
    SimDuration readinessPeriod{10'000'000'000};
    std::uint32_t failureThreshold = 3;
    std::uint32_t successThreshold = 1;
    SimDuration propagation{1'000'000'000};
};

struct TraceConfig
{
    double sampleFraction = 0.001; // of client requests after the warmup
    std::uint32_t maxTraces = 50;
};

// --- run settings --------------------------------------------------------------------------

struct SloConfig
{
    enum class Metric { Mean, P50, P90, P95, P99, P999, ErrorRate };
    struct Objective
    {
        Metric metric;
        double limit; // nanoseconds for latencies, a fraction for error_rate
    };
    std::vector<Objective> objectives;
};

} // namespace meshsim::models
