#pragma once

// The sidecar proxy beside every instance of a mesh (Envoy, as Istio deploys it).
//
// SidecarModel is its cost per request: CPU work drawn per traversal (plus mTLS record
// encryption) and a fixed latency, calibrated to Istio's published figures
// (reference/semantics.md §6.1). The outbound sidecar is the caller's proxy: the CallRouter runs
// its logic. InboundSidecar is the callee's side: an Endpoint that wraps the instance server —
// a request crosses the sidecar's CPU and latency, passes authorization (DENY rules, then ALLOW
// rules) and reaches the application over the node's loopback; a denied one is answered 403 by
// the sidecar. Both run on the instance's node, sharing its cores. Not thread-safe.

#include "engine/core/random.h"
#include "models/config.h"
#include "models/endpoint.h"
#include "models/outcome.h"
#include "models/sim_events.h"

namespace meshsim::models {

struct Runtime;
struct Exchange;

class SidecarModel
{
public:
    explicit SidecarModel(const SidecarConfig& config)
        : m_config(config)
    {}
    // CPU work of one request through one sidecar.
    SimDuration requestCpu(engine::RandomStream& random) const
    {
        SimDuration work = m_config.cpu.sampleDuration(random);
        if (m_config.mtls)
            work += m_config.mtlsRequestCpu;
        return work;
    }
    SimDuration latency() const { return m_config.latency; }

private:
    const SidecarConfig& m_config;
};

class InboundSidecar final : public Endpoint
{
public:
    // `application`: the instance server behind the sidecars.
    InboundSidecar(Runtime& runtime, Endpoint& application);

    void receive(Exchange* ex) override;
    void refuse(Exchange* ex) override;

private:
    void afterProxy(Exchange* ex);
    void reply(Exchange* ex, Outcome outcome);
    // Recorded requests: the try's next hop, at the host or back to the caller.
    // `endedDetail`: the detail of the hop that ends (bytes of a transfer, the proxy's kind).
    [[gnu::cold]] void
    recordStage(Exchange* ex, HopKind kind, bool toCaller, std::uint64_t endedDetail);

    Runtime& m_runtime;
    Endpoint& m_application;
};

} // namespace meshsim::models
