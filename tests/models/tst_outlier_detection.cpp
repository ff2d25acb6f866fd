// OutlierDetector against Envoy's outlier detection (reference/semantics.md §2.2): consecutive
// 5xx and gateway failures, the max_ejection_percent cap, ejection time and its backoff,
// success-rate and failure-percentage ejection, and which outcomes count as 5xx / gateway errors.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/outcome.h"
#include "models/outlier_detector.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::RandomStream;
using meshsim::engine::SimTime;
using meshsim::models::isGatewayError;
using meshsim::models::isServerError;
using meshsim::models::Outcome;
using meshsim::models::OutlierDetectionConfig;
using meshsim::models::OutlierDetector;

namespace {
constexpr std::int64_t kSecond = 1'000'000'000;

SimTime sec(std::int64_t s)
{
    return atNanos(s * kSecond);
}

SimTime msec(std::int64_t m)
{
    return atNanos(m * 1'000'000);
}

// 'S' success (200), 'E' 500, 'Q' 503 queue full, 'C' 503 connection failure, 'T' 504 timeout.
Outcome outcomeOf(QChar c)
{
    switch (c.toLatin1()) {
    case 'E':
        return Outcome::ServerError;
    case 'Q':
        return Outcome::QueueFull;
    case 'C':
        return Outcome::ConnectionFailure;
    case 'T':
        return Outcome::Timeout;
    default:
        return Outcome::Ok;
    }
}

// Sends `volume` results to `host`, `successes` of them successful, failures spread evenly so
// that two failures are never adjacent while failures <= volume / 2 (no consecutive-5xx
// ejection gets in the way of the interval statistics).
void sendResults(OutlierDetector& od, std::uint32_t host, int volume, int successes, SimTime now)
{
    const int failures = volume - successes;
    for (int i = 0; i < volume; ++i) {
        // Bresenham: request i fails when floor((i + 1) f / v) > floor(i f / v).
        const bool fail = (i + 1) * failures / volume > i * failures / volume;
        od.onResult(host, fail ? Outcome::ServerError : Outcome::Ok, now);
    }
}

// Ejects `host` with 5 consecutive 500s at `now` (default consecutive_5xx = 5).
bool ejectByErrors(OutlierDetector& od, std::uint32_t host, SimTime now)
{
    bool ejected = false;
    for (int i = 0; i < 5; ++i)
        ejected = od.onResult(host, Outcome::ServerError, now) || ejected;
    return ejected;
}
} // namespace

class TestOutlierDetection : public QObject
{
    Q_OBJECT

private slots:
    void defaults()
    {
        // Semantics §2.2 table and §8: consecutive_5xx 5, interval 10 s, base ejection 30 s,
        // max ejection 300 s, max ejection 10%; gateway failures 5 but not enforced.
        const OutlierDetectionConfig c;
        QCOMPARE(c.consecutive5xx, std::uint32_t{5});
        QCOMPARE(c.consecutiveGatewayFailure, std::uint32_t{5});
        QCOMPARE(c.enforcingConsecutiveGatewayFailure, 0.0);
        QCOMPARE(c.interval.count(), 10 * kSecond);
        QCOMPARE(c.baseEjectionTime.count(), 30 * kSecond);
        QCOMPARE(c.maxEjectionTime.count(), 300 * kSecond);
        QCOMPARE(c.maxEjectionPercent, 0.10);
        QCOMPARE(c.successRateMinimumHosts, std::uint32_t{5});
        QCOMPARE(c.successRateRequestVolume, std::uint32_t{100});
        QCOMPARE(c.successRateStdevFactor, 1.9);
    }

    void consecutive5xx_data()
    {
        QTest::addColumn<QString>("results");
        QTest::addColumn<bool>("ejected");
        // Results for host 3 of 10 in order ('S' success, 'E' 500; 'o' a success on host 4,
        // which does not touch host 3's counters). ++c5xx == consecutive_5xx (5) ejects; a
        // success resets the count (§2.2).
        QTest::newRow("4 errors") << "EEEE" << false;
        QTest::newRow("5 errors") << "EEEEE" << true;
        QTest::newRow("success in between") << "EEEESEEEE" << false;
        QTest::newRow("5 after the success") << "EEEESEEEEE" << true;
        QTest::newRow("other host's successes") << "EoEoEoEoE" << true;
    }

