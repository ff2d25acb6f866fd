#include "models/histogram.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace meshsim::models {

namespace {
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << Histogram::kSubBucketBits;
}

std::uint32_t Histogram::bucketIndex(std::uint64_t value)
{
    if (value < 2 * kSubBuckets)
        return static_cast<std::uint32_t>(value);
    const int msb = 63 - std::countl_zero(value);
    const int e = msb - kSubBucketBits; // >= 1 here
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(e + 1) << kSubBucketBits)
                                      + ((value >> e) - kSubBuckets));
}

std::uint64_t Histogram::bucketLower(std::uint32_t index)
{
    if (index < 2 * kSubBuckets)
        return index;
    const std::uint64_t e = (index >> kSubBucketBits) - 1;
    const std::uint64_t sub = index & (kSubBuckets - 1);
    return (kSubBuckets + sub) << e;
}

std::uint64_t Histogram::bucketWidth(std::uint32_t index)
{
    if (index < 2 * kSubBuckets)
        return 1;
    return std::uint64_t{1} << ((index >> kSubBucketBits) - 1);
}

void Histogram::recordCount(std::int64_t value, std::uint64_t count)
{
    if (count == 0)
        return;
    MESHSIM_ASSERT(value >= 0, "histogram values are non-negative");
    const std::uint32_t index = bucketIndex(static_cast<std::uint64_t>(value));
    const std::uint32_t position = index - m_offset; // wraps when index < m_offset
    if (position < m_counts.size() && m_count > 0) [[likely]] {
        m_counts[position] += count;
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    } else {
        if (m_counts.empty()) {
            m_offset = index;
            m_counts.assign(1, 0);
        } else if (index < m_offset) {
            m_counts.insert(m_counts.begin(), m_offset - index, 0);
            m_offset = index;
        } else if (index >= m_offset + m_counts.size()) {
            m_counts.resize(index - m_offset + 1, 0);
        }
        m_counts[index - m_offset] += count;
        m_min = m_count == 0 ? value : std::min(m_min, value);
        m_max = m_count == 0 ? value : std::max(m_max, value);
    }
    m_count += count;
    m_sum += static_cast<double>(value) * static_cast<double>(count);
}

void Histogram::merge(const Histogram& other)
{
    if (other.m_count == 0)
        return;
    if (m_count == 0) {
        *this = other;
        return;
    }
    if (other.m_offset < m_offset) {
        m_counts.insert(m_counts.begin(), m_offset - other.m_offset, 0);
        m_offset = other.m_offset;
    }
    const std::size_t otherEnd = other.m_offset + other.m_counts.size();
    if (otherEnd > m_offset + m_counts.size())
        m_counts.resize(otherEnd - m_offset, 0);
    for (std::size_t i = 0; i < other.m_counts.size(); ++i)
        m_counts[other.m_offset - m_offset + i] += other.m_counts[i];
    m_count += other.m_count;
    m_sum += other.m_sum;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
}

std::int64_t Histogram::representative(std::uint32_t index) const
{
    const std::uint64_t lower = bucketLower(index);
    const std::uint64_t width = bucketWidth(index);
    const auto mid = static_cast<std::int64_t>(lower + (width - 1) / 2);
    return std::clamp(mid, m_min, m_max);
}

std::int64_t Histogram::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count)));
    rank = std::clamp<std::uint64_t>(rank, 1, m_count);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank)
            return representative(static_cast<std::uint32_t>(m_offset + i));
    }
    return m_max;
}

std::uint64_t Histogram::countAtOrBelow(std::int64_t value) const
{
    if (m_count == 0 || value < 0)
        return 0;
    const std::uint32_t index = bucketIndex(static_cast<std::uint64_t>(value));
    if (index < m_offset)
        return 0;
    std::uint64_t seen = 0;
    const std::size_t last = std::min<std::size_t>(index - m_offset, m_counts.size() - 1);
    for (std::size_t i = 0; i <= last; ++i)
        seen += m_counts[i];
    return seen;
}

} // namespace meshsim::models
