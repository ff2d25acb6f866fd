// Units: every suffix, the shorthands, and the rejections with their "expected" text.

#include "topologies/units.h"

#include <QTest>

using namespace meshsim::topologies;
using meshsim::engine::SimDuration;

class TestUnits : public QObject
{
    Q_OBJECT

private slots:
    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("nanos"); // -1 = rejected
        QTest::newRow("ns") << "7ns" << qint64(7);
        QTest::newRow("us") << "250us" << qint64(250'000);
        QTest::newRow("micro sign") << "250µs" << qint64(250'000);
        QTest::newRow("ms") << "2ms" << qint64(2'000'000);
        QTest::newRow("fraction of ms") << "0.5ms" << qint64(500'000);
        QTest::newRow("s") << "1.5s" << qint64(1'500'000'000);
        QTest::newRow("space") << "3 s" << qint64(3'000'000'000);
        QTest::newRow("m") << "2m" << qint64(120'000'000'000);
        QTest::newRow("min") << "1min" << qint64(60'000'000'000);
        QTest::newRow("h") << "1h" << qint64(3'600'000'000'000);
        QTest::newRow("exponent") << "1e3us" << qint64(1'000'000);
        QTest::newRow("bare zero") << "0" << qint64(0);
        QTest::newRow("bare number") << "5" << qint64(-1);
        QTest::newRow("negative") << "-1s" << qint64(-1);
        QTest::newRow("unknown unit") << "3 parsecs" << qint64(-1);
        QTest::newRow("case matters") << "2MS" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("nan") << "nan s" << qint64(-1);
        QTest::newRow("inf") << "inf s" << qint64(-1);
        QTest::newRow("too long") << "40000000h" << qint64(-1);
    }
    void durations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, nanos);
        const auto parsed = parseDuration(text.toStdString());
        if (nanos < 0) {
            QVERIFY(!parsed.value);
            QVERIFY(!parsed.expected.empty());
        } else {
            QVERIFY(parsed.value);
            QCOMPARE(parsed.value->count(), nanos);
        }
    }

    void sizes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes");
        QTest::newRow("B") << "512B" << qint64(512);
        QTest::newRow("bare") << "512" << qint64(512);
        QTest::newRow("KB is 1000") << "4KB" << qint64(4000);
        QTest::newRow("kB") << "4kB" << qint64(4000);
        QTest::newRow("KiB is 1024") << "4KiB" << qint64(4096);
        QTest::newRow("MB") << "1.5MB" << qint64(1'500'000);
        QTest::newRow("MiB") << "1MiB" << qint64(1'048'576);
        QTest::newRow("GB") << "2GB" << qint64(2'000'000'000);
        QTest::newRow("bits are not sizes") << "4Kb" << qint64(-1);
        QTest::newRow("negative") << "-4KB" << qint64(-1);
        QTest::newRow("absurd") << "5000GB" << qint64(-1);
    }
    void sizes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        const auto parsed = parseSize(text.toStdString());
        if (bytes < 0) {
            QVERIFY(!parsed.value);
        } else {
            QVERIFY(parsed.value);
            QCOMPARE(static_cast<qint64>(*parsed.value), bytes);
        }
    }

    void bandwidths_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("bits");
        QTest::newRow("Gbps") << "10Gbps" << 10e9;
        QTest::newRow("Mbps") << "50Mbps" << 50e6;
        QTest::newRow("Kbps") << "64Kbps" << 64e3;
        QTest::newRow("bytes") << "100MBps" << 800e6;
        QTest::newRow("unlimited") << "unlimited" << 0.0;
        QTest::newRow("no unit") << "1000" << -1.0;
        QTest::newRow("zero") << "0Gbps" << -1.0;
        QTest::newRow("Gb without ps") << "10Gb" << -1.0;
    }
    void bandwidths()
    {
        QFETCH(QString, text);
        QFETCH(double, bits);
        const auto parsed = parseBandwidth(text.toStdString());
        if (bits < 0) {
            QVERIFY(!parsed.value);
        } else {
            QVERIFY(parsed.value);
            QCOMPARE(*parsed.value, bits);
        }
    }

    void rates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("perSecond");
        QTest::newRow("/s") << "200/s" << 200.0;
        QTest::newRow("bare") << "200" << 200.0;
        QTest::newRow("/min") << "120/min" << 2.0;
        QTest::newRow("/ms") << "2/ms" << 2000.0;
        QTest::newRow("/h") << "3600/h" << 1.0;
        QTest::newRow("negative") << "-5/s" << -1.0;
        QTest::newRow("bad unit") << "5/fortnight" << -1.0;
    }
    void rates()
    {
        QFETCH(QString, text);
        QFETCH(double, perSecond);
        const auto parsed = parseRate(text.toStdString());
        if (perSecond < 0) {
            QVERIFY(!parsed.value);
        } else {
            QVERIFY(parsed.value);
            QVERIFY(std::abs(*parsed.value - perSecond) < 1e-12);
        }
    }

    void fractions_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("value");
        QTest::newRow("percent") << "0.5%" << 0.005;
        QTest::newRow("fraction") << "0.25" << 0.25;
        QTest::newRow("one") << "1" << 1.0;
        QTest::newRow("100%") << "100%" << 1.0;
        QTest::newRow("above 1") << "5" << -1.0;
        QTest::newRow("above 100%") << "150%" << -1.0;
        QTest::newRow("negative") << "-0.1" << -1.0;
    }
    void fractions()
    {
        QFETCH(QString, text);
        QFETCH(double, value);
        const auto parsed = parseFraction(text.toStdString());
        if (value < 0) {
            QVERIFY(!parsed.value);
        } else {
            QVERIFY(parsed.value);
            QVERIFY(std::abs(*parsed.value - value) < 1e-15);
        }
    }

    void percentHint()
    {
        // A bare 5 for a fraction is a common slip: the message says how to write 5%.
        const auto parsed = parseFraction("5");
        QVERIFY(parsed.expected.find("5%") != std::string::npos);
    }

    void formatting()
    {
        QCOMPARE(formatDuration(SimDuration{0}), std::string("0s"));
        QCOMPARE(formatDuration(SimDuration{250'000}), std::string("250us"));
        QCOMPARE(formatDuration(SimDuration{1'500'000'000}), std::string("1.5s"));
        QCOMPARE(formatDuration(SimDuration{120'000'000'000}), std::string("2m"));
    }
};

QTEST_GUILESS_MAIN(TestUnits)
#include "tst_units.moc"
