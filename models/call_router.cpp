#include "models/call_router.h"

#include "engine/core/assert.h"
#include "models/endpoint.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/retry_state.h"
#include "models/sidecar.h"
#include "models/upstream.h"
#include "models/weighted_choice.h"

#include <algorithm>

namespace meshsim::models {

using engine::SimTime;

CallRouter::CallRouter(Runtime& runtime, const std::vector<RouteRuntime>& routes)
    : m_runtime(runtime)
    , m_platform(runtime.platform)
    , m_sink(runtime.sink)
    , m_routes(routes)
{}

void CallRouter::beginCall(Call* call)
{
    Caller& caller = *call->caller;
    const auto it = std::lower_bound(caller.callees.begin(), caller.callees.end(), call->target);
    MESHSIM_ASSERT(it != caller.callees.end() && *it == call->target, "callers know their callees");
    const auto position = static_cast<std::size_t>(it - caller.callees.begin());
    call->edge = caller.edges[position];
    call->upstream = caller.upstreams[position].get();
    if (caller.subsets[position] != 0) {
        // The callee's traffic rules pick a version (the caller's sidecar, a gateway, waypoint or
        // ingress, or the application itself without a mesh): the first rule the request's
        // headers match, then a weighted draw keyed by the call (the same in every design).
        const Tier& target = *call->upstream->target;
        const std::uint32_t rule = target.ruleOfHeaders[call->headerSet];
        const std::vector<std::uint32_t>& versions = target.config.traffic[rule].versions;
        std::size_t pick = 0;
        if (versions.size() > 1)
            pick = pickCumulative(
                target.ruleCumulative[rule],
                engine::RandomStream(engine::RandomStream::mix(call->drawKey, kVersionSalt))
                    .nextDouble());
        call->upstream = caller.upstreams[caller.subsets[position] + versions[pick]].get();
    }
    call->sentAt = m_platform.now();
    call->retries = call->upstream->retries;
    call->conditions = call->upstream->retryOn;
    if (call->upstream->tpsBudget) // every original request deposits into Linkerd's budget
        call->upstream->tpsBudget->deposit(call->sentAt);
    call->timeout = call->upstream->timeout;
    if (caller.kind == CallerKind::Gateway) {
        // The route's retries, else (inside a mesh) the destination's mesh retries.
        const RouteRuntime& route = m_routes[call->route];
        if (route.config->retries) {
            call->retries = &*route.config->retries;
            call->conditions = &*route.retryConditions;
        }
    }
    if (call->trace)
        call->span = m_runtime.tracer.openSpan(
            call->trace,
            call->parentSpan,
            "call " + (caller.tier ? caller.tier->config.name : std::string("client")) + " -> "
                + call->upstream->target->config.name,
            call->sentAt);
    if (call->rec) [[unlikely]]
        recordCallStart(call);
    if (caller.sidecar) {
        // app -> outbound sidecar on the same node
        m_platform.transfer(
            caller.node, caller.node, call->requestBytes, [this, call] { outboundHop(call); });
        return;
    }
    if (call->upstream->plain && !call->retries) {
        attemptPlain(call);
        return;
    }
    startUpstream(call);
}

void CallRouter::outboundHop(Call* call)
{
    Caller& caller = *call->caller;
    const SidecarModel sidecar(m_runtime.system.mesh.sidecar);
    const SimDuration work = sidecar.requestCpu(*caller.random);
    struct Hop
    {
        CallRouter* self;
        Call* call;
        std::int64_t entered;
        std::int64_t work;
    };
    static_assert(sizeof(Hop) <= engine::Callback::kCapacity);
    const Hop hop{this, call, engine::toNanos(m_platform.now()), work.count()};
    if (call->rec) [[unlikely]]
        recordCallStage(call, HopKind::Proxy, call->requestBytes);
    m_platform.compute(caller.node, work, [hop] {
        Runtime& rt = hop.self->m_runtime;
        rt.platform.schedule(rt.system.mesh.sidecar.latency, [hop] {
            Runtime& r = hop.self->m_runtime;
            r.sink.proxyPassed(ProxyKind::SidecarOutbound,
                               engine::atNanos(hop.entered),
                               SimDuration{hop.work},
                               r.platform.now() - engine::atNanos(hop.entered));
            if (hop.call->rec) [[unlikely]]
                r.sink.endHop(hop.call->rec,
                              hop.call->recLeaf,
                              r.platform.now(),
                              Outcome::Ok,
                              kFlagNone,
                              static_cast<std::uint64_t>(ProxyKind::SidecarOutbound));
            hop.self->startUpstream(hop.call);
        });
    });
}

void CallRouter::startUpstream(Call* call)
{
    Upstream& u = *call->upstream;
    if (u.fault && u.fault->delayFraction > 0.0
        && call->caller->random->bernoulli(u.fault->delayFraction)) {
        // Fault injection in the client-side proxy: the delay first, then maybe the abort.
        call->flags |= kFlagDI;
        ++call->outstanding; // the delay keeps the call alive
        const std::int32_t leaf = m_sink.startHop(call->rec,
                                                  call->recHop,
                                                  HopKind::FaultDelay,
                                                  m_platform.now(),
                                                  placeOf(*call->caller),
                                                  placeOf(*call->caller));
        m_platform.schedule(u.fault->delay, [this, call, leaf] {
            std::int32_t hop = leaf;
            m_sink.endHop(call->rec, hop, m_platform.now());
            --call->outstanding;
            afterFaultDelay(call);
        });
        return;
    }
    afterFaultDelay(call);
}

void CallRouter::afterFaultDelay(Call* call)
{
    if (call->finished) { // ended during the delay (a dependency's timeout, a reset)
        maybeReleaseCall(call);
        return;
    }
    Upstream& u = *call->upstream;
    if (u.fault && u.fault->abortFraction > 0.0
        && call->caller->random->bernoulli(u.fault->abortFraction)) {
        // Aborts are local replies: never retried, never seen by outlier detection.
        finishCall(call, Outcome::InjectedFault, kFlagFI);
        return;
    }
    // The router's timeout starts after the fault filter (an injected delay does not count).
    if (call->timeout)
        call->timer = m_platform.schedule(*call->timeout, [this, call] { onCallTimeout(call); });
    attempt(call);
}

Exchange* CallRouter::newExchange(Call* call, std::uint32_t host)
{
    Exchange* ex = m_runtime.records.exchanges.acquire();
    ex->call = call;
    ex->next = call->live;
    call->live = ex;
    ex->host = host;
    ex->number = call->attempts;
    ex->start = m_platform.now();
    if (call->attempts < call->tried.size())
        call->tried[call->attempts] = host;
    ++call->attempts;
    ++call->outstanding;
    ++call->upstream->hosts[host].active;
    if (call->rec) [[unlikely]]
        recordTryStart(ex);
    return ex;
}

void CallRouter::attemptPlain(Call* call)
{
    Upstream& u = *call->upstream;
    u.refreshHosts();
    const auto host = u.lb->choose(u.hosts, LbContext{});
    if (!host) {
        finishCall(call, Outcome::NoHealthyUpstream, kFlagUH);
        return;
    }
    Exchange* ex = newExchange(call, *host);
    const Instance& instance = *u.target->instances[*host];
    if (!m_runtime.partitions.empty()
        && m_runtime.partitions.separates(m_platform.spec(), call->caller->node, instance.node)) {
        ex->connectFailure = true;
        ex->reset = true;
        ex->outcome = Outcome::ConnectionFailure;
        waitForConnectTimeout(ex);
        return;
    }
    sendExchange(ex);
}

void CallRouter::attempt(Call* call)
{
    Upstream& u = *call->upstream;
    // A retry holds one of the retry breaker's slots, taken when it was scheduled; it passes to
    // the try, or back to the breaker if no try starts.
    const bool holdsSlot = call->attempts > 0 && call->retrySlots > 0;
    // A try that never leaves the caller: a local failure, retried only by a library that
    // retries everything (resilience4j).
    const auto fail = [&](Outcome outcome, std::uint16_t flags) {
        if (holdsSlot)
            releaseRetrySlot(call);
        if (call->retries && call->retries->retryAll) {
            // A refused try is an attempt of the library's Retry (it tried no host).
            if (call->attempts < call->tried.size())
                call->tried[call->attempts] = ~std::uint32_t{0};
            ++call->attempts;
            const RetryDecision decision
                = decideRetry(TryResult{outcome, false, false, true, false, false, false, false},
                              retryState(call));
            if (decision.retry) {
                scheduleRetry(call);
                return;
            }
            flags |= decision.flags;
        }
        endTry(call, nullptr, outcome, flags);
    };
    if (u.tracksHealth && u.breaker) {
        // A library breaker guards every try (resilience4j's Retry around its CircuitBreaker).
        const bool permitted = u.breaker->tryAcquire(m_platform.now());
        u.noteBreaker(m_platform.now(), m_runtime.sink);
        if (!permitted) {
            fail(Outcome::CircuitOpen, kFlagNone);
            return;
        }
    }
    if (u.bulkhead && u.bulkheadActive >= *u.bulkhead) {
        // The library's bulkhead is full (resilience4j BulkheadFullException, Hystrix's thread
        // pool rejection): a local refusal its breaker counts as a failure.
        if (u.breaker) {
            u.breaker->onResult(m_platform.now(), true);
            u.noteBreaker(m_platform.now(), m_sink);
        }
        fail(Outcome::Overflow, kFlagUO);
        return;
    }
    if (u.accrual)
        u.accrual->advance(m_platform.now());
    u.refreshHosts();
    LbContext context;
    // Consistent hashing hashes the request key (or the client) as Envoy hashes a header.
    if (u.hashing)
        context.hash = hashRequestKey(call->key != 0 ? call->key : call->clientId);
    context.now = m_platform.now();
    std::vector<std::uint32_t> tried;
    if (call->attempts > 0 && u.previousHosts) {
        // Retries avoid the hosts already tried (the previous_hosts predicate). Istio adds none
        // with consistent hashing: a retry hashes to the same host (reference/semantics.md §3.3).
        context.attempt = call->attempts;
        tried.assign(call->tried.begin(),
                     call->tried.begin()
                         + std::min<std::size_t>(call->attempts, call->tried.size()));
        context.avoid = &tried;
    }
    std::optional<std::uint32_t> host;
    ClientChannel::Use use = ClientChannel::Use::Send;
    if (u.channel) {
        // One long-lived connection: its instance, whatever the balancer would say.
        const ClientChannel::Pick pick
            = u.channel->pick(m_platform.now(), u.hosts, *call->caller->random);
        if (pick.use == ClientChannel::Use::Fail) {
            // gRPC fails a request at once while its channel is in transient failure
            // (UNAVAILABLE); no instance at all is Envoy's UH.
            if (pick.host == ClientChannel::kNoHost)
                fail(Outcome::NoHealthyUpstream, kFlagUH);
            else
                fail(Outcome::ConnectionFailure, kFlagUF);
            return;
        }
        host = pick.host;
        use = pick.use;
    } else {
        host = u.chooseHost(context);
    }
    if (!host) {
        fail(Outcome::NoHealthyUpstream, kFlagUH);
        return;
    }
    if (u.pooled && !u.limits->canStartRequest()) {
        fail(Outcome::Overflow, kFlagUO); // overflow is never retried
        return;
    }
    if (u.accrual)
        u.accrual->onDispatched(*host);
    Exchange* ex = newExchange(call, *host);
    ex->opensChannel = use == ClientChannel::Use::Open;
    if (u.bulkhead) {
        ++u.bulkheadActive;
        ex->bulkheadSlot = true;
    }
    if (holdsSlot) {
        --call->retrySlots;
        ex->retrySlot = true;
    }
    if (!u.pooled) // a library's timer covers the whole try; Envoy's starts at pool ready
        armPerTryTimeout(ex);
    const Instance& instance = *u.target->instances[*host];
    if (!m_runtime.partitions.empty()
        && m_runtime.partitions.separates(m_platform.spec(), call->caller->node, instance.node)) {
        // No route between the zones: the connection attempt times out.
        ex->connectFailure = true;
        ex->reset = true;
        ex->outcome = Outcome::ConnectionFailure;
        ex->local = false;
        waitForConnectTimeout(ex);
        return;
    }
    if (use == ClientChannel::Use::Wait) { // sent when the connection is up
        startConnectHop(ex);
        u.channel->waiting().push_back(ex);
        return;
    }
    if (u.pooled) {
        connectThroughPool(ex);
        return;
    }
    if (ex->opensChannel) { // a TCP handshake through kube-proxy's address
        openConnection(ex);
        return;
    }
    sendExchange(ex);
}

void CallRouter::channelConnected(Exchange* opener)
{
    opener->opensChannel = false;
    Upstream& u = *opener->call->upstream;
    u.channel->connected(m_platform.now(), *opener->call->caller->random);
    std::vector<Exchange*> waiting;
    waiting.swap(u.channel->waiting());
    for (Exchange* ex : waiting) {
        if (ex->settled) // reset while it waited
            onExchangeDone(ex);
        else if (u.pooled)
            connectThroughPool(ex);
        else
            sendExchange(ex);
    }
}

void CallRouter::channelTryEnded(Exchange* ex)
{
    Upstream& u = *ex->call->upstream;
    ClientChannel& channel = *u.channel;
    const bool opener = ex->opensChannel; // cleared once its connection was up
    ex->opensChannel = false;
    if (!opener || channel.state() != ClientChannel::State::Connecting) {
        // A reset on the ready connection (not a late one of an earlier connection's): the
        // next request reconnects.
        if (ex->reset && !ex->local && ex->host == channel.host())
            channel.broken();
        return;
    }
    // The connection was never made (refused, timed out, or the opening try failed before it):
    // the requests waiting for it fail with it.
    channel.connectFailed(*ex->call->caller->random);
    std::vector<Exchange*> waiting;
    waiting.swap(channel.waiting());
    for (Exchange* w : waiting) {
        w->reset = true;
        w->connectFailure = true;
        w->outcome = Outcome::ConnectionFailure;
        onExchangeDone(w);
    }
}

void CallRouter::armPerTryTimeout(Exchange* ex)
{
    const Call* call = ex->call;
    if (call->retries && call->retries->perTryTimeout)
        ex->perTry = m_platform.schedule(*call->retries->perTryTimeout,
                                         [this, ex] { onPerTryTimeout(ex); });
}

void CallRouter::recordCallStart(Call* call)
{
    const Caller& caller = *call->caller;
    call->recHop = m_sink.startHop(call->rec,
                                   call->recParent,
                                   HopKind::Call,
                                   call->sentAt,
                                   Place{call->upstream->target->component, kNoIndex, kNoIndex},
                                   placeOf(caller));
    if (caller.sidecar) // app -> outbound sidecar
        recordCallStage(call, HopKind::Transfer, 0);
}

void CallRouter::recordCallStage(Call* call, HopKind kind, std::uint64_t endedDetail)
{
    const Place at = placeOf(*call->caller);
    m_sink.switchHop(
        call->rec, call->recLeaf, call->recHop, kind, m_platform.now(), at, at, endedDetail);
}

void CallRouter::recordCallEnd(Call* call)
{
    const SimTime now = m_platform.now();
    m_sink.endHop(call->rec, call->recLeaf, now);
    m_sink.endHop(call->rec, call->recHop, now, call->outcome, call->flags, call->attempts);
}

void CallRouter::recordTryStart(Exchange* ex)
{
    const Call* call = ex->call;
    ex->recHop = m_sink.startHop(
        call->rec, call->recHop, HopKind::Try, ex->start, hostPlace(ex), placeOf(*call->caller));
}

void CallRouter::recordTransferToHost(Exchange* ex)
{
    const Call* call = ex->call;
    m_sink.switchHop(call->rec,
                     ex->recLeaf,
                     ex->recHop,
                     HopKind::Transfer,
                     m_platform.now(),
                     hostPlace(ex),
                     placeOf(*call->caller));
}

Place CallRouter::hostPlace(const Exchange* ex)
{
    const Upstream& u = *ex->call->upstream;
    return {u.target->component, ex->host, u.target->instances[ex->host]->node};
}

void CallRouter::startConnectHop(Exchange* ex)
{
    if (ex->call->rec && ex->recLeaf < 0)
        ex->recLeaf = m_sink.startHop(ex->call->rec,
                                      ex->recHop,
                                      HopKind::Connect,
                                      m_platform.now(),
                                      hostPlace(ex),
                                      placeOf(*ex->call->caller));
}

void CallRouter::waitForConnectTimeout(Exchange* ex)
{
    // No route between the zones: the connection attempt gets no answer.
    startConnectHop(ex);
    m_platform.schedule(ex->call->upstream->connectTimeout, [this, ex] { onExchangeDone(ex); });
}

void CallRouter::connectThroughPool(Exchange* ex)
{
    switch (ex->call->upstream->pools->acquire(ex)) {
    case ConnectionPool::Grant::Reuse:
        sendExchange(ex);
        return;
    case ConnectionPool::Grant::Open:
        openConnection(ex);
        return;
    case ConnectionPool::Grant::Queued:
        startConnectHop(ex);
        return; // releaseConnection() hands it a connection
    case ConnectionPool::Grant::Overflow:
        // max_pending_requests reached: 503 UO, a local reply.
        ex->local = true;
        ex->outcome = Outcome::Overflow;
        onExchangeDone(ex);
        return;
    }
}

void CallRouter::openConnection(Exchange* ex)
{
    // A new connection: a TCP handshake (one round trip) and, with mTLS, a TLS 1.3 handshake
    // (one more) with its CPU on both proxies (reference/semantics.md §6.4). A dead instance
    // refuses the TCP handshake: a connect failure.
    startConnectHop(ex);
    const Upstream& u = *ex->call->upstream;
    const Instance& instance = *u.target->instances[ex->host];
    const SidecarConfig& sidecar = m_runtime.system.mesh.sidecar;
    const SimDuration oneWay
        = m_platform.linkBetween(ex->call->caller->node, instance.node).latency;
    // mTLS between the mesh's proxies only (a gateway outside the mesh opens plain TCP).
    const SimDuration cpu = sidecar.mtls && u.mtlsPeer ? sidecar.mtlsHandshakeCpu : SimDuration{0};
    // The SYN reaches the host after one way: a killed instance answers with a reset (back one
    // way later); on a node that is down nothing answers (connect timeout).
    m_platform.schedule(oneWay, [this, ex, oneWay, cpu] {
        Upstream& target = *ex->call->upstream;
        if (!target.target->instances[ex->host]->alive) {
            target.endpoint->refuse(ex);
            return;
        }
        m_platform.schedule(oneWay, [this, ex, oneWay, cpu] {
            if (cpu.count() == 0) {
                sendExchange(ex);
                return;
            }
            m_platform.compute(ex->call->caller->node, cpu, [this, ex, oneWay, cpu] {
                m_platform.schedule(2 * oneWay, [this, ex, cpu] {
                    const Instance& peer = *ex->call->upstream->target->instances[ex->host];
                    m_platform.compute(peer.node, cpu, [this, ex] { sendExchange(ex); });
                });
            });
        });
    });
}

void CallRouter::releaseConnection(Exchange* ex, bool reusable)
{
    const ConnectionPool::Handover next = ex->call->upstream->pools->release(ex, reusable);
    if (!next.ex)
        return;
    if (next.open)
        openConnection(next.ex);
    else
        sendExchange(next.ex);
}

void CallRouter::sendExchange(Exchange* ex)
{
    if (ex->opensChannel)
        channelConnected(ex);
    if (ex->freshConnection && ex->call->upstream->pooled
        && ex->call->upstream->pools->multiplexed()) {
        // An HTTP/2 connection is up: the tries that waited for it go as its streams.
        ConnectionPool& pools = *ex->call->upstream->pools;
        pools.connectionReady(ex);
        for (Exchange* stream : pools.takeStreams(ex->host))
            sendExchange(stream);
    }
    if (ex->settled) { // reset while its connection was being set up
        onExchangeDone(ex);
        return;
    }
    const Call* call = ex->call;
    Upstream& u = *call->upstream;
    if (u.pooled) {
        // Envoy's onPoolReady: the connection is ready, the try stops being a pending request
        // and its per-try timeout starts (it does not cover the wait for a connection).
        u.pools->connected(ex);
        armPerTryTimeout(ex);
    }
    const Instance& instance = *u.target->instances[ex->host];
    if (call->rec) [[unlikely]]
        recordTransferToHost(ex);
    // The endpoint ends the transfer's hop when the request has arrived.
    m_platform.transfer(call->caller->node, instance.node, call->requestBytes, [ex] {
        ex->call->upstream->endpoint->receive(ex);
    });
}

void CallRouter::onPerTryTimeout(Exchange* ex)
{
    ex->perTry = {};
    if (ex->replied || ex->abandoned)
        return;
    Call* call = ex->call;
    ex->perTryTimedOut = true;
    // Envoy tells outlier detection the host timed out (LocalOriginTimeout, a 504) at once,
    // hedging or not; the attempt's own answer, if it comes, no longer counts.
    recordHealth(ex, Outcome::Timeout);
    ++call->outstanding; // keep the call while a decision below may deliver it
    if (call->retries && call->retries->hedgeOnPerTryTimeout) {
        // Hedging: this try goes on; maybe race a new one (Envoy hedge_on_per_try_timeout).
        retryOrFinish(call, ex, Outcome::Timeout, true, false);
    } else {
        // The try is reset: its connection closes, its answer will be ignored.
        ex->abandoned = true;
        endTryHop(ex, Outcome::Timeout, true);
        const bool neverSent = ex->queued;
        settleExchange(ex, false);
        retryOrFinish(call, ex, Outcome::Timeout, true, true);
        if (neverSent)
            dropExchange(ex);
    }
    --call->outstanding;
    maybeReleaseCall(call);
}

void CallRouter::onCallTimeout(Call* call)
{
    call->timer = {};
    if (call->finished)
        return;
    // The timeout covers every try: Envoy resets the attempts in flight and reports them to
    // outlier detection as timeouts.
    std::vector<Exchange*> neverSent;
    for (Exchange* ex = call->live; ex; ex = ex->next) {
        if (ex->abandoned)
            continue;
        ex->abandoned = true;
        endTryHop(ex, Outcome::Timeout, true);
        if (ex->perTry) {
            m_platform.cancel(ex->perTry);
            ex->perTry = {};
        }
        recordHealth(ex, Outcome::Timeout);
        if (ex->queued)
            neverSent.push_back(ex);
        settleExchange(ex, false);
    }
    ++call->outstanding;
    finishCall(call, Outcome::Timeout, kFlagUT);
    for (Exchange* ex : neverSent)
        dropExchange(ex);
    --call->outstanding;
    maybeReleaseCall(call);
}

void CallRouter::recordHealth(Exchange* ex, Outcome outcome)
{
    Upstream& u = *ex->call->upstream;
    // The proxy's own local replies (overflow) say nothing about the host.
    if (!u.tracksHealth || ex->healthRecorded || ex->local)
        return;
    ex->healthRecorded = true;
    u.recordHealth(ex->host, outcome, m_platform.now(), m_runtime.sink);
}

void CallRouter::settleExchange(Exchange* ex, bool reusable)
{
    if (ex->settled)
        return;
    ex->settled = true;
    Upstream& u = *ex->call->upstream;
    if (ex->queued) // still waiting for a connection: leaves the pool's queue
        u.pools->leaveQueue(ex);
    if (u.hosts[ex->host].active > 0)
        --u.hosts[ex->host].active;
    if (u.accrual) // a probe that no response decided gives its permit back
        u.accrual->onSettled(ex->host);
    if (ex->counted)
        u.limits->requestFinished();
    if (ex->retrySlot) {
        ex->retrySlot = false;
        u.limits->retryFinished();
    }
    if (ex->bulkheadSlot) {
        ex->bulkheadSlot = false;
        --u.bulkheadActive;
    }
    if (ex->hasConnection)
        releaseConnection(ex, reusable);
}

void CallRouter::unlinkExchangeSlow(Exchange* ex)
{
    for (Exchange** link = &ex->call->live; *link; link = &(*link)->next) {
        if (*link == ex) {
            *link = ex->next;
            return;
        }
    }
}

void CallRouter::endTryHop(Exchange* ex, Outcome outcome, bool resetByCaller)
{
    const Call* call = ex->call;
    if (!call->rec || ex->recEnded)
        return;
    ex->recEnded = true;
    const SimTime now = m_platform.now();
    // Its hop under way (a transfer, a connection) goes on: a try reset by its caller still
    // travels and is served; hops of it may still begin, under the try.
    std::int32_t hop = ex->recHop;
    m_sink.endHop(call->rec,
                  hop,
                  now,
                  outcome,
                  kFlagNone,
                  ex->number | (resetByCaller ? kTryResetByCaller : 0));
}

void CallRouter::dropExchange(Exchange* ex)
{
    Call* call = ex->call;
    m_sink.endHop(call->rec, ex->recLeaf, m_platform.now());
    unlinkExchange(ex);
    m_runtime.records.exchanges.release(ex);
    --call->outstanding;
}

void CallRouter::onExchangeDone(Exchange* ex)
{
    Call* call = ex->call;
    if (call->rec) [[unlikely]] {
        m_sink.endHop(call->rec, ex->recLeaf, m_platform.now());
        endTryHop(ex, ex->outcome, false);
    }
    if (ex->perTry) {
        m_platform.cancel(ex->perTry);
        ex->perTry = {};
    }
    if (call->upstream->channel) [[unlikely]]
        channelTryEnded(ex);
    if (!ex->settled) {
        Upstream& u = *call->upstream;
        if (u.observesLatency) // Linkerd's peak EWMA hears every try's round trip
            u.lb->observe(ex->host, m_platform.now() - ex->start, m_platform.now());
        if (u.plain) {
            ex->settled = true;
            if (u.hosts[ex->host].active > 0)
                --u.hosts[ex->host].active;
        } else {
            recordHealth(ex, ex->outcome);
            // A response, whatever its status, leaves the connection usable; a reset closes it.
            settleExchange(ex, !ex->reset);
        }
    }
    const bool wasWanted = !ex->abandoned && !call->finished;
    ex->abandoned = true; // no longer a live try of its call
    if (wasWanted) {
        if (ex->outcome == Outcome::Ok)
            finishCall(call, Outcome::Ok, kFlagNone);
        else if (ex->local && ex->outcome == Outcome::Overflow)
            endTry(call, ex, Outcome::Overflow, kFlagUO); // overflow is never retried
        else
            retryOrFinish(call, ex, ex->outcome, false, true);
    }
    unlinkExchange(ex);
    m_runtime.records.exchanges.release(ex);
    // Counted until here, so that a delivery made above cannot release the call under us.
    --call->outstanding;
    maybeReleaseCall(call);
}

bool CallRouter::othersRunning(const Call* call, const Exchange* except)
{
    if (call->retriesScheduled > 0)
        return true;
    for (const Exchange* e = call->live; e; e = e->next) {
        if (e != except && !e->abandoned)
            return true;
    }
    return false;
}

void CallRouter::endTry(Call* call, const Exchange* ex, Outcome outcome, std::uint16_t flags)
{
    // The call ends with this try's failure, unless another try is still running (hedging)
    // or about to start: then the last one to end decides.
    call->flags |= flags & (kFlagUO | kFlagURX);
    if (othersRunning(call, ex))
        return;
    finishCall(call, outcome, flags);
}

void CallRouter::retryOrFinish(
    Call* call, Exchange* ex, Outcome outcome, bool perTryTimeout, bool tryEnded)
{
    Upstream& u = *call->upstream;
    // A hedged per-try timeout (the try goes on) is retried whenever retries remain, whatever
    // retry_on says (Envoy's shouldHedgeRetryPerTryTimeout).
    const bool hedge = !tryEnded;
    RetryDecision decision = decideRetry(TryResult{outcome,
                                                   ex->reset,
                                                   ex->connectFailure,
                                                   ex->local,
                                                   ex->passedOn,
                                                   perTryTimeout,
                                                   hedge,
                                                   nonIdempotentRoute(call)},
                                         retryState(call));
    // A try that already started a hedge is never retried again (Envoy: upstream_request.retried).
    const bool wouldRetry = decision.retry || (decision.flags & (kFlagURX | kFlagUO)) != 0;
    if (ex->hedged && tryEnded)
        decision.retry = false;
    if (!decision.retry) {
        if (!tryEnded)
            return; // a hedged try that timed out goes on
        // Envoy's router: a response that would have been retried, or a reset, waits for the
        // other tries still running (hedging); a response that will not be retried wins at once.
        if (wouldRetry || ex->reset)
            endTry(call, ex, outcome, decision.flags);
        else
            finishCall(call, outcome, decision.flags);
        return;
    }
    if (u.tpsBudget && !u.tpsBudget->withdraw(m_platform.now())) {
        // Linkerd's retry budget is spent: the failure goes back as it is.
        if (tryEnded)
            endTry(call, ex, outcome, static_cast<std::uint16_t>(decision.flags | kFlagURX));
        return;
    }
    if (hedge)
        ex->hedged = true;
    scheduleRetry(call);
}

bool CallRouter::nonIdempotentRoute(const Call* call) const
{
    return call->route < m_routes.size() && m_routes[call->route].nonIdempotent;
}

RetryState CallRouter::retryState(const Call* call)
{
    const Upstream& u = *call->upstream;
    return RetryState{call->retries,
                      call->conditions,
                      u.limits ? &*u.limits : nullptr,
                      call->attempts,
                      call->retriesScheduled,
                      static_cast<std::uint32_t>(u.hosts.size())};
}

void CallRouter::scheduleRetry(Call* call)
{
    MESHSIM_ASSERT(call->retries != nullptr, "only a call with a retry policy is retried");
    Upstream& u = *call->upstream;
    if (u.limits) {
        u.limits->retryStarted();
        ++call->retrySlots;
    }
    call->flags |= kFlagRX;
    if (call->attempts == 1)
        call->backoff = JitteredBackoff(call->retries->backoffBase, call->retries->backoffMax);
    // Envoy's jittered exponential backoff: U[0, min(base x 2^(n-1), max)); resilience4j waits
    // the same fixed interval before every retry.
    const SimDuration wait = call->retries->fixedBackoff
                                 ? call->retries->backoffBase
                                 : call->backoff.next(*call->caller->random);
    ++call->outstanding; // the pending retry keeps the call alive
    ++call->retriesScheduled;
    const std::int32_t leaf = m_sink.startHop(call->rec,
                                              call->recHop,
                                              HopKind::Backoff,
                                              m_platform.now(),
                                              placeOf(*call->caller),
                                              placeOf(*call->caller));
    m_platform.schedule(wait, [this, call, leaf] {
        std::int32_t hop = leaf;
        m_sink.endHop(call->rec, hop, m_platform.now());
        --call->outstanding;
        --call->retriesScheduled;
        if (call->finished) {
            releaseRetrySlot(call);
            maybeReleaseCall(call);
            return;
        }
        attempt(call);
    });
}

void CallRouter::resetLosingTries(Call* call)
{
    // Once a call is decided, Envoy resets its other tries (hedging): their connections close and
    // their late answers count for nothing, outlier detection included.
    std::vector<Exchange*> neverSent; // tries still waiting for a connection (rare)
    for (Exchange* ex = call->live; ex; ex = ex->next) {
        if (ex->abandoned)
            continue;
        ex->abandoned = true;
        endTryHop(ex, Outcome::Ok, true); // a hedge that lost, reset by the caller
        ex->healthRecorded = true;
        if (ex->perTry) {
            m_platform.cancel(ex->perTry);
            ex->perTry = {};
        }
        if (ex->queued)
            neverSent.push_back(ex);
        settleExchange(ex, false);
    }
    for (Exchange* ex : neverSent)
        dropExchange(ex);
}

void CallRouter::releaseRetrySlot(Call* call)
{
    if (call->retrySlots == 0)
        return;
    --call->retrySlots;
    call->upstream->limits->retryFinished();
}

void CallRouter::finishCall(Call* call, Outcome outcome, std::uint16_t flags)
{
    if (call->finished)
        return;
    call->finished = true;
    call->outcome = outcome;
    call->flags |= flags;
    if (call->timer) {
        m_platform.cancel(call->timer);
        call->timer = {};
    }
    resetLosingTries(call);
    m_sink.callEnded(call->edge,
                     call->sentAt,
                     m_platform.now() - call->sentAt,
                     outcome,
                     call->flags,
                     std::max<std::uint32_t>(1, call->attempts));
    if (call->trace)
        Tracer::closeSpan(
            call->trace, call->span, m_platform.now(), outcome, call->flags, call->attempts);
    if (call->caller->sidecar) {
        // outbound sidecar -> app on the same node
        if (call->rec) [[unlikely]]
            recordCallStage(call, HopKind::Transfer, 0);
        m_platform.transfer(
            call->caller->node, call->caller->node, 0, [this, call] { deliverCall(call); });
        return;
    }
    deliverCall(call);
}

void CallRouter::deliverCall(Call* call)
{
    call->delivered = true;
    if (call->rec) [[unlikely]]
        recordCallEnd(call);
    m_owner->callDone(call);
    maybeReleaseCall(call);
}

} // namespace meshsim::models
