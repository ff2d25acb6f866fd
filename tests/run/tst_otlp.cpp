// The OTLP/JSON export of results.json traces: a hand-made trace becomes exactly the expected
// document; every span of a real run arrives once, in its service's resource, with well-formed
// ids and times, its parent, status and response flags; the same input gives the same bytes.
//
// With MESHSIM_OTLP_OUT set, realRun writes its document there, for check_otlp_schema.py.

#include "run/otlp_json.h"
#include "run/results_json.h"
#include "topologies/loader.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace meshsim;
using Json = nlohmann::ordered_json;

namespace {

// One trace: the client's request to /books timed out, its call to the gateway timed out after
// a retry (UT,URX), and the gateway's instance 1 was still working when the trace was taken.
constexpr const char* kTinyResults = R"({
  "format": "meshsim-results/1",
  "scenario": {"name": "tiny", "file": "tiny.yaml", "architecture": "gateway"},
  "seed": 7,
  "engine": "fast",
  "traces": [{"route": "/books", "request": 12, "start_seconds": 12.5, "spans": [
    {"id": 0, "parent": -1, "name": "client /books", "start_ms": 0.0, "duration_ms": 71.69,
     "outcome": "timeout", "flags": "-", "attempts": 0},
    {"id": 1, "parent": 0, "name": "call client -> gateway", "start_ms": 0.25,
     "duration_ms": 1000.000001, "outcome": "timeout", "flags": "UT,URX", "attempts": 2},
    {"id": 2, "parent": 1, "name": "gateway/1", "start_ms": 35.16, "duration_ms": null,
     "outcome": "ok", "flags": "-", "attempts": 0}]}]
})";

// Times, by hand: simulated time 0 is 1767225600000000000 ns (2026-01-01T00:00:00Z) and the
// trace starts 12.5 s = 12500000000 ns later, at 1767225612500000000 ns. Then:
//   span 0 starts +0 ns: 1767225612500000000; + 71.69 ms (71690000 ns): 1767225612571690000
//   span 1 starts +0.25 ms (250000 ns): 1767225612500250000;
//          + 1000.000001 ms (1000000001 ns): 1767225613500250001
//   span 2 starts +35.16 ms (35160000 ns): 1767225612535160000; not ended: ends where it starts
// Ids: splitmix64 of (seed 7, request 12), as otlp_json.cpp derives them, checked with a separate
// Python implementation. Pinned: changing the derivation changes every exported id.
constexpr const char* kTinyOtlp = R"({"resourceSpans": [
  {"resource": {"attributes": [
     {"key": "service.name", "value": {"stringValue": "client"}},
     {"key": "service.namespace", "value": {"stringValue": "meshsim"}},
     {"key": "meshsim.scenario", "value": {"stringValue": "tiny"}},
     {"key": "meshsim.seed", "value": {"intValue": "7"}},
     {"key": "meshsim.engine", "value": {"stringValue": "fast"}}]},
   "scopeSpans": [{"scope": {"name": "meshsim"}, "spans": [
     {"traceId": "1b4c1de5e260702b76c8dfde72051210", "spanId": "d03d390fb5178173",
      "name": "/books", "kind": 3,
      "startTimeUnixNano": "1767225612500000000", "endTimeUnixNano": "1767225612571690000",
      "attributes": [
        {"key": "http.route", "value": {"stringValue": "/books"}},
        {"key": "meshsim.route", "value": {"stringValue": "/books"}},
        {"key": "meshsim.request", "value": {"intValue": "12"}},
        {"key": "meshsim.outcome", "value": {"stringValue": "timeout"}}],
      "status": {"message": "timeout", "code": 2}},
     {"traceId": "1b4c1de5e260702b76c8dfde72051210", "spanId": "de24b61524a847c9",
      "parentSpanId": "d03d390fb5178173", "name": "call gateway", "kind": 3,
      "startTimeUnixNano": "1767225612500250000", "endTimeUnixNano": "1767225613500250001",
      "attributes": [
        {"key": "peer.service", "value": {"stringValue": "gateway"}},
        {"key": "meshsim.attempts", "value": {"intValue": "2"}},
        {"key": "envoy.response_flags", "value": {"stringValue": "UT,URX"}},
        {"key": "meshsim.outcome", "value": {"stringValue": "timeout"}}],
      "status": {"message": "timeout", "code": 2}}]}]},
  {"resource": {"attributes": [
     {"key": "service.name", "value": {"stringValue": "gateway"}},
     {"key": "service.namespace", "value": {"stringValue": "meshsim"}},
     {"key": "meshsim.scenario", "value": {"stringValue": "tiny"}},
     {"key": "meshsim.seed", "value": {"intValue": "7"}},
     {"key": "meshsim.engine", "value": {"stringValue": "fast"}}]},
   "scopeSpans": [{"scope": {"name": "meshsim"}, "spans": [
     {"traceId": "1b4c1de5e260702b76c8dfde72051210", "spanId": "d59556bdc285243f",
      "parentSpanId": "de24b61524a847c9", "name": "serve gateway", "kind": 2,
      "startTimeUnixNano": "1767225612535160000", "endTimeUnixNano": "1767225612535160000",
      "attributes": [
        {"key": "meshsim.instance", "value": {"intValue": "1"}},
        {"key": "meshsim.incomplete", "value": {"boolValue": true}}]}]}]}
]})";

