// ClientChannel against gRPC's connection backoff (doc/connection-backoff.md: 1 s, x1.6, at
// most 120 s, jitter ±20%, the deadline counted from the attempt's start), its connectivity
// states (a request waits while Connecting, fails at once in TransientFailure) and kube-proxy's
// per-connection choice (iptables mode: each ready endpoint with equal probability).

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/client_channel.h"

#include <QTest>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::RandomStream;
using meshsim::engine::SimTime;
using meshsim::models::ClientChannel;
using meshsim::models::LbHost;

namespace {

constexpr std::int64_t kMs = 1'000'000;

SimTime ms(std::int64_t m)
{
    return atNanos(m * kMs);
}

double seconds(SimTime t)
{
    return meshsim::engine::toSeconds(t);
}

std::vector<LbHost> hosts(std::size_t n)
{
    return std::vector<LbHost>(n);
}

} // namespace

class TestClientChannel : public QObject
{
    Q_OBJECT

private slots:
    void theFirstRequestOpensAndTheOthersWait()
    {
        ClientChannel c(std::nullopt);
        RandomStream random(1);
        const auto h = hosts(4);
        const auto first = c.pick(ms(0), h, random);
        QVERIFY(first.use == ClientChannel::Use::Open);
        QVERIFY(c.state() == ClientChannel::State::Connecting);
        const auto second = c.pick(ms(0), h, random);
        QVERIFY(second.use == ClientChannel::Use::Wait);
        QCOMPARE(second.host, first.host);
        c.connected(ms(1), random);
        // Every later request goes to the same instance.
        for (int i = 0; i < 100; ++i) {
            const auto p = c.pick(ms(2 + i), h, random);
            QVERIFY(p.use == ClientChannel::Use::Send);
            QCOMPARE(p.host, first.host);
        }
        QCOMPARE(c.connects(), std::uint64_t{1});
    }

    void kubeProxyPicksEachReadyInstanceEqually()
    {
        // 40,000 connections over 4 instances of which instance 2 is not ready: each of the
        // others gets a third, within 5 sd of the binomial (sqrt(n p (1 - p))).
        auto h = hosts(4);
        h[2].present = false;
        RandomStream random(7);
        std::vector<double> count(4, 0.0);
        constexpr int kN = 40'000;
        for (int i = 0; i < kN; ++i) {
            ClientChannel c(std::nullopt);
            ++count[c.pick(ms(0), h, random).host];
        }
        QCOMPARE(count[2], 0.0);
        const double sd = std::sqrt(kN * (1.0 / 3) * (2.0 / 3));
        for (int i : {0, 1, 3})
            QVERIFY2(std::abs(count[i] - kN / 3.0) <= 5 * sd,
                     qPrintable(QString::number(count[i])));
    }

    void failedAttemptsBackOffAsGrpcDoes()
    {
        ClientChannel c(std::nullopt);
        RandomStream random(3);
        const auto h = hosts(1);
        // Attempt k starts at the end of the previous backoff; its backoff is 1.6^k s (capped at
        // 120 s) times a factor in [0.8, 1.2], counted from the attempt's start.
        SimTime start = ms(0);
        double nominal = 1.0;
        for (int k = 0; k < 14; ++k) {
            QVERIFY(c.pick(start, h, random).use == ClientChannel::Use::Open);
            c.connectFailed(random);
            QVERIFY(c.state() == ClientChannel::State::TransientFailure);
            const double wait = seconds(c.retryAt()) - seconds(start);
            QVERIFY2(wait >= 0.8 * nominal - 1e-9 && wait <= 1.2 * nominal + 1e-9,
                     qPrintable(QString("attempt %1 waited %2 s").arg(k).arg(wait)));
            // Until then a request fails at once, naming the instance it tried.
            const auto during = c.pick(c.retryAt() - std::chrono::milliseconds(1), h, random);
            QVERIFY(during.use == ClientChannel::Use::Fail);
            QCOMPARE(during.host, std::uint32_t{0});
            start = c.retryAt();
            nominal = std::min(nominal * 1.6, 120.0);
        }
        QCOMPARE(nominal, 120.0); // the cap was reached (1.6^11 > 120)
        QCOMPARE(c.failures(), std::uint64_t{14});
        // A connection that opens resets the backoff to 1 s.
        QVERIFY(c.pick(start, h, random).use == ClientChannel::Use::Open);
        c.connected(start + std::chrono::milliseconds(1), random);
        QVERIFY(c.state() == ClientChannel::State::Ready);
        QCOMPARE(c.backoff(), meshsim::engine::SimDuration{1'000'000'000});
    }

    void aServiceWithoutEndpointsIsAFailedAttempt()
    {
        // kube-proxy rejects connections to a service without endpoints: a failed attempt,
        // with its backoff (no instance named).
        auto h = hosts(2);
        h[0].present = h[1].present = false;
        ClientChannel c(std::nullopt);
        RandomStream random(5);
        const auto p = c.pick(ms(0), h, random);
        QVERIFY(p.use == ClientChannel::Use::Fail);
        QCOMPARE(p.host, ClientChannel::kNoHost);
        QVERIFY(c.state() == ClientChannel::State::TransientFailure);
        QVERIFY(seconds(c.retryAt()) >= 0.8 && seconds(c.retryAt()) <= 1.2);
    }

    void aBrokenConnectionReconnectsAtOnce()
    {
        // A ready connection that breaks (the instance was killed) is Idle: the next request
        // opens a new one without a backoff, to an instance picked anew.
        ClientChannel c(std::nullopt);
        RandomStream random(9);
        const auto h = hosts(4);
        const auto first = c.pick(ms(0), h, random);
        c.connected(ms(1), random);
        c.hostClosed(first.host == 0 ? 1 : 0); // another instance: no effect
        QVERIFY(c.state() == ClientChannel::State::Ready);
        c.hostClosed(first.host);
        QVERIFY(c.state() == ClientChannel::State::Idle);
        QVERIFY(c.pick(ms(2), h, random).use == ClientChannel::Use::Open);
    }

    void maxConnectionAgeEndsTheConnection()
    {
        // The server's GOAWAY after its max_connection_age, jittered ±10% (grpc-go): a request
        // before 0.9 x age keeps the connection, one after 1.1 x age opens a new one.
        ClientChannel c(meshsim::engine::SimDuration{10'000 * kMs});
        RandomStream random(11);
        const auto h = hosts(4);
        c.pick(ms(0), h, random);
        c.connected(ms(0), random);
        QVERIFY(c.pick(ms(8'999), h, random).use == ClientChannel::Use::Send);
        QVERIFY(c.pick(ms(11'001), h, random).use == ClientChannel::Use::Open);
    }
};

QTEST_GUILESS_MAIN(TestClientChannel)
#include "tst_client_channel.moc"
