#include "engine/core/fast_platform.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <cmath>

namespace meshsim::engine {

namespace {
bool later(const auto& a, const auto& b)
{
    return a.finish > b.finish || (a.finish == b.finish && a.sequence > b.sequence);
}
} // namespace

FastPlatform::FastPlatform(PlatformSpec spec)
    : m_spec(std::move(spec))
{
    m_cpus.resize(m_spec.nodes.size());
    for (std::size_t i = 0; i < m_spec.nodes.size(); ++i) {
        m_cpus[i].cores = static_cast<double>(std::max<std::uint32_t>(1, m_spec.nodes[i].cores));
        m_cpus[i].speed = m_spec.nodes[i].speed;
        m_cpus[i].quota = CpuQuota(m_spec.nodes[i].cpuQuota, m_spec.nodes[i].quotaPeriod);
    }
}

TimerId FastPlatform::schedule(SimDuration delay, Callback callback)
{
    return m_queue.scheduleAfter(delay, callback);
}

void FastPlatform::cancel(TimerId id)
{
    m_queue.cancel(id);
}

void FastPlatform::transfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done)
{
    const LinkSpec& link = linkBetween(from, to);
    if (!m_degraded.empty() && from != to && from != m_spec.clientNode && to != m_spec.clientNode) {
        const std::uint32_t za = m_spec.nodes[from].zone;
        const std::uint32_t zb = m_spec.nodes[to].zone;
        const std::pair key{std::min(za, zb), std::max(za, zb)};
        for (const auto& [zones, d] : m_degraded) {
            if (zones != key)
                continue;
            LinkSpec degraded = link;
            degraded.latency += d.addedLatency;
            if (d.bytesPerSecond > 0.0)
                degraded.bytesPerSecond = d.bytesPerSecond;
            m_queue.scheduleAfter(transferTime(degraded, bytes), done);
            return;
        }
    }
    m_queue.scheduleAfter(transferTime(link, bytes), done);
}

void FastPlatform::degrade(std::uint32_t zoneA, std::uint32_t zoneB, const PathDegradation& d)
{
    const std::pair key{std::min(zoneA, zoneB), std::max(zoneA, zoneB)};
    std::erase_if(m_degraded, [&](const auto& entry) { return entry.first == key; });
    if (d.addedLatency.count() > 0 || d.bytesPerSecond > 0.0)
        m_degraded.emplace_back(key, d);
}

double FastPlatform::rate(const Cpu& cpu) const
{
    if (cpu.quota.throttled())
        return 0.0;
    if (cpu.active <= cpu.cores)
        return cpu.speed;
    return cpu.speed * cpu.cores / static_cast<double>(cpu.active);
}

void FastPlatform::advance(Cpu& cpu)
{
    const SimTime now = m_queue.now();
    const auto dt = static_cast<double>(toNanos(now - cpu.lastUpdate));
    if (dt > 0.0 && cpu.active > 0 && !cpu.quota.throttled()) {
        cpu.virtualWork += rate(cpu) * dt;
        cpu.busyCoreNanos += std::min(static_cast<double>(cpu.active), cpu.cores) * dt;
    }
    cpu.lastUpdate = now;
}

std::uint32_t FastPlatform::acquireJob(Cpu& cpu)
{
    if (!cpu.freeJobs.empty()) {
        const std::uint32_t slot = cpu.freeJobs.back();
        cpu.freeJobs.pop_back();
        return slot;
    }
    cpu.jobs.emplace_back();
    return static_cast<std::uint32_t>(cpu.jobs.size() - 1);
}

void FastPlatform::finishJob(Cpu& cpu, std::uint32_t slot)
{
    Job& job = cpu.jobs[slot];
    job.live = false;
    ++job.generation;
    --cpu.active;
}

