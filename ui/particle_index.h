#pragma once

// The particles of a recording: every sampled request (models/recording.h) becomes legs, one per
// hop where something visible happens, and the playback asks which legs are under way at a
// simulated instant. Nothing here is invented: a leg's times and places are its hop's.
//
//   Travel  a Transfer hop: bytes on the network from `from` to `at`; the particle moves along
//           the edge, its speed the simulated transfer time.
//   Wait    a Queue, Cpu, Stall, Proxy, Connect, Backoff or FaultDelay hop: the particle waits at
//           the place where the time passes (a queue, a CPU, a proxy, a backoff).
//   Bounce  a call or try that a proxy refused without sending anything (overflow, circuit open,
//           rate limited, denied): the particle leaves the caller and bounces back. Refusals take
//           no simulated time, so a bounce is shown for kMinBounceNs of simulated time.
//
// Style: the outcome class of the nearest try, call or request the leg belongs to, whether it is
// a response (travelling from the callee back to its caller) and whether it belongs to a retry or
// a hedge (a try after the first).
//
// Legs are kept in time buckets, so a frame visits only the legs of its bucket. Qt-free.

#include "models/recording.h"
#include "topologies/system_view.h"
#include "ui/series_stats.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace meshsim::ui {

enum class Motion : std::uint8_t { Travel, Wait, Bounce };

struct ParticleStyle
{
    OutcomeClass outcome = OutcomeClass::Ok;
    bool response = false;
    bool retry = false;

    std::uint8_t index() const
    {
        return static_cast<std::uint8_t>(static_cast<unsigned>(outcome) * 4U + (response ? 2U : 0U)
                                         + (retry ? 1U : 0U));
    }
};
inline constexpr std::size_t kParticleStyleCount = kOutcomeClassCount * 4;

struct Leg
{
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::uint32_t fromComponent = models::kNoIndex;
    std::uint32_t fromInstance = models::kNoIndex; // index into SystemView::instances
    std::uint32_t toComponent = models::kNoIndex;
    std::uint32_t toInstance = models::kNoIndex;
    std::uint32_t request = 0;   // index into Recording::requests
    std::uint64_t requestId = 0; // the request's id (stable when the sample shrinks)
    std::int32_t hop = 0;
    Motion motion = Motion::Wait;
    models::HopKind kind = models::HopKind::Transfer;
    std::uint8_t style = 0; // ParticleStyle::index()
};

class ParticleIndex
{
public:
    static constexpr std::int64_t kMinBounceNs = 40'000'000;
    static constexpr std::int64_t kMaxLegNs = std::int64_t{600} * 1'000'000'000; // 10 minutes

    // Brings the index up to date with a recording that may have grown: new requests are added;
    // when the sample shrank (requests were dropped), it is rebuilt.
    void update(const models::Recording& recording, const topologies::SystemView& view);
    void clear();

    // Calls f(const Leg&, double progress in [0, 1]) for every leg under way at `timeNs`.
    template <typename F>
    void forEachActive(std::int64_t timeNs, F&& f) const
    {
        if (timeNs < 0 || m_buckets.empty())
            return;
        const auto b = static_cast<std::size_t>(timeNs / kBucketNs);
        if (b >= m_buckets.size())
            return;
        for (const std::uint32_t i : m_buckets[b]) {
            const Leg& leg = m_legs[i];
            if (leg.start <= timeNs && timeNs < leg.end)
                f(leg, double(timeNs - leg.start) / double(leg.end - leg.start));
        }
    }
    std::size_t activeCount(std::int64_t timeNs) const;
    // The first leg start or end after `timeNs` (stepping forward), the last before it (back).
    std::optional<std::int64_t> nextEventAfter(std::int64_t timeNs) const;
    std::optional<std::int64_t> previousEventBefore(std::int64_t timeNs) const;

    const std::vector<Leg>& legs() const { return m_legs; }
    std::size_t requestCount() const { return m_requests; }

    static constexpr std::int64_t kBucketNs = 50'000'000;

private:
    void add(const models::Recording& recording,
             const topologies::SystemView& view,
             std::uint32_t request);
    void place(const Leg& leg, std::uint32_t index);

    std::vector<Leg> m_legs;
    std::vector<std::vector<std::uint32_t>> m_buckets;
    std::size_t m_requests = 0;
    std::uint64_t m_threshold = ~std::uint64_t{0};
    std::int64_t m_horizonNs = 0;
};

} // namespace meshsim::ui