// Every field where `actual` differs from `expected` (missing, extra, other value), by path.
// Values compare as JSON text: 3 parsed (unsigned) and 3 computed (signed) are the same field.
void differences(const Json& actual,
                 const Json& expected,
                 const std::string& path,
                 std::vector<std::string>& out)
{
    if (expected.is_object() && actual.is_object()) {
        for (const auto& [key, value] : expected.items()) {
            if (!actual.contains(key))
                out.push_back(path + "/" + key + ": missing");
            else
                differences(actual[key], value, path + "/" + key, out);
        }
        for (const auto& [key, value] : actual.items())
            if (!expected.contains(key))
                out.push_back(path + "/" + key + ": unexpected " + value.dump());
    } else if (expected.is_array() && actual.is_array()) {
        if (actual.size() != expected.size())
            out.push_back(path + ": " + std::to_string(actual.size()) + " entries, expected "
                          + std::to_string(expected.size()));
        for (std::size_t i = 0; i < std::min(actual.size(), expected.size()); ++i)
            differences(actual[i], expected[i], path + "/" + std::to_string(i), out);
    } else if (actual.dump() != expected.dump()) {
        out.push_back(path + ": " + actual.dump() + ", expected " + expected.dump());
    }
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string text;
    for (const std::string& line : lines)
        text += "\n  " + line;
    return text;
}

// `n` lowercase hex digits, not all zero: an OTLP/JSON id.
bool isId(const Json& value, std::size_t n)
{
    if (!value.is_string())
        return false;
    const auto& text = value.get_ref<const std::string&>();
    return text.size() == n && text.find_first_not_of("0123456789abcdef") == std::string::npos
           && text.find_first_not_of('0') != std::string::npos;
}

bool isDecimal(const Json& value)
{
    if (!value.is_string())
        return false;
    const auto& text = value.get_ref<const std::string&>();
    return !text.empty() && text.size() <= 20
           && text.find_first_not_of("0123456789") == std::string::npos;
}

// The value of attribute `key` (an AnyValue), or null.
const Json* attributeValue(const Json& attributes, const std::string& key)
{
    for (const Json& a : attributes)
        if (a["key"] == key)
            return &a["value"];
    return nullptr;
}

// The service whose resource a span of results.json belongs to.
std::string serviceOf(const std::string& name)
{
    if (name.starts_with("client "))
        return "client";
    if (name.starts_with("call "))
        return name.substr(5, name.find(" -> ") - 5);
    return name.substr(0, name.rfind('/'));
}

Json bookstoreResults()
{
    auto loaded = topologies::loadScenario("builtin:bookstore");
    if (!loaded.ok())
        return {};
    // 2% of the requests (by default 0.1%, at most 50): enough traces that failed calls and
    // response flags are among them.
    loaded.scenario->system.traces.sampleFraction = 0.02;
    loaded.scenario->system.traces.maxTraces = 10'000;
    run::RunOptions options;
    options.engine = models::EngineKind::Fast;
    return run::resultsToJson(run::runScenario(*loaded.scenario, options), 0.0);
}

} // namespace

