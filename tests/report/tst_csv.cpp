// CSV export (report/csv_export.h): a small experiment (builtin:bookstore behind a gateway and in
// a mesh, two arrival rates, two replications of 15 s on the fast platform) exported, then read
// back with an RFC 4180 reader of its own: the documented headers, one row per run, window,
// route, service, edge and error cause, and every number equal bit for bit to the value in the
// runs' results.json or in the experiment's summary.

#include "report/csv_export.h"
#include "run/results_json.h"
#include "run/simulation.h"
#include "topologies/overrides.h"

#include <QTest>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>

using namespace meshsim;

namespace {

using Json = nlohmann::ordered_json;

const std::string kQuotedLabel = "a \"quoted\", label";

// A CSV file read back: its header and rows, or why it is not RFC 4180 as the export promises
// (a header row, every line ending in "\n", every row as wide as the header).
struct Csv
{
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::string error;

    std::size_t column(const std::string& name) const
    {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name)
                return i;
        return header.size();
    }
    std::string at(std::size_t row, const std::string& name) const
    {
        const std::size_t c = column(name);
        return c < header.size() ? rows[row][c] : "<no column " + name + ">";
    }
};

Csv readCsv(const std::string& text)
{
    Csv csv;
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    std::size_t i = 0;
    while (i < text.size()) {
        // One field: quoted ("" is a quote) or plain (no quote, comma or line break inside).
        if (text[i] == '"') {
            for (++i;; ++i) {
                if (i >= text.size()) {
                    csv.error = "an unterminated quoted field";
                    return csv;
                }
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i];
            }
        } else {
            while (i < text.size() && text[i] != ',' && text[i] != '\n') {
                if (text[i] == '"' || text[i] == '\r') {
                    csv.error = "a quote or CR in an unquoted field";
                    return csv;
                }
                field += text[i++];
            }
        }
        record.push_back(std::move(field));
        field.clear();
        if (i >= text.size()) {
            csv.error = "the last line does not end in \\n";
            return csv;
        }
        if (text[i] == '\n') {
            records.push_back(std::move(record));
            record.clear();
        } else if (text[i] != ',') {
            csv.error = "text after a closing quote";
            return csv;
        }
        ++i;
    }
    if (records.empty()) {
        csv.error = "no header row";
        return csv;
    }
    csv.header = records.front();
    csv.rows.assign(records.begin() + 1, records.end());
    for (const auto& r : csv.rows)
        if (r.size() != csv.header.size())
            csv.error = "a row of " + std::to_string(r.size()) + " fields under a header of "
                        + std::to_string(csv.header.size());
    return csv;
}

bool sameBits(double a, double b)
{
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// Empty when `text` is how the export writes `value`, else what differs: a number as
// nlohmann::json dumps it, reading back (std::from_chars) as the same double bit for bit, integers
// without a decimal point; booleans true/false; null empty.
std::string mismatch(const std::string& text, const Json& value)
{
    if (value.is_null())
        return text.empty() ? "" : "expected an empty field, got '" + text + "'";
    if (value.is_boolean())
        return text == (value.get<bool>() ? "true" : "false")
                   ? ""
                   : "expected " + value.dump() + ", got '" + text + "'";
    if (value.is_string())
        return text == value.get<std::string>()
                   ? ""
                   : "expected '" + value.get<std::string>() + "', got '" + text + "'";
    if (!value.is_number())
        return "not a scalar: " + value.dump();
    if (text != value.dump())
        return "expected " + value.dump() + ", got '" + text + "'";
    if (value.is_number_integer() && text.find_first_of(".eE") != std::string::npos)
        return "the integer " + value.dump() + " written as " + text;
    double parsed = 0.0; // from_chars: the C syntax whatever the locale (CI runs a German one)
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || end != text.data() + text.size()
        || !sameBits(parsed, value.get<double>()))
        return "'" + text + "' does not read back as " + value.dump();
    return {};
}

// The same for a number the export computes (offered load, share of errors).
std::string mismatch(const std::string& text, double computed)
{
    double parsed = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()
        || !sameBits(parsed, computed))
        return "'" + text + "' does not read back as " + Json(computed).dump();
    return text == Json(computed).dump() ? "" : "'" + text + "' is not " + Json(computed).dump();
}

