#include "ui/request_story.h"

#include "models/metrics.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

constexpr std::uint64_t kTryNumberMask = 0xFFFFFFFFU;

std::string trimmedFraction(std::int64_t whole, std::int64_t thousandths)
{
    std::string text = std::to_string(whole);
    if (thousandths == 0)
        return text;
    std::string fraction = std::to_string(thousandths);
    fraction.insert(0, 3 - fraction.size(), '0');
    while (!fraction.empty() && fraction.back() == '0')
        fraction.pop_back();
    return text + "." + fraction;
}

std::string statusText(m::Outcome o)
{
    return std::to_string(m::httpStatus(o)) + " (" + std::string(m::outcomeName(o)) + ")";
}

const char* proxyKindText(std::uint64_t kind)
{
    switch (static_cast<m::ProxyKind>(kind)) {
    case m::ProxyKind::SidecarOutbound:
        return "outbound sidecar";
    case m::ProxyKind::SidecarInbound:
        return "inbound sidecar";
    case m::ProxyKind::Gateway:
        return "gateway";
    case m::ProxyKind::Ingress:
        return "ingress";
    case m::ProxyKind::Waypoint:
        return "waypoint";
    }
    return "proxy";
}

bool samePlace(const m::Place& a, const m::Place& b)
{
    return a.component == b.component && a.instance == b.instance;
}

// The hops of one request with their children, and the words for them.
class Teller
{
public:
    Teller(const m::RecordedRequest& request, const topologies::SystemView& view)
        : m_request(request)
        , m_hops(request.hops)
        , m_view(view)
        , m_children(request.hops.size())
    {
        for (std::size_t i = 1; i < m_hops.size(); ++i) {
            const std::int32_t p = m_hops[i].parent;
            if (p >= 0 && static_cast<std::size_t>(p) < m_hops.size()
                && static_cast<std::size_t>(p) != i)
                m_children[static_cast<std::size_t>(p)].push_back(static_cast<std::int32_t>(i));
        }
        for (auto& kids : m_children)
            std::stable_sort(kids.begin(), kids.end(), [&](std::int32_t a, std::int32_t b) {
                return hop(a).start < hop(b).start;
            });
        m_last = m_hops.empty() ? 0 : m_hops[0].start;
        for (const m::RecordedHop& h : m_hops)
            m_last = std::max({m_last, h.start, h.end});
    }

    RequestStory tell();

private:
    const m::RecordedHop& hop(std::int32_t i) const { return m_hops[static_cast<std::size_t>(i)]; }
    const std::vector<std::int32_t>& kids(std::int32_t i) const
    {
        return m_children[static_cast<std::size_t>(i)];
    }
    std::vector<std::int32_t> kidsOf(std::int32_t i, m::HopKind kind) const
    {
        std::vector<std::int32_t> out;
        for (const std::int32_t k : kids(i))
            if (hop(k).kind == kind)
                out.push_back(k);
        return out;
    }
    std::int64_t endOf(std::int32_t i) const { return hop(i).end < 0 ? m_last : hop(i).end; }
    std::string place(const m::Place& p) const { return placeText(m_view, p); }
    std::string componentName(std::uint32_t c) const
    {
        return c < m_view.components.size() ? m_view.components[c].name
                                            : "component " + std::to_string(c);
    }
    m::ComponentKind componentKind(std::uint32_t c) const
    {
        return c < m_view.components.size() ? m_view.components[c].kind : m::ComponentKind::Service;
    }
    bool reset(std::int32_t tryHop) const
    {
        return hop(tryHop).end >= 0 && (hop(tryHop).detail & m::kTryResetByCaller) != 0;
    }
    std::string label(std::int32_t i) const;
    std::string details(std::int32_t i, const StoryRow& row) const;
    std::string callName(std::int32_t call) const
    {
        return componentName(hop(call).from.component) + " → "
               + componentName(hop(call).at.component);
    }
    // When a call's outcome was decided: its return loopback to the application (sidecars)
    // starts then; otherwise its end.
    std::int64_t decidedAt(std::int32_t call) const;
    // Why a try failed, in words ("try 1 answered 500 (server_error)").
    std::string whyTryFailed(std::int32_t tryHop, std::size_t number, std::int32_t call) const;
    void tellCall(std::int32_t call);
    void tellJob(std::int32_t job);
    void tellRequestEnd();
    void decide(std::int64_t at, std::int32_t hopIndex, std::string text)
    {
        m_decisions.push_back({at, hopIndex, std::move(text)});
    }

