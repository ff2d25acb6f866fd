#include "engine/core/random.h"

namespace meshsim::engine {

namespace {
__extension__ using Uint128 = unsigned __int128;

} // namespace

std::uint64_t RandomStream::hashName(std::string_view name)
{
    std::uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a 64-bit offset basis
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL; // FNV-1a 64-bit prime
    }
    return h;
}

std::uint64_t RandomStream::splitmix64(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

RandomStream::RandomStream(std::uint64_t seed, std::string_view name)
{
    std::uint64_t material = seed;
    const std::uint64_t mixedSeed = splitmix64(material);
    std::uint64_t state = mixedSeed ^ hashName(name);
    for (auto& word : m_s)
        word = splitmix64(state);
}

RandomStream::RandomStream(std::uint64_t seedMaterial)
{
    std::uint64_t state = seedMaterial;
    for (auto& word : m_s)
        word = splitmix64(state);
}

RandomStream RandomStream::fromStateForTest(std::uint64_t s0,
                                            std::uint64_t s1,
                                            std::uint64_t s2,
                                            std::uint64_t s3)
{
    RandomStream r(0);
    r.m_s[0] = s0;
    r.m_s[1] = s1;
    r.m_s[2] = s2;
    r.m_s[3] = s3;
    return r;
}

std::uint64_t RandomStream::nextBelow(std::uint64_t bound)
{
    // Lemire, "Fast Random Integer Generation in an Interval" (2019).
    Uint128 m = static_cast<Uint128>(nextU64()) * bound;
    auto low = static_cast<std::uint64_t>(m);
    if (low < bound) {
        const std::uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = static_cast<Uint128>(nextU64()) * bound;
            low = static_cast<std::uint64_t>(m);
        }
    }
    return static_cast<std::uint64_t>(m >> 64);
}

} // namespace meshsim::engine