#define COMPARE_FIELD(text, value, where)                                                          \
    do {                                                                                           \
        const std::string why = mismatch(text, value);                                             \
        QVERIFY2(why.empty(), (std::string(where) + ": " + why).c_str());                          \
    } while (false)

// checkKeys() of the test, returning from the test function when it failed.
#define CHECK_KEYS(csv, row, index)                                                                \
    do {                                                                                           \
        checkKeys(csv, row, index);                                                                \
        if (QTest::currentTestFailed())                                                            \
            return;                                                                                \
    } while (false)

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

const char* const kAxis = "workloads[0].arrival.rate";

const std::vector<std::string> kKeys = {"run", "design", kAxis, "replication", "seed"};
const std::vector<std::string> kLatencies = {"latency_mean_ms",
                                             "latency_p50_ms",
                                             "latency_p90_ms",
                                             "latency_p95_ms",
                                             "latency_p99_ms",
                                             "latency_p999_ms",
                                             "latency_max_ms",
                                             "ok_latency_mean_ms",
                                             "ok_latency_p99_ms"};
// Where a latency column's value is in a request block of results.json.
const std::vector<std::string> kLatencyPointers = {"/latency_ms/mean",
                                                   "/latency_ms/p50",
                                                   "/latency_ms/p90",
                                                   "/latency_ms/p95",
                                                   "/latency_ms/p99",
                                                   "/latency_ms/p999",
                                                   "/latency_ms/max",
                                                   "/latency_ok_ms/mean",
                                                   "/latency_ok_ms/p99"};
const std::vector<std::string> kRequestColumns
    = concat({"requests", "ok", "error_rate", "throughput_rps", "goodput_rps"}, kLatencies);
const std::vector<std::string> kRequestPointers = concat(
    {"/requests", "/ok", "/error_rate", "/throughput_rps", "/goodput_rps"}, kLatencyPointers);

const Json& at(const Json& j, const std::string& pointer)
{
    return j.at(Json::json_pointer(pointer));
}

} // namespace