    const m::RecordedRequest& m_request;
    const std::vector<m::RecordedHop>& m_hops;
    const topologies::SystemView& m_view;
    std::vector<std::vector<std::int32_t>> m_children;
    std::int64_t m_last = 0;
    std::vector<Decision> m_decisions; // `row` holds the hop until the rows are known
};

std::string Teller::label(std::int32_t i) const
{
    const m::RecordedHop& h = hop(i);
    const m::RecordedHop* parent
        = h.parent >= 0 && static_cast<std::size_t>(h.parent) < m_hops.size() ? &hop(h.parent)
                                                                              : nullptr;
    switch (h.kind) {
    case m::HopKind::Request: {
        const std::string path = m_request.route < m_view.routes.size()
                                     ? m_view.routes[m_request.route].path
                                     : "route " + std::to_string(m_request.route);
        return "request " + path + " (" + place(h.at) + ")";
    }
    case m::HopKind::Call:
        return "call " + callName(i);
    case m::HopKind::Try: {
        std::size_t number = 1;
        if (h.parent >= 0)
            for (const std::int32_t k : kidsOf(h.parent, m::HopKind::Try)) {
                if (k == i)
                    break;
                ++number;
            }
        return "try " + std::to_string(number) + " → " + place(h.at);
    }
    case m::HopKind::Job:
        return "job at " + place(h.at);
    case m::HopKind::Transfer:
        if (samePlace(h.from, h.at))
            return "loopback at " + place(h.at) + " (app ↔ sidecar)";
        return "transfer " + place(h.from) + " → " + place(h.at);
    case m::HopKind::Queue:
        return "queue at " + place(h.at);
    case m::HopKind::Cpu:
        return "cpu at " + place(h.at);
    case m::HopKind::Stall:
        switch (componentKind(h.at.component)) {
        case m::ComponentKind::Gateway:
            return "rate-limit delay at " + place(h.at);
        case m::ComponentKind::Ingress:
        case m::ComponentKind::Waypoint:
            return "proxy latency at " + place(h.at);
        case m::ComponentKind::Service:
        case m::ComponentKind::Client:
            break;
        }
        return "added latency at " + place(h.at) + " (slow fault)";
    case m::HopKind::Proxy: {
        // Ended, it names its kind; under way, its parent tells: the caller's call (outbound)
        // or the try arriving at the callee (inbound).
        const std::uint64_t kind = h.end >= 0 && h.detail < m::kProxyKinds ? h.detail
                                   : parent && parent->kind == m::HopKind::Try
                                       ? static_cast<std::uint64_t>(m::ProxyKind::SidecarInbound)
                                       : static_cast<std::uint64_t>(m::ProxyKind::SidecarOutbound);
        return std::string("proxy (") + proxyKindText(kind) + ") at " + place(h.at);
    }
    case m::HopKind::Connect:
        return "connect to " + place(h.at);
    case m::HopKind::Backoff:
        return "backoff";
    case m::HopKind::FaultDelay:
        return "injected delay (DI)";
    }
    return m::hopKindName(h.kind);
}

