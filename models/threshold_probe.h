#pragma once

// ThresholdProbe: the verdict of periodic probes with hysteresis, as Kubernetes readiness probes
// and Envoy active health checks both keep it (reference/semantics.md §7.1, §7.2).
//
// `failures` failed probes in a row turn a passing verdict into a failing one, `successes` passed
// probes in a row turn it back; any probe of the other kind restarts the count. Kubernetes starts
// a readiness verdict at "ready"; Envoy lets the first health check result set the verdict at once
// (`firstResultSets`). Plain value type, no time: the owner runs the probes.

#include <cstdint>

namespace meshsim::models {

class ThresholdProbe
{
public:
    ThresholdProbe() = default;
    ThresholdProbe(std::uint32_t failures, std::uint32_t successes, bool firstResultSets)
        : m_failureThreshold(failures)
        , m_successThreshold(successes)
        , m_firstResultSets(firstResultSets)
    {}

    // Counts one probe; true when the verdict changed.
    bool record(bool pass)
    {
        const bool before = m_passing;
        if (m_firstResultSets && !m_seen) {
            m_seen = true;
            m_passing = pass;
        } else if (pass) {
            m_failures = 0;
            if (++m_successes >= m_successThreshold)
                m_passing = true;
        } else {
            m_successes = 0;
            if (++m_failures >= m_failureThreshold)
                m_passing = false;
        }
        return m_passing != before;
    }

    bool passing() const { return m_passing; }

private:
    std::uint32_t m_failureThreshold = 3;
    std::uint32_t m_successThreshold = 1;
    bool m_firstResultSets = false;
    bool m_seen = false;
    bool m_passing = true;
    std::uint32_t m_failures = 0;
    std::uint32_t m_successes = 0;
};

} // namespace meshsim::models
