#include "engine/simgrid/simgrid_platform.h"

#include "engine/core/assert.h"
#include "engine/core/cpu_quota.h"

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

namespace meshsim::engine {

namespace sg4 = simgrid::s4u;
using simgrid::kernel::timer::Timer;

namespace {

SimGridPlatform* g_instance = nullptr; // SimGrid's completion signal is process-wide
bool g_created = false;
constexpr double kUnlimitedBytesPerSecond = 1e15; // "unlimited": a transfer of 1 MB takes 1 ns

double seconds(SimTime t)
{
    return toSeconds(t);
}

double bandwidth(const LinkSpec& link)
{
    return link.bytesPerSecond > 0.0 ? link.bytesPerSecond : kUnlimitedBytesPerSecond;
}

// Activities carry a token (slot and incarnation) in SimGrid's user data; 0 means "not ours".
void* tokenToData(std::uint64_t token)
{
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(token)); // NOLINT
}

} // namespace

struct SimGridPlatform::Impl
{
    struct TimerSlot
    {
        Callback callback;
        Timer* timer = nullptr;
        std::uint32_t generation = 1;
        bool armed = false;
    };
    struct ActivitySlot
    {
        sg4::ActivityPtr activity; // none while parked
        Callback callback;
        NodeId node = 0;
        bool compute = false;
        std::uint32_t generation = 1;  // of the ActivityId given out
        std::uint32_t incarnation = 1; // of the SimGrid activity carrying it (its token)
        bool armed = false;
        // A computation of a throttled node: its execution is cancelled and these flops wait
        // for the next period (SimGrid 3.32's suspend/resume loses an execution's one-core
        // bound on a multicore host, so meshsim restarts it instead).
        double parkedFlops = -1.0;
    };
    struct NodeLoad
    {
        std::uint32_t active = 0;
        std::uint32_t cores = 1;
        SimTime lastUpdate = kSimStart;
        double busyCoreNanos = 0.0;
        CpuQuota quota{0.0, SimDuration{1}};
        TimerId quotaTimer;
        SimTime quotaAt = kSimNever;
    };

    sg4::Engine* engine = nullptr;
    std::vector<sg4::Host*> hosts;
    std::vector<TimerSlot> timers;
    std::vector<std::uint32_t> freeTimers;
    std::vector<ActivitySlot> activities;
    std::vector<std::uint32_t> freeActivities;
    // Completed or cancelled activities, with the clock when they were: released once the
    // signals of that instant are over (several activities may end in one instant, their
    // signals dispatched one after another).
    std::vector<std::pair<double, sg4::ActivityPtr>> graveyard;
    void bury(sg4::ActivityPtr activity)
    {
        graveyard.emplace_back(sg4::Engine::get_clock(), std::move(activity));
    }
    void releaseGraves()
    {
        const double clock = sg4::Engine::get_clock();
        std::erase_if(graveyard, [clock](const auto& grave) { return grave.first < clock; });
    }
    std::vector<NodeLoad> load;
    std::size_t pending = 0; // armed timers and activities
    // Links a degradation changes, with their normal bandwidth.
    std::map<NodeId, sg4::Link*> zoneLinks;
    std::map<std::pair<std::uint32_t, std::uint32_t>, sg4::SplitDuplexLink*> wans;
    std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, PathDegradation>> degraded;

    static std::uint64_t token(std::uint32_t slot, std::uint32_t generation)
    {
        return (std::uint64_t{generation} << 32) | slot;
    }

    std::uint32_t acquireActivity()
    {
        if (!freeActivities.empty()) {
            const std::uint32_t slot = freeActivities.back();
            freeActivities.pop_back();
            return slot;
        }
        activities.emplace_back();
        return static_cast<std::uint32_t>(activities.size() - 1);
    }
};

bool SimGridPlatform::available()
{
    return !g_created;
}

