#include "tests/fakes/fake_platform.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <string>

namespace meshsim::fakes {

using engine::ActivityId;
using engine::Callback;
using engine::NodeId;
using engine::SimDuration;
using engine::SimTime;
using engine::TimerId;

namespace {

template <typename T>
std::pair<T, T> unordered(T a, T b)
{
    return {std::min(a, b), std::max(a, b)};
}

} // namespace

FakePlatform::FakePlatform(engine::PlatformSpec spec)
    : m_spec(std::move(spec))
    , m_running(m_spec.nodes.size(), 0)
{}

engine::PlatformSpec FakePlatform::simpleSpec(std::uint32_t servers, std::uint32_t cores)
{
    engine::PlatformSpec spec;
    spec.zones = {"z0"};
    for (std::uint32_t n = 0; n < servers; ++n)
        spec.nodes.push_back({"n" + std::to_string(n), 0, cores, 1.0});
    spec.nodes.push_back({"clients", 0, 1, 1.0});
    spec.clientNode = servers;
    return spec; // link classes: no latency, unlimited bandwidth
}

void FakePlatform::setLinkDelay(NodeId a, NodeId b, SimDuration delay)
{
    MESHSIM_ASSERT(a < m_spec.nodes.size() && b < m_spec.nodes.size(), "nodes of the platform");
    MESHSIM_ASSERT(delay.count() >= 0, "a delay is not negative");
    m_linkDelays[unordered(a, b)] = delay;
}

FakePlatform::Key
FakePlatform::push(SimDuration delay, Kind kind, std::uint32_t record, Callback callback)
{
    MESHSIM_ASSERT(delay.count() >= 0, "events are never scheduled in the past");
    MESHSIM_ASSERT(static_cast<bool>(callback), "an event has a callback");
    const Key key{engine::toNanos(m_now + delay), m_sequence++};
    Event event;
    event.callback = callback;
    event.kind = kind;
    event.record = record;
    m_events.emplace(key, event);
    return key;
}

void FakePlatform::step()
{
    const auto first = m_events.begin();
    const Key key = first->first;
    Event event = first->second;
    m_events.erase(first);
    m_now = engine::atNanos(key.first);
    m_lastEvent = m_now;
    ++m_executed;
    switch (event.kind) {
    case Kind::Timer:
        m_timers[event.record].fired = true;
        break;
    case Kind::Transfer:
        m_transfers[event.record].arrived = true;
        break;
    case Kind::Compute: {
        ComputeRecord& c = m_computations[event.record];
        c.finished = true;
        --m_running[c.node];
        break;
    }
    }
    event.callback();
}

bool FakePlatform::runUntil(SimTime limit)
{
    while (!m_events.empty() && m_events.begin()->first.first <= engine::toNanos(limit))
        step();
    return !m_events.empty();
}

void FakePlatform::advanceTo(SimTime t)
{
    MESHSIM_ASSERT(t >= m_now, "time only moves forward");
    runUntil(t);
    m_now = t;
}

void FakePlatform::runAll(std::uint64_t maxEvents)
{
    for (std::uint64_t n = 0; !m_events.empty(); ++n) {
        MESHSIM_ASSERT(n < maxEvents, "runAll: events keep coming (use advanceTo)");
        step();
    }
}

TimerId FakePlatform::schedule(SimDuration delay, Callback callback)
{
    const auto index = static_cast<std::uint32_t>(m_timers.size());
    TimerRecord timer;
    timer.scheduledAt = m_now;
    timer.delay = delay;
    m_timers.push_back(timer);
    m_timerKeys.push_back(push(delay, Kind::Timer, index, callback));
    return TimerId{index, 1};
}

void FakePlatform::cancel(TimerId id)
{
    if (!id)
        return;
    MESHSIM_ASSERT(id.slot < m_timers.size() && id.generation == 1, "a timer of this platform");
    TimerRecord& timer = m_timers[id.slot];
    if (timer.fired || timer.cancelled)
        return;
    timer.cancelled = true;
    m_events.erase(m_timerKeys[id.slot]);
}

SimDuration FakePlatform::transferTime(NodeId from, NodeId to, std::uint64_t bytes) const
{
    if (const auto fixed = m_linkDelays.find(unordered(from, to)); fixed != m_linkDelays.end())
        return fixed->second;
    engine::LinkSpec link = linkBetween(from, to);
    // As FastPlatform: a degradation applies between two server nodes of the zones it names.
    if (from != to && from != m_spec.clientNode && to != m_spec.clientNode) {
        const auto degraded
            = m_degraded.find(unordered(m_spec.nodes[from].zone, m_spec.nodes[to].zone));
        if (degraded != m_degraded.end()) {
            link.latency += degraded->second.addedLatency;
            if (degraded->second.bytesPerSecond > 0.0)
                link.bytesPerSecond = degraded->second.bytesPerSecond;
        }
    }
    return Platform::transferTime(link, bytes);
}

void FakePlatform::transfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done)
{
    MESHSIM_ASSERT(from < m_spec.nodes.size() && to < m_spec.nodes.size(), "nodes of the platform");
    const SimDuration duration = transferTime(from, to, bytes);
    const auto index = static_cast<std::uint32_t>(m_transfers.size());
    TransferRecord record;
    record.from = from;
    record.to = to;
    record.bytes = bytes;
    record.start = m_now;
    record.arrival = m_now + duration;
    m_transfers.push_back(record);
    push(duration, Kind::Transfer, index, done);
}