ActivityId FastPlatform::compute(NodeId node, SimDuration work, Callback done)
{
    MESHSIM_ASSERT(node < m_cpus.size(), "compute() on an existing node");
    MESHSIM_ASSERT(node != m_spec.clientNode, "the clients' node does no CPU work");
    Cpu& cpu = m_cpus[node];
    advance(cpu);
    if (!cpu.sharing && (static_cast<double>(cpu.active) >= cpu.cores || cpu.quota.enabled()))
        startSharing(node);
    const std::uint32_t slot = acquireJob(cpu);
    Job& job = cpu.jobs[slot];
    job.done = done;
    job.live = true;
    job.sequence = m_jobSequence++;
    ++cpu.active;
    const std::uint32_t generation = job.generation;
    if (!cpu.sharing) {
        job.finishAt
            = m_queue.now() + durationFromNanos(static_cast<double>(toNanos(work)) / cpu.speed);
        job.timer = m_queue.scheduleAt(
            job.finishAt, [this, node, slot, generation] { onDirectDone(node, slot, generation); });
        return ActivityId{node, slot, generation};
    }
    cpu.heap.push_back(
        Pending{cpu.virtualWork + static_cast<double>(toNanos(work)), job.sequence, slot});
    std::push_heap(cpu.heap.begin(), cpu.heap.end(), [](const Pending& a, const Pending& b) {
        return later(a, b);
    });
    reschedule(node);
    applyQuota(node);
    return ActivityId{node, slot, generation};
}

void FastPlatform::applyQuota(NodeId node)
{
    Cpu& cpu = m_cpus[node];
    if (!cpu.quota.enabled())
        return;
    advance(cpu); // up to now under the state so far
    const CpuQuota::Decision d
        = cpu.quota.update(m_queue.now(), cpu.busyCoreNanos, cpu.active, cpu.cores);
    if (d.changed)
        reschedule(node);
    if (d.next == cpu.quotaAt)
        return;
    if (cpu.quotaTimer)
        m_queue.cancel(cpu.quotaTimer);
    cpu.quotaTimer = {};
    cpu.quotaAt = d.next;
    if (d.next != kSimNever)
        cpu.quotaTimer = m_queue.scheduleAt(d.next, [this, node] {
            m_cpus[node].quotaTimer = {};
            m_cpus[node].quotaAt = kSimNever;
            applyQuota(node);
        });
}

void FastPlatform::startSharing(NodeId node)
{
    // The running computations move from their own finish events into the shared heap, each
    // with exactly the work it has left (it ran at full speed until now).
    Cpu& cpu = m_cpus[node];
    cpu.sharing = true;
    cpu.virtualWork = 0.0;
    cpu.heap.clear();
    const SimTime now = m_queue.now();
    for (std::uint32_t slot = 0; slot < cpu.jobs.size(); ++slot) {
        Job& job = cpu.jobs[slot];
        if (!job.live)
            continue;
        m_queue.cancel(job.timer);
        job.timer = {};
        const double remaining = static_cast<double>(toNanos(job.finishAt - now)) * cpu.speed;
        cpu.heap.push_back(Pending{remaining, job.sequence, slot});
    }
    std::make_heap(cpu.heap.begin(), cpu.heap.end(), [](const Pending& a, const Pending& b) {
        return later(a, b);
    });
}

void FastPlatform::onDirectDone(NodeId node, std::uint32_t slot, std::uint32_t generation)
{
    Cpu& cpu = m_cpus[node];
    Job& job = cpu.jobs[slot];
    MESHSIM_ASSERT(job.live && job.generation == generation && !cpu.sharing,
                   "a direct finish event is cancelled when its job changes mode or dies");
    advance(cpu);
    Callback done = job.done;
    job.timer = {};
    finishJob(cpu, slot);
    cpu.freeJobs.push_back(slot);
    done();
}

bool FastPlatform::cancelCompute(ActivityId id)
{
    if (!id || id.node >= m_cpus.size())
        return false;
    Cpu& cpu = m_cpus[id.node];
    if (id.slot >= cpu.jobs.size())
        return false;
    Job& job = cpu.jobs[id.slot];
    if (!job.live || job.generation != id.generation)
        return false;
    advance(cpu);
    if (!cpu.sharing) {
        m_queue.cancel(job.timer);
        job.timer = {};
        finishJob(cpu, id.slot);
        cpu.freeJobs.push_back(id.slot);
        return true;
    }
    // The heap entry stays until it surfaces (then the slot is freed); the job stops sharing
    // the cores right now.
    finishJob(cpu, id.slot);
    reschedule(id.node);
    applyQuota(id.node);
    return true;
}