std::string Teller::details(std::int32_t i, const StoryRow& row) const
{
    const m::RecordedHop& h = hop(i);
    const std::int64_t origin = m_hops[0].start;
    std::string text = row.label + "\n";
    text += "starts at +" + durationText(h.start - origin) + " (" + durationText(h.start)
            + " into the run)";
    text += h.end >= 0 ? ", lasts " + durationText(h.end - h.start)
                       : ", still under way when the recording ended";
    text += "\n";
    text += std::string(m::hopKindName(h.kind)) + " at " + place(h.at);
    if (h.at.node < m_view.nodes.size())
        text += " on node " + m_view.nodes[h.at.node].name;
    if (h.from.component != m::kNoIndex && !samePlace(h.from, h.at))
        text += ", from " + place(h.from);
    if (row.span && h.end >= 0) {
        text += "\noutcome " + statusText(h.outcome);
        if (h.kind == m::HopKind::Call)
            text += ", flags " + m::flagsText(h.flags) + ", "
                    + std::to_string(h.detail & kTryNumberMask) + " tries";
        if (h.kind == m::HopKind::Try && (h.detail & m::kTryResetByCaller) != 0)
            text += ", reset by its caller";
        if (h.kind == m::HopKind::Job && h.detail != 0)
            text += ", passed on from its calls";
    }
    if (h.end >= 0) {
        if (h.kind == m::HopKind::Transfer)
            text += "\n" + std::to_string(h.detail) + " bytes";
        if (h.kind == m::HopKind::Cpu)
            text += "\nCPU work " + durationText(static_cast<std::int64_t>(h.detail))
                    + " at the reference speed";
    }
    if (row.critical && row.criticalNs > 0)
        text += "\non the critical path for " + durationText(row.criticalNs);
    else if (row.critical)
        text += "\non the critical path";
    return text;
}

std::int64_t Teller::decidedAt(std::int32_t call) const
{
    const auto& children = kids(call);
    if (children.size() >= 2) {
        const std::int32_t lastKid = children.back();
        if (hop(lastKid).kind == m::HopKind::Transfer)
            return hop(lastKid).start;
    }
    return endOf(call);
}

std::string Teller::whyTryFailed(std::int32_t t, std::size_t number, std::int32_t call) const
{
    const m::RecordedHop& h = hop(t);
    const std::string name = "try " + std::to_string(number);
    if (h.end < 0)
        return name + " was still under way";
    const std::vector<std::int32_t> jobs = kidsOf(t, m::HopKind::Job);
    if (reset(t)) {
        if (h.outcome == m::Outcome::Ok)
            return name + " lost the race: reset by its caller when another try answered";
        if (h.outcome == m::Outcome::Timeout) {
            const std::int64_t decided = decidedAt(call);
            if (hop(call).end >= 0 && hop(call).outcome == m::Outcome::Timeout && h.end == decided
                && (hop(call).flags & m::kFlagURX) == 0 && kidsOf(call, m::HopKind::Try).size() > 1)
                return name + " reset by its caller when the call timed out";
            return name + " reset by its caller after the per-try timeout ("
                   + durationText(h.end - h.start) + ")";
        }
        return name + " reset by its caller (" + std::string(m::outcomeName(h.outcome)) + ")";
    }
    const std::string host = place(h.at);
    if (!jobs.empty()) {
        const m::RecordedHop& job = hop(jobs.back());
        if (h.outcome == m::Outcome::ConnectionFailure && job.end >= 0
            && job.outcome == m::Outcome::ConnectionFailure && job.detail == 0)
            return name + ": " + host + " went down while serving it (connection reset)";
        std::string text = name + " answered " + statusText(h.outcome);
        if (job.end >= 0 && job.detail != 0)
            text += ", a failure " + host + " passed on from its own calls";
        return text;
    }
    switch (h.outcome) {
    case m::Outcome::ConnectionFailure: {
        const auto& children = kids(t);
        if (!children.empty() && hop(children.back()).kind == m::HopKind::Connect
            && hop(children.back()).end == h.end)
            return name + " got no answer to its connection attempt to " + host + " within "
                   + durationText(hop(children.back()).end - hop(children.back()).start)
                   + " (node down or network partition)";
        return name + ": " + host + " refused or reset the connection (instance down)";
    }
    case m::Outcome::QueueFull:
        return name + " answered " + statusText(h.outcome) + ": " + host + "'s queue was full";
    case m::Outcome::Denied:
        return name + " answered " + statusText(h.outcome) + ": " + host
               + "'s sidecar denied the caller (authorization policy)";
    case m::Outcome::Overflow:
        return name
               + " refused by the caller's circuit breaker: no connection free and too many "
                 "requests pending (overflow, UO)";
    default:
        break;
    }
    return name + " answered " + statusText(h.outcome);
}

