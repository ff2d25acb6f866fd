#include "engine/core/sim_time.h"

#include <cmath>

namespace meshsim::engine {

SimDuration durationFromNanos(double ns)
{
    if (!(ns > 0.0)) // also catches NaN
        return SimDuration{0};
    constexpr double kMax = 4.0e18; // about 126 years: sums with a time stay below INT64_MAX
    if (ns >= kMax)
        return SimDuration{static_cast<std::int64_t>(kMax)};
    return SimDuration{std::llround(ns)};
}

} // namespace meshsim::engine
