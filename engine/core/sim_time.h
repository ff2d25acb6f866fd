#pragma once

// Simulated time: integer nanoseconds since the start of a run.
//
// Every layer above engine/simgrid works in these types; SimGrid's double seconds appear only
// inside engine/simgrid. Integer time makes event order exact and results reproducible
// (floating-point sums of delays would drift differently on different platforms).

#include <chrono>
#include <cstdint>
#include <limits>

namespace meshsim::engine {

// A std::chrono clock tag for simulated time. It has no now(): ask a Platform or EventQueue.
struct SimClock
{
    // NOLINTBEGIN(readability-identifier-naming): names the standard requires of a clock.
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<SimClock>;
    static constexpr bool is_steady = true;
    // NOLINTEND(readability-identifier-naming)
};

using SimDuration = SimClock::duration;
using SimTime = SimClock::time_point;

inline constexpr SimTime kSimStart{SimDuration{0}};
inline constexpr SimTime kSimNever{SimDuration{std::numeric_limits<std::int64_t>::max()}};

constexpr std::int64_t toNanos(SimDuration d)
{
    return d.count();
}
constexpr std::int64_t toNanos(SimTime t)
{
    return t.time_since_epoch().count();
}
constexpr SimTime atNanos(std::int64_t ns)
{
    return SimTime{SimDuration{ns}};
}
constexpr double toSeconds(SimDuration d)
{
    return static_cast<double>(d.count()) * 1e-9;
}
constexpr double toSeconds(SimTime t)
{
    return toSeconds(t.time_since_epoch());
}
constexpr double toMillis(SimDuration d)
{
    return static_cast<double>(d.count()) * 1e-6;
}

// Rounds to the nearest nanosecond; negative inputs (and NaN) become zero, a delay cannot be
// negative; durations are capped at about 126 years so that sums with a time cannot overflow.
inline SimDuration durationFromNanos(double ns)
{
    if (!(ns > 0.0))
        return SimDuration{0};
    constexpr double kMax = 4.0e18;
    if (ns >= kMax)
        return SimDuration{static_cast<std::int64_t>(kMax)};
    // ns > 0 here, so truncating ns + 0.5 rounds half up, exactly and without a libm call.
    return SimDuration{static_cast<std::int64_t>(ns + 0.5)}; // NOLINT(bugprone-incorrect-roundings)
}
inline SimDuration durationFromSeconds(double s)
{
    return durationFromNanos(s * 1e9);
}

} // namespace meshsim::engine
