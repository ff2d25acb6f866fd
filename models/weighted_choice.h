#pragma once

// Weighted choice by a uniform number: route mixes, traffic splits. The cumulative form is built
// once; a choice is a binary search.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace meshsim::models {

// Normalised running sums of `weights`; the last entry is exactly 1.
inline std::vector<double> cumulativeWeights(const std::vector<double>& weights)
{
    std::vector<double> result;
    result.reserve(weights.size());
    double total = 0.0;
    for (const double w : weights)
        total += w;
    double running = 0.0;
    for (const double w : weights) {
        running += w;
        result.push_back(running / total);
    }
    if (!result.empty())
        result.back() = 1.0;
    return result;
}

// The index chosen by `u` in [0, 1).
inline std::size_t pickCumulative(const std::vector<double>& cumulative, double u)
{
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

} // namespace meshsim::models