void Teller::tellCall(std::int32_t c)
{
    const m::RecordedHop& call = hop(c);
    const std::string target = componentName(call.at.component);
    const std::string caller = place(call.from);
    const std::vector<std::int32_t> tries = kidsOf(c, m::HopKind::Try);
    const std::vector<std::int32_t> backoffs = kidsOf(c, m::HopKind::Backoff);
    const bool ended = call.end >= 0;
    const std::string of = ended ? " of " + std::to_string(tries.size()) : std::string();

    for (const std::int32_t d : kidsOf(c, m::HopKind::FaultDelay))
        decide(hop(d).start,
               d,
               "injected delay " + durationText(endOf(d) - hop(d).start) + " (DI): " + caller
                   + "'s proxy held the call to " + target);

    for (std::size_t k = 1; k < tries.size(); ++k) {
        const m::RecordedHop& t = hop(tries[k]);
        // The backoff that ended as this try started (a retry waits for it, a hedge too).
        std::int32_t backoff = -1;
        for (const std::int32_t b : backoffs)
            if (hop(b).end >= 0 && hop(b).end <= t.start && hop(b).start >= hop(tries[k - 1]).start)
                backoff = b;
        // A hedge: an earlier try was still under way (not ended, not reset) when it started.
        std::int32_t running = -1;
        for (std::size_t j = 0; j < k; ++j)
            if (hop(tries[j]).start <= t.start
                && (hop(tries[j]).end < 0 || hop(tries[j]).end > t.start))
                running = static_cast<std::int32_t>(j);
        std::string text = (running >= 0 ? "hedged try " : "retry ") + std::to_string(k + 1) + of
                           + " to " + place(t.at);
        if (backoff >= 0)
            text += " after a " + durationText(hop(backoff).end - hop(backoff).start) + " backoff";
        if (running >= 0) {
            const m::RecordedHop& slow = hop(tries[static_cast<std::size_t>(running)]);
            const std::int64_t fired = backoff >= 0 ? hop(backoff).start : t.start;
            text += ": try " + std::to_string(running + 1) + " had no answer after "
                    + durationText(fired - slow.start) + " (per-try timeout) and went on";
        } else {
            // The try the retry answers: the last one that ended before it started.
            std::int32_t failed = -1;
            for (std::size_t j = 0; j < k; ++j)
                if (hop(tries[j]).end >= 0 && hop(tries[j]).end <= t.start
                    && (failed < 0
                        || hop(tries[j]).end >= hop(tries[static_cast<std::size_t>(failed)]).end))
                    failed = static_cast<std::int32_t>(j);
            if (failed >= 0)
                text += ": "
                        + whyTryFailed(tries[static_cast<std::size_t>(failed)],
                                       static_cast<std::size_t>(failed) + 1,
                                       c);
        }
        decide(t.start, tries[k], text);
    }
    for (std::size_t k = 0; k < tries.size(); ++k)
        if (reset(tries[k]) && hop(tries[k]).outcome == m::Outcome::Ok)
            decide(hop(tries[k]).end, tries[k], whyTryFailed(tries[k], k + 1, c));

    if (!ended)
        return;
    const std::int64_t at = decidedAt(c);
    const std::string name = "call " + callName(c);
    const std::size_t n = tries.size();
    // The try that decided the call: the last to end (a winner before the hedges it beat).
    std::int32_t lastTry = -1;
    for (std::size_t k = 0; k < n; ++k) {
        const m::RecordedHop& t = hop(tries[k]);
        if (t.end < 0 || (reset(tries[k]) && t.outcome == m::Outcome::Ok))
            continue;
        const m::RecordedHop* best
            = lastTry >= 0 ? &hop(tries[static_cast<std::size_t>(lastTry)]) : nullptr;
        if (!best || t.end > best->end
            || (t.end == best->end
                && (!reset(tries[k]) || reset(tries[static_cast<std::size_t>(lastTry)]))))
            lastTry = static_cast<std::int32_t>(k);
    }
    const auto why = [&] {
        return lastTry >= 0 ? whyTryFailed(tries[static_cast<std::size_t>(lastTry)],
                                           static_cast<std::size_t>(lastTry) + 1,
                                           c)
                            : std::string();
    };
    // Refused before a try was made: no try at all, or a retry's backoff ended after the last
    // try had started and no try followed it.
    bool refusedBeforeTry = n == 0;
    for (const std::int32_t b : backoffs)
        if (n > 0 && hop(b).end >= 0 && hop(b).end >= hop(tries.back()).start
            && hop(b).start >= hop(tries.back()).start)
            refusedBeforeTry = true;
    // A refusal of the caller's own proxy or library before a try: the breaker, no host.
    std::string text;
    if (refusedBeforeTry && call.outcome == m::Outcome::Overflow)
        text = std::string(n > 0 ? "retry refused" : "refused") + " by " + caller
               + "'s circuit breaker for " + target + ": too many requests active (overflow, UO)";
    else if (refusedBeforeTry && call.outcome == m::Outcome::CircuitOpen)
        text = std::string(n > 0 ? "retry refused" : "refused") + " by " + caller
               + "'s circuit breaker for " + target + ": open (circuit_open)";
    else if (refusedBeforeTry && call.outcome == m::Outcome::NoHealthyUpstream)
        text = "no healthy instance of " + target + " to send to (no_healthy_upstream, UH)"
               + (n > 0 ? " after " + std::to_string(n) + " tries" : std::string());
    else if (call.outcome == m::Outcome::Ok) {
        if (n > 1 && lastTry >= 0)
            text = name + " succeeded on try " + std::to_string(lastTry + 1) + " of "
                   + std::to_string(n);
    } else if (call.outcome == m::Outcome::InjectedFault && (call.flags & m::kFlagFI) != 0)
        text = "injected abort (FI): " + caller + "'s proxy failed the call to " + target
               + " without sending it";
    else if ((call.flags & m::kFlagURX) != 0)
        text = "retries exhausted after " + std::to_string(n) + " tries (URX): " + why();
    else if (call.outcome == m::Outcome::Timeout && (call.flags & m::kFlagUT) != 0)
        text = n > 0 ? name + " timed out after " + durationText(at - hop(tries[0]).start) + " (UT)"
                     : name + " timed out (UT)";
    else if ((call.flags & m::kFlagUO) != 0 && call.outcome != m::Outcome::Overflow)
        text = name + " not retried: the circuit breaker's retry limit was reached (UO): " + why();
    else if (lastTry >= 0)
        text = name + " failed, no retry: " + why();
    else
        text = name + " failed: " + statusText(call.outcome);
    if (call.outcome != m::Outcome::Ok) {
        // The flags a try's reason does not name already.
        if ((call.flags & m::kFlagUF) != 0)
            text += " (UF)";
        if ((call.flags & m::kFlagRL) != 0)
            text += " (RL)";
        if ((call.flags & m::kFlagUAEX) != 0)
            text += " (UAEX)";
    }
    if (!text.empty())
        decide(at, c, text);
}

