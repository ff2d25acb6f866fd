#include "run/recording_jsonl.h"

#include <string>

namespace meshsim::run {

namespace m = meshsim::models;
using Json = nlohmann::json;

namespace {

constexpr std::uint32_t kNone = m::kNoIndex;

Json outcomesJson(const m::WindowOutcomes& w)
{
    Json outcomes = Json::object();
    for (std::size_t i = 0; i < m::kOutcomeCount; ++i)
        if (w.outcomes[i] > 0)
            outcomes[std::string(m::outcomeName(static_cast<m::Outcome>(i)))] = w.outcomes[i];
    Json j{{"outcomes", outcomes},
           {"timed", w.timed},
           {"latency_sum_ns", w.latencySumNs},
           {"p50_ns", w.p50},
           {"p95_ns", w.p95},
           {"p99_ns", w.p99}};
    if (!w.latency.empty()) {
        Json buckets = Json::array();
        for (const m::LatencyBucket& b : w.latency)
            buckets.push_back({b.bucket, b.count});
        j["latency_buckets"] = buckets;
    }
    return j;
}

Json placeJson(const m::Place& p)
{
    const auto index = [](std::uint32_t v) { return v == kNone ? Json(nullptr) : Json(v); };
    return {index(p.component), index(p.instance), index(p.node)};
}

void line(std::FILE* out, const nlohmann::ordered_json& j)
{
    const std::string text = j.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), out);
}

} // namespace

void writeRecordingJsonLines(const RecordingInfo& info,
                             const m::Recording& r,
                             bool cancelled,
                             std::FILE* out)
{
    nlohmann::ordered_json h{{"type", "header"}};
    h.update(recordingHeaderJson(info, r));
    h["sample_threshold"] = r.sampleThreshold;
    line(out, h);
    for (std::uint32_t w = 0; w < r.windows; ++w) {
        Json j;
        j["type"] = "window";
        j["index"] = w;
        j["start_ns"] = static_cast<std::int64_t>(w) * r.layout.windowNs;
        Json routes = Json::array();
        for (const auto& s : r.routes)
            routes.push_back({{"sent", s[w].sent}, {"answered", outcomesJson(s[w].answered)}});
        j["routes"] = routes;
        for (const auto& [name, series] :
             {std::pair{"tiers", &r.tiers}, std::pair{"instances", &r.instances}}) {
            Json list = Json::array();
            for (const auto& s : *series) {
                const m::TierWindow& t = s[w];
                list.push_back({{"arrivals", t.arrivals},
                                {"responses", outcomesJson(t.responses)},
                                {"queue_max", t.queueMax},
                                {"queue_mean", t.queueMean},
                                {"busy_mean", t.busyMean},
                                {"cpu_seconds", t.cpuSeconds},
                                {"ejected_max", t.ejectedMax}});
            }
            j[name] = list;
        }
        Json edges = Json::array();
        for (const auto& s : r.edges)
            edges.push_back({{"calls", outcomesJson(s[w].calls)},
                             {"attempts", s[w].attempts},
                             {"breakers_open", s[w].breakersOpen},
                             {"ejections", s[w].ejections}});
        j["edges"] = edges;
        Json proxies = Json::array();
        for (const auto& s : r.proxies)
            proxies.push_back({{"traversals", s[w].traversals},
                               {"cpu_seconds", s[w].cpuSeconds},
                               {"p50_ns", s[w].p50},
                               {"p95_ns", s[w].p95},
                               {"p99_ns", s[w].p99}});
        j["proxies"] = proxies;
        Json nodes = Json::array();
        for (const auto& s : r.nodes)
            nodes.push_back(s[w].utilisation);
        j["nodes"] = nodes;
        if (!r.operations.empty()) {
            Json operations = Json::array();
            for (const auto& s : r.operations)
                operations.push_back(outcomesJson(s[w]));
            j["operations"] = operations;
        }
        line(out, j);
    }
    for (const m::StateChange& s : r.states)
        line(out,
             {{"type", "state"},
              {"at_ns", engine::toNanos(s.at)},
              {"kind", m::stateKindName(s.kind)},
              {"breaker", m::breakerStateName(s.breaker)},
              {"reason", m::ejectionReasonName(s.reason)},
              {"component", s.component},
              {"instance", s.instance == kNone ? Json(nullptr) : Json(s.instance)},
              {"target", s.target == kNone ? Json(nullptr) : Json(s.target)},
              {"host", s.host == kNone ? Json(nullptr) : Json(s.host)}});
    for (const m::RecordedRequest& q : r.requests) {
        Json hops = Json::array();
        for (const m::RecordedHop& hop : q.hops)
            hops.push_back({{"kind", m::hopKindName(hop.kind)},
                            {"parent", hop.parent},
                            {"start_ns", hop.start},
                            {"end_ns", hop.end},
                            {"outcome", std::string(m::outcomeName(hop.outcome))},
                            {"flags", m::flagsText(hop.flags)},
                            {"detail", hop.detail},
                            {"at", placeJson(hop.at)},
                            {"from", placeJson(hop.from)}});
        line(out,
             {{"type", "request"},
              {"id", q.id},
              {"sample_key", q.sampleKey},
              {"route", q.route},
              {"complete", q.complete},
              {"hops", hops}});
    }
    line(out,
         {{"type", "end"},
          {"status", cancelled ? "cancelled" : "complete"},
          {"windows", r.windows},
          {"states", r.states.size()},
          {"requests", r.requests.size()},
          {"requests_seen", r.requestsSeen},
          {"late_hops", r.lateHops},
          {"end_ns", r.endNs}});
}

} // namespace meshsim::run
