#pragma once

// SimGridPlatform: the reference physical model, on SimGrid 3.32's S4U API. The only code of
// meshsim that includes SimGrid.
//
// Hosts: one per node, with the node's cores and a speed of (relative speed x 1 Gflop/s); CPU
// work of d seconds at the reference speed is d x 1e9 flops, and SimGrid shares a host's cores
// among its executions (each at most one core).
//
// Network, built so that an uncontended transfer of B bytes takes exactly latency + B/bandwidth
// of its path class (the meaning the fast platform implements), while concurrent flows share
// what real networks share, and no link is shared by every flow of the run (a constraint that
// every flow shares makes each SimGrid event cost O(flows in the whole system)):
//   nic-<node>       split-duplex, shared: the node's network interface, as fast as the fastest
//                    class it uses; its flows share it
//   zone-<node>      fat pipe: half the same_zone latency, the same_zone bandwidth per flow (a
//                    transfer in or between zones crosses one on each side)
//   client-<node>    fat pipe: the client_network latency and bandwidth per flow (every client
//                    has its own access line; the clients' side has no link)
//   loop-<node>      fat pipe: same_node latency and bandwidth
//   wan-<za>-<zb>    split-duplex, shared: cross_zone bandwidth, cross_zone minus same_zone
//                    latency, between two zones
// Routes: same node [loop]; same zone [nic up, zone, zone, nic down]; cross zone [nic up, zone,
// wan, zone, nic down]; clients [client, nic down] and back. The loader keeps cross_zone latency
// >= and bandwidth <= same_zone's, so every class gets exactly its numbers. A full zone holds
// only the routes between node pairs that can communicate (computed by the caller from the
// topology graph).
// SimGrid runs with the CM02 model without latency or bandwidth factors, without cross traffic
// and without the TCP window bound, so those three effects do not hide the scenario's numbers.
//
// No actor per request: activities are started from completion callbacks and kernel timers.
// SimGrid allows one engine per process: construct at most one SimGridPlatform per process
// (meshsim-cli runs SimGrid simulations in processes of their own). Not thread-safe.

#include "engine/core/platform.h"

#include <deque>
#include <memory>
#include <utility>
#include <vector>

namespace meshsim::engine {

class SimGridPlatform final : public Platform
{
public:
    // `routes` lists the (from, to) node pairs that may exchange data, in either direction.
    SimGridPlatform(PlatformSpec spec, const std::vector<std::pair<NodeId, NodeId>>& routes);
    ~SimGridPlatform() override;
    SimGridPlatform(const SimGridPlatform&) = delete;
    SimGridPlatform& operator=(const SimGridPlatform&) = delete;

    // False once a SimGridPlatform has been created in this process.
    static bool available();

    // Platform
    SimTime now() const override;
    SimTime lastEventTime() const override { return m_lastEvent; }
    TimerId schedule(SimDuration delay, Callback callback) override;
    void cancel(TimerId id) override;
    void transfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done) override;
    ActivityId compute(NodeId node, SimDuration work, Callback done) override;
    bool cancelCompute(ActivityId id) override;
    bool runUntil(SimTime limit) override;
    void degrade(std::uint32_t zoneA, std::uint32_t zoneB, const PathDegradation& d) override;
    const PlatformSpec& spec() const override { return m_spec; }
    std::uint64_t eventCount() const override { return m_events; }
    double busyCoreSeconds(NodeId node) const override;
    double busyCoreSecondsAt(NodeId node, SimTime at) const override;
    double throttledSecondsAt(NodeId node, SimTime at) const override;
    std::uint64_t throttledPeriods(NodeId node) const override;

    static constexpr double kReferenceFlops = 1e9; // flop/s of a node of speed 1

private:
    struct Impl;
    void onTimer(std::uint32_t slot, std::uint32_t generation);
    void onActivityDone(std::uint64_t token, bool finished);
    void startTransfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done);
    void updateBusy(NodeId node);
    // CFS bandwidth control of a node with a quota: its executions are suspended while it is
    // throttled (engine/core/cpu_quota.h).
    void applyQuota(NodeId node);
    void startExec(std::uint32_t slot, double flops);

    PlatformSpec m_spec;
    std::unique_ptr<Impl> m_impl;
    std::uint64_t m_events = 0;
    SimTime m_lastEvent = kSimStart;
    std::vector<Callback> m_deferred; // transfers waiting for a degradation's added latency
    std::vector<std::uint32_t> m_deferredFree;
};

} // namespace meshsim::engine