SimGridPlatform::SimGridPlatform(PlatformSpec spec,
                                 const std::vector<std::pair<NodeId, NodeId>>& routes)
    : m_spec(std::move(spec))
    , m_impl(std::make_unique<Impl>())
{
    MESHSIM_ASSERT(!g_created,
                   "at most one SimGrid engine per process (run SimGrid simulations "
                   "in processes of their own)");
    g_created = true;
    g_instance = this;

    // CM02 without factors: a message takes latency + size / bandwidth, as the scenario says.
    // (Do not add host/model: setting it resets the network model to LV08, whose latency
    // factor of 13.01 multiplies every latency.)
    static int argc = 5;
    static const char* argv[] = {"meshsim",
                                 "--cfg=network/model:CM02",
                                 "--cfg=network/crosstraffic:0",
                                 "--cfg=network/TCP-gamma:1e30",
                                 "--log=root.thres:critical"};
    m_impl->engine = new sg4::Engine(&argc, const_cast<char**>(argv)); // NOLINT

    auto* zone = sg4::create_full_zone("meshsim");
    const std::size_t n = m_spec.nodes.size();
    m_impl->hosts.resize(n);
    m_impl->load.resize(n);
    for (NodeId i = 0; i < n; ++i) {
        const NodeSpec& node = m_spec.nodes[i];
        m_impl->hosts[i]
            = zone->create_host(node.name + "#" + std::to_string(i), node.speed * kReferenceFlops)
                  ->set_core_count(static_cast<int>(std::max(1U, node.cores)))
                  ->seal();
        m_impl->load[i].cores = std::max(1U, node.cores);
        m_impl->load[i].quota = CpuQuota(node.cpuQuota, node.quotaPeriod);
    }

    const auto lat = [](SimDuration d) { return seconds(kSimStart + d); };
    const auto fatPipe = [&](const std::string& name, double bytesPerSecond, SimDuration latency) {
        return zone->create_link(name, bytesPerSecond)
            ->set_latency(lat(latency))
            ->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE)
            ->seal();
    };
    // A node's NIC carries every class of traffic of the node, so it is as fast as the fastest.
    const double nicBandwidth = std::max(
        {bandwidth(m_spec.sameZone), bandwidth(m_spec.crossZone), bandwidth(m_spec.client)});
    const SimDuration halfZone = m_spec.sameZone.latency / 2;
    // The loader makes the cross-zone latency at least, and the cross-zone bandwidth at most, the
    // same-zone ones when there are zones to cross: a transfer between zones also crosses a
    // zone link on each side.
    std::map<NodeId, sg4::SplitDuplexLink*> nics;
    std::map<NodeId, sg4::Link*> loops;
    std::map<NodeId, sg4::Link*> zoneLinks;
    std::map<NodeId, sg4::Link*> clientLinks;
    std::map<std::pair<std::uint32_t, std::uint32_t>, sg4::SplitDuplexLink*> wans;
    const auto nic = [&](NodeId node) {
        auto& link = nics[node];
        if (!link) {
            link = zone->create_split_duplex_link("nic-" + std::to_string(node), nicBandwidth);
            link->set_latency(0);
        }
        return link;
    };
    const auto perNode = [&](std::map<NodeId, sg4::Link*>& links,
                             const char* kind,
                             NodeId node,
                             double bytesPerSecond,
                             SimDuration latency) {
        auto& link = links[node];
        if (!link)
            link = fatPipe(std::string(kind) + "-" + std::to_string(node), bytesPerSecond, latency);
        return link;
    };

    std::set<std::pair<NodeId, NodeId>> done;
    for (const auto& [a, b] : routes) {
        for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
            if (!done.insert({from, to}).second)
                continue;
            std::vector<sg4::LinkInRoute> path;
            using Dir = sg4::LinkInRoute::Direction;
            if (from == to) {
                path.emplace_back(perNode(
                    loops, "loop", from, bandwidth(m_spec.sameNode), m_spec.sameNode.latency));
            } else if (from == m_spec.clientNode || to == m_spec.clientNode) {
                const NodeId node = from == m_spec.clientNode ? to : from;
                sg4::Link* access = perNode(
                    clientLinks, "client", node, bandwidth(m_spec.client), m_spec.client.latency);
                if (from == m_spec.clientNode) {
                    path.emplace_back(access);
                    path.emplace_back(nic(to), Dir::DOWN);
                } else {
                    path.emplace_back(nic(from), Dir::UP);
                    path.emplace_back(access);
                }
            } else {
                const std::uint32_t za = m_spec.nodes[from].zone;
                const std::uint32_t zb = m_spec.nodes[to].zone;
                path.emplace_back(nic(from), Dir::UP);
                path.emplace_back(
                    perNode(zoneLinks, "zone", from, bandwidth(m_spec.sameZone), halfZone));
                if (za != zb) {
                    auto& wan = wans[{std::min(za, zb), std::max(za, zb)}];
                    if (!wan) {
                        wan = zone->create_split_duplex_link(
                            "wan-" + std::to_string(std::min(za, zb)) + "-"
                                + std::to_string(std::max(za, zb)),
                            bandwidth(m_spec.crossZone));
                        wan->set_latency(
                            lat(std::max(SimDuration{0}, m_spec.crossZone.latency - 2 * halfZone)));
                    }
                    path.emplace_back(wan, za < zb ? Dir::UP : Dir::DOWN);
                }
                path.emplace_back(
                    perNode(zoneLinks, "zone", to, bandwidth(m_spec.sameZone), halfZone));
                path.emplace_back(nic(to), Dir::DOWN);
            }
            zone->add_route(m_impl->hosts[from]->get_netpoint(),
                            m_impl->hosts[to]->get_netpoint(),
                            nullptr,
                            nullptr,
                            path,
                            false);
        }
    }
    for (auto& [node, link] : nics)
        link->seal();
    for (auto& [zones, link] : wans)
        link->seal();
    zone->seal();
    m_impl->zoneLinks = zoneLinks;
    m_impl->wans = wans;

    sg4::Activity::on_completion_cb([](const sg4::Activity& activity) {
        if (g_instance == nullptr)
            return;
        const auto token = static_cast<std::uint64_t>(
            reinterpret_cast<std::uintptr_t>(activity.get_data<void>()));
        if (token != 0)
            g_instance->onActivityDone(token,
                                       activity.get_state() == sg4::Activity::State::FINISHED);
    });
}