    void consecutive5xx()
    {
        QFETCH(QString, results);
        QFETCH(bool, ejected);
        RandomStream random(1, "od/consecutive");
        OutlierDetector od(OutlierDetectionConfig{}, 10, random);
        bool reported = false;
        std::int64_t t = 0;
        for (const QChar c : results) {
            ++t;
            if (c == QLatin1Char('o'))
                QVERIFY(!od.onResult(4, Outcome::Ok, msec(t)));
            else
                reported = od.onResult(3, outcomeOf(c), msec(t)); // true on the ejecting result
        }
        QCOMPARE(od.ejected(3), ejected);
        QCOMPARE(reported, ejected); // the last result is the one that ejects
        QCOMPARE(od.ejectedCount(), ejected ? std::uint32_t{1} : std::uint32_t{0});
        QVERIFY(!od.ejected(4));
        if (ejected) {
            QCOMPARE(od.events().size(), std::size_t{1});
            QCOMPARE(od.events().back().host, std::uint32_t{3});
            QVERIFY(od.events().back().ejected);
            QCOMPARE(od.events().back().reason, std::string("consecutive_5xx"));
        } else {
            QVERIFY(od.events().empty());
        }
    }

    void maxEjectionPercent()
    {
        // ejected_percent = 100 x (ejected + 1) / hosts must be <= 10 (§2.2).
        // 10 hosts: the first ejection is 10% -> allowed; a second would be 20% -> overflow.
        {
            RandomStream random(2, "od/cap10");
            OutlierDetector od(OutlierDetectionConfig{}, 10, random);
            QVERIFY(ejectByErrors(od, 3, sec(1)));
            QVERIFY(od.ejected(3));
            QVERIFY(!ejectByErrors(od, 4, sec(2)));
            QVERIFY(!od.ejected(4));
            QCOMPARE(od.ejectedCount(), std::uint32_t{1});
            QCOMPARE(od.overflows(), std::uint64_t{1});
        }
        // 5 hosts: even the first ejection would be 20% > 10%: with the default cap a cluster of
        // fewer than 10 hosts can eject nothing; the refusal is counted (ejections_overflow).
        {
            RandomStream random(3, "od/cap5");
            OutlierDetector od(OutlierDetectionConfig{}, 5, random);
            QVERIFY(!ejectByErrors(od, 3, sec(1)));
            QVERIFY(!od.ejected(3));
            QCOMPARE(od.ejectedCount(), std::uint32_t{0});
            QCOMPARE(od.overflows(), std::uint64_t{1});
        }
    }

    void alwaysEjectOneHost()
    {
        // Envoy's always_eject_one_host: one host may be ejected whatever the cap says (§2.2):
        // of 5 hosts (20% > 10%) the first is ejected, a second (40%) still overflows.
        OutlierDetectionConfig config;
        config.alwaysEjectOneHost = true;
        RandomStream random(4, "od/always1");
        OutlierDetector od(config, 5, random);
        QVERIFY(ejectByErrors(od, 3, sec(1)));
        QVERIFY(od.ejected(3));
        QVERIFY(!ejectByErrors(od, 4, sec(2)));
        QCOMPARE(od.ejectedCount(), std::uint32_t{1});
        QCOMPARE(od.overflows(), std::uint64_t{1});
    }

    void detectionResetsTheCounter()
    {
        // Envoy resets the consecutive counter at every detection, ejected or not: a host the
        // cap refuses is detected (and counted as an overflow) again every 5 errors, not only
        // once until its next success.
        RandomStream random(30, "od/reset");
        OutlierDetector od(OutlierDetectionConfig{}, 5, random); // 20% > 10%: always refused
        for (int i = 0; i < 15; ++i)
            od.onResult(2, Outcome::ServerError, sec(1));
        QCOMPARE(od.overflows(), std::uint64_t{3});
        QVERIFY(!od.ejected(2));
    }

