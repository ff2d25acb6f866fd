#include "report/csv_export.h"

#include "engine/core/assert.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

namespace meshsim::report {

namespace {

using Json = nlohmann::ordered_json;

const Json& nullJson()
{
    static const Json kNull;
    return kNull;
}

// Read-only lookups that give null for what is not there (a const operator[] on a missing key is
// undefined behaviour in nlohmann::json), so that a results.json of an older meshsim, or one with
// keys missing, still exports with empty fields.
const Json& field(const Json& j, const char* key)
{
    if (!j.is_object())
        return nullJson();
    const auto it = j.find(key);
    return it != j.end() ? *it : nullJson();
}

const Json& element(const Json& j, std::size_t i)
{
    return j.is_array() && i < j.size() ? j[i] : nullJson();
}

// A JSON value as a field: a number exactly as the JSON documents write it (dump() is the same
// serializer that wrote them, so the text reads back as the same double), booleans as
// true/false, null (and anything that is not a scalar) as an empty field.
std::string cell(const Json& v)
{
    if (v.is_number_float() && !std::isfinite(v.get<double>()))
        return {}; // dump() would write null
    if (v.is_number())
        return v.dump();
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_string())
        return v.get<std::string>();
    return {};
}

// A number computed here, written as nlohmann::json writes it.
std::string number(double x)
{
    return std::isfinite(x) ? Json(x).dump() : std::string();
}

std::string integer(std::size_t x)
{
    return Json(x).dump();
}

// The label of a design named by its index in the summary.
std::string designLabel(const ReportData& data, const Json& index)
{
    return index.is_number_integer() && index.get<std::int64_t>() >= 0
               ? data.label(index.get<std::size_t>())
               : std::string();
}

class Table
{
public:
    explicit Table(std::vector<std::string> header)
        : m_columns(header.size())
    {
        append(header);
    }
    void add(const std::vector<std::string>& row)
    {
        MESHSIM_ASSERT(row.size() == m_columns, "a CSV row has as many fields as its header");
        append(row);
    }
    std::string text() const { return m_text; }

private:
    void append(const std::vector<std::string>& fields)
    {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i > 0)
                m_text += ',';
            m_text += csvField(fields[i]);
        }
        m_text += '\n';
    }

    std::size_t m_columns;
    std::string m_text;
};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The swept axes: header names and a point's values.
std::vector<std::string> axisNames(const run::Plan& plan)
{
    std::vector<std::string> out;
    for (const run::Axis& a : plan.axes)
        out.push_back(a.path);
    return out;
}

std::vector<std::string> axisValues(const run::Plan& plan, std::size_t point)
{
    std::vector<std::string> out;
    for (const topologies::Override& o : plan.settings(point))
        out.push_back(o.value);
    return out;
}

// The runs that both exist and belong to the plan, with the key columns of each.
struct RunKey
{
    std::size_t index = 0;
    const Json* results = nullptr;
    std::vector<std::string> fields; // run, design, axes..., replication, seed
};

std::vector<std::string> keyHeader(const run::Plan& plan)
{
    return concat(concat({"run", "design"}, axisNames(plan)), {"replication", "seed"});
}

std::vector<RunKey> runKeys(const ReportData& data)
{
    std::vector<RunKey> out;
    if (data.plan.designs.empty() || data.plan.replications == 0)
        return out;
    const std::size_t count = std::min(data.runs.size(), data.plan.runCount());
    for (std::size_t i = 0; i < count; ++i) {
        const run::RunSpec spec = data.plan.run(i);
        const Json& results = data.runs[i];
        // The seed the run itself reports (fromRuns keeps each run's own seed).
        const Json& seed = field(results, "seed");
        RunKey key;
        key.index = i;
        key.results = &results;
        key.fields
            = concat({integer(i), data.label(spec.design)}, axisValues(data.plan, spec.point));
        key.fields.push_back(integer(spec.replication + std::size_t{1}));
        key.fields.push_back(seed.is_number() ? cell(seed) : Json(spec.seed).dump());
        out.push_back(std::move(key));
    }
    return out;
}

// Latency columns of a request block (results.json): all requests, then the successful ones.
const std::vector<std::string> kLatencyColumns = {"latency_mean_ms",
                                                  "latency_p50_ms",
                                                  "latency_p90_ms",
                                                  "latency_p95_ms",
                                                  "latency_p99_ms",
                                                  "latency_p999_ms",
                                                  "latency_max_ms",
                                                  "ok_latency_mean_ms",
                                                  "ok_latency_p99_ms"};