void Teller::tellJob(std::int32_t j)
{
    const m::RecordedHop& job = hop(j);
    const std::string where = place(job.at);
    const m::ComponentKind kind = componentKind(job.at.component);
    for (const std::int32_t s : kidsOf(j, m::HopKind::Stall)) {
        const std::string length = durationText(endOf(s) - hop(s).start);
        if (kind == m::ComponentKind::Gateway)
            decide(hop(s).start, s, "delayed " + length + " by the gateway's rate limiter");
        else if (kind == m::ComponentKind::Service)
            decide(hop(s).start, s, "slowed by a fault at " + where + ": " + length + " added");
    }
    if (job.end < 0)
        return;
    const bool calls = !kidsOf(j, m::HopKind::Call).empty();
    if (kind == m::ComponentKind::Gateway) {
        switch (job.outcome) {
        case m::Outcome::Ok:
            if (!calls)
                decide(job.end, j, "answered from the gateway's cache at " + where);
            return;
        case m::Outcome::RateLimited:
            decide(job.end, j, "rate limited by the gateway (429) at " + where);
            return;
        case m::Outcome::Unauthorized:
            decide(job.end, j, "authentication failed at the gateway (401) at " + where);
            return;
        case m::Outcome::Timeout:
            if (job.detail == 0) {
                decide(job.end,
                       j,
                       "route timeout: the gateway answered 504 after "
                           + durationText(job.end - job.start) + " at " + where);
                return;
            }
            break;
        default:
            break;
        }
    }
    if (job.outcome == m::Outcome::Ok)
        return;
    if (job.detail != 0) {
        std::string text = where + " answered " + statusText(job.outcome);
        for (const std::int32_t c : kidsOf(j, m::HopKind::Call))
            if (hop(c).end >= 0 && hop(c).outcome != m::Outcome::Ok) {
                text += ", passed on from its call to " + componentName(hop(c).at.component);
                break;
            }
        decide(job.end, j, text);
    } else if (job.outcome == m::Outcome::ConnectionFailure) {
        decide(job.end, j, where + " went down while serving it (connection reset)");
    } else if (job.outcome == m::Outcome::ServerError) {
        decide(job.end, j, where + " answered " + statusText(job.outcome) + ": its handler failed");
    } else {
        decide(job.end, j, where + " answered " + statusText(job.outcome));
    }
}

