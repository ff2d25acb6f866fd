#pragma once

// The Platform seam: the only way models touch time, the network and CPUs.
//
// Two implementations exist: FastPlatform (engine/core, analytic network, processor-sharing
// cores) and the SimGrid platform (engine/simgrid). Models never know which one runs them.
// A Platform owns its nodes; callers refer to nodes by NodeId (an index into PlatformSpec::nodes).
// Callbacks run on the simulation thread, inside the platform's event loop.

#include "engine/core/callback.h"
#include "engine/core/event_queue.h"
#include "engine/core/sim_time.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::engine {

using NodeId = std::uint32_t;

// One class of network path. Transfer time of an uncontended message of B bytes:
// latency + B / bandwidth (the meaning documented in docs/scenario-format.md, "Network").
struct LinkSpec
{
    SimDuration latency{0};
    double bytesPerSecond = 0.0; // 0 = unlimited
};

struct NodeSpec
{
    std::string name;
    std::uint32_t zone = 0; // index into PlatformSpec::zones
    std::uint32_t cores = 1;
    double speed = 1.0; // relative to the reference CPU on which CPU work is specified
    // CFS bandwidth control (engine/core/cpu_quota.h): at most `cpuQuota` cores of CPU time per
    // `quotaPeriod`; 0 = none.
    double cpuQuota = 0.0;
    SimDuration quotaPeriod{100'000'000};
};

struct PlatformSpec
{
    std::vector<std::string> zones;
    std::vector<NodeSpec> nodes;
    LinkSpec sameNode;
    LinkSpec sameZone;
    LinkSpec crossZone;
    LinkSpec client;       // between the clients' node and any other node
    NodeId clientNode = 0; // where the clients live ("the internet"); it does no CPU work
};

// A link degradation between two zones (the same zone twice: inside it); a default-constructed
// one restores the path.
struct PathDegradation
{
    SimDuration addedLatency{0};
    double bytesPerSecond = 0.0; // 0 = bandwidth unchanged
};

// Identifies one computation started by Platform::compute().
struct ActivityId
{
    std::uint32_t node = 0;
    std::uint32_t slot = 0;
    std::uint32_t generation = 0; // 0 = invalid
    explicit operator bool() const { return generation != 0; }
};

class Platform
{
public:
    virtual ~Platform() = default;

    virtual SimTime now() const = 0;
    // Time of the last event run (after runUntil() has returned, now() may be the limit).
    virtual SimTime lastEventTime() const = 0;
    // Runs `callback` after `delay` of simulated time.
    virtual TimerId schedule(SimDuration delay, Callback callback) = 0;
    virtual void cancel(TimerId id) = 0;

    // Sends `bytes` from one node to another; `done` runs when the last byte has arrived.
    virtual void transfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done) = 0;
    // Runs `work` of CPU (as long as it takes one core of the reference speed) on `node`;
    // `done` runs when it is finished. A node shares its cores among its computations.
    virtual ActivityId compute(NodeId node, SimDuration work, Callback done) = 0;
    // Abandons a computation: its callback never runs. False if it already finished.
    virtual bool cancelCompute(ActivityId id) = 0;

    // Degrades (or restores) every path between two zones: transfers started from now on.
    virtual void
    degrade(std::uint32_t zoneA, std::uint32_t zoneB, const PathDegradation& degradation)
        = 0;

    // Runs every event up to `limit` (inclusive). Returns true while events remain pending.
    virtual bool runUntil(SimTime limit) = 0;

    virtual const PlatformSpec& spec() const = 0;
    // Events executed so far (the platform's own notion of an event).
    virtual std::uint64_t eventCount() const = 0;
    // Core-seconds of CPU consumed on `node` so far (utilisation = this / (cores * elapsed)).
    virtual double busyCoreSeconds(NodeId node) const = 0;
    // The same at time `at` >= lastEventTime(), no event having run since (the load is constant
    // in between): what a series reads at a window's end.
    virtual double busyCoreSecondsAt(NodeId node, SimTime at) const = 0;
    // A node with a CPU quota: the time its computations were throttled up to `at` (as
    // busyCoreSecondsAt), and the periods in which they were (0 without a quota).
    virtual double throttledSecondsAt(NodeId node, SimTime at) const = 0;
    virtual std::uint64_t throttledPeriods(NodeId node) const = 0;

    // The link class a transfer between two nodes uses.
    const LinkSpec& linkBetween(NodeId from, NodeId to) const
    {
        const PlatformSpec& s = spec();
        if (from == to)
            return s.sameNode;
        if (from == s.clientNode || to == s.clientNode)
            return s.client;
        return s.nodes[from].zone == s.nodes[to].zone ? s.sameZone : s.crossZone;
    }
    // Uncontended transfer time of `bytes` over `link` (both platforms agree on it).
    static SimDuration transferTime(const LinkSpec& link, std::uint64_t bytes)
    {
        SimDuration t = link.latency;
        if (link.bytesPerSecond > 0.0 && bytes > 0)
            t += durationFromNanos(static_cast<double>(bytes) / link.bytesPerSecond * 1e9);
        return t;
    }
};

} // namespace meshsim::engine