SimGridPlatform::~SimGridPlatform()
{
    g_instance = nullptr;
    m_impl->graveyard.clear();
    for (Impl::ActivitySlot& a : m_impl->activities)
        a.activity.reset();
    delete m_impl->engine; // NOLINT: owned here; SimGrid never makes a second one
}

SimTime SimGridPlatform::now() const
{
    return atNanos(std::llround(sg4::Engine::get_clock() * 1e9));
}

TimerId SimGridPlatform::schedule(SimDuration delay, Callback callback)
{
    Impl& impl = *m_impl;
    std::uint32_t slot;
    if (!impl.freeTimers.empty()) {
        slot = impl.freeTimers.back();
        impl.freeTimers.pop_back();
    } else {
        impl.timers.emplace_back();
        slot = static_cast<std::uint32_t>(impl.timers.size() - 1);
    }
    Impl::TimerSlot& t = impl.timers[slot];
    t.callback = callback;
    t.armed = true;
    const std::uint32_t generation = t.generation;
    // now() rounds SimGrid's clock to a nanosecond: a date computed from it may lie a fraction
    // of a nanosecond in SimGrid's past, which its solver refuses; never set one before the clock.
    const double date = std::max(seconds(now() + delay), sg4::Engine::get_clock());
    t.timer = Timer::set(date, [this, slot, generation] { onTimer(slot, generation); });
    ++impl.pending;
    return TimerId{slot, generation};
}

void SimGridPlatform::cancel(TimerId id)
{
    Impl& impl = *m_impl;
    if (!id || id.slot >= impl.timers.size())
        return;
    Impl::TimerSlot& t = impl.timers[id.slot];
    if (!t.armed || t.generation != id.generation)
        return;
    t.timer->remove(); // frees the kernel timer
    t.timer = nullptr;
    t.armed = false;
    ++t.generation;
    impl.freeTimers.push_back(id.slot);
    --impl.pending;
}

void SimGridPlatform::onTimer(std::uint32_t slot, std::uint32_t generation)
{
    Impl& impl = *m_impl;
    Impl::TimerSlot& t = impl.timers[slot];
    if (!t.armed || t.generation != generation)
        return;
    Callback callback = t.callback;
    t.timer = nullptr; // SimGrid deletes a timer after running it
    t.armed = false;
    ++t.generation;
    impl.freeTimers.push_back(slot);
    --impl.pending;
    ++m_events;
    m_lastEvent = now();
    callback();
}

void SimGridPlatform::transfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done)
{
    if (!m_impl->degraded.empty() && from != to && from != m_spec.clientNode
        && to != m_spec.clientNode) {
        const std::uint32_t za = m_spec.nodes[from].zone;
        const std::uint32_t zb = m_spec.nodes[to].zone;
        const std::pair key{std::min(za, zb), std::max(za, zb)};
        for (const auto& [zones, d] : m_impl->degraded) {
            if (zones == key && d.addedLatency.count() > 0) {
                // Added latency: the transfer starts that much later (bandwidth is changed on
                // the links themselves, see degrade()).
                // The timer's callback cannot hold `done` too: park it in a slot.
                std::uint32_t slot;
                if (!m_deferredFree.empty()) {
                    slot = m_deferredFree.back();
                    m_deferredFree.pop_back();
                    m_deferred[slot] = done;
                } else {
                    slot = static_cast<std::uint32_t>(m_deferred.size());
                    m_deferred.push_back(done);
                }
                struct Later
                {
                    SimGridPlatform* self;
                    std::uint64_t bytes;
                    NodeId from;
                    NodeId to;
                    std::uint32_t slot;
                };
                static_assert(sizeof(Later) <= Callback::kCapacity);
                const Later later{this, bytes, from, to, slot};
                schedule(d.addedLatency, [later] {
                    SimGridPlatform& self = *later.self;
                    const Callback cb = self.m_deferred[later.slot];
                    self.m_deferredFree.push_back(later.slot);
                    self.startTransfer(later.from, later.to, later.bytes, cb);
                });
                return;
            }
        }
    }
    startTransfer(from, to, bytes, done);
}