ActivityId FakePlatform::compute(NodeId node, SimDuration work, Callback done)
{
    MESHSIM_ASSERT(node < m_spec.nodes.size() && node != m_spec.clientNode,
                   "computations run on a server node");
    const engine::NodeSpec& spec = m_spec.nodes[node];
    MESHSIM_ASSERT(spec.speed > 0.0, "a node computes at a positive speed");
    MESHSIM_ASSERT(m_running[node] < spec.cores,
                   "the fake does not share cores: give the node more cores");
    const SimDuration duration
        = engine::durationFromNanos(static_cast<double>(work.count()) / spec.speed);
    ++m_running[node];
    const auto index = static_cast<std::uint32_t>(m_computations.size());
    ComputeRecord record;
    record.node = node;
    record.work = work;
    record.start = m_now;
    record.end = m_now + duration;
    m_computations.push_back(record);
    m_computeKeys.push_back(push(duration, Kind::Compute, index, done));
    return ActivityId{node, index, 1};
}

bool FakePlatform::cancelCompute(ActivityId id)
{
    if (!id)
        return false;
    MESHSIM_ASSERT(id.slot < m_computations.size() && id.generation == 1,
                   "a computation of this platform");
    ComputeRecord& c = m_computations[id.slot];
    if (c.finished || c.cancelled)
        return false;
    c.cancelled = true;
    c.cancelledAt = m_now;
    --m_running[c.node];
    m_events.erase(m_computeKeys[id.slot]);
    return true;
}

void FakePlatform::degrade(std::uint32_t zoneA,
                           std::uint32_t zoneB,
                           const engine::PathDegradation& degradation)
{
    DegradeRecord record;
    record.at = m_now;
    record.zoneA = zoneA;
    record.zoneB = zoneB;
    record.degradation = degradation;
    m_degradations.push_back(record);
    const auto zones = unordered(zoneA, zoneB);
    if (degradation.addedLatency.count() > 0 || degradation.bytesPerSecond > 0.0)
        m_degraded[zones] = degradation;
    else
        m_degraded.erase(zones); // a default-constructed degradation restores the path
}

double FakePlatform::busyCoreSecondsAt(NodeId node, SimTime at) const
{
    std::int64_t busy = 0;
    for (const ComputeRecord& c : m_computations) {
        if (c.node != node)
            continue;
        const SimTime end = std::min(c.cancelled ? c.cancelledAt : c.end, at);
        busy += std::max<std::int64_t>(0, engine::toNanos(end - c.start));
    }
    return static_cast<double>(busy) * 1e-9;
}

} // namespace meshsim::fakes