    void returnResetsTheCounters()
    {
        // Errors of requests still in flight while a host was ejected do not count toward its
        // next ejection: after its return, it takes 5 new consecutive errors again.
        RandomStream random(31, "od/return");
        OutlierDetector od(OutlierDetectionConfig{}, 10, random);
        QVERIFY(ejectByErrors(od, 1, sec(0)));
        for (int i = 0; i < 4; ++i) // late errors while ejected
            od.onResult(1, Outcome::ServerError, sec(1));
        QVERIFY(od.onInterval(sec(30)));
        QVERIFY(!od.ejected(1));
        for (int i = 0; i < 4; ++i)
            QVERIFY(!od.onResult(1, Outcome::ServerError, sec(31)));
        QVERIFY(od.onResult(1, Outcome::ServerError, sec(31)));
    }

    void healthCheckPassUnejects()
    {
        // successful_active_health_check_uneject_host (default true, §2.2): a passing check
        // ends the ejection at once, resets the consecutive counters and keeps the multiplier,
        // so the next ejection lasts base x 2 = 60 s.
        RandomStream random(37, "od/hc");
        OutlierDetector od(OutlierDetectionConfig{}, 10, random);
        QVERIFY(OutlierDetectionConfig{}.successfulActiveHealthCheckUnejectHost);
        QVERIFY(!od.onHealthCheckPassed(2, sec(1))); // not ejected: nothing to do
        QVERIFY(ejectByErrors(od, 2, sec(1)));
        for (int i = 0; i < 4; ++i) // errors still arriving while ejected
            od.onResult(2, Outcome::ServerError, sec(2));
        QVERIFY(od.onHealthCheckPassed(2, sec(3)));
        QVERIFY(!od.ejected(2));
        QCOMPARE(od.ejectedCount(), std::uint32_t{0});
        QCOMPARE(od.events().back().reason, std::string("active_health_check"));
        QCOMPARE(meshsim::engine::toNanos(od.events().back().at), 3 * kSecond);
        QCOMPARE(od.multiplier(2), std::uint32_t{1});
        for (int i = 0; i < 4; ++i)
            QVERIFY(!od.onResult(2, Outcome::ServerError, sec(4)));
        QVERIFY(od.onResult(2, Outcome::ServerError, sec(4)));
        QCOMPARE(od.multiplier(2), std::uint32_t{2});
        QVERIFY(!od.onInterval(sec(60))); // 56 s after the second ejection: still out
        QVERIFY(od.onInterval(sec(70)));
        QVERIFY(!od.ejected(2));

        // Switched off, a passing check changes nothing; the ejection runs its 30 s.
        OutlierDetectionConfig off;
        off.successfulActiveHealthCheckUnejectHost = false;
        OutlierDetector kept(off, 10, random);
        QVERIFY(ejectByErrors(kept, 5, sec(0)));
        QVERIFY(!kept.onHealthCheckPassed(5, sec(5)));
        QVERIFY(kept.ejected(5));
        QVERIFY(kept.onInterval(sec(30)));
        QVERIFY(!kept.ejected(5));
    }

    void ejectionTimeAndBackoff()
    {
        // Uneject when min(base x backoff, max) <= now - ejection time, checked only on
        // interval ticks; backoff (multiplier) +1 per ejection, -1 per tick on which the host
        // has been back for at least one interval (§2.2).
        RandomStream random(4, "od/time");
        OutlierDetector od(OutlierDetectionConfig{}, 10, random);

        // Ejected at t = 0 with backoff 1: 30 s. Ticks at 10 and 20 s keep it out; the tick
        // at 30 s (30 >= 30) returns it.
        QVERIFY(ejectByErrors(od, 3, sec(0)));
        QCOMPARE(od.multiplier(3), std::uint32_t{1});
        QVERIFY(!od.onInterval(sec(10)));
        QVERIFY(od.ejected(3));
        QVERIFY(!od.onInterval(sec(20)));
        QVERIFY(od.ejected(3));
        QVERIFY(od.onInterval(sec(30)));
        QVERIFY(!od.ejected(3));
        QCOMPARE(od.events().back().ejected, false);
        QCOMPARE(meshsim::engine::toNanos(od.events().back().at), 30 * kSecond);

        // Ejected again right after its return (same instant, no tick in between): backoff 2,
        // 60 s: still out at the tick at 80 s (50 s), back at 90 s (60 s).
        QVERIFY(ejectByErrors(od, 3, sec(30)));
        QCOMPARE(od.multiplier(3), std::uint32_t{2});
        for (std::int64_t s = 40; s <= 80; s += 10) {
            od.onInterval(sec(s));
            QVERIFY2(od.ejected(3), qPrintable(QString("returned early at %1 s").arg(s)));
        }
        QVERIFY(od.onInterval(sec(90)));
        QVERIFY(!od.ejected(3));

        // Two clean intervals bring backoff 2 -> 1 (tick at 100 s, back for 10 s) -> 0 (110 s);
        // the next ejection lasts 30 s again: out at 130 s, back at the tick at 140 s.
        od.onInterval(sec(100));
        QCOMPARE(od.multiplier(3), std::uint32_t{1});
        od.onInterval(sec(110));
        QCOMPARE(od.multiplier(3), std::uint32_t{0});
        QVERIFY(ejectByErrors(od, 3, sec(110)));
        QCOMPARE(od.multiplier(3), std::uint32_t{1});
        od.onInterval(sec(120));
        od.onInterval(sec(130));
        QVERIFY(od.ejected(3));
        od.onInterval(sec(140));
        QVERIFY(!od.ejected(3));
    }