std::vector<std::string> latencyFields(const Json& block)
{
    std::vector<std::string> out;
    const Json& all = field(block, "latency_ms");
    for (const char* p : {"mean", "p50", "p90", "p95", "p99", "p999", "max"})
        out.push_back(cell(field(all, p)));
    const Json& ok = field(block, "latency_ok_ms");
    for (const char* p : {"mean", "p99"})
        out.push_back(cell(field(ok, p)));
    return out;
}

// requests, ok, error_rate, throughput_rps, goodput_rps, then the latencies.
const std::vector<std::string> kRequestColumns
    = concat({"requests", "ok", "error_rate", "throughput_rps", "goodput_rps"}, kLatencyColumns);

std::vector<std::string> requestFields(const Json& block)
{
    std::vector<std::string> out;
    for (const char* key : {"requests", "ok", "error_rate", "throughput_rps", "goodput_rps"})
        out.push_back(cell(field(block, key)));
    return concat(out, latencyFields(block));
}

CsvFile summaryCsv(const ReportData& data)
{
    Table t(concat(concat({"design"}, axisNames(data.plan)),
                   {"metric", "unit", "mean", "ci95_low", "ci95_high", "sd", "n"}));
    const Json& points = field(data.summary, "points");
    for (std::size_t p = 0; p < points.size() && p < data.plan.points(); ++p) {
        for (const Json& row : field(points[p], "designs")) {
            const std::string label = designLabel(data, field(row, "design"));
            for (const auto& [name, e] : field(row, "metrics").items()) {
                const Json& ci = field(e, "ci95");
                t.add(concat(concat({label}, axisValues(data.plan, p)),
                             {name,
                              run::metricInfo(name).unit,
                              cell(field(e, "mean")),
                              cell(element(ci, 0)),
                              cell(element(ci, 1)),
                              cell(field(e, "sd")),
                              cell(field(e, "n"))}));
            }
        }
    }
    return {"summary.csv", t.text()};
}

CsvFile comparisonsCsv(const ReportData& data)
{
    Table t(concat(concat({"baseline", "contender"}, axisNames(data.plan)),
                   {"metric",
                    "baseline_mean",
                    "contender_mean",
                    "difference",
                    "ci95_low",
                    "ci95_high",
                    "percent",
                    "significant",
                    "variance_ratio"}));
    const Json& points = field(data.summary, "points");
    for (std::size_t p = 0; p < points.size() && p < data.plan.points(); ++p) {
        for (const Json& c : field(points[p], "comparisons")) {
            const std::vector<std::string> head = concat(
                {designLabel(data, field(c, "baseline")), designLabel(data, field(c, "contender"))},
                axisValues(data.plan, p));
            for (const auto& [name, diff] : field(c, "metrics").items()) {
                const Json& ci = field(diff, "ci95");
                t.add(concat(head,
                             {name,
                              cell(field(diff, "baseline")),
                              cell(field(diff, "contender")),
                              cell(field(diff, "difference")),
                              cell(element(ci, 0)),
                              cell(element(ci, 1)),
                              cell(field(diff, "percent")),
                              cell(field(diff, "significant")),
                              cell(field(diff, "variance_ratio"))}));
            }
        }
    }
    return {"comparisons.csv", t.text()};
}

CsvFile runsCsv(const ReportData& data, const std::vector<RunKey>& keys)
{
    Table t(
        concat(concat(concat(keyHeader(data.plan),
                             {"offered_rps", "throughput_rps", "goodput_rps", "error_rate"}),
                      kLatencyColumns),
               {"sent", "requests", "ok", "proxy_vcpu", "proxy_vcpu_per_1000_rps", "slo_pass"}));
    for (const RunKey& key : keys) {
        const Json& r = *key.results;
        const Json& s = field(r, "summary");
        const Json& sent = field(s, "sent");
        const Json& measured = field(r, "measured_seconds");
        // Offered load as the summary computes it (run/experiment.cpp): sent / measured seconds.
        std::string offered;
        if (sent.is_number() && measured.is_number() && measured.get<double>() > 0.0)
            offered = number(sent.get<double>() / measured.get<double>());
        std::vector<std::string> row = key.fields;
        row.push_back(offered);
        for (const char* k : {"throughput_rps", "goodput_rps", "error_rate"})
            row.push_back(cell(field(s, k)));
        row = concat(row, latencyFields(s));
        for (const char* k : {"sent", "requests", "ok"})
            row.push_back(cell(field(s, k)));
        const Json& proxies = field(r, "proxies");
        row.push_back(cell(field(proxies, "total_vcpu")));
        row.push_back(cell(field(proxies, "vcpu_per_1000_rps")));
        row.push_back(cell(field(field(r, "slo"), "pass")));
        t.add(row);
    }
    return {"runs.csv", t.text()};
}

