#pragma once

// Histogram: a streaming log-linear (HDR-style) histogram of non-negative integers.
//
// Values below 256 are counted exactly; above, each power-of-two range [2^m, 2^(m+1)) is split
// into 128 equal buckets, so a bucket is at most 1/128 of its lower bound wide and the value
// reported for a bucket (its midpoint, clamped to the observed min and max) is within 0.4% of
// every value in it. Memory is one counter per bucket between the smallest and largest bucket
// seen (a few kB for latencies between 1 µs and 1 min), independent of the number of values.
// Used for latencies in nanoseconds. Not thread-safe.

#include <cstdint>
#include <vector>

namespace meshsim::models {

class Histogram
{
public:
    static constexpr int kSubBucketBits = 7;

    void record(std::int64_t value) { recordCount(value, 1); }
    void recordCount(std::int64_t value, std::uint64_t count);
    void merge(const Histogram& other);
    // Forgets every value (keeps its memory, for reuse).
    void clear()
    {
        m_counts.clear();
        m_offset = 0;
        m_count = 0;
        m_sum = 0.0;
        m_min = 0;
        m_max = 0;
    }
    // Memory it holds, in bytes.
    std::size_t bytes() const
    {
        return sizeof(*this) + m_counts.capacity() * sizeof(std::uint64_t);
    }

    std::uint64_t count() const { return m_count; }
    bool empty() const { return m_count == 0; }
    std::int64_t min() const { return m_count ? m_min : 0; }
    std::int64_t max() const { return m_count ? m_max : 0; }
    double mean() const { return m_count ? m_sum / static_cast<double>(m_count) : 0.0; }
    double sum() const { return m_sum; }
    // Nearest-rank quantile: the smallest recorded value v with at least q * count values <= v,
    // up to the bucket resolution. q in [0, 1]; 0 for an empty histogram.
    std::int64_t quantile(double q) const;
    // Count of recorded values <= value (up to the bucket resolution).
    std::uint64_t countAtOrBelow(std::int64_t value) const;

    // Bucket arithmetic, public for tests.
    static std::uint32_t bucketIndex(std::uint64_t value);
    static std::uint64_t bucketLower(std::uint32_t index);
    static std::uint64_t bucketWidth(std::uint32_t index);

    std::size_t bucketsInUse() const { return m_counts.size(); }

private:
    std::int64_t representative(std::uint32_t index) const;

    std::vector<std::uint64_t> m_counts; // m_counts[i] counts bucket m_offset + i
    std::uint32_t m_offset = 0;
    std::uint64_t m_count = 0;
    double m_sum = 0.0;
    std::int64_t m_min = 0;
    std::int64_t m_max = 0;
};

} // namespace meshsim::models