class TestOtlp : public QObject
{
    Q_OBJECT

private slots:
    void handMadeTrace()
    {
        const Json otlp = run::tracesToOtlp(Json::parse(kTinyResults));
        std::vector<std::string> diffs;
        differences(otlp, Json::parse(kTinyOtlp), "", diffs);
        QVERIFY2(diffs.empty(), joined(diffs).c_str());
        QCOMPARE(otlp.dump(), Json::parse(kTinyOtlp).dump()); // the key order too

        QCOMPARE(run::otlpTraceId(7, 12), std::string("1b4c1de5e260702b76c8dfde72051210"));
        QCOMPARE(run::otlpSpanId(7, 12, 2), std::string("d59556bdc285243f"));
    }

    void options()
    {
        run::OtlpOptions options;
        options.epochUnixNanos = 0;
        options.serviceNamespace = "shop";
        options.scopeVersion = "1.2.3";
        const Json otlp = run::tracesToOtlp(Json::parse(kTinyResults), options);
        const Json& client = otlp["resourceSpans"][0];
        QCOMPARE(client["resource"]["attributes"][1]["value"]["stringValue"].get<std::string>(),
                 std::string("shop"));
        QCOMPARE(client["scopeSpans"][0]["scope"].dump(),
                 std::string(R"({"name":"meshsim","version":"1.2.3"})"));
        const Json& root = client["scopeSpans"][0]["spans"][0];
        QCOMPARE(root["startTimeUnixNano"].get<std::string>(), std::string("12500000000"));
        QCOMPARE(root["endTimeUnixNano"].get<std::string>(), std::string("12571690000"));
    }

    void noTraces()
    {
        QCOMPARE(run::tracesToOtlp(Json::parse(R"({"seed": 1, "traces": []})")).dump(),
                 std::string(R"({"resourceSpans":[]})"));
        QCOMPARE(run::tracesToOtlp(Json::object()).dump(), std::string(R"({"resourceSpans":[]})"));
    }

