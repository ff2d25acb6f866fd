#pragma once

// OutlierDetector: Envoy's outlier detection for the hosts of one upstream cluster as one proxy
// sees them (reference/semantics.md §2.2).
//
// * Consecutive errors: a 5xx (and a local connect failure or timeout, which Envoy turns into
//   503/504) counts toward consecutive_5xx; 502/503/504 also toward consecutive_gateway_failure
//   (detected, enforced only with enforcing_consecutive_gateway_failure). A success resets both.
// * Every interval: success-rate ejection (hosts with at least success_rate_request_volume
//   requests in the last interval, at least success_rate_minimum_hosts of them, ejected below
//   mean - stdev_factor x stdev; enforced with probability enforcing_success_rate) and
//   failure-percentage ejection (enforcing_failure_percentage); hosts whose ejection time is over
//   come back; the ejection multiplier of hosts not ejected for an interval decreases.
// * An ejection happens only if (ejected + 1) / hosts <= max_ejection_percent; it lasts
//   min(base x multiplier, max) and is lifted on the next interval tick after that.
// The owner calls onInterval() every `interval`. Not thread-safe.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/outcome.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::models {

class OutlierDetector
{
public:
    struct Event
    {
        engine::SimTime at;
        std::uint32_t host = 0;
        bool ejected = false; // false: returned
        std::string reason;   // consecutive_5xx, consecutive_gateway_failure, success_rate, ...
    };

    // `hosts` host indices, of which `members` belong to the cluster (a subset cluster's hosts
    // are some of its service's instances; the cap on ejections counts the members); 0: all.
    OutlierDetector(const OutlierDetectionConfig& config,
                    std::uint32_t hosts,
                    engine::RandomStream& random,
                    std::uint32_t members = 0);

    // Result of a request to `host` as the proxy saw it (an upstream response or a local
    // connect failure/timeout; not local replies such as overflow or injected faults).
    // Returns true if the host was ejected by this result.
    bool onResult(std::uint32_t host, Outcome outcome, engine::SimTime now);
    // The interval tick: success-rate and failure-percentage ejections, returns, decay.
    // Returns true if a host's ejection state changed.
    bool onInterval(engine::SimTime now);
    // An active health check of `host` passed and the host is healthy by it: with
    // successful_active_health_check_uneject_host (default), an ejection ends now. Returns
    // whether it did.
    bool onHealthCheckPassed(std::uint32_t host, engine::SimTime now);

    bool ejected(std::uint32_t host) const { return m_hosts[host].ejected; }
    std::uint32_t ejectedCount() const { return m_ejectedCount; }
    std::uint64_t overflows() const { return m_overflows; } // ejections refused by the cap
    const std::vector<Event>& events() const { return m_events; }
    std::uint32_t multiplier(std::uint32_t host) const { return m_hosts[host].multiplier; }

private:
    struct Host
    {
        std::uint32_t consecutive5xx = 0;
        std::uint32_t consecutiveGateway = 0;
        bool ejected = false;
        engine::SimTime ejectedAt;
        engine::SimTime returnedAt;
        std::uint32_t multiplier = 0; // Envoy's num_ejections backoff
        std::uint64_t successes = 0;  // in the current interval
        std::uint64_t failures = 0;
    };
    bool eject(std::uint32_t host, engine::SimTime now, const char* reason, double enforcing);
    void uneject(std::uint32_t host, engine::SimTime now, const char* reason);

    OutlierDetectionConfig m_config;
    engine::RandomStream& m_random;
    std::vector<Host> m_hosts;
    std::uint32_t m_members = 0;
    std::uint32_t m_ejectedCount = 0;
    std::uint64_t m_overflows = 0;
    std::vector<Event> m_events;
};

// Whether an outcome is a 5xx from the upstream's point of view, and a gateway error (502-504).
bool isServerError(Outcome outcome);
bool isGatewayError(Outcome outcome);

} // namespace meshsim::models
