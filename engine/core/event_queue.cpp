#include "engine/core/event_queue.h"

#include "engine/core/assert.h"

namespace meshsim::engine {

namespace {
constexpr std::size_t kArity = 4;
}

EventQueue::EventQueue()
{
    m_heap.reserve(1024);
    m_slots.reserve(1024);
}

TimerId EventQueue::scheduleAt(SimTime at, Callback callback)
{
    MESHSIM_ASSERT(at >= m_now, "events are never scheduled in the past");
    MESHSIM_ASSERT(static_cast<bool>(callback), "an event has a callback");
    std::uint32_t slot;
    if (!m_freeSlots.empty()) {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(m_slots.size());
        m_slots.emplace_back();
    }
    MESHSIM_ASSERT(slot <= kSlotMask, "fewer than 16.7 million events pending at once");
    MESHSIM_ASSERT(m_sequence < (std::uint64_t{1} << (64 - kSlotBits)),
                   "fewer than 2^40 events scheduled in one run");
    Slot& s = m_slots[slot];
    s.callback = callback;
    s.armed = true;
    push(Key{toNanos(at), (m_sequence++ << kSlotBits) | slot});
    ++m_live;
    return TimerId{slot, s.generation};
}

bool EventQueue::cancel(TimerId id)
{
    if (!id || id.slot >= m_slots.size())
        return false;
    Slot& s = m_slots[id.slot];
    if (s.generation != id.generation || !s.armed)
        return false;
    // The key stays in the heap and is discarded when it reaches the top; the slot is reused
    // only then, and the generation bump makes this id stale right away.
    s.armed = false;
    ++s.generation;
    if (s.generation == 0)
        s.generation = 1;
    --m_live;
    return true;
}

void EventQueue::push(const Key& key)
{
    m_heap.push_back(key);
    std::size_t i = m_heap.size() - 1;
    while (i > 0) {
        const std::size_t parent = (i - 1) / kArity;
        if (!before(key, m_heap[parent]))
            break;
        m_heap[i] = m_heap[parent];
        i = parent;
    }
    m_heap[i] = key;
}

EventQueue::Key EventQueue::popTop()
{
    // Floyd's bottom-up deletion: move the hole to a leaf along the smallest children (no
    // comparison with the displaced last key on the way down), then sift that key up from the
    // hole, which is short because the last key of a heap belongs near the bottom.
    const Key top = m_heap.front();
    const Key last = m_heap.back();
    m_heap.pop_back();
    const std::size_t n = m_heap.size();
    if (n == 0)
        return top;
    Key* heap = m_heap.data();
    std::size_t hole = 0;
    for (;;) {
        const std::size_t first = hole * kArity + 1;
        if (first >= n)
            break;
        std::size_t best = first;
        if (first + kArity <= n) { // four children: a tournament, two independent comparisons
            const std::size_t a = before(heap[first + 1], heap[first]) ? first + 1 : first;
            const std::size_t b = before(heap[first + 3], heap[first + 2]) ? first + 3 : first + 2;
            best = before(heap[b], heap[a]) ? b : a;
        } else {
            for (std::size_t c = first + 1; c < n; ++c)
                best = before(heap[c], heap[best]) ? c : best;
        }
        heap[hole] = heap[best];
        hole = best;
    }
    while (hole > 0) {
        const std::size_t parent = (hole - 1) / kArity;
        if (!before(last, heap[parent]))
            break;
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = last;
    return top;
}

void EventQueue::releaseSlot(std::uint32_t slot)
{
    m_freeSlots.push_back(slot);
}

void EventQueue::dropCancelledTop()
{
    while (!m_heap.empty() && !m_slots[m_heap.front().slot()].armed)
        releaseSlot(popTop().slot());
}

SimTime EventQueue::nextTime()
{
    dropCancelledTop();
    return m_heap.empty() ? kSimNever : atNanos(m_heap.front().time);
}

bool EventQueue::step()
{
    for (;;) {
        if (m_heap.empty())
            return false;
        const Key key = popTop();
        Slot& s = m_slots[key.slot()];
        if (!s.armed) {
            releaseSlot(key.slot());
            continue;
        }
        Callback callback = s.callback;
        s.armed = false;
        ++s.generation;
        if (s.generation == 0)
            s.generation = 1;
        releaseSlot(key.slot());
        --m_live;
        m_now = atNanos(key.time);
        ++m_executed;
        callback();
        return true;
    }
}

void EventQueue::runUntil(SimTime limit)
{
    m_stopped = false;
    while (!m_stopped) {
        dropCancelledTop();
        if (m_heap.empty() || m_heap.front().time > toNanos(limit))
            break;
        step();
    }
}

void EventQueue::run()
{
    m_stopped = false;
    while (!m_stopped && step()) {
    }
}

} // namespace meshsim::engine
