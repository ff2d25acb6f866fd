#include "models/circuit_breaker.h"

#include <algorithm>
#include <cmath>

namespace meshsim::models {

ResourceLimits::ResourceLimits(const CircuitBreakerThresholds& thresholds,
                               std::optional<double> budgetPercent,
                               std::uint32_t budgetMinConcurrency)
    : m_limits(thresholds)
    , m_budgetPercent(budgetPercent)
    , m_budgetMinConcurrency(budgetMinConcurrency)
{}

bool ResourceLimits::canRetry() const
{
    if (m_budgetPercent) {
        // Envoy retry budget (§2.1): max(budget_percent x (active + pending), min_concurrency),
        // truncated to an integer as Envoy's std::max<uint64_t> does.
        const auto byBudget = static_cast<std::uint64_t>(
            *m_budgetPercent * static_cast<double>(m_requests + m_pending));
        const std::uint64_t allowed = std::max<std::uint64_t>(byBudget, m_budgetMinConcurrency);
        return m_retries < allowed;
    }
    return m_retries < m_limits.maxRetries;
}

const char* breakerStateName(BreakerState s)
{
    switch (s) {
    case BreakerState::Closed:
        return "closed";
    case BreakerState::Open:
        return "open";
    case BreakerState::HalfOpen:
        return "half_open";
    }
    return "closed";
}

// --- resilience4j ----------------------------------------------------------------------------

Resilience4jBreaker::Resilience4jBreaker(const LibraryCircuitBreakerConfig& config)
    : m_config(config)
{}

double Resilience4jBreaker::failureRate() const
{
    return m_window.empty()
               ? 0.0
               : static_cast<double>(m_failures) / static_cast<double>(m_window.size());
}

void Resilience4jBreaker::transition(BreakerState to, engine::SimTime now)
{
    m_state = to;
    m_window.clear();
    m_failures = 0;
    if (to == BreakerState::Open)
        m_openedAt = now;
    if (to == BreakerState::HalfOpen) {
        m_halfOpenPermits = m_config.halfOpenCalls;
        m_halfOpenDone = 0;
    }
}

bool Resilience4jBreaker::tryAcquire(engine::SimTime now)
{
    if (m_state == BreakerState::Open) {
        // The wait is over: the next call moves the breaker to HALF_OPEN (lazily, as
        // resilience4j does without automatic transition).
        // resilience4j: the wait is over strictly after wait_in_open (Instant.isAfter).
        if (now - m_openedAt <= m_config.waitInOpen)
            return false;
        transition(BreakerState::HalfOpen, now);
    }
    if (m_state == BreakerState::HalfOpen) {
        if (m_halfOpenPermits == 0)
            return false;
        --m_halfOpenPermits;
    }
    return true;
}

void Resilience4jBreaker::onResult(engine::SimTime now, bool failure)
{
    if (m_state == BreakerState::Open)
        return; // a call admitted before the breaker opened
    const std::uint32_t windowSize
        = m_state == BreakerState::HalfOpen ? m_config.halfOpenCalls : m_config.slidingWindow;
    m_window.push_back(failure);
    m_failures += failure ? 1 : 0;
    if (m_window.size() > windowSize) {
        m_failures -= m_window.front() ? 1 : 0;
        m_window.pop_front();
    }
    if (m_state == BreakerState::HalfOpen) {
        // Half-open metrics: a count window of half_open_calls whose minimum number of calls is
        // min(minimum_calls, half_open_calls) (CircuitBreakerMetrics.forHalfOpen).
        if (++m_halfOpenDone < std::min(m_config.minimumCalls, m_config.halfOpenCalls))
            return;
        transition(failureRate() >= m_config.failureRateThreshold ? BreakerState::Open
                                                                  : BreakerState::Closed,
                   now);
        return;
    }
    const std::uint32_t minimumCalls = std::min(m_config.minimumCalls, m_config.slidingWindow);
    if (m_window.size() >= minimumCalls && failureRate() >= m_config.failureRateThreshold)
        transition(BreakerState::Open, now);
}

// --- Hystrix ---------------------------------------------------------------------------------

HystrixBreaker::HystrixBreaker(const LibraryCircuitBreakerConfig& config)
    : m_config(config)
    , m_buckets(2 * static_cast<std::size_t>(std::max<std::uint32_t>(1, config.slidingWindow)))
{}

void HystrixBreaker::countIn(engine::SimTime now, bool failure)
{
    const std::int64_t number = engine::toNanos(now) / kSnapshotNs;
    Bucket& b = m_buckets[static_cast<std::size_t>(number) % m_buckets.size()];
    if (b.second != number)
        b = Bucket{number, 0, 0};
    ++b.calls;
    b.errors += failure ? 1 : 0;
}

void HystrixBreaker::takeSnapshots(engine::SimTime now)
{
    const auto window = static_cast<std::int64_t>(m_buckets.size());
    const std::int64_t current = engine::toNanos(now) / kSnapshotNs;
    std::int64_t newest = -1; // the newest bucket with calls
    for (const Bucket& b : m_buckets)
        newest = b.calls > 0 ? std::max(newest, b.second) : newest;
    for (; m_nextSnapshot <= current; ++m_nextSnapshot) {
        const std::int64_t k = m_nextSnapshot;
        if (newest < k - window) { // nothing left in the window: no snapshot can open it
            m_nextSnapshot = current + 1;
            break;
        }
        if (m_state != BreakerState::Closed)
            continue;
        // Snapshot k, at k x 500 ms: the buckets k - window .. k - 1.
        std::uint32_t calls = 0;
        std::uint32_t errors = 0;
        for (const Bucket& b : m_buckets) {
            if (b.second >= k - window && b.second < k) {
                calls += b.calls;
                errors += b.errors;
            }
        }
        // errorPercentage = int(errors / total * 100) >= threshold, with at least the volume.
        if (calls >= m_config.minimumCalls
            && static_cast<int>(100.0 * errors / calls)
                   >= static_cast<int>(std::lround(100.0 * m_config.failureRateThreshold))) {
            m_state = BreakerState::Open;
            m_openedAt = engine::atNanos(k * kSnapshotNs);
        }
    }
}

bool HystrixBreaker::tryAcquire(engine::SimTime now)
{
    takeSnapshots(now);
    if (m_state == BreakerState::Closed)
        return true;
    if (m_state == BreakerState::Open && now - m_openedAt > m_config.waitInOpen) {
        m_state = BreakerState::HalfOpen; // exactly one trial request
        m_trialInFlight = true;
        return true;
    }
    return false;
}

void HystrixBreaker::onResult(engine::SimTime now, bool failure)
{
    takeSnapshots(now);
    if (m_state == BreakerState::HalfOpen) {
        if (!m_trialInFlight)
            return;
        m_trialInFlight = false;
        if (failure) {
            m_state = BreakerState::Open;
            m_openedAt = now;
        } else {
            m_state = BreakerState::Closed;
            m_buckets.assign(m_buckets.size(), Bucket{}); // metrics stream reset
        }
        return;
    }
    // Calls that end while it is open still count in the stream (short-circuited ones never
    // started); the next snapshot decides.
    countIn(now, failure);
}

// --- facade ----------------------------------------------------------------------------------

LibraryBreaker::LibraryBreaker(const LibraryCircuitBreakerConfig& config)
{
    if (config.kind == LibraryCircuitBreakerConfig::Kind::Hystrix)
        m_hystrix.emplace(config);
    else
        m_r4j.emplace(config);
}

bool LibraryBreaker::tryAcquire(engine::SimTime now)
{
    return m_hystrix ? m_hystrix->tryAcquire(now) : m_r4j->tryAcquire(now);
}

void LibraryBreaker::onResult(engine::SimTime now, bool failure)
{
    if (m_hystrix)
        m_hystrix->onResult(now, failure);
    else
        m_r4j->onResult(now, failure);
}

BreakerState LibraryBreaker::state() const
{
    return m_hystrix ? m_hystrix->state() : m_r4j->state();
}

} // namespace meshsim::models
