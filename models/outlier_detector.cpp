#include "models/outlier_detector.h"

#include <algorithm>
#include <cmath>

namespace meshsim::models {

bool isServerError(Outcome outcome)
{
    // What a proxy sees from an upstream: its status. (The proxy's own local replies, such as
    // an overflow or an injected abort, never reach outlier detection: the caller filters them.)
    return httpStatus(outcome) >= 500;
}

bool isGatewayError(Outcome outcome)
{
    const int status = httpStatus(outcome);
    return isServerError(outcome) && status >= 502 && status <= 504;
}

OutlierDetector::OutlierDetector(const OutlierDetectionConfig& config,
                                 std::uint32_t hosts,
                                 engine::RandomStream& random,
                                 std::uint32_t members)
    : m_config(config)
    , m_random(random)
    , m_hosts(hosts)
    , m_members(members == 0 ? hosts : members)
{}

bool OutlierDetector::eject(std::uint32_t host,
                            engine::SimTime now,
                            const char* reason,
                            double enforcing)
{
    Host& h = m_hosts[host];
    if (h.ejected)
        return false;
    // Envoy's ejectHost: the cap first (a refused detection counts as an overflow even when it
    // would not have been enforced), then enforcement, a probability (runtime featureEnabled).
    const double ejectedPercent
        = static_cast<double>(m_ejectedCount + 1) / static_cast<double>(m_members);
    // always_eject_one_host: the first ejection passes the cap (small clusters, where 10% of
    // the hosts is less than one).
    const bool first = m_config.alwaysEjectOneHost && m_ejectedCount == 0;
    if (!first && ejectedPercent > m_config.maxEjectionPercent + 1e-12) {
        ++m_overflows;
        return false;
    }
    if (enforcing < 1.0 && !(enforcing > 0.0 && m_random.bernoulli(enforcing)))
        return false;
    // Backoff: the multiplier grows while base x multiplier < max + base.
    if (m_config.baseEjectionTime * h.multiplier
        < m_config.maxEjectionTime + m_config.baseEjectionTime)
        ++h.multiplier;
    h.ejected = true;
    h.ejectedAt = now;
    ++m_ejectedCount;
    m_events.push_back(Event{now, host, true, reason});
    return true;
}

void OutlierDetector::uneject(std::uint32_t host, engine::SimTime now, const char* reason)
{
    Host& h = m_hosts[host];
    h.ejected = false;
    h.returnedAt = now;
    h.consecutive5xx = 0; // results of requests sent before the ejection start over
    h.consecutiveGateway = 0;
    --m_ejectedCount;
    m_events.push_back(Event{now, host, false, reason});
}

bool OutlierDetector::onHealthCheckPassed(std::uint32_t host, engine::SimTime now)
{
    // Envoy's DetectorImpl registers a health-check-complete callback: a host that is ejected
    // and no longer fails active health checking is unejected at once; its ejection count (the
    // backoff multiplier) stays (reference/semantics.md §2.2).
    if (!m_config.successfulActiveHealthCheckUnejectHost || !m_hosts[host].ejected)
        return false;
    uneject(host, now, "active_health_check");
    return true;
}

bool OutlierDetector::onResult(std::uint32_t host, Outcome outcome, engine::SimTime now)
{
    Host& h = m_hosts[host];
    if (!isServerError(outcome)) {
        ++h.successes;
        h.consecutive5xx = 0;
        h.consecutiveGateway = 0;
        return false;
    }
    ++h.failures;
    // A detection resets its counter whatever became of it (ejected, refused by the cap, not
    // enforced), so a failing host is detected again every threshold errors (Envoy's
    // onConsecutiveErrorWorker).
    bool changed = false;
    if (isGatewayError(outcome)) {
        if (++h.consecutiveGateway >= m_config.consecutiveGatewayFailure) {
            h.consecutiveGateway = 0;
            changed = eject(host,
                            now,
                            "consecutive_gateway_failure",
                            m_config.enforcingConsecutiveGatewayFailure);
        }
    } else {
        h.consecutiveGateway = 0;
    }
    if (++h.consecutive5xx >= m_config.consecutive5xx) {
        h.consecutive5xx = 0;
        if (!changed)
            changed = eject(host, now, "consecutive_5xx", 1.0);
    }
    return changed;
}

bool OutlierDetector::onInterval(engine::SimTime now)
{
    bool changed = false;
    // Returns first: ejections whose time is over end on this tick.
    for (std::uint32_t i = 0; i < m_hosts.size(); ++i) {
        Host& h = m_hosts[i];
        if (h.ejected) {
            const engine::SimDuration duration
                = std::min(m_config.baseEjectionTime * h.multiplier, m_config.maxEjectionTime);
            if (now - h.ejectedAt >= duration) {
                uneject(i, now, "ejection_time_elapsed");
                changed = true;
            }
        } else if (h.multiplier > 0 && now - h.returnedAt >= m_config.interval) {
            --h.multiplier;
        }
    }
    // Success rate over the interval that just ended (§2.2).
    std::vector<std::uint32_t> eligible;
    for (std::uint32_t i = 0; i < m_hosts.size(); ++i) {
        const Host& h = m_hosts[i];
        if (!h.ejected && h.successes + h.failures >= m_config.successRateRequestVolume)
            eligible.push_back(i);
    }
    if (m_config.enforcingSuccessRate > 0.0
        && eligible.size() >= m_config.successRateMinimumHosts) {
        std::vector<double> rates;
        double mean = 0.0;
        for (const std::uint32_t i : eligible) {
            const Host& h = m_hosts[i];
            rates.push_back(100.0 * static_cast<double>(h.successes)
                            / static_cast<double>(h.successes + h.failures));
            mean += rates.back();
        }
        mean /= static_cast<double>(rates.size());
        double variance = 0.0;
        for (const double r : rates)
            variance += (r - mean) * (r - mean);
        const double stdev = std::sqrt(variance / static_cast<double>(rates.size()));
        const double threshold = mean - m_config.successRateStdevFactor * stdev;
        for (std::size_t k = 0; k < eligible.size(); ++k) {
            if (rates[k] < threshold)
                changed = eject(eligible[k], now, "success_rate", m_config.enforcingSuccessRate)
                          || changed;
        }
    }
    // Failure percentage: an absolute threshold.
    std::uint32_t volumeHosts = 0;
    for (const Host& h : m_hosts)
        volumeHosts += h.successes + h.failures >= m_config.failurePercentageRequestVolume ? 1 : 0;
    if (m_config.enforcingFailurePercentage > 0.0
        && volumeHosts >= m_config.failurePercentageMinimumHosts) {
        for (std::uint32_t i = 0; i < m_hosts.size(); ++i) {
            const Host& h = m_hosts[i];
            const std::uint64_t total = h.successes + h.failures;
            if (!h.ejected && total >= m_config.failurePercentageRequestVolume
                && static_cast<double>(h.failures) / static_cast<double>(total)
                       >= m_config.failurePercentageThreshold)
                changed = eject(i, now, "failure_percentage", m_config.enforcingFailurePercentage)
                          || changed;
        }
    }
    for (Host& h : m_hosts) {
        h.successes = 0;
        h.failures = 0;
    }
    return changed;
}

} // namespace meshsim::models