void FastPlatform::reschedule(NodeId node)
{
    Cpu& cpu = m_cpus[node];
    const auto cmp = [](const Pending& a, const Pending& b) { return later(a, b); };
    while (!cpu.heap.empty() && !cpu.jobs[cpu.heap.front().slot].live) {
        cpu.freeJobs.push_back(cpu.heap.front().slot);
        std::pop_heap(cpu.heap.begin(), cpu.heap.end(), cmp);
        cpu.heap.pop_back();
    }
    if (cpu.heap.empty()) {
        if (cpu.timer)
            m_queue.cancel(cpu.timer);
        cpu.timer = {};
        cpu.timerAt = kSimNever;
        cpu.sharing = false; // idle again: back to direct mode
        return;
    }
    if (cpu.quota.throttled()) { // nothing runs until the quota is refilled
        if (cpu.timer)
            m_queue.cancel(cpu.timer);
        cpu.timer = {};
        cpu.timerAt = kSimNever;
        return;
    }
    const double remaining = std::max(0.0, cpu.heap.front().finish - cpu.virtualWork);
    const SimTime next
        = m_queue.now()
          + SimDuration{static_cast<std::int64_t>(std::ceil(remaining / rate(cpu) - 1e-9))};
    if (cpu.timer && next == cpu.timerAt)
        return;
    if (cpu.timer)
        m_queue.cancel(cpu.timer);
    cpu.timerAt = next;
    cpu.timer = m_queue.scheduleAt(next, [this, node] { onCpuTimer(node); });
}

void FastPlatform::onCpuTimer(NodeId node)
{
    Cpu& cpu = m_cpus[node];
    cpu.timer = {};
    cpu.timerAt = kSimNever;
    advance(cpu);
    const auto cmp = [](const Pending& a, const Pending& b) { return later(a, b); };
    // Jobs whose virtual finish has been reached (allowing for the rounding of the timer to
    // whole nanoseconds and for floating-point error in the virtual clock).
    const double reached = cpu.virtualWork + 1e-6 + 1e-12 * std::abs(cpu.virtualWork);
    const std::size_t firstFinished = m_finished.size();
    while (!cpu.heap.empty() && cpu.heap.front().finish <= reached) {
        const std::uint32_t slot = cpu.heap.front().slot;
        std::pop_heap(cpu.heap.begin(), cpu.heap.end(), cmp);
        cpu.heap.pop_back();
        Job& job = cpu.jobs[slot];
        if (job.live) {
            m_finished.push_back(job.done);
            finishJob(cpu, slot);
        }
        cpu.freeJobs.push_back(slot);
    }
    reschedule(node);
    applyQuota(node);
    // Callbacks run after the node's state is consistent: they may start new computations.
    // m_finished works as a stack of frames: a nested timer never runs inside this loop, but
    // indices keep it correct even if one did.
    for (std::size_t i = firstFinished; i < m_finished.size(); ++i) {
        Callback done = m_finished[i];
        done();
    }
    m_finished.resize(firstFinished);
}

bool FastPlatform::runUntil(SimTime limit)
{
    m_queue.runUntil(limit);
    return m_queue.pending() > 0;
}

double FastPlatform::busyCoreSeconds(NodeId node) const
{
    return busyCoreSecondsAt(node, m_queue.now());
}

double FastPlatform::busyCoreSecondsAt(NodeId node, SimTime at) const
{
    const Cpu& cpu = m_cpus[node];
    const auto dt = static_cast<double>(toNanos(at - cpu.lastUpdate));
    const double pending = cpu.active > 0 && !cpu.quota.throttled()
                               ? std::min<double>(cpu.active, cpu.cores) * dt
                               : 0.0;
    return (cpu.busyCoreNanos + pending) * 1e-9;
}

} // namespace meshsim::engine