void SimGridPlatform::degrade(std::uint32_t zoneA, std::uint32_t zoneB, const PathDegradation& d)
{
    Impl& impl = *m_impl;
    const std::pair key{std::min(zoneA, zoneB), std::max(zoneA, zoneB)};
    std::erase_if(impl.degraded, [&](const auto& entry) { return entry.first == key; });
    const bool active = d.addedLatency.count() > 0 || d.bytesPerSecond > 0.0;
    if (active)
        impl.degraded.emplace_back(key, d);
    // Bandwidth: the cross-zone link between two zones, or the zone links of one zone's nodes.
    if (key.first != key.second) {
        const auto it = impl.wans.find(key);
        if (it != impl.wans.end()) {
            const double bw
                = d.bytesPerSecond > 0.0 ? d.bytesPerSecond : bandwidth(m_spec.crossZone);
            it->second->get_link_up()->set_bandwidth(bw);
            it->second->get_link_down()->set_bandwidth(bw);
        }
        return;
    }
    for (const auto& [node, link] : impl.zoneLinks) {
        if (m_spec.nodes[node].zone == key.first)
            link->set_bandwidth(d.bytesPerSecond > 0.0 ? d.bytesPerSecond
                                                       : bandwidth(m_spec.sameZone));
    }
}

void SimGridPlatform::startTransfer(NodeId from, NodeId to, std::uint64_t bytes, Callback done)
{
    Impl& impl = *m_impl;
    const std::uint32_t slot = impl.acquireActivity();
    Impl::ActivitySlot& a = impl.activities[slot];
    a.callback = done;
    a.compute = false;
    a.armed = true;
    sg4::CommPtr comm = sg4::Comm::sendto_init(impl.hosts[from], impl.hosts[to]);
    comm->set_payload_size(bytes);

    comm->set_data(tokenToData(Impl::token(slot, a.incarnation)));
    a.activity = comm;
    ++impl.pending;
    comm->start();
}

ActivityId SimGridPlatform::compute(NodeId node, SimDuration work, Callback done)
{
    MESHSIM_ASSERT(node != m_spec.clientNode, "the clients' node does no CPU work");
    Impl& impl = *m_impl;
    const std::uint32_t slot = impl.acquireActivity();
    Impl::ActivitySlot& a = impl.activities[slot];
    a.callback = done;
    a.compute = true;
    a.node = node;
    a.armed = true;
    updateBusy(node);
    ++impl.load[node].active;
    ++impl.pending;
    const ActivityId id{node, slot, a.generation};
    const double flops = toSeconds(work) * kReferenceFlops;
    if (impl.load[node].quota.throttled())
        a.parkedFlops = flops; // runs when the node's quota is refilled
    else
        startExec(slot, flops);
    applyQuota(node);
    return id;
}

void SimGridPlatform::startExec(std::uint32_t slot, double flops)
{
    Impl& impl = *m_impl;
    Impl::ActivitySlot& a = impl.activities[slot];
    a.parkedFlops = -1.0;
    sg4::ExecPtr exec = sg4::Exec::init();
    exec->set_flops_amount(flops);
    exec->set_host(impl.hosts[a.node]);
    exec->set_data(tokenToData(Impl::token(slot, a.incarnation)));
    a.activity = exec;
    exec->start();
}

