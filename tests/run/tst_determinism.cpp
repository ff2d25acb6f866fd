// Same scenario, same seed, same platform: byte-identical results.json (apart from
// wall_seconds, which the caller passes in). Different seeds give different runs.

#include "run/results_json.h"
#include "topologies/loader.h"

#include <QTest>

using namespace meshsim;

class TestDeterminism : public QObject
{
    Q_OBJECT

    static std::string runOnce(const topologies::Scenario& s, std::optional<std::uint64_t> seed)
    {
        run::RunOptions options;
        options.seed = seed;
        options.engine = models::EngineKind::Fast; // many runs in one process: fast platform
        options.duration = engine::SimDuration{30'000'000'000};
        return run::resultsToJsonText(run::runScenario(s, options), 0.0);
    }

private slots:
    void sameSeedSameBytes_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("bookstore") << "builtin:bookstore";
        QTest::newRow("bookstore-direct") << "builtin:bookstore-direct";
    }

    void sameSeedSameBytes()
    {
        QFETCH(QString, scenario);
        const auto loaded = topologies::loadScenario(scenario.toStdString());
        QVERIFY(loaded.ok());
        const std::string a = runOnce(*loaded.scenario, std::nullopt);
        const std::string b = runOnce(*loaded.scenario, std::nullopt);
        QCOMPARE(a, b);
        const std::string c = runOnce(*loaded.scenario, 7);
        QVERIFY(a != c);
        QVERIFY(a.find("\"wall_seconds\": 0.0") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestDeterminism)
#include "tst_determinism.moc"
