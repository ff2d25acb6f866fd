#pragma once

// Validated configuration of a service: replicas, workers, queue, CPU work, errors, steps and
// the resilience library of an application without a sidecar.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/platform.h"
#include "models/config/policy.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::models {

// One step of a program. A Choice's children are its branches (Sequences with a weight).
struct Step
{
    enum class Kind { Call, Parallel, Sequence, Choice };
    Kind kind = Kind::Call;
    ServiceIndex service = 0;               // Call: the callee
    OperationIndex operation = 0;           // Call: the callee's operation
    double probability = 1.0;               // the step happens with this probability
    std::uint64_t requestBytes = kKilobyte; // Call: size of the request sent
    bool optional = false;                  // a failure does not fail the caller
    bool async = false;                     // Call: the caller does not wait (fire and forget)
    // The step runs a number of times drawn uniformly in [repeatMin, repeatMax], one after
    // another (a failure ends the repetition) or all at once.
    std::uint32_t repeatMin = 1;
    std::uint32_t repeatMax = 1;
    bool repeatParallel = false;
    double weight = 1.0;        // a Choice's branch: its relative weight
    std::vector<Step> children; // Parallel / Sequence / Choice
};

// The resilience library of an application without a sidecar. `kind` names the library whose
// defaults and semantics apply (libraryClientDefaults()); without one, only what the scenario
// sets, with Envoy's retry semantics.
struct LibraryClientConfig
{
    enum class Kind { Plain, Resilience4j, Hystrix };
    Kind kind = Kind::Plain;
    std::optional<LibraryCircuitBreakerConfig> circuitBreaker;
    std::optional<RetryConfig> retries;    // resilience4j's TimeLimiter is their per-try timeout
    std::optional<SimDuration> timeout;    // the whole call (Hystrix's execution timeout)
    std::optional<std::uint32_t> bulkhead; // tries in flight at once per caller instance
    // How the library picks an instance (gRPC's round_robin, Finagle's P2C, ...); none: round
    // robin, as kube-proxy and DNS give.
    std::optional<LoadBalancerConfig> loadBalancer;
};

// The defaults of a resilience library: resilience4j's Retry (3 attempts, a fixed 500 ms wait,
// every failure retried), CircuitBreaker, TimeLimiter (1 s per try) and Bulkhead (25); Hystrix's
// command (1 s timeout, a 10-thread pool, its breaker). docs/mechanisms/products.md cites them.
LibraryClientConfig libraryClientDefaults(LibraryClientConfig::Kind kind);

// A named endpoint of a service (a handler, an RPC method) with its own work and calls.
struct OperationConfig
{
    std::string name;
    Distribution cpu = Distribution::constant(1e6);
    double errorRate = 0.0;
    std::uint64_t responseBytes = kKilobyte;
    std::vector<Step> steps;
    std::optional<Distribution> afterCpu;
};

// How callers talk to a service. HTTP/1.1: requests spread over a pool of connections, modelled
// as balanced per request by the caller. HTTP/2 and gRPC: one long-lived multiplexed connection
// per caller instance, balanced per connection unless a proxy or a library balances per request
// (docs/mechanisms/protocols.md).
enum class Protocol : std::uint8_t { Http1, Http2, Grpc };

// Kubernetes resources of each instance, in cores (the file's millicores / 1000). Without
// declared nodes, an instance gets ceil(request) cores of its own (the request defaulting to the
// limit, as Kubernetes does), and the limit is a CFS quota on them (engine/core/cpu_quota.h).
struct ResourcesConfig
{
    std::optional<double> cpuRequest;
    std::optional<double> cpuLimit;
};

// A version of a service (a Kubernetes Deployment behind the service's one Service, its pods
// labelled `version: <name>`; an Istio DestinationRule subset): its own replicas and, where it
// says so, its own CPU work, errors, responses and steps.
struct VersionConfig
{
    std::string name;
    std::uint32_t replicas = 1;
    std::vector<std::pair<std::string, std::string>> labels; // shown with its statistics
    // Every operation of the service as this version serves it, in the service's order
    // (operationsOf() with the version's changes).
    std::vector<OperationConfig> operations;
};

// A rule of the traffic to a service with versions (an Istio VirtualService's http route over
// DestinationRule subsets): a request that carries every header of `headers` goes to one of
// `versions`, drawn with `weights`. Rules are tried in order; the last one matches every request.
struct TrafficRule
{
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::uint32_t> versions; // indices into ServiceConfig::versions
    std::vector<double> weights;         // one per version (relative)
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
    // CPU work after the steps, before a successful response (rendering); none by default.
    std::optional<Distribution> afterCpu;
    PlacementConstraint placement;
    LibraryClientConfig client;
    Protocol protocol = Protocol::Http1;
    ResourcesConfig resources;
    // The server ends each connection after this age (gRPC's MaxConnectionAge); none: never.
    std::optional<SimDuration> maxConnectionAge;
    // Named operations; none: the service is one operation made of the fields above
    // (operationsOf()).
    std::vector<OperationConfig> operations;
    // Versions (subsets) of its instances, in order: version v's replicas follow those of the
    // versions before it, and `replicas` is their sum. None: one version made of the fields
    // above.
    std::vector<VersionConfig> versions;
    // Without rules a caller balances over every instance (the Kubernetes Service selects every
    // version's pods).
    std::vector<TrafficRule> traffic;
};

// The operations a service serves: its named ones, or the one its own fields make.
std::vector<OperationConfig> operationsOf(const ServiceConfig& service);
// The operations of every version, version after version (operationsOf() without versions):
// every program the service may run.
std::vector<OperationConfig> operationVariants(const ServiceConfig& service);

} // namespace meshsim::models
