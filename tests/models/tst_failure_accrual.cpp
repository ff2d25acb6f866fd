// FailureAccrual against linkerd2-proxy's consecutive-failures breaker
// (outbound/src/http/breaker/consecutive_failures.rs, and the policy controller's defaults for
// balancer.linkerd.io/failure-accrual-consecutive-*: 7 failures, 1 s to 1 min, jitter 0.5).

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/failure_accrual.h"

#include <QTest>

#include <cstdint>

using meshsim::engine::atNanos;
using meshsim::engine::SimTime;
using meshsim::models::FailureAccrual;
using meshsim::models::FailureAccrualConfig;

namespace {

constexpr std::int64_t kMs = 1'000'000;

SimTime ms(std::int64_t m)
{
    return atNanos(m * kMs);
}

} // namespace

class TestFailureAccrual : public QObject
{
    Q_OBJECT

private slots:
    void sevenFailuresInARowShutTheEndpoint()
    {
        FailureAccrual a(FailureAccrualConfig{}, 2);
        // Six failures, a success (the count starts over), six more: still open.
        for (int i = 0; i < 6; ++i)
            QVERIFY(a.onResult(0, true, ms(i), 0.0) == FailureAccrual::Change::None);
        QVERIFY(a.onResult(0, false, ms(6), 0.0) == FailureAccrual::Change::None);
        for (int i = 0; i < 6; ++i)
            QVERIFY(!a.shuts(0, false)
                    && a.onResult(0, true, ms(10 + i), 0.0) == FailureAccrual::Change::None);
        QVERIFY(a.available(0));
        // The seventh in a row: shut for min_penalty (1 s) plus jitter 0.5 x 0.4 of it.
        QVERIFY(a.shuts(0, true));
        QVERIFY(a.onResult(0, true, ms(100), 0.4) == FailureAccrual::Change::Shut);
        QVERIFY(!a.available(0));
        QVERIFY(a.available(1)); // per endpoint
        QCOMPARE(a.probationAt(0), ms(100 + 1000 + 200));
        // Responses while shut are ignored (stragglers of requests sent before).
        QVERIFY(a.onResult(0, false, ms(500), 0.0) == FailureAccrual::Change::None);
        QVERIFY(a.state(0) == FailureAccrual::State::Shut);
        a.advance(ms(1299));
        QVERIFY(!a.available(0));
        a.advance(ms(1300));
        QVERIFY(a.state(0) == FailureAccrual::State::Probation);
    }

    void probationAdmitsOneRequestAndBacksOff()
    {
        FailureAccrualConfig config;
        config.consecutiveFailures = 1;
        config.jitter = 0.0;
        FailureAccrual a(config, 1);
        QVERIFY(a.onResult(0, true, ms(0), 0.0) == FailureAccrual::Change::Shut);
        // Penalties double from 1 s and stop at 60 s: 1, 2, 4, 8, 16, 32, 60, 60.
        std::int64_t now = 0;
        for (const std::int64_t penalty : {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000}) {
            QCOMPARE(a.probationAt(0), ms(now + penalty));
            now += penalty;
            a.advance(ms(now));
            QVERIFY(a.available(0));
            const std::uint64_t before = a.changes();
            a.onDispatched(0); // the one request of probation
            QVERIFY(!a.available(0));
            QVERIFY(a.changes() > before);
            a.onDispatched(0);
            QVERIFY(a.shuts(0, true));
            QVERIFY(a.onResult(0, true, ms(now), 0.0) == FailureAccrual::Change::None);
        }
        // A successful probe opens it, and the penalty starts over from 1 s.
        now += 60000;
        a.advance(ms(now));
        a.onDispatched(0);
        QVERIFY(a.onResult(0, false, ms(now), 0.0) == FailureAccrual::Change::Opened);
        QVERIFY(a.available(0));
        QVERIFY(a.onResult(0, true, ms(now + 1), 0.0) == FailureAccrual::Change::Shut);
        QCOMPARE(a.probationAt(0), ms(now + 1 + 1000));
    }

    void nginxStyleCountsConnectionErrorsForAConstantTime()
    {
        // NGINX's server max_fails=1 fail_timeout=10s: a connection error or a timeout sets the
        // server aside for 10 s, a 500 does not; after that every request may go to it until one
        // decides, and a failure sets it aside for 10 s again (no doubling).
        const FailureAccrualConfig config{
            FailureAccrualConfig::Style::Nginx, 1, ms(10000) - ms(0), ms(10000) - ms(0), 0.0};
        FailureAccrual a(config, 2);
        using meshsim::models::Outcome;
        QVERIFY(!a.isFailure(Outcome::ServerError));
        QVERIFY(a.isFailure(Outcome::ConnectionFailure));
        QVERIFY(a.isFailure(Outcome::Timeout));
        QVERIFY(a.onResult(0, true, ms(5), 0.0) == FailureAccrual::Change::Shut);
        QCOMPARE(a.probationAt(0), ms(10005));
        a.advance(ms(10005));
        a.onDispatched(0);
        QVERIFY(a.available(0)); // no one-request limit
        QVERIFY(a.onResult(0, true, ms(10006), 0.0) == FailureAccrual::Change::None);
        QCOMPARE(a.probationAt(0), ms(20006));
    }

    void aCancelledProbeGivesItsPermitBack()
    {
        FailureAccrualConfig config;
        config.consecutiveFailures = 1;
        config.jitter = 0.0;
        FailureAccrual a(config, 1);
        QVERIFY(a.onResult(0, true, ms(0), 0.0) == FailureAccrual::Change::Shut);
        a.advance(ms(1000));
        a.onDispatched(0);
        QVERIFY(!a.available(0));
        a.onSettled(0); // the probe was cancelled: no response decided
        QVERIFY(a.available(0));
        QVERIFY(a.state(0) == FailureAccrual::State::Probation);
        // Settling after a deciding response changes nothing.
        a.onDispatched(0);
        QVERIFY(a.onResult(0, false, ms(1001), 0.0) == FailureAccrual::Change::Opened);
        a.onSettled(0);
        QVERIFY(a.state(0) == FailureAccrual::State::Open);
    }

    void jitterAddsUpToItsRatio()
    {
        FailureAccrualConfig config;
        config.consecutiveFailures = 1;
        FailureAccrual a(config, 1);
        // jitter 0.5, draw 0.999: 1 s + 0.4995 s.
        QVERIFY(a.onResult(0, true, ms(0), 0.999) == FailureAccrual::Change::Shut);
        QCOMPARE(a.probationAt(0), ms(1499) + meshsim::engine::SimDuration{500'000});
    }
};

QTEST_GUILESS_MAIN(TestFailureAccrual)
#include "tst_failure_accrual.moc"
