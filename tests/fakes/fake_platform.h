#pragma once

// FakePlatform: a deterministic, minimal Platform for unit tests of models/ without a scenario
// file (no Qt, no SimGrid).
//
// * Events run in time order; events at equal times run in the order they were scheduled.
//   Time moves only when the test runs events: runUntil(), advanceTo(), runAll().
// * A computation of `work` on a node of relative speed s takes work / s. The fake does not
//   share cores: a computation that would exceed the node's cores is a bug of the test (it
//   asserts), so every time it gives is the uncontended time. A test that needs CPU sharing
//   uses FastPlatform.
// * A transfer takes latency + bytes / bandwidth of its link class (Platform::linkBetween, with
//   the degradations in force between zones, as FastPlatform applies them), or exactly the delay
//   a test set for that pair of nodes with setLinkDelay(), whatever its size.
// * It records what it was asked: every timer, transfer, computation and degradation, with the
//   simulated times, so a test can assert on what a model asked for and when.
//
// Owns its pending callbacks and its records. Not thread-safe.

#include "engine/core/platform.h"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace meshsim::fakes {

class FakePlatform final : public engine::Platform
{
public:
    struct TimerRecord
    {
        engine::SimTime scheduledAt;
        engine::SimDuration delay{0};
        bool fired = false;
        bool cancelled = false;
        engine::SimTime due() const { return scheduledAt + delay; }
    };
    struct TransferRecord
    {
        engine::NodeId from = 0;
        engine::NodeId to = 0;
        std::uint64_t bytes = 0;
        engine::SimTime start;
        engine::SimTime arrival; // when `done` runs
        bool arrived = false;
    };
    struct ComputeRecord
    {
        engine::NodeId node = 0;
        engine::SimDuration work{0};
        engine::SimTime start;
        engine::SimTime end; // when `done` runs (or would have run, when cancelled)
        bool finished = false;
        bool cancelled = false;
        engine::SimTime cancelledAt;
    };
    struct DegradeRecord
    {
        engine::SimTime at;
        std::uint32_t zoneA = 0;
        std::uint32_t zoneB = 0;
        engine::PathDegradation degradation;
    };

    explicit FakePlatform(engine::PlatformSpec spec);

    // `servers` nodes ("n0", "n1", ...) in one zone with `cores` cores of speed 1 each, then the
    // clients' node; every link class has no latency and unlimited bandwidth (set delays with
    // setLinkDelay()).
    static engine::PlatformSpec simpleSpec(std::uint32_t servers, std::uint32_t cores = 16);

    // From now on every transfer between `a` and `b` (either way; a == b: inside the node)
    // takes exactly `delay`.
    void setLinkDelay(engine::NodeId a, engine::NodeId b, engine::SimDuration delay);

    // Runs every event up to `t` (inclusive), then sets the clock to `t` (t >= now()).
    void advanceTo(engine::SimTime t);
    // Runs until nothing is pending. Asserts after `maxEvents` events (a timer that re-arms
    // itself forever: use advanceTo()).
    void runAll(std::uint64_t maxEvents = 1'000'000);
    std::size_t pendingEvents() const { return m_events.size(); }
    // Computations running on `node` now.
    std::uint32_t running(engine::NodeId node) const { return m_running[node]; }

    const std::vector<TimerRecord>& timers() const { return m_timers; }
    const std::vector<TransferRecord>& transfers() const { return m_transfers; }
    const std::vector<ComputeRecord>& computations() const { return m_computations; }
    const std::vector<DegradeRecord>& degradations() const { return m_degradations; }

    // Platform
    engine::SimTime now() const override { return m_now; }
    engine::SimTime lastEventTime() const override { return m_lastEvent; }
    engine::TimerId schedule(engine::SimDuration delay, engine::Callback callback) override;
    void cancel(engine::TimerId id) override;
    void transfer(engine::NodeId from,
                  engine::NodeId to,
                  std::uint64_t bytes,
                  engine::Callback done) override;
    engine::ActivityId
    compute(engine::NodeId node, engine::SimDuration work, engine::Callback done) override;
    bool cancelCompute(engine::ActivityId id) override;
    void degrade(std::uint32_t zoneA,
                 std::uint32_t zoneB,
                 const engine::PathDegradation& degradation) override;
    // Runs every event up to `limit` (inclusive); now() is left at the last event run.
    bool runUntil(engine::SimTime limit) override;
    const engine::PlatformSpec& spec() const override { return m_spec; }
    std::uint64_t eventCount() const override { return m_executed; }
    double busyCoreSeconds(engine::NodeId node) const override
    {
        return busyCoreSecondsAt(node, m_now);
    }
    // Sum over the node's computations of the time each ran up to `at` (finished, cancelled or
    // still running), at one core each.
    double busyCoreSecondsAt(engine::NodeId node, engine::SimTime at) const override;
    // No CPU quotas: nothing is ever throttled.
    double throttledSecondsAt(engine::NodeId, engine::SimTime) const override { return 0.0; }
    std::uint64_t throttledPeriods(engine::NodeId) const override { return 0; }

private:
    enum class Kind : std::uint8_t { Timer, Transfer, Compute };
    struct Event
    {
        engine::Callback callback;
        Kind kind = Kind::Timer;
        std::uint32_t record = 0; // index into the records of its kind
    };
    // (time in ns, scheduling sequence): std::map orders by time, then by scheduling order.
    using Key = std::pair<std::int64_t, std::uint64_t>;

    Key push(engine::SimDuration delay, Kind kind, std::uint32_t record, engine::Callback callback);
    void step();
    engine::SimDuration
    transferTime(engine::NodeId from, engine::NodeId to, std::uint64_t bytes) const;

    engine::PlatformSpec m_spec;
    engine::SimTime m_now = engine::kSimStart;
    engine::SimTime m_lastEvent = engine::kSimStart;
    std::uint64_t m_sequence = 0;
    std::uint64_t m_executed = 0;
    std::map<Key, Event> m_events;
    std::vector<TimerRecord> m_timers;
    std::vector<Key> m_timerKeys; // per timer, its event
    std::vector<TransferRecord> m_transfers;
    std::vector<ComputeRecord> m_computations;
    std::vector<Key> m_computeKeys; // per computation, its finish event
    std::vector<DegradeRecord> m_degradations;
    std::vector<std::uint32_t> m_running; // per node
    std::map<std::pair<engine::NodeId, engine::NodeId>, engine::SimDuration> m_linkDelays;
    std::map<std::pair<std::uint32_t, std::uint32_t>, engine::PathDegradation> m_degraded;
};

} // namespace meshsim::fakes
