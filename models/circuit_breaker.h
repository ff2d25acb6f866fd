#pragma once

// Circuit breakers.
//
// * ResourceLimits: Envoy's cluster circuit breakers (reference/semantics.md §2.1), the limits a
//   proxy keeps per upstream cluster: connections, pending requests, requests, concurrent retries
//   (or a retry budget). Exceeding max_pending_requests or max_requests answers 503 with flag UO;
//   exceeding max_retries skips the retry; max_connections makes requests wait as pending.
// * Resilience4jBreaker and HystrixBreaker: the library-level breakers of applications without a
//   sidecar (§2.3, §2.4), state machines driven by call results and a clock.
//
// All take time as arguments from their owner's Platform (no clock of their own). Not
// thread-safe.

#include "engine/core/sim_time.h"
#include "models/config.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace meshsim::models {

class ResourceLimits
{
public:
    ResourceLimits(const CircuitBreakerThresholds& thresholds,
                   std::optional<double> budgetPercent,
                   std::uint32_t budgetMinConcurrency);

    // A request may be started (attached to a connection) while fewer than max_requests are.
    bool canStartRequest() const { return m_requests < m_limits.maxRequests; }
    // A request may wait for a connection while fewer than max_pending_requests do.
    bool canQueue() const { return m_pending < m_limits.maxPendingRequests; }
    // A new connection may be opened while fewer than max_connections are open. (A host's pool
    // with no connection may open one anyway: the pool decides that: ConnectionPool::acquire.)
    bool canOpenConnection() const { return m_connections < m_limits.maxConnections; }
    // A retry may be started: the retry budget when configured (max(percent x (active +
    // pending), min_concurrency) retries in flight), else max_retries.
    bool canRetry() const;

    void requestStarted() { ++m_requests; }
    void requestFinished() { --m_requests; }
    void pendingAdded() { ++m_pending; }
    void pendingRemoved() { --m_pending; }
    void connectionOpened() { ++m_connections; }
    void connectionClosed() { --m_connections; }
    void retryStarted() { ++m_retries; }
    void retryFinished() { --m_retries; }

    std::uint32_t requests() const { return m_requests; }
    std::uint32_t pending() const { return m_pending; }
    std::uint32_t connections() const { return m_connections; }
    std::uint32_t retries() const { return m_retries; }

private:
    CircuitBreakerThresholds m_limits;
    std::optional<double> m_budgetPercent;
    std::uint32_t m_budgetMinConcurrency;
    std::uint32_t m_requests = 0;
    std::uint32_t m_pending = 0;
    std::uint32_t m_connections = 0;
    std::uint32_t m_retries = 0;
};

enum class BreakerState { Closed, Open, HalfOpen };

// resilience4j CircuitBreaker with a count-based sliding window (§2.3): CLOSED opens when at
// least min(minimum_calls, window) calls are recorded and failure rate >= threshold; OPEN
// rejects until wait_in_open has passed, then the next call moves it to HALF_OPEN, which lets
// half_open_calls calls through and, once all are done, closes (failure rate below threshold)
// or opens again.
class Resilience4jBreaker
{
public:
    explicit Resilience4jBreaker(const LibraryCircuitBreakerConfig& config);

    // May a call go ahead now? (Rejected calls are CallNotPermittedException in resilience4j.)
    bool tryAcquire(engine::SimTime now);
    void onResult(engine::SimTime now, bool failure);
    BreakerState state() const { return m_state; }
    double failureRate() const;

private:
    void transition(BreakerState to, engine::SimTime now);
    LibraryCircuitBreakerConfig m_config;
    BreakerState m_state = BreakerState::Closed;
    std::deque<bool> m_window; // last outcomes, true = failure
    std::uint32_t m_failures = 0;
    engine::SimTime m_openedAt;
    std::uint32_t m_halfOpenPermits = 0;
    std::uint32_t m_halfOpenDone = 0;
};

// Netflix Hystrix (§2.4): the breaker decides only on health snapshots, emitted every 500 ms
// (metrics.healthSnapshot.intervalInMilliseconds) with the totals of the rolling window (10 s in
// 500 ms buckets): it opens at a snapshot with at least request_volume_threshold calls and an
// error percentage >= threshold; after the sleep window one trial call goes through (HALF_OPEN):
// success closes and resets the window, failure reopens.
class HystrixBreaker
{
public:
    explicit HystrixBreaker(const LibraryCircuitBreakerConfig& config);

    bool tryAcquire(engine::SimTime now);
    void onResult(engine::SimTime now, bool failure);
    BreakerState state() const { return m_state; }

private:
    struct Bucket
    {
        std::int64_t second = -1; // its number: start / 500 ms
        std::uint32_t calls = 0;
        std::uint32_t errors = 0;
    };
    static constexpr std::int64_t kSnapshotNs = 500'000'000;
    void countIn(engine::SimTime now, bool failure);
    // The snapshots due up to `now`, in order: each may open the breaker.
    void takeSnapshots(engine::SimTime now);

    LibraryCircuitBreakerConfig m_config;
    BreakerState m_state = BreakerState::Closed;
    std::vector<Bucket> m_buckets;   // of 500 ms, indexed by bucket number
    std::int64_t m_nextSnapshot = 1; // the next snapshot, in bucket numbers (k x 500 ms)
    engine::SimTime m_openedAt;
    bool m_trialInFlight = false;
};

// Either library breaker behind one face.
class LibraryBreaker
{
public:
    explicit LibraryBreaker(const LibraryCircuitBreakerConfig& config);
    bool tryAcquire(engine::SimTime now);
    void onResult(engine::SimTime now, bool failure);
    BreakerState state() const;

private:
    std::optional<Resilience4jBreaker> m_r4j;
    std::optional<HystrixBreaker> m_hystrix;
};

const char* breakerStateName(BreakerState s);

} // namespace meshsim::models