    void realRun()
    {
        const Json results = bookstoreResults();
        QVERIFY(results.contains("traces"));
        const Json otlp = run::tracesToOtlp(results);
        const auto seed = results["seed"].get<std::uint64_t>();

        // Resources: one per service, sorted, each naming it.
        struct Placed
        {
            const Json* span;
            std::string service;
            int seen = 0;
        };
        std::map<std::pair<std::string, std::string>, Placed> spans; // by (traceId, spanId)
        std::string previous;
        for (const Json& resource : otlp["resourceSpans"]) {
            const Json* name = attributeValue(resource["resource"]["attributes"], "service.name");
            QVERIFY(name && (*name)["stringValue"].is_string());
            const auto service = (*name)["stringValue"].get<std::string>();
            QVERIFY2(service > previous,
                     ("resources not one per service, sorted: " + service).c_str());
            previous = service;
            QCOMPARE(resource["scopeSpans"].size(), std::size_t{1});
            QCOMPARE(resource["scopeSpans"][0]["scope"]["name"].get<std::string>(),
                     std::string("meshsim"));
            for (const Json& span : resource["scopeSpans"][0]["spans"]) {
                QVERIFY2(isId(span["traceId"], 32), span.dump().c_str());
                QVERIFY2(isId(span["spanId"], 16), span.dump().c_str());
                QVERIFY2(!span.contains("parentSpanId") || isId(span["parentSpanId"], 16),
                         span.dump().c_str());
                QVERIFY2(isDecimal(span["startTimeUnixNano"]) && isDecimal(span["endTimeUnixNano"]),
                         span.dump().c_str());
                QVERIFY2(std::stoll(span["endTimeUnixNano"].get<std::string>())
                             >= std::stoll(span["startTimeUnixNano"].get<std::string>()),
                         span.dump().c_str());
                const bool added = spans
                                       .emplace(std::pair(span["traceId"].get<std::string>(),
                                                          span["spanId"].get<std::string>()),
                                                Placed{&span, service})
                                       .second;
                QVERIFY2(added, ("span id used twice in a trace: " + span.dump()).c_str());
            }
        }

        // Every span of the input, once, where it belongs.
        std::size_t inputSpans = 0;
        std::size_t failed = 0;
        std::size_t flagged = 0;
        std::set<std::string> traceIds;
        for (const Json& trace : results["traces"]) {
            const auto request = trace["request"].get<std::uint64_t>();
            const std::string traceId = run::otlpTraceId(seed, request);
            QVERIFY2(traceIds.insert(traceId).second, "two traces share a traceId");
            for (const Json& in : trace["spans"]) {
                ++inputSpans;
                const auto id = in["id"].get<std::uint64_t>();
                const auto found = spans.find({traceId, run::otlpSpanId(seed, request, id)});
                QVERIFY2(found != spans.end(), ("missing: " + in.dump()).c_str());
                Placed& placed = found->second;
                QCOMPARE(++placed.seen, 1);
                const Json& out = *placed.span;
                const auto name = in["name"].get<std::string>();
                QCOMPARE(placed.service, serviceOf(name));

                const auto parent = in["parent"].get<std::int64_t>();
                if (parent < 0) {
                    QVERIFY2(!out.contains("parentSpanId"), out.dump().c_str());
                } else {
                    const std::string parentId
                        = run::otlpSpanId(seed, request, static_cast<std::uint64_t>(parent));
                    QVERIFY2(out.contains("parentSpanId"), out.dump().c_str());
                    QCOMPARE(out["parentSpanId"].get<std::string>(), parentId);
                    QVERIFY(spans.count({traceId, parentId}) == 1);
                }

                // The default epoch, the trace's start and the span's offset and duration, in
                // whole nanoseconds.
                const std::int64_t start
                    = run::OtlpOptions{}.epochUnixNanos
                      + std::llround(trace["start_seconds"].get<double>() * 1e9)
                      + std::llround(in["start_ms"].get<double>() * 1e6);
                const std::int64_t end
                    = in["duration_ms"].is_null()
                          ? start
                          : start + std::llround(in["duration_ms"].get<double>() * 1e6);
                QCOMPARE(out["startTimeUnixNano"].get<std::string>(), std::to_string(start));
                QCOMPARE(out["endTimeUnixNano"].get<std::string>(), std::to_string(end));

                const auto outcome = in["outcome"].get<std::string>();
                if (outcome == "ok") {
                    QVERIFY2(!out.contains("status"), out.dump().c_str());
                } else {
                    ++failed;
                    QCOMPARE(out["status"]["code"].get<int>(), 2);
                    QCOMPARE(out["status"]["message"].get<std::string>(), outcome);
                }

                const auto flags = in["flags"].get<std::string>();
                const Json* outFlags = attributeValue(out["attributes"], "envoy.response_flags");
                if (flags == "-") {
                    QVERIFY2(!outFlags, out.dump().c_str());
                } else {
                    ++flagged;
                    QVERIFY2(outFlags, out.dump().c_str());
                    QCOMPARE((*outFlags)["stringValue"].get<std::string>(), flags);
                }
                QCOMPARE(attributeValue(out["attributes"], "meshsim.incomplete") != nullptr,
                         in["duration_ms"].is_null());
            }
        }
        QCOMPARE(spans.size(), inputSpans); // and nothing else
        QVERIFY2(results["traces"].size() > 500, "too few traces to mean much");
        QVERIFY2(failed > 0 && flagged > 0, "no failed or flagged span: the checks did not bite");

        if (const char* path = std::getenv("MESHSIM_OTLP_OUT")) {
            std::ofstream file(path);
            file << otlp.dump() << '\n';
            QVERIFY2(file.good(), path);
        }
    }

    void deterministic()
    {
        const Json results = bookstoreResults();
        const std::string once = run::tracesToOtlp(results).dump();
        QCOMPARE(run::tracesToOtlp(results).dump(), once);
        // Read back from the text of results.json, as a command reading the file would.
        QCOMPARE(run::tracesToOtlp(Json::parse(results.dump(2))).dump(), once);
    }
};

QTEST_GUILESS_MAIN(TestOtlp)
#include "tst_otlp.moc"