CsvFile timeseriesCsv(const ReportData& data, const std::vector<RunKey>& keys)
{
    static const char* const kColumns[] = {"start_seconds",
                                           "sent",
                                           "ok",
                                           "errors",
                                           "latency_ms_mean",
                                           "latency_ms_p50",
                                           "latency_ms_p99"};
    std::vector<std::string> header = keyHeader(data.plan);
    header.insert(header.end(), std::begin(kColumns), std::end(kColumns));
    Table t(header);
    for (const RunKey& key : keys) {
        const Json& windows = field(*key.results, "windows");
        const Json& start = field(windows, "start_seconds");
        const std::size_t count = start.is_array() ? start.size() : 0;
        for (std::size_t w = 0; w < count; ++w) {
            std::vector<std::string> row = key.fields;
            for (const char* column : kColumns)
                row.push_back(cell(element(field(windows, column), w)));
            t.add(row);
        }
    }
    return {"timeseries.csv", t.text()};
}

CsvFile routesCsv(const ReportData& data, const std::vector<RunKey>& keys)
{
    Table t(concat(concat(keyHeader(data.plan), {"path"}), kRequestColumns));
    for (const RunKey& key : keys)
        for (const Json& route : field(*key.results, "routes"))
            t.add(concat(concat(key.fields, {cell(field(route, "path"))}), requestFields(route)));
    return {"routes.csv", t.text()};
}

CsvFile servicesCsv(const ReportData& data, const std::vector<RunKey>& keys)
{
    Table t(concat(concat(concat(keyHeader(data.plan), {"name", "kind"}), kRequestColumns),
                   {"dependency_failures"}));
    for (const RunKey& key : keys)
        for (const Json& service : field(*key.results, "services"))
            t.add(
                concat(concat(concat(key.fields,
                                     {cell(field(service, "name")), cell(field(service, "kind"))}),
                              requestFields(service)),
                       {cell(field(service, "dependency_failures"))}));
    return {"services.csv", t.text()};
}

CsvFile edgesCsv(const ReportData& data, const std::vector<RunKey>& keys)
{
    // A column per cause and flag that occurs in any run, so that every row has the same columns.
    std::set<std::string> causes, flags;
    for (const RunKey& key : keys)
        for (const Json& edge : field(*key.results, "edges")) {
            for (const auto& [cause, n] : field(edge, "errors").items())
                causes.insert(cause);
            for (const auto& [flag, n] : field(edge, "flags").items())
                flags.insert(flag);
        }
    std::vector<std::string> header
        = concat(keyHeader(data.plan), {"from", "to", "requests", "attempts", "retries"});
    for (const std::string& cause : causes)
        header.push_back("errors." + cause);
    for (const std::string& flag : flags)
        header.push_back("flags." + flag);
    Table t(header);
    const auto countOf = [](const Json& counts, const std::string& name) {
        const Json& n = field(counts, name.c_str());
        return n.is_number() ? cell(n) : std::string("0");
    };
    for (const RunKey& key : keys)
        for (const Json& edge : field(*key.results, "edges")) {
            std::vector<std::string> row = key.fields;
            for (const char* k : {"from", "to", "requests", "attempts", "retries"})
                row.push_back(cell(field(edge, k)));
            for (const std::string& cause : causes)
                row.push_back(countOf(field(edge, "errors"), cause));
            for (const std::string& flag : flags)
                row.push_back(countOf(field(edge, "flags"), flag));
            t.add(row);
        }
    return {"edges.csv", t.text()};
}

CsvFile errorsCsv(const ReportData& data, const std::vector<RunKey>& keys)
{
    Table t(concat(keyHeader(data.plan), {"cause", "count", "share"}));
    for (const RunKey& key : keys) {
        const Json& s = field(*key.results, "summary");
        const Json& requests = field(s, "requests");
        for (const auto& [cause, count] : field(s, "errors").items()) {
            std::string share;
            if (count.is_number() && requests.is_number() && requests.get<double>() > 0.0)
                share = number(count.get<double>() / requests.get<double>());
            t.add(concat(key.fields, {cause, cell(count), share}));
        }
    }
    return {"errors.csv", t.text()};
}

} // namespace

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::vector<CsvFile> csvFiles(const ReportData& data)
{
    const std::vector<RunKey> keys = runKeys(data);
    return {summaryCsv(data),
            comparisonsCsv(data),
            runsCsv(data, keys),
            timeseriesCsv(data, keys),
            routesCsv(data, keys),
            servicesCsv(data, keys),
            edgesCsv(data, keys),
            errorsCsv(data, keys)};
}

} // namespace meshsim::report
