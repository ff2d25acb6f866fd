#pragma once

// Load balancers with Envoy's semantics (reference/semantics.md §1): round robin (EDF when
// weights differ), least request (power of two choices; EDF with active-request bias when
// weights differ), random, ring hash (ketama) and Maglev, plus the panic threshold; and
// Linkerd's power of two choices over peak-EWMA latency.
//
// A balancer chooses among the hosts of one upstream cluster as its owner (a proxy instance or a
// client) sees them. The owner keeps the host list (weights, requests in flight, health) and
// calls hostsChanged() when weights or health change. Not thread-safe.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::models {

struct LbHost
{
    std::string key; // hash key (Envoy hashes the host's address)
    std::uint32_t weight = 1;
    std::uint32_t active = 0; // requests in flight from this owner to the host
    bool healthy = true;      // not ejected, passing health checks
    std::uint32_t zone = 0;   // locality, for zone-aware routing
    bool present = true;      // in the host set (discovery); a removed host is never picked
};

struct LbContext
{
    std::optional<std::uint64_t> hash;                 // ring hash / Maglev: the request's hash
    std::uint32_t attempt = 0;                         // retries pick the next ring position
    const std::vector<std::uint32_t>* avoid = nullptr; // hosts already tried (previous_hosts)
    engine::SimTime now;                               // peak EWMA: when the choice is made
};

// The hash of a request key (an item id, a client number) for ring hash and Maglev: xxHash64,
// as Envoy hashes a header value.
std::uint64_t hashRequestKey(std::uint64_t key);

class LoadBalancer
{
public:
    virtual ~LoadBalancer() = default;

    // A host index, or nothing when no host may be used (no healthy host and not in panic,
    // or no host at all): the caller answers 503 with flag UH.
    std::optional<std::uint32_t> choose(const std::vector<LbHost>& hosts, const LbContext& context);
    // The host list's weights or health changed.
    void hostsChanged() { m_dirty = true; }
    // Whether the last choice was made in panic mode (all hosts, healthy or not).
    bool lastChoiceInPanic() const { return m_panic; }
    double panicThreshold() const { return m_config.panicThreshold; }
    // Whether observe() matters to this balancer (peak EWMA).
    bool observesLatency() const { return m_config.policy == LoadBalancerPolicy::PeakEwma; }
    // A try to `host` ended after `rtt` (a response or a reset).
    virtual void observe(std::uint32_t host, engine::SimDuration rtt, engine::SimTime now)
    {
        (void)host;
        (void)rtt;
        (void)now;
    }
    // Only the healthy hosts of this zone are candidates (zone-aware routing's per-locality
    // host set); never panics, answers nothing when the zone has no healthy host.
    void restrictToZone(std::uint32_t zone)
    {
        m_zone = zone;
        m_dirty = true;
    }
    // Only the healthy hosts outside this zone (locality failover's second priority).
    void restrictToOtherZones(std::uint32_t zone)
    {
        m_zone = zone;
        m_otherZones = true;
        m_dirty = true;
    }

    static std::unique_ptr<LoadBalancer> create(const LoadBalancerConfig& config,
                                                engine::RandomStream& random);

protected:
    LoadBalancer(const LoadBalancerConfig& config, engine::RandomStream& random)
        : m_config(config)
        , m_random(random)
    {}
    // Picks among `candidates` (indices into hosts; never empty).
    virtual std::uint32_t pick(const std::vector<LbHost>& hosts,
                               const std::vector<std::uint32_t>& candidates,
                               const LbContext& context)
        = 0;
    // The candidate set changed: rebuild schedules, rings or tables.
    virtual void rebuild(const std::vector<LbHost>& hosts,
                         const std::vector<std::uint32_t>& candidates)
    {
        (void)hosts;
        (void)candidates;
    }

    const LoadBalancerConfig m_config;
    engine::RandomStream& m_random;

private:
    std::vector<std::uint32_t> m_candidates;
    std::size_t m_hostCount = 0; // hosts at the last rebuild
    bool m_dirty = true;
    bool m_panic = false;
    std::optional<std::uint32_t> m_zone;
    bool m_otherZones = false;
};

// Earliest-deadline-first scheduler of Envoy (edf_scheduler.h): a host of weight w is picked
// every 1/w of virtual time; ties go to the entry added first. Exposed for tests.
class EdfScheduler
{
public:
    void add(std::uint32_t host, double weight);
    // Pops the earliest entry; `reweight(host)` gives the weight it is re-added with.
    template <typename Reweight>
    std::uint32_t pickAndAdd(Reweight reweight)
    {
        const Entry e = popMin();
        m_now = e.deadline;
        add(e.host, reweight(e.host));
        return e.host;
    }
    bool empty() const { return m_heap.empty(); }
    void clear()
    {
        m_heap.clear();
        m_now = 0.0;
    }

private:
    struct Entry
    {
        double deadline;
        std::uint64_t order;
        std::uint32_t host;
    };
    Entry popMin();
    std::vector<Entry> m_heap;
    double m_now = 0.0;
    std::uint64_t m_order = 0;
};

// xxHash64 of a string, the hash Envoy uses for ring hash and Maglev.
std::uint64_t xxHash64(const std::string& text, std::uint64_t seed = 0);

} // namespace meshsim::models
