#pragma once

// FastPlatform: the built-in platform. An EventQueue, an analytic network and processor-sharing
// CPUs, many runs per process, deterministic.
//
// Network: a transfer takes latency + bytes / bandwidth of its link class, independently of
// other transfers (no contention; the SimGrid platform models shared bandwidth).
// CPU: a node with c cores of relative speed s runs n computations at once, each at rate
// s * min(1, c / n) (egalitarian processor sharing, the sharing SimGrid's CPU model gives one
// host). A node has two modes:
//  * direct, while it has never had more computations than cores since it was last idle: each
//    computation runs at full speed, so it is one event at its exact finish time;
//  * sharing, from the moment a computation would exceed the cores until the node is idle again:
//    a virtual-work clock advances at the shared rate, and a min-heap of the computations'
//    finish values drives one timer per node, so a start or a finish costs O(log n).
// The switch converts each running computation's remaining work exactly, so both modes give the
// same times; the direct mode only avoids the heap and its timer churn on uncontended nodes.
// A node with a CPU quota (NodeSpec::cpuQuota) always shares; while it is throttled its rate is 0.
// Not thread-safe.

#include "engine/core/cpu_quota.h"
#include "engine/core/platform.h"

#include <vector>

namespace meshsim::engine {

class FastPlatform final : public Platform
{
public:
    explicit FastPlatform(PlatformSpec spec);

    // Platform
    SimTime now() const override { return m_queue.now(); }
    SimTime lastEventTime() const override { return m_queue.now(); }
    TimerId schedule(SimDuration delay, Callback callback) override;
    void cancel(TimerId id) override;
    void transfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done) override;
    ActivityId compute(NodeId node, SimDuration work, Callback done) override;
    bool cancelCompute(ActivityId id) override;
    bool runUntil(SimTime limit) override;
    void degrade(std::uint32_t zoneA, std::uint32_t zoneB, const PathDegradation& d) override;
    const PlatformSpec& spec() const override { return m_spec; }
    std::uint64_t eventCount() const override { return m_queue.executed(); }
    double busyCoreSeconds(NodeId node) const override;
    double busyCoreSecondsAt(NodeId node, SimTime at) const override;
    double throttledSecondsAt(NodeId node, SimTime at) const override
    {
        return m_cpus[node].quota.throttledSecondsAt(at);
    }
    std::uint64_t throttledPeriods(NodeId node) const override
    {
        return m_cpus[node].quota.throttledPeriods();
    }

    // Computations currently sharing `node`'s cores.
    std::uint32_t activeComputations(NodeId node) const { return m_cpus[node].active; }

private:
    struct Job
    {
        Callback done;
        std::uint32_t generation = 1;
        bool live = false;
        std::uint64_t sequence = 0; // start order, the tie-break between equal finishes
        TimerId timer;              // direct mode: the finish event
        SimTime finishAt;           // direct mode: when it finishes
    };
    struct Pending
    {
        double finish; // virtual work at which the job is done
        std::uint64_t sequence;
        std::uint32_t slot;
    };
    struct Cpu
    {
        double cores = 1.0;
        double speed = 1.0;
        double virtualWork = 0.0; // work (ns at speed 1) each active job has received
        SimTime lastUpdate = kSimStart;
        std::uint32_t active = 0;
        std::vector<Pending> heap;
        std::vector<Job> jobs;
        std::vector<std::uint32_t> freeJobs;
        TimerId timer;
        SimTime timerAt = kSimNever;
        double busyCoreNanos = 0.0;
        bool sharing = false; // see the class comment
        // CFS bandwidth control: a node with a quota always shares (its computations stop
        // together when it is throttled), and checks its quota at quotaAt.
        CpuQuota quota{0.0, SimDuration{1}};
        TimerId quotaTimer;
        SimTime quotaAt = kSimNever;
    };

    double rate(const Cpu& cpu) const;
    void advance(Cpu& cpu);
    void reschedule(NodeId node);
    void onCpuTimer(NodeId node);
    void onDirectDone(NodeId node, std::uint32_t slot, std::uint32_t generation);
    void startSharing(NodeId node);
    // Brings the node's quota up to date: throttles it, or lets it run again.
    void applyQuota(NodeId node);
    void finishJob(Cpu& cpu, std::uint32_t slot);
    std::uint32_t acquireJob(Cpu& cpu);

    PlatformSpec m_spec;
    EventQueue m_queue;
    std::vector<Cpu> m_cpus;
    std::uint64_t m_jobSequence = 0;
    std::vector<Callback> m_finished; // scratch list reused by onCpuTimer
    std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, PathDegradation>> m_degraded;
};

} // namespace meshsim::engine