    void ejectionTimeIsCapped()
    {
        // Re-ejected at the instant of each return, the k-th ejection lasts min(30 k, 300) s:
        // backoff grows while base x backoff < max + base (30 b < 330 -> up to 11) and the
        // duration is capped at max = 300 s (§2.2: 30, 60, 90, ... capped at 300 s). All are
        // multiples of the 10 s interval, so the return tick is exact.
        RandomStream random(5, "od/cap-time");
        OutlierDetector od(OutlierDetectionConfig{}, 10, random);
        std::int64_t t = 0;
        for (std::int64_t k = 1; k <= 13; ++k) {
            QVERIFY(ejectByErrors(od, 0, sec(t)));
            QCOMPARE(od.multiplier(0), static_cast<std::uint32_t>(std::min<std::int64_t>(k, 11)));
            const std::int64_t ejectedAt = t;
            while (od.ejected(0)) {
                t += 10;
                od.onInterval(sec(t));
                QVERIFY(t - ejectedAt <= 300);
            }
            QCOMPARE(t - ejectedAt, std::min<std::int64_t>(30 * k, 300));
        }
    }

    void gatewayErrors_data()
    {
        QTest::addColumn<int>("consecutive5xx");
        QTest::addColumn<double>("enforcingGateway");
        QTest::addColumn<QString>("results");
        QTest::addColumn<bool>("ejected");
        QTest::addColumn<QString>("reason");
        // Codes: 'Q' 503 (queue full), 'C' 503 (connection failure; Envoy turns a local connect
        // failure into 503), 'T' 504 (timeout), 'E' 500, 'S' 200. 502/503/504 count toward both
        // consecutive_gateway_failure and consecutive_5xx; a 500 counts toward consecutive_5xx
        // and resets the gateway count; a success resets both (§2.2).
        // Default config: gateway failures are detected but enforcing is 0%, so 5 gateway
        // errors eject through consecutive_5xx (also 5).
        QTest::newRow("default: 5 x 503") << 5 << 0.0 << "QQQQQ" << true << "consecutive_5xx";
        QTest::newRow("default: 503/503/504 mix")
            << 5 << 0.0 << "QCTQC" << true << "consecutive_5xx";
        QTest::newRow("default: success resets") << 5 << 0.0 << "QQQQSQQQQ" << false << "";
        // consecutive_5xx raised to 10: 5 gateway errors are detected, not enforced.
        QTest::newRow("gateway not enforced") << 10 << 0.0 << "TTTTT" << false << "";
        QTest::newRow("then 10 via 5xx") << 10 << 0.0 << "TTTTTTTTTT" << true << "consecutive_5xx";
        // Gateway failures enforced (100%), consecutive_5xx out of the way (100).
        QTest::newRow("gateway enforced")
            << 100 << 1.0 << "QCTQC" << true << "consecutive_gateway_failure";
        QTest::newRow("500 resets the gateway count") << 100 << 1.0 << "QQQQEQQQQ" << false << "";
        QTest::newRow("5 gateway errors after the 500")
            << 100 << 1.0 << "QQQQEQQQQQ" << true << "consecutive_gateway_failure";
        QTest::newRow("500s are not gateway errors") << 100 << 1.0 << "EEEEE" << false << "";
    }