class TestCsv : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_plan.kind = "sweep";
        m_plan.designs = {{"gateway", "builtin:bookstore", "gateway"},
                          {kQuotedLabel, "builtin:bookstore", "mesh"}};
        m_plan.axes = {{kAxis, {"300/s", "600/s"}}};
        m_plan.replications = 2;
        m_plan.baseSeed = 42;
        m_plan.engine = "fast";
        m_plan.duration = "15s";
        m_plan.scenarioTexts = {"", ""};
        std::vector<Json> runs;
        for (std::size_t i = 0; i < m_plan.runCount(); ++i) {
            const run::RunSpec spec = m_plan.run(i);
            auto loaded = topologies::loadScenarioWithOverrides(
                m_plan.designs[spec.design].scenario, spec.overrides);
            QVERIFY2(loaded.ok(),
                     loaded.diagnostics.empty() ? "not loaded"
                                                : loaded.diagnostics.front().format().c_str());
            run::RunOptions options;
            options.seed = spec.seed;
            options.engine = models::EngineKind::Fast;
            options.duration = engine::SimDuration{15'000'000'000};
            runs.push_back(run::resultsToJson(run::runScenario(*loaded.scenario, options), 0.0));
        }
        m_data = report::fromExperiment(m_plan, std::move(runs));
        for (const report::CsvFile& f : report::csvFiles(m_data)) {
            m_text[f.name] = f.text;
            m_csv[f.name] = readCsv(f.text);
        }
    }

    void filesAreRfc4180()
    {
        const std::vector<std::string> names = {"summary.csv",
                                                "comparisons.csv",
                                                "runs.csv",
                                                "timeseries.csv",
                                                "routes.csv",
                                                "services.csv",
                                                "edges.csv",
                                                "errors.csv"};
        std::vector<std::string> got;
        for (const report::CsvFile& f : report::csvFiles(m_data))
            got.push_back(f.name);
        QVERIFY(got == names);
        for (const std::string& name : names) {
            const Csv& csv = m_csv.at(name);
            QVERIFY2(csv.error.empty(), (name + ": " + csv.error).c_str());
            QVERIFY2(!csv.rows.empty(), (name + " has no rows").c_str());
            QVERIFY2(m_text.at(name).find('\r') == std::string::npos, name.c_str());
        }
    }

    void headers()
    {
        const std::map<std::string, std::vector<std::string>> expected = {
            {"summary.csv",
             {"design", kAxis, "metric", "unit", "mean", "ci95_low", "ci95_high", "sd", "n"}},
            {"comparisons.csv",
             {"baseline",
              "contender",
              kAxis,
              "metric",
              "baseline_mean",
              "contender_mean",
              "difference",
              "ci95_low",
              "ci95_high",
              "percent",
              "significant",
              "variance_ratio"}},
            {"runs.csv",
             concat(
                 concat(
                     concat(kKeys, {"offered_rps", "throughput_rps", "goodput_rps", "error_rate"}),
                     kLatencies),
                 {"sent", "requests", "ok", "proxy_vcpu", "proxy_vcpu_per_1000_rps", "slo_pass"})},
            {"timeseries.csv",
             concat(kKeys,
                    {"start_seconds",
                     "sent",
                     "ok",
                     "errors",
                     "latency_ms_mean",
                     "latency_ms_p50",
                     "latency_ms_p99"})},
            {"routes.csv", concat(concat(kKeys, {"path"}), kRequestColumns)},
            {"services.csv",
             concat(concat(concat(kKeys, {"name", "kind"}), kRequestColumns),
                    {"dependency_failures"})},
            {"errors.csv", concat(kKeys, {"cause", "count", "share"})},
        };
        for (const auto& [name, header] : expected)
            QVERIFY2(m_csv.at(name).header == header, name.c_str());
        // edges.csv: a column per cause and flag of any run's edges, sorted by name.
        std::set<std::string> causes, flags;
        for (const Json& r : m_data.runs)
            for (const Json& e : r["edges"]) {
                for (const auto& [cause, n] : e["errors"].items())
                    causes.insert(cause);
                for (const auto& [flag, n] : e["flags"].items())
                    flags.insert(flag);
            }
        QVERIFY2(!causes.empty() && !flags.empty(), "the runs' edges carry errors and flags");
        std::vector<std::string> edges
            = concat(kKeys, {"from", "to", "requests", "attempts", "retries"});
        for (const std::string& c : causes)
            edges.push_back("errors." + c);
        for (const std::string& f : flags)
            edges.push_back("flags." + f);
        QVERIFY(m_csv.at("edges.csv").header == edges);
    }

    void summary()
    {
        const Csv& csv = m_csv.at("summary.csv");
        std::size_t row = 0;
        for (std::size_t p = 0; p < m_plan.points(); ++p)
            for (const Json& d : m_data.summary["points"][p]["designs"])
                for (const auto& [metric, e] : d["metrics"].items()) {
                    QVERIFY(row < csv.rows.size());
                    const std::string where = "summary.csv row " + std::to_string(row);
                    QCOMPARE(csv.at(row, "design"), m_plan.designs[d["design"].get<int>()].label);
                    QCOMPARE(csv.at(row, kAxis), m_plan.axes[0].values[p]);
                    QCOMPARE(csv.at(row, "metric"), metric);
                    QCOMPARE(csv.at(row, "unit"), run::metricInfo(metric).unit);
                    COMPARE_FIELD(csv.at(row, "mean"), e["mean"], where);
                    COMPARE_FIELD(csv.at(row, "sd"), e["sd"], where);
                    COMPARE_FIELD(csv.at(row, "n"), e["n"], where);
                    // Two replications: every estimate has an interval.
                    QVERIFY(e["ci95"].is_array());
                    COMPARE_FIELD(csv.at(row, "ci95_low"), e["ci95"][0], where);
                    COMPARE_FIELD(csv.at(row, "ci95_high"), e["ci95"][1], where);
                    ++row;
                }
        QCOMPARE(csv.rows.size(), row);
        QCOMPARE(csv.at(0, "n"), std::string("2"));
    }

    void comparisons()
    {
        const Csv& csv = m_csv.at("comparisons.csv");
        std::size_t row = 0;
        for (std::size_t p = 0; p < m_plan.points(); ++p)
            for (const Json& c : m_data.summary["points"][p]["comparisons"])
                for (const auto& [metric, diff] : c["metrics"].items()) {
                    QVERIFY(row < csv.rows.size());
                    const std::string where = "comparisons.csv row " + std::to_string(row);
                    QCOMPARE(csv.at(row, "baseline"), std::string("gateway"));
                    QCOMPARE(csv.at(row, "contender"), kQuotedLabel);
                    QCOMPARE(csv.at(row, kAxis), m_plan.axes[0].values[p]);
                    QCOMPARE(csv.at(row, "metric"), metric);
                    COMPARE_FIELD(csv.at(row, "baseline_mean"), diff["baseline"], where);
                    COMPARE_FIELD(csv.at(row, "contender_mean"), diff["contender"], where);
                    COMPARE_FIELD(csv.at(row, "difference"), diff["difference"], where);
                    COMPARE_FIELD(csv.at(row, "ci95_low"), diff["ci95"][0], where);
                    COMPARE_FIELD(csv.at(row, "ci95_high"), diff["ci95"][1], where);
                    COMPARE_FIELD(csv.at(row, "percent"), diff["percent"], where);
                    COMPARE_FIELD(csv.at(row, "significant"), diff["significant"], where);
                    COMPARE_FIELD(csv.at(row, "variance_ratio"), diff["variance_ratio"], where);
                    ++row;
                }
        QCOMPARE(csv.rows.size(), row);
        QVERIFY(row > 0);
    }

    void runs()
    {
        const Csv& csv = m_csv.at("runs.csv");
        QCOMPARE(csv.rows.size(), m_plan.runCount());
        const std::vector<std::string> columns = concat(
            concat({"throughput_rps", "goodput_rps", "error_rate"}, kLatencies),
            {"sent", "requests", "ok", "proxy_vcpu", "proxy_vcpu_per_1000_rps", "slo_pass"});
        const std::vector<std::string> pointers = concat(
            concat({"/summary/throughput_rps", "/summary/goodput_rps", "/summary/error_rate"},
                   [] {
                       std::vector<std::string> out;
                       for (const std::string& p : kLatencyPointers)
                           out.push_back("/summary" + p);
                       return out;
                   }()),
            {"/summary/sent",
             "/summary/requests",
             "/summary/ok",
             "/proxies/total_vcpu",
             "/proxies/vcpu_per_1000_rps",
             "/slo/pass"});
        for (std::size_t i = 0; i < csv.rows.size(); ++i) {
            CHECK_KEYS(csv, i, i);
            const Json& r = m_data.runs[i];
            const std::string where = "runs.csv row " + std::to_string(i);
            COMPARE_FIELD(csv.at(i, "offered_rps"),
                          r["summary"]["sent"].get<double>() / r["measured_seconds"].get<double>(),
                          where);
            for (std::size_t c = 0; c < columns.size(); ++c)
                COMPARE_FIELD(csv.at(i, columns[c]), at(r, pointers[c]), where + " " + columns[c]);
        }
        // Integers stay integers.
        QVERIFY(csv.at(0, "sent").find('.') == std::string::npos);
    }

    void timeseries()
    {
        const Csv& csv = m_csv.at("timeseries.csv");
        static const char* const kColumns[] = {"start_seconds",
                                               "sent",
                                               "ok",
                                               "errors",
                                               "latency_ms_mean",
                                               "latency_ms_p50",
                                               "latency_ms_p99"};
        std::size_t row = 0;
        for (std::size_t i = 0; i < m_data.runs.size(); ++i) {
            const Json& w = m_data.runs[i]["windows"];
            // 15 s in windows of 1 s.
            QCOMPARE(w["start_seconds"].size(), std::size_t(15));
            for (std::size_t k = 0; k < w["start_seconds"].size(); ++k) {
                QVERIFY(row < csv.rows.size());
                CHECK_KEYS(csv, row, i);
                for (const char* column : kColumns)
                    COMPARE_FIELD(csv.at(row, column),
                                  w[column][k],
                                  "timeseries.csv row " + std::to_string(row) + " " + column);
                ++row;
            }
        }
        QCOMPARE(csv.rows.size(), row);
    }

    void routesAndServices()
    {
        for (const std::string scope : {"routes", "services"}) {
            const Csv& csv = m_csv.at(scope + ".csv");
            std::size_t row = 0;
            for (std::size_t i = 0; i < m_data.runs.size(); ++i)
                for (const Json& item : m_data.runs[i][scope]) {
                    QVERIFY(row < csv.rows.size());
                    CHECK_KEYS(csv, row, i);
                    const std::string where = scope + ".csv row " + std::to_string(row);
                    if (scope == "routes") {
                        COMPARE_FIELD(csv.at(row, "path"), item["path"], where);
                    } else {
                        COMPARE_FIELD(csv.at(row, "name"), item["name"], where);
                        COMPARE_FIELD(csv.at(row, "kind"), item["kind"], where);
                        COMPARE_FIELD(
                            csv.at(row, "dependency_failures"), item["dependency_failures"], where);
                    }
                    for (std::size_t c = 0; c < kRequestColumns.size(); ++c)
                        COMPARE_FIELD(csv.at(row, kRequestColumns[c]),
                                      at(item, kRequestPointers[c]),
                                      where + " " + kRequestColumns[c]);
                    ++row;
                }
            QCOMPARE(csv.rows.size(), row);
        }
        // Three routes in each of the 8 runs; the gateway and the ingress are tiers of their own.
        QCOMPARE(m_csv.at("routes.csv").rows.size(), std::size_t(3 * 8));
        QCOMPARE(m_csv.at("services.csv").rows.size(), std::size_t(9 * 8));
    }

    void edges()
    {
        const Csv& csv = m_csv.at("edges.csv");
        std::size_t row = 0;
        for (std::size_t i = 0; i < m_data.runs.size(); ++i)
            for (const Json& e : m_data.runs[i]["edges"]) {
                QVERIFY(row < csv.rows.size());
                CHECK_KEYS(csv, row, i);
                const std::string where = "edges.csv row " + std::to_string(row);
                for (const char* k : {"from", "to", "requests", "attempts", "retries"})
                    COMPARE_FIELD(csv.at(row, k), e[k], where + " " + k);
                for (std::size_t c = 0; c < csv.header.size(); ++c) {
                    const std::string& name = csv.header[c];
                    if (!name.starts_with("errors.") && !name.starts_with("flags."))
                        continue;
                    const std::size_t dot = name.find('.');
                    const Json& counts = e[name.substr(0, dot)];
                    const std::string key = name.substr(dot + 1);
                    COMPARE_FIELD(csv.rows[row][c],
                                  counts.contains(key) ? counts[key] : Json(0),
                                  where + " " + name);
                }
                ++row;
            }
        QCOMPARE(csv.rows.size(), row);
    }

    void errors()
    {
        const Csv& csv = m_csv.at("errors.csv");
        std::size_t row = 0;
        for (std::size_t i = 0; i < m_data.runs.size(); ++i) {
            const Json& s = m_data.runs[i]["summary"];
            for (const auto& [cause, count] : s["errors"].items()) {
                QVERIFY(row < csv.rows.size());
                CHECK_KEYS(csv, row, i);
                const std::string where = "errors.csv row " + std::to_string(row);
                QCOMPARE(csv.at(row, "cause"), cause);
                COMPARE_FIELD(csv.at(row, "count"), count, where);
                COMPARE_FIELD(
                    csv.at(row, "share"), count.get<double>() / s["requests"].get<double>(), where);
                ++row;
            }
        }
        QCOMPARE(csv.rows.size(), row);
    }

    void quotedLabel()
    {
        // Quoted because of its comma, its quotes doubled; read back as written.
        const std::string quoted = "\"a \"\"quoted\"\", label\"";
        for (const char* name : {"summary.csv", "comparisons.csv", "runs.csv", "edges.csv"})
            QVERIFY2(m_text.at(name).find("," + quoted + ",") != std::string::npos
                         || m_text.at(name).find("\n" + quoted + ",") != std::string::npos,
                     name);
        const Csv& runs = m_csv.at("runs.csv");
        QCOMPARE(runs.at(m_plan.replications, "design"), kQuotedLabel);
        // An unquoted label stays unquoted.
        QVERIFY(m_text.at("runs.csv").find("\n0,gateway,300/s,1,42,") != std::string::npos);
    }

    void csvField_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "mesh"
                               << "mesh";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("comma") << "a,b"
                               << "\"a,b\"";
        QTest::newRow("quote") << "say \"hi\""
                               << "\"say \"\"hi\"\"\"";
        QTest::newRow("newline") << "a\nb"
                                 << "\"a\nb\"";
        QTest::newRow("carriage return") << "a\rb"
                                         << "\"a\rb\"";
        QTest::newRow("spaces kept") << " a "
                                     << " a ";
    }

    void csvField()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(report::csvField(text.toStdString())), expected);
    }

    void deterministic()
    {
        const std::vector<report::CsvFile> again = report::csvFiles(m_data);
        for (const report::CsvFile& f : again)
            QVERIFY2(f.text == m_text.at(f.name), f.name.c_str());
    }

    void singleRunWithoutAxes()
    {
        // One results.json (fromRuns): no axis columns, replication 1, the run's own seed.
        const report::ReportData one = report::fromRuns({m_data.runs[0]});
        std::map<std::string, Csv> csv;
        for (const report::CsvFile& f : report::csvFiles(one))
            csv[f.name] = readCsv(f.text);
        const Csv& runs = csv.at("runs.csv");
        QVERIFY(runs.error.empty());
        QCOMPARE(runs.rows.size(), std::size_t(1));
        QVERIFY(std::vector<std::string>(runs.header.begin(), runs.header.begin() + 4)
                == (std::vector<std::string>{"run", "design", "replication", "seed"}));
        QCOMPARE(runs.at(0, "replication"), std::string("1"));
        QCOMPARE(runs.at(0, "seed"), std::string("42"));
        // One replication: estimates without an interval (empty fields).
        const Csv& summary = csv.at("summary.csv");
        QVERIFY(summary.error.empty());
        QVERIFY(!summary.rows.empty());
        QCOMPARE(summary.at(0, "n"), std::string("1"));
        QCOMPARE(summary.at(0, "ci95_low"), std::string());
        QCOMPARE(summary.at(0, "ci95_high"), std::string());
        // One design: no comparison rows, but the header.
        QVERIFY(csv.at("comparisons.csv").error.empty());
        QCOMPARE(csv.at("comparisons.csv").rows.size(), std::size_t(0));
        QCOMPARE(csv.at("comparisons.csv").header.front(), std::string("baseline"));
    }

    void missingValuesAreEmptyFields()
    {
        // Nothing at all: every file, each with its header only.
        const std::vector<report::CsvFile> none = report::csvFiles(report::ReportData{});
        QCOMPARE(none.size(), std::size_t(8));
        for (const report::CsvFile& f : none) {
            const Csv csv = readCsv(f.text);
            QVERIFY2(csv.error.empty(), f.name.c_str());
            QVERIFY2(!csv.header.empty() && csv.rows.empty(), f.name.c_str());
        }
        // A results.json that lacks most keys: a row of empty fields, not a crash.
        report::ReportData partial;
        partial.plan.designs = {{"x", "builtin:bookstore", std::nullopt}};
        partial.runs = {Json{{"seed", 7}, {"summary", {{"requests", 10}}}}};
        std::map<std::string, Csv> csv;
        for (const report::CsvFile& f : report::csvFiles(partial))
            csv[f.name] = readCsv(f.text);
        const Csv& runs = csv.at("runs.csv");
        QVERIFY(runs.error.empty());
        QCOMPARE(runs.rows.size(), std::size_t(1));
        QCOMPARE(runs.at(0, "seed"), std::string("7"));
        QCOMPARE(runs.at(0, "requests"), std::string("10"));
        QCOMPARE(runs.at(0, "offered_rps"), std::string());
        QCOMPARE(runs.at(0, "slo_pass"), std::string());
        QCOMPARE(csv.at("timeseries.csv").rows.size(), std::size_t(0));
    }

private:
    // The key columns of `row` name run `index` of the plan.
    void checkKeys(const Csv& csv, std::size_t row, std::size_t index)
    {
        const run::RunSpec spec = m_plan.run(index);
        QCOMPARE(csv.at(row, "run"), std::to_string(index));
        QCOMPARE(csv.at(row, "design"), m_plan.designs[spec.design].label);
        QCOMPARE(csv.at(row, kAxis), m_plan.axes[0].values[spec.point]);
        QCOMPARE(csv.at(row, "replication"), std::to_string(spec.replication + 1));
        COMPARE_FIELD(csv.at(row, "seed"), m_data.runs[index]["seed"], "seed");
        QCOMPARE(csv.at(row, "seed"), std::to_string(spec.seed));
    }

    run::Plan m_plan;
    report::ReportData m_data;
    std::map<std::string, std::string> m_text;
    std::map<std::string, Csv> m_csv;
};

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
