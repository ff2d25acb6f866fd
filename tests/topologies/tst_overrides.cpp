// Overrides (`--set KEY=VALUE`, `--architecture`): the text they write, what the loader then reads,
// and the clear refusals of paths that cannot be written.

#include "topologies/overrides.h"

#include <QTest>

using namespace meshsim::topologies;

namespace {

const std::string kText = "meshsim: 1\n"
                          "name: t\n"
                          "duration: 20s   # long enough\n"
                          "services:\n"
                          "  - name: web\n"
                          "    replicas: 2\n"
                          "    cpu: {dist: exponential, mean: 2ms}\n"
                          "    steps:\n"
                          "      - call: db\n"
                          "  - name: db\n"
                          "    cpu: 1ms\n"
                          "routes:\n"
                          "  - {path: /, to: web}\n"
                          "workloads:\n"
                          "  - name: users\n"
                          "    arrival: {process: poisson, rate: 10/s}\n";

std::string apply(const std::vector<Override>& overrides, std::string* error = nullptr)
{
    std::string e;
    const auto out = applyOverrides(kText, overrides, e);
    if (error)
        *error = e;
    return out ? *out : std::string();
}

} // namespace

class TestOverrides : public QObject
{
    Q_OBJECT

private slots:
    void parsesKeyEqualsValue()
    {
        std::string error;
        const auto o = parseOverride("workloads[0].arrival.rate=100/s", error);
        QVERIFY(o);
        QCOMPARE(o->path, std::string("workloads[0].arrival.rate"));
        QCOMPARE(o->value, std::string("100/s"));
        // The first `=` separates: a value may hold one.
        QCOMPARE(parseOverride("name=a=b", error)->value, std::string("a=b"));
        QVERIFY(!parseOverride("no equals sign", error));
        QVERIFY(error.find("KEY=VALUE") != std::string::npos);
        QVERIFY(!parseOverride("=3", error));
        QVERIFY(!parseOverride("a..b=3", error));
        QVERIFY(!parseOverride("a[=3", error));
    }

    void replacesInPlaceKeepingTheRest()
    {
        // Same length in, same length out: only the value's characters change, the comment stays.
        const std::string out = apply({{"duration", "30s"}});
        QCOMPARE(out.size(), kText.size());
        QVERIFY(out.find("duration: 30s   # long enough\n") != std::string::npos);
        // By index and by name, in a flow mapping.
        QVERIFY(apply({{"services[0].replicas", "5"}}).find("    replicas: 5\n")
                != std::string::npos);
        QVERIFY(
            apply({{"services[web].cpu.mean", "4ms"}}).find("cpu: {dist: exponential, mean: 4ms}")
            != std::string::npos);
        QVERIFY(apply({{"workloads[users].arrival.rate", "250/s"}})
                    .find("{process: poisson, rate: 250/s}")
                != std::string::npos);
    }

    void addsMissingKeysUnderTheirParent()
    {
        const std::string out = apply({{"services[db].replicas", "3"}, {"architecture", "mesh"}});
        QVERIFY2(out.find("    cpu: 1ms\n    replicas: 3\n") != std::string::npos, out.c_str());
        const LoadResult loaded = loadScenarioText(out, "t.yaml");
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.scenario->system.services[1].replicas, 3u);
        QCOMPARE(loaded.scenario->system.architecture, meshsim::models::Architecture::Mesh);
    }

    void replacesACollectionByAFlowValue()
    {
        const std::string out = apply({{"services[web].cpu", "{dist: constant, value: 3ms}"}});
        QVERIFY(out.find("cpu: {dist: constant, value: 3ms}\n") != std::string::npos);
        QVERIFY(loadScenarioText(out, "t.yaml").ok());
    }

    void quotesWhatYamlWouldReadOtherwise()
    {
        // `a: b #c` unquoted would be a mapping and a comment.
        const std::string out = apply({{"name", "a: b #c"}});
        QVERIFY2(out.find("name: \"a: b #c\"\n") != std::string::npos, out.c_str());
        const LoadResult loaded = loadScenarioText(out, "t.yaml");
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.scenario->name, std::string("a: b #c"));
    }

    void quotesWhatWouldChangeTheStructure()
    {
        // A line break cannot smuggle in a key; a dash is not a block entry; a comma inside a
        // flow mapping does not start another key.
        std::string out = apply({{"name", "{a: 1}\nduration: 1s\n#}"}});
        LoadResult loaded = loadScenarioText(out, "t.yaml");
        QVERIFY(!loaded.ok() || loaded.scenario->duration.count() == 20'000'000'000);
        QVERIFY(out.find("\nduration: 1s") == std::string::npos);
        out = apply({{"name", "- a"}});
        loaded = loadScenarioText(out, "t.yaml");
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.scenario->name, std::string("- a"));
        out = apply({{"workloads[0].arrival.process", "poisson,x"}});
        QVERIFY2(out.find("process: \"poisson,x\"") != std::string::npos, out.c_str());
        // Negative numbers and words with a dash stay plain.
        QVERIFY(apply({{"name", "-x"}}).find("name: -x\n") != std::string::npos);
    }

    void refusesWhatCannotBeWritten()
    {
        std::string error;
        QVERIFY(apply({{"services[9].replicas", "1"}}, &error).empty());
        QVERIFY2(error.find("services has no item 9") != std::string::npos, error.c_str());
        QVERIFY(apply({{"services[cache].replicas", "1"}}, &error).empty());
        QVERIFY(error.find("no item named 'cache'") != std::string::npos);
        QVERIFY(apply({{"services[0]", "1"}}, &error).empty());
        QVERIFY(error.find("names a list item") != std::string::npos);
    }

    void loaderJudgesTheValue()
    {
        // An override is text: the loader checks it as it checks the file, and says where.
        const LoadResult bad
            = loadScenarioWithOverrides("builtin:bookstore", {{"duration", "abc"}});
        QVERIFY(!bad.ok());
        QCOMPARE(bad.diagnostics.front().path, std::string("duration"));
        QVERIFY(bad.diagnostics.front().line > 0);
        const LoadResult missing
            = loadScenarioWithOverrides("builtin:bookstore", {{"services[nope].cpu", "1ms"}});
        QVERIFY(!missing.ok());
        QVERIFY(missing.diagnostics.front().message.find("--set services[nope].cpu") == 0);
        const LoadResult good = loadScenarioWithOverrides(
            "builtin:bookstore", {{"architecture", "direct"}, {"seed", "7"}});
        QVERIFY(good.ok());
        QCOMPARE(good.scenario->system.architecture, meshsim::models::Architecture::Direct);
        QCOMPARE(good.scenario->seed, std::uint64_t(7));
        QCOMPARE(good.scenario->file, std::string("builtin:bookstore"));
    }
};

QTEST_GUILESS_MAIN(TestOverrides)
#include "tst_overrides.moc"