    void gatewayErrors()
    {
        QFETCH(int, consecutive5xx);
        QFETCH(double, enforcingGateway);
        QFETCH(QString, results);
        QFETCH(bool, ejected);
        QFETCH(QString, reason);
        OutlierDetectionConfig config;
        config.consecutive5xx = static_cast<std::uint32_t>(consecutive5xx);
        config.enforcingConsecutiveGatewayFailure = enforcingGateway;
        RandomStream random(6, "od/gateway");
        OutlierDetector od(config, 10, random);
        std::int64_t t = 0;
        for (const QChar c : results)
            od.onResult(2, outcomeOf(c), msec(++t));
        QCOMPARE(od.ejected(2), ejected);
        if (ejected)
            QCOMPARE(QString::fromStdString(od.events().back().reason), reason);
    }

    void successRate_data()
    {
        QTest::addColumn<QList<int>>("volumes");
        QTest::addColumn<QList<int>>("successes");
        QTest::addColumn<double>("enforcing");
        QTest::addColumn<QList<int>>("expectedEjected");
        // Each interval: hosts with >= 100 requests, at least 5 of them; SR_i = 100 x
        // successes / total; threshold = mean - 1.9 x population stdev; eject SR_i < threshold
        // (§2.2).
        // Semantics §2.2 source example: {50, 100, 100, 100, 100} -> mean 90, stdev 20,
        // threshold 90 - 1.9 x 20 = 52 -> the host at 50% is ejected.
        QTest::newRow("{50,100,100,100,100}")
            << QList<int>{100, 100, 100, 100, 100} << QList<int>{50, 100, 100, 100, 100} << 1.0
            << QList<int>{0};
        // {80, 80, 100, 100, 100}: mean 92, variance (2 x 144 + 3 x 64) / 5 = 96, stdev 9.80,
        // threshold 92 - 18.6 = 73.4 -> nobody below it.
        QTest::newRow("{80,80,100,100,100}")
            << QList<int>{100, 100, 100, 100, 100} << QList<int>{80, 80, 100, 100, 100} << 1.0
            << QList<int>{};
        // The bad host has 99 requests (< success_rate_request_volume 100): only 4 hosts
        // qualify, fewer than success_rate_minimum_hosts (5): no ejection.
        QTest::newRow("volume below 100")
            << QList<int>{99, 100, 100, 100, 100} << QList<int>{49, 100, 100, 100, 100} << 1.0
            << QList<int>{};
        // Istio sets enforcing_success_rate = 0: detected, never enforced.
        QTest::newRow("not enforced (Istio)")
            << QList<int>{100, 100, 100, 100, 100} << QList<int>{50, 100, 100, 100, 100} << 0.0
            << QList<int>{};
        // 6 hosts {100, 60, 100, 100, 100, 100}: mean 93.33, variance (33.33^2 + 5 x 6.67^2)/6
        // = 222.2, stdev 14.91, threshold 93.33 - 28.3 = 65.0 -> host 1 (60) ejected.
        QTest::newRow("6 hosts, host 1 at 60%")
            << QList<int>{100, 100, 100, 100, 100, 100} << QList<int>{100, 60, 100, 100, 100, 100}
            << 1.0 << QList<int>{1};
    }

