#pragma once

// CpuQuota: Linux CFS bandwidth control (cpu.cfs_quota_us / cpu.cfs_period_us, what a Kubernetes
// CPU limit sets) for one node: in each period of `period` the node's computations may use at
// most `quota` of core time; once they have, the node is throttled — none of them runs — until
// the next period begins. Periods are aligned on multiples of `period` from the start of the run.
// (A container with a limit of 500 millicores gets a quota of 50 ms per 100 ms period: a request
// needing 80 ms of CPU at the start of a period runs 50 ms, waits 50 ms, runs 30 ms: 130 ms.)
//
// The platform keeps the node's busy core time (Σ over time of min(active, cores)); it calls
// update() whenever the node's computations change and when the time update() asked for comes,
// and applies the throttling update() decides (its computations stop, or run again).
// Plain arithmetic; shared by both platforms. Not thread-safe.

#include "engine/core/sim_time.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace meshsim::engine {

class CpuQuota
{
public:
    // `quotaCores`: the quota as a number of cores (limit millicores / 1000); 0 = no quota.
    CpuQuota(double quotaCores, SimDuration period)
        : m_period(std::max<std::int64_t>(1, toNanos(period)))
        , m_quota(quotaCores * static_cast<double>(m_period))
    {}

    bool enabled() const { return m_quota > 0.0; }
    bool throttled() const { return m_throttled; }

    struct Decision
    {
        bool changed = false;     // throttled() changed: the node's computations stop or resume
        SimTime next = kSimNever; // when update() must be called again (if nothing else does)
    };

    // The node at `now`: its busy core time so far (up to now), its computations, its cores.
    Decision update(SimTime now, double busyCoreNanos, std::uint32_t active, double cores)
    {
        Decision d;
        const std::int64_t t = toNanos(now);
        const std::int64_t period = t / m_period;
        if (period != m_periodIndex) { // a new period: the quota is refilled
            m_periodIndex = period;
            m_usedBase = busyCoreNanos;
            if (m_throttled) {
                m_throttled = false;
                m_throttledNanos += static_cast<double>(period * m_period - m_throttledSince);
                d.changed = true;
            }
        }
        const double used = busyCoreNanos - m_usedBase;
        // Half a nanosecond of core time: the rounding of event times to whole nanoseconds.
        if (!m_throttled && active > 0 && used >= m_quota - 0.5) {
            m_throttled = true;
            m_throttledSince = t;
            ++m_throttledPeriods;
            d.changed = !d.changed;
        }
        const std::int64_t periodEnd = (period + 1) * m_period;
        if (m_throttled) {
            d.next = atNanos(periodEnd);
        } else if (active > 0) {
            const double busy = std::min(static_cast<double>(active), cores);
            const auto untilSpent
                = static_cast<std::int64_t>(std::ceil((m_quota - used) / busy - 1e-9));
            d.next = atNanos(std::min(periodEnd, t + std::max<std::int64_t>(1, untilSpent)));
        }
        return d;
    }

    // Time spent throttled up to `at` (no update() since the last one), and the periods in which
    // the node was throttled (cpu.stat's throttled_usec and nr_throttled).
    double throttledSecondsAt(SimTime at) const
    {
        const double open = m_throttled ? static_cast<double>(toNanos(at) - m_throttledSince) : 0.0;
        return (m_throttledNanos + open) * 1e-9;
    }
    std::uint64_t throttledPeriods() const { return m_throttledPeriods; }

private:
    std::int64_t m_period;
    double m_quota; // core-nanoseconds per period
    std::int64_t m_periodIndex = 0;
    double m_usedBase = 0.0;
    bool m_throttled = false;
    std::int64_t m_throttledSince = 0;
    double m_throttledNanos = 0.0;
    std::uint64_t m_throttledPeriods = 0;
};

} // namespace meshsim::engine