void Teller::tellRequestEnd()
{
    const m::RecordedHop& root = m_hops[0];
    if (root.end < 0)
        return;
    if (root.outcome == m::Outcome::Timeout) {
        // The client's own route timeout (architectures without a gateway): its call was still
        // under way when it gave up.
        for (const std::int32_t c : kidsOf(0, m::HopKind::Call))
            if (hop(c).end < 0 || hop(c).end > root.end) {
                decide(root.end,
                       0,
                       "the client gave up after " + durationText(root.end - root.start)
                           + " (route timeout, 504)");
                return;
            }
    }
}

RequestStory Teller::tell()
{
    RequestStory story;
    story.id = m_request.id;
    story.route = m_request.route;
    story.routePath = m_request.route < m_view.routes.size()
                          ? m_view.routes[m_request.route].path
                          : "route " + std::to_string(m_request.route);
    story.complete = m_request.complete;
    if (m_hops.empty()) {
        story.summary
            = "request " + std::to_string(story.id) + " " + story.routePath + ": no hops recorded";
        return story;
    }
    const m::RecordedHop& root = m_hops[0];
    story.start = root.start;
    story.end = root.end;
    story.outcome = root.outcome;
    story.criticalPath = m::criticalPath(m_request);

    // Rows: the tree depth first, children by start.
    std::vector<std::int32_t> rowOf(m_hops.size(), -1);
    struct Visit
    {
        std::int32_t hop;
        std::int32_t parentRow;
        std::uint32_t depth;
    };
    std::vector<Visit> stack{{0, -1, 0}};
    while (!stack.empty()) {
        const Visit v = stack.back();
        stack.pop_back();
        if (rowOf[static_cast<std::size_t>(v.hop)] >= 0)
            continue; // a hostile recording's cycle
        const m::RecordedHop& h = hop(v.hop);
        StoryRow row;
        row.hop = v.hop;
        row.parent = v.parentRow;
        row.depth = v.depth;
        row.start = h.start;
        row.end = h.end;
        row.kind = h.kind;
        row.outcome = h.outcome;
        row.flags = h.flags;
        row.span = h.kind == m::HopKind::Request || h.kind == m::HopKind::Call
                   || h.kind == m::HopKind::Try || h.kind == m::HopKind::Job;
        row.reset = h.kind == m::HopKind::Try && reset(v.hop);
        row.label = label(v.hop);
        rowOf[static_cast<std::size_t>(v.hop)] = static_cast<std::int32_t>(story.rows.size());
        story.rows.push_back(std::move(row));
        const auto& children = kids(v.hop);
        for (auto it = children.rbegin(); it != children.rend(); ++it)
            stack.push_back({*it, rowOf[static_cast<std::size_t>(v.hop)], v.depth + 1});
    }

    // The critical path: its leaves, and every span above them.
    for (std::size_t k = 0; k < story.criticalPath.leaves.size(); ++k) {
        std::int32_t r = rowOf[static_cast<std::size_t>(story.criticalPath.leaves[k])];
        if (r < 0)
            continue;
        story.rows[static_cast<std::size_t>(r)].criticalNs += story.criticalPath.leafNs[k];
        for (; r >= 0 && !story.rows[static_cast<std::size_t>(r)].critical;
             r = story.rows[static_cast<std::size_t>(r)].parent)
            story.rows[static_cast<std::size_t>(r)].critical = true;
    }

    // Backoffs say which try they wait for.
    for (StoryRow& row : story.rows) {
        if (row.kind != m::HopKind::Backoff || row.end < 0 || hop(row.hop).parent < 0)
            continue;
        std::size_t number = 0;
        for (const std::int32_t t : kidsOf(hop(row.hop).parent, m::HopKind::Try)) {
            ++number;
            if (hop(t).start >= row.end) {
                row.label = "backoff before try " + std::to_string(number);
                break;
            }
        }
    }

    for (const StoryRow& row : story.rows) {
        if (row.kind == m::HopKind::Call) {
            ++story.calls;
            story.flags |= row.flags;
            tellCall(row.hop);
        } else if (row.kind == m::HopKind::Try) {
            ++story.tries;
        } else if (row.kind == m::HopKind::Job) {
            tellJob(row.hop);
        }
    }
    tellRequestEnd();
    for (StoryRow& row : story.rows)
        row.details = details(row.hop, row);

    for (Decision& d : m_decisions)
        d.row = rowOf[static_cast<std::size_t>(d.row)];
    std::stable_sort(m_decisions.begin(), m_decisions.end(), [](const auto& a, const auto& b) {
        return a.at < b.at;
    });
    story.decisions = std::move(m_decisions);

    for (std::size_t bit = 0; bit < m::kFlagCount; ++bit)
        if ((story.flags & (1U << bit)) != 0)
            story.flagNotes.push_back(flagNote(bit));

    story.summary = "request " + std::to_string(story.id) + " " + story.routePath + ": ";
    if (story.end >= 0)
        story.summary += statusText(story.outcome) + " after " + durationText(story.latencyNs());
    else
        story.summary += "not answered when the recording ended";
    story.summary += "; " + std::to_string(story.calls)
                     + (story.calls == 1 ? " call, " : " calls, ") + std::to_string(story.tries)
                     + (story.tries == 1 ? " try" : " tries") + "; flags "
                     + m::flagsText(story.flags);
    if (!story.complete)
        story.summary += " (incomplete: hops were under way when the recording ended)";
    return story;
}

} // namespace