    void successRate()
    {
        QFETCH(QList<int>, volumes);
        QFETCH(QList<int>, successes);
        QFETCH(double, enforcing);
        QFETCH(QList<int>, expectedEjected);
        OutlierDetectionConfig config;
        config.enforcingSuccessRate = enforcing;
        config.maxEjectionPercent = 1.0; // the cap must not interfere
        const auto hosts = static_cast<std::uint32_t>(volumes.size());
        RandomStream random(7, "od/success-rate");
        OutlierDetector od(config, hosts, random);
        for (std::uint32_t h = 0; h < hosts; ++h)
            sendResults(od, h, volumes[h], successes[h], sec(5));
        QCOMPARE(od.ejectedCount(), std::uint32_t{0}); // no consecutive-5xx ejection
        od.onInterval(sec(10));
        QList<int> ejected;
        for (std::uint32_t h = 0; h < hosts; ++h)
            if (od.ejected(h))
                ejected.append(static_cast<int>(h));
        QCOMPARE(ejected, expectedEjected);
        for (const auto& e : od.events())
            QCOMPARE(e.reason, std::string("success_rate"));

        // The statistics cover one interval only: nothing new at the next tick without traffic.
        od.onInterval(sec(20));
        QCOMPARE(od.ejectedCount(), static_cast<std::uint32_t>(expectedEjected.size()));
    }

    void failurePercentage_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<bool>("ejected");
        // Hosts with >= 50 requests, at least 5 of them: eject if 100 - SR_i >= 85 (§2.2),
        // here with enforcing_failure_percentage set to 100% (default 0).
        QTest::newRow("85 of 100 fail") << 85 << true;
        QTest::newRow("84 of 100 fail") << 84 << false;
    }

    void failurePercentage()
    {
        QFETCH(int, failures);
        QFETCH(bool, ejected);
        OutlierDetectionConfig config;
        config.enforcingFailurePercentage = 1.0;
        config.consecutive5xx = 1000; // keep consecutive errors out of the way
        config.consecutiveGatewayFailure = 1000;
        config.maxEjectionPercent = 1.0;
        RandomStream random(8, "od/failure-percentage");
        OutlierDetector od(config, 5, random);
        for (int i = 0; i < 100; ++i)
            od.onResult(0, i < failures ? Outcome::ServerError : Outcome::Ok, sec(5));
        for (std::uint32_t h = 1; h < 5; ++h)
            sendResults(od, h, 100, 100, sec(5));
        od.onInterval(sec(10));
        QCOMPARE(od.ejected(0), ejected);
        for (std::uint32_t h = 1; h < 5; ++h)
            QVERIFY(!od.ejected(h));
        if (ejected)
            QCOMPARE(od.events().back().reason, std::string("failure_percentage"));
    }

    void errorClasses_data()
    {
        QTest::addColumn<int>("outcome");
        QTest::addColumn<bool>("serverError");
        QTest::addColumn<bool>("gatewayError");
        // 5xx from the upstream's point of view, and gateway errors (502/503/504, §2.2):
        // without split_external_local_origin_errors a local timeout is 504 and a connect
        // failure 503, both 5xx and gateway errors. An outcome is classified by its status:
        // a 503 an upstream service answered because of its own overflow, breaker or injected
        // fault further down is a 503 like any other. (The proxy's own local replies are kept
        // away from the detector by the caller, CallRouter::recordHealth.)
        const auto row = [](const char* name, Outcome o, bool server, bool gateway) {
            QTest::newRow(name) << static_cast<int>(o) << server << gateway;
        };
        row("ok 200", Outcome::Ok, false, false);
        row("server error 500", Outcome::ServerError, true, false);
        row("queue full 503", Outcome::QueueFull, true, true);
        row("connection failure 503", Outcome::ConnectionFailure, true, true);
        row("timeout 504", Outcome::Timeout, true, true);
        row("no healthy upstream, passed on (503)", Outcome::NoHealthyUpstream, true, true);
        row("overflow, passed on (503)", Outcome::Overflow, true, true);
        row("rate limited 429", Outcome::RateLimited, false, false);
        row("unauthorized 401", Outcome::Unauthorized, false, false);
        row("denied 403", Outcome::Denied, false, false);
        row("injected fault, passed on (503)", Outcome::InjectedFault, true, true);
        row("circuit open, passed on (503)", Outcome::CircuitOpen, true, true);
    }

    void errorClasses()
    {
        QFETCH(int, outcome);
        QFETCH(bool, serverError);
        QFETCH(bool, gatewayError);
        QCOMPARE(isServerError(static_cast<Outcome>(outcome)), serverError);
        QCOMPARE(isGatewayError(static_cast<Outcome>(outcome)), gatewayError);
    }
};

QTEST_GUILESS_MAIN(TestOutlierDetection)
#include "tst_outlier_detection.moc"
