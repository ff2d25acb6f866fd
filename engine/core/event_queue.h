#pragma once

// EventQueue: the discrete-event core shared by every platform-independent piece of meshsim.
//
// Events are (time, callback) pairs. They run in time order; events at the same time run in the
// order they were scheduled (FIFO), so a run is a deterministic function of its inputs. Time only
// moves forward: scheduling in the past is a bug.
//
// Implementation: a 4-ary min-heap of 16-byte keys (time, sequence, slot) over a slab of
// callbacks with generation counters, so cancel() is O(1) (the key is dropped when it surfaces)
// and a stale TimerId can never cancel a newer event. Not thread-safe: one simulation runs on
// one thread.

#include "engine/core/callback.h"
#include "engine/core/sim_time.h"

#include <cstdint>
#include <vector>

namespace meshsim::engine {

// Identifies one scheduled event; default-constructed ids identify nothing.
struct TimerId
{
    std::uint32_t slot = 0;
    std::uint32_t generation = 0; // 0 = invalid
    explicit operator bool() const { return generation != 0; }
};

class EventQueue
{
public:
    EventQueue();

    SimTime now() const { return m_now; }

    // Schedules `callback` at absolute time `at` (at >= now()).
    TimerId scheduleAt(SimTime at, Callback callback);
    TimerId scheduleAfter(SimDuration delay, Callback callback)
    {
        return scheduleAt(m_now + delay, callback);
    }
    // Cancels a pending event. Returns false when it already ran, was cancelled, or is invalid.
    bool cancel(TimerId id);

    // Runs the earliest event. Returns false when nothing is pending.
    bool step();
    // Runs every event with time <= limit; now() is left at the last event run.
    void runUntil(SimTime limit);
    // Runs until no event is pending or stop() is called.
    void run();
    // Makes run()/runUntil() return after the current event.
    void stop() { m_stopped = true; }

    std::size_t pending() const { return m_live; }
    std::uint64_t executed() const { return m_executed; }
    // Time of the earliest pending event (kSimNever when empty). May surface cancelled keys.
    SimTime nextTime();

private:
    // 16 bytes, so the four children of a heap node share one cache line: the scheduling
    // sequence number (FIFO tie-break) in the high 40 bits of `order`, the slot in the low 24.
    struct Key
    {
        std::int64_t time;
        std::uint64_t order;
        std::uint32_t slot() const { return static_cast<std::uint32_t>(order & kSlotMask); }
    };
    static constexpr int kSlotBits = 24;
    static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
    struct Slot
    {
        Callback callback;
        std::uint32_t generation = 1;
        bool armed = false;
    };

    // One 128-bit comparison (times are never negative): no data-dependent branch, which
    // matters because heap comparisons are unpredictable.
    static bool before(const Key& a, const Key& b)
    {
        __extension__ using U128 = unsigned __int128;
        const U128 ka = (U128(static_cast<std::uint64_t>(a.time)) << 64) | a.order;
        const U128 kb = (U128(static_cast<std::uint64_t>(b.time)) << 64) | b.order;
        return ka < kb;
    }
    void push(const Key& key);
    Key popTop();
    void releaseSlot(std::uint32_t slot);
    void dropCancelledTop();

    std::vector<Key> m_heap;
    std::vector<Slot> m_slots;
    std::vector<std::uint32_t> m_freeSlots;
    SimTime m_now = kSimStart;
    std::uint64_t m_sequence = 0;
    std::uint64_t m_executed = 0;
    std::size_t m_live = 0;
    bool m_stopped = false;
};

} // namespace meshsim::engine
