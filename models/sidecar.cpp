#include "models/sidecar.h"

#include "models/authorization.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/upstream.h"

namespace meshsim::models {

namespace {

// The detail of the proxy's hop: which kind of proxy it is.
constexpr auto kInboundProxy = static_cast<std::uint64_t>(ProxyKind::SidecarInbound);

Instance& hostOf(const Exchange* ex)
{
    return *ex->call->upstream->target->instances[ex->host];
}

} // namespace

InboundSidecar::InboundSidecar(Runtime& runtime, Endpoint& application)
    : m_runtime(runtime)
    , m_application(application)
{}

void InboundSidecar::refuse(Exchange* ex)
{
    m_application.refuse(ex);
}

void InboundSidecar::receive(Exchange* ex)
{
    Instance& instance = hostOf(ex);
    if (!instance.alive) { // the pod, sidecar included, is gone
        m_application.refuse(ex);
        return;
    }
    const SimDuration work
        = SidecarModel(m_runtime.system.mesh.sidecar).requestCpu(instance.random);
    struct Hop
    {
        InboundSidecar* self;
        Exchange* ex;
        std::int64_t entered;
        std::int64_t work;
    };
    static_assert(sizeof(Hop) <= engine::Callback::kCapacity);
    const Hop hop{this, ex, engine::toNanos(m_runtime.platform.now()), work.count()};
    if (ex->call->rec) [[unlikely]]
        recordStage(ex, HopKind::Proxy, false, ex->call->requestBytes);
    m_runtime.platform.compute(instance.node, work, [hop] {
        Runtime& rt = hop.self->m_runtime;
        rt.platform.schedule(rt.system.mesh.sidecar.latency, [hop] {
            Runtime& r = hop.self->m_runtime;
            r.sink.proxyPassed(ProxyKind::SidecarInbound,
                               engine::atNanos(hop.entered),
                               SimDuration{hop.work},
                               r.platform.now() - engine::atNanos(hop.entered));
            hop.self->afterProxy(hop.ex);
        });
    });
}

void InboundSidecar::afterProxy(Exchange* ex)
{
    // Istio authorization: DENY rules first, then ALLOW rules (semantics §7.3). A waypoint
    // enforced them already (instance_server.cpp).
    const Call* call = ex->call;
    const Caller& from = *call->caller;
    const bool fromService = from.tier && from.tier->kind == TierKind::App;
    const bool fromWaypoint = from.tier && from.tier->kind == TierKind::Waypoint;
    if (!fromWaypoint
        && !authorized(m_runtime.system.mesh.authorization,
                       fromService ? std::optional<ServiceIndex>(from.tier->index) : std::nullopt,
                       call->upstream->target->index)) {
        reply(ex, Outcome::Denied);
        return;
    }
    const Instance& target = hostOf(ex);
    if (call->rec) [[unlikely]]
        recordStage(ex, HopKind::Transfer, false, kInboundProxy);
    m_runtime.platform.transfer(
        target.node, target.node, call->requestBytes, [this, ex] { m_application.receive(ex); });
}

void InboundSidecar::recordStage(Exchange* ex,
                                 HopKind kind,
                                 bool toCaller,
                                 std::uint64_t endedDetail)
{
    // The hop under way (the network transfer, then the proxy) ends where the next begins.
    const Place host = placeOf(hostOf(ex));
    m_runtime.sink.switchHop(ex->call->rec,
                             ex->recLeaf,
                             ex->recHop,
                             kind,
                             m_runtime.platform.now(),
                             toCaller ? placeOf(*ex->call->caller) : host,
                             host,
                             endedDetail);
}

void InboundSidecar::reply(Exchange* ex, Outcome outcome)
{
    // A local reply of the sidecar (403): straight back to the caller's proxy.
    const Instance& instance = hostOf(ex);
    ex->outcome = outcome;
    ex->responseBytes = 0;
    ex->replied = true;
    if (ex->call->rec) [[unlikely]]
        recordStage(ex, HopKind::Transfer, true, kInboundProxy);
    m_runtime.platform.transfer(instance.node, ex->call->caller->node, 0, [ex] { answer(ex); });
}

} // namespace meshsim::models