std::int64_t RequestStory::lastNs() const
{
    std::int64_t last = start;
    for (const StoryRow& r : rows)
        last = std::max({last, r.start, r.end});
    return last;
}

std::int32_t RequestStory::rowOfHop(std::int32_t hop) const
{
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows[r].hop == hop)
            return static_cast<std::int32_t>(r);
    return -1;
}

RequestStory tellRequest(const m::RecordedRequest& request, const topologies::SystemView& view)
{
    return Teller(request, view).tell();
}

RequestSearch findRequests(const m::Recording& recording,
                           const topologies::SystemView& view,
                           const std::string& text,
                           std::size_t limit)
{
    RequestSearch result;
    // Each word becomes a test of one request.
    using Test = std::function<bool(const m::RecordedRequest&)>;
    std::vector<Test> tests;
    bool slowest = false;
    const auto answered
        = [](const m::RecordedRequest& q) { return !q.hops.empty() && q.hops[0].end >= 0; };
    std::size_t from = 0;
    while (from < text.size()) {
        const std::size_t space = text.find_first_of(" \t", from);
        const std::size_t to = space == std::string::npos ? text.size() : space;
        std::string word = text.substr(from, to - from);
        from = to + 1;
        if (word.empty())
            continue;
        std::string lower = word;
        for (char& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::string digits = lower[0] == '#' ? lower.substr(1) : lower;
        if (!digits.empty() && digits.size() <= 19
            && std::all_of(
                digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            const std::uint64_t id = std::stoull(digits);
            tests.push_back([id](const m::RecordedRequest& q) { return q.id == id; });
            continue;
        }
        if (lower == "slowest") {
            slowest = true;
            tests.push_back(answered);
            continue;
        }
        if (lower == "failed") {
            tests.push_back([answered](const m::RecordedRequest& q) {
                return answered(q) && q.hops[0].outcome != m::Outcome::Ok;
            });
            continue;
        }
        if (lower == "incomplete") {
            tests.push_back([](const m::RecordedRequest& q) { return !q.complete; });
            continue;
        }
        if (word[0] == '/') {
            std::vector<std::uint32_t> routes;
            for (std::size_t r = 0; r < view.routes.size(); ++r)
                if (view.routes[r].path.find(word) != std::string::npos)
                    routes.push_back(static_cast<std::uint32_t>(r));
            tests.push_back([routes](const m::RecordedRequest& q) {
                return std::find(routes.begin(), routes.end(), q.route) != routes.end();
            });
            continue;
        }
        bool known = false;
        for (std::size_t o = 0; o < m::kOutcomeCount && !known; ++o)
            if (lower == m::outcomeName(static_cast<m::Outcome>(o))) {
                known = true;
                const auto outcome = static_cast<m::Outcome>(o);
                tests.push_back([outcome](const m::RecordedRequest& q) {
                    for (const m::RecordedHop& h : q.hops)
                        if (h.end >= 0 && h.outcome == outcome
                            && (h.kind == m::HopKind::Request || h.kind == m::HopKind::Call
                                || h.kind == m::HopKind::Try || h.kind == m::HopKind::Job))
                            return true;
                    return false;
                });
            }
        for (std::size_t bit = 0; bit < m::kFlagCount && !known; ++bit) {
            std::string name(m::flagName(bit));
            for (char& ch : name)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (lower == name) {
                known = true;
                const auto flag = static_cast<std::uint16_t>(1U << bit);
                tests.push_back([flag](const m::RecordedRequest& q) {
                    for (const m::RecordedHop& h : q.hops)
                        if (h.kind == m::HopKind::Call && (h.flags & flag) != 0)
                            return true;
                    return false;
                });
            }
        }
        if (!known) {
            result.understood = false;
            result.problem = "\"" + word
                             + "\" is no request id, route path (/...), outcome, flag, \"failed\", "
                               "\"slowest\" or \"incomplete\"";
            return result;
        }
    }
    std::vector<const m::RecordedRequest*> found;
    for (const m::RecordedRequest& q : recording.requests)
        if (std::all_of(tests.begin(), tests.end(), [&](const Test& t) { return t(q); }))
            found.push_back(&q);
    if (slowest)
        std::stable_sort(found.begin(), found.end(), [](const auto* a, const auto* b) {
            return a->hops[0].end - a->hops[0].start > b->hops[0].end - b->hops[0].start;
        });
    result.matched = found.size();
    for (std::size_t i = 0; i < found.size() && i < limit; ++i)
        result.ids.push_back(found[i]->id);
    return result;
}

std::string durationText(std::int64_t ns)
{
    const bool negative = ns < 0;
    const std::uint64_t magnitude
        = negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
    std::string text;
    if (magnitude >= 1'000'000'000U) {
        const std::uint64_t millis = (magnitude + 500'000U) / 1'000'000U;
        text = trimmedFraction(static_cast<std::int64_t>(millis / 1000),
                               static_cast<std::int64_t>(millis % 1000))
               + " s";
    } else {
        const std::uint64_t micros = (magnitude + 500U) / 1000U;
        text = trimmedFraction(static_cast<std::int64_t>(micros / 1000),
                               static_cast<std::int64_t>(micros % 1000))
               + " ms";
    }
    return negative ? "-" + text : text;
}

std::string flagNote(std::size_t bit)
{
    constexpr std::array<const char*, m::kFlagCount> kNotes{
        "upstream overflow: a circuit breaker refused (Envoy's limits or the retry limit)",
        "retries exhausted",
        "upstream request timeout (a call or per-try timeout)",
        "no healthy upstream: no instance to send to",
        "upstream connection failure: refused, reset or timed out",
        "fault injected: an abort",
        "fault injected: a delay",
        "rate limited",
        "unauthorized: authentication or an authorization policy refused",
        "retried at least once"};
    if (bit >= m::kFlagCount)
        return "?";
    return std::string(m::flagName(bit)) + ": " + kNotes[bit];
}

std::string placeText(const topologies::SystemView& view, const m::Place& p)
{
    if (p.component >= view.components.size())
        return p.component == m::kNoIndex ? "?" : "component " + std::to_string(p.component);
    const auto& c = view.components[p.component];
    if (p.component < view.firstTier || p.instance == m::kNoIndex)
        return c.name;
    return c.name + "/" + std::to_string(p.instance);
}

} // namespace meshsim::ui
