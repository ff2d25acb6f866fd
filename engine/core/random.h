#pragma once

// RandomStream: a reproducible stream of random numbers owned by one simulation component.
//
// Each component (a workload, a service instance, a load balancer) gets its own stream derived
// from the run seed and the component's stable name, e.g. "service/catalog/2". Adding a
// component therefore never perturbs the numbers another component draws (ns-3 issue #401 is
// what happens otherwise). The generator is xoshiro256** seeded through splitmix64; names are
// hashed with FNV-1a, never std::hash (whose result differs between standard libraries).
// Not thread-safe.

#include <cstdint>
#include <string_view>

namespace meshsim::engine {

class RandomStream
{
public:
    // A stream for the component `name` of a run seeded with `seed`.
    RandomStream(std::uint64_t seed, std::string_view name);
    // A stream from raw state material (tests, sub-streams).
    explicit RandomStream(std::uint64_t seedMaterial);
    // A stream with exactly this xoshiro256** state (reference test vectors).
    static RandomStream
    fromStateForTest(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3);

    std::uint64_t nextU64()
    {
        // xoshiro256** 1.0 (Blackman and Vigna, public domain reference algorithm).
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    // Uniform in [0, 1), 53 random bits.
    double nextDouble() { return static_cast<double>(nextU64() >> 11) * 0x1.0p-53; }
    // Uniform in (0, 1]: safe as the argument of a logarithm.
    double nextOpenDouble() { return 1.0 - nextDouble(); }
    // Uniform integer in [0, bound), bound > 0, without modulo bias (Lemire's method).
    std::uint64_t nextBelow(std::uint64_t bound);
    // True with probability p.
    bool bernoulli(double p) { return nextDouble() < p; }

    static std::uint64_t hashName(std::string_view name);
    // A key derived from two: `key` and a salt or an index, mixed through splitmix64 (keys of
    // requests and their calls, for draws that do not depend on which component makes them).
    static std::uint64_t mix(std::uint64_t key, std::uint64_t salt)
    {
        std::uint64_t state = key ^ (salt * 0xd1b54a32d192ed03ULL);
        return splitmix64(state);
    }
    static std::uint64_t splitmix64(std::uint64_t& state);

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k)
    {
        return (x << k) | (x >> (64 - k));
    }

    std::uint64_t m_s[4];
};

} // namespace meshsim::engine
