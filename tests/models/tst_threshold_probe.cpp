// ThresholdProbe: probe verdicts with hysteresis, as Kubernetes readiness probes keep them
// (reference/semantics.md §7.1: failureThreshold failures in a row make a pod NotReady,
// successThreshold successes Ready again; a pod starts Ready here) and as Envoy active health
// checks do (§7.2: the first result sets the health at once, then unhealthy_threshold failures /
// healthy_threshold passes in a row). Each row is a probe sequence (S pass, F fail) and the
// verdict after each probe (P passing, F failing), derived from those rules.

#include "models/threshold_probe.h"

#include <QTest>

#include <cstdint>

using meshsim::models::ThresholdProbe;

class TestThresholdProbe : public QObject
{
    Q_OBJECT

private slots:
    void verdicts_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<int>("successes");
        QTest::addColumn<bool>("firstResultSets");
        QTest::addColumn<QString>("probes");
        QTest::addColumn<QString>("verdicts");
        // Kubernetes defaults (§7.1): failureThreshold 3, successThreshold 1.
        QTest::newRow("k8s: starts ready") << 3 << 1 << false << "S"
                                           << "P";
        QTest::newRow("k8s: 2 failures are not enough") << 3 << 1 << false << "FF"
                                                        << "PP";
        QTest::newRow("k8s: the 3rd failure flips") << 3 << 1 << false << "FFF"
                                                    << "PPF";
        QTest::newRow("k8s: 1 success flips back") << 3 << 1 << false << "FFFS"
                                                   << "PPFP";
        // Failures must be consecutive: a success restarts the count.
        QTest::newRow("k8s: a success restarts the count") << 3 << 1 << false << "FFSFFF"
                                                           << "PPPPPF";
        // successThreshold 2: two passes in a row to come back; a failure restarts that count.
        QTest::newRow("2 successes: 1 is not enough") << 3 << 2 << false << "FFFS"
                                                      << "PPFF";
        QTest::newRow("2 successes: flip back") << 3 << 2 << false << "FFFSS"
                                                << "PPFFP";
        QTest::newRow("2 successes: must be consecutive") << 3 << 2 << false << "FFFSFSS"
                                                          << "PPFFFFP";
        // Envoy (§7.2): the first result sets the verdict at once, whatever the thresholds.
        QTest::newRow("envoy: first failure sets unhealthy") << 3 << 1 << true << "F"
                                                             << "F";
        QTest::newRow("envoy: first pass sets healthy") << 3 << 1 << true << "S"
                                                        << "P";
        QTest::newRow("envoy: healthy_threshold 1") << 3 << 1 << true << "FS"
                                                    << "FP";
        QTest::newRow("envoy: then unhealthy_threshold 3") << 3 << 1 << true << "SFFF"
                                                           << "PPPF";
        QTest::newRow("envoy: healthy_threshold 2") << 2 << 2 << true << "FSS"
                                                    << "FFP";
        QTest::newRow("envoy: unhealthy_threshold 2") << 2 << 2 << true << "SFF"
                                                      << "PPF";
    }

    void verdicts()
    {
        QFETCH(int, failures);
        QFETCH(int, successes);
        QFETCH(bool, firstResultSets);
        QFETCH(QString, probes);
        QFETCH(QString, verdicts);
        QCOMPARE(probes.size(), verdicts.size());
        ThresholdProbe probe(static_cast<std::uint32_t>(failures),
                             static_cast<std::uint32_t>(successes),
                             firstResultSets);
        bool before = true; // both start passing
        for (qsizetype i = 0; i < probes.size(); ++i) {
            const bool changed = probe.record(probes[i] == QLatin1Char('S'));
            const bool expected = verdicts[i] == QLatin1Char('P');
            QVERIFY2(probe.passing() == expected, qPrintable(QString("after probe %1").arg(i + 1)));
            // record() says whether this probe changed the verdict.
            QCOMPARE(changed, expected != before);
            before = expected;
        }
    }

    void defaultIsKubernetesReadiness()
    {
        // The default probe is Kubernetes' readiness defaults (§7.1): 3 failures, 1 success.
        ThresholdProbe probe;
        QVERIFY(probe.passing());
        QVERIFY(!probe.record(false));
        QVERIFY(!probe.record(false));
        QVERIFY(probe.record(false));
        QVERIFY(!probe.passing());
        QVERIFY(probe.record(true));
        QVERIFY(probe.passing());
    }
};

QTEST_GUILESS_MAIN(TestThresholdProbe)
#include "tst_threshold_probe.moc"