void SimGridPlatform::applyQuota(NodeId node)
{
    Impl& impl = *m_impl;
    Impl::NodeLoad& l = impl.load[node];
    if (!l.quota.enabled())
        return;
    updateBusy(node); // up to now under the state so far
    const CpuQuota::Decision d = l.quota.update(now(), l.busyCoreNanos, l.active, l.cores);
    if (d.changed) {
        const bool stop = l.quota.throttled();
        for (std::uint32_t slot = 0; slot < impl.activities.size(); ++slot) {
            Impl::ActivitySlot& a = impl.activities[slot];
            if (!a.armed || !a.compute || a.node != node)
                continue;
            if (stop && a.activity) {
                a.parkedFlops = std::max(0.0, a.activity->get_remaining());
                ++a.incarnation; // its cancellation's signal will not match
                sg4::ActivityPtr activity = std::move(a.activity);
                activity->cancel();
                impl.bury(std::move(activity));
            } else if (!stop && a.parkedFlops >= 0.0) {
                startExec(slot, a.parkedFlops);
            }
        }
    }
    if (d.next == l.quotaAt)
        return;
    if (l.quotaTimer)
        cancel(l.quotaTimer);
    l.quotaTimer = {};
    l.quotaAt = d.next;
    if (d.next != kSimNever)
        l.quotaTimer = schedule(d.next - now(), [this, node] {
            Impl::NodeLoad& load = m_impl->load[node];
            load.quotaTimer = {};
            load.quotaAt = kSimNever;
            applyQuota(node);
        });
}

bool SimGridPlatform::cancelCompute(ActivityId id)
{
    Impl& impl = *m_impl;
    if (!id || id.slot >= impl.activities.size())
        return false;
    Impl::ActivitySlot& a = impl.activities[id.slot];
    if (!a.armed || a.generation != id.generation || !a.compute)
        return false;
    updateBusy(a.node);
    --impl.load[a.node].active;
    a.armed = false;
    ++a.generation;
    ++a.incarnation; // a late completion signal of the cancelled activity will not match
    a.parkedFlops = -1.0;
    --impl.pending;
    sg4::ActivityPtr activity = std::move(a.activity);
    impl.freeActivities.push_back(id.slot);
    if (activity) {
        activity->cancel();
        impl.bury(std::move(activity));
    }
    applyQuota(id.node);
    return true;
}

void SimGridPlatform::onActivityDone(std::uint64_t token, bool finished)
{
    Impl& impl = *m_impl;
    // Activities that ended at an earlier instant have finished their signal dispatch.
    impl.releaseGraves();
    const auto slot = static_cast<std::uint32_t>(token & 0xffffffffU);
    const auto incarnation = static_cast<std::uint32_t>(token >> 32);
    if (slot >= impl.activities.size())
        return;
    Impl::ActivitySlot& a = impl.activities[slot];
    if (!a.armed || a.incarnation != incarnation)
        return;
    MESHSIM_ASSERT(finished, "meshsim's activities only end by finishing or by being cancelled");
    const bool compute = a.compute;
    const NodeId node = a.node;
    if (compute) {
        updateBusy(node);
        --impl.load[node].active;
    }
    Callback callback = a.callback;
    a.armed = false;
    ++a.generation;
    ++a.incarnation;
    impl.bury(std::move(a.activity));
    impl.freeActivities.push_back(slot);
    if (compute)
        applyQuota(node);
    --impl.pending;
    ++m_events;
    m_lastEvent = now();
    callback();
}

void SimGridPlatform::updateBusy(NodeId node)
{
    Impl::NodeLoad& l = m_impl->load[node];
    const SimTime t = now();
    if (l.active > 0 && !l.quota.throttled())
        l.busyCoreNanos += static_cast<double>(std::min(l.active, l.cores))
                           * static_cast<double>(toNanos(t - l.lastUpdate));
    l.lastUpdate = t;
}

double SimGridPlatform::busyCoreSeconds(NodeId node) const
{
    return busyCoreSecondsAt(node, now());
}

double SimGridPlatform::busyCoreSecondsAt(NodeId node, SimTime at) const
{
    const Impl::NodeLoad& l = m_impl->load[node];
    const double pendingNanos = l.active > 0 && !l.quota.throttled()
                                    ? static_cast<double>(std::min(l.active, l.cores))
                                          * static_cast<double>(toNanos(at - l.lastUpdate))
                                    : 0.0;
    return (l.busyCoreNanos + pendingNanos) * 1e-9;
}

double SimGridPlatform::throttledSecondsAt(NodeId node, SimTime at) const
{
    return m_impl->load[node].quota.throttledSecondsAt(at);
}

std::uint64_t SimGridPlatform::throttledPeriods(NodeId node) const
{
    return m_impl->load[node].quota.throttledPeriods();
}

bool SimGridPlatform::runUntil(SimTime limit)
{
    if (m_impl->pending == 0)
        return false;
    m_impl->engine->run_until(limit == kSimNever ? -1.0 : seconds(limit));
    m_impl->graveyard.clear();
    return m_impl->pending > 0;
}

} // namespace meshsim::engine
