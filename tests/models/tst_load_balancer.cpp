// Load balancers against Envoy's semantics (reference/semantics.md §1): the EDF scheduler,
// round robin (plain and weighted), unhealthy hosts, the panic threshold, least request (power of
// two choices), random, ring hash (ketama) and Maglev.
//
// Statistical checks accept 5 standard errors: for a fixed seed the outcome is deterministic, and
// 5 SE would be exceeded by chance with probability below 6e-7, so a failure means a wrong
// formula, not bad luck. Exact checks state how the number was derived.

#include "engine/core/random.h"
#include "models/config.h"
#include "models/load_balancer.h"

#include <QTest>

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using meshsim::engine::RandomStream;
using meshsim::models::EdfScheduler;
using meshsim::models::LbContext;
using meshsim::models::LbHost;
using meshsim::models::LoadBalancer;
using meshsim::models::LoadBalancerConfig;
using meshsim::models::LoadBalancerPolicy;
using meshsim::models::xxHash64;

namespace {
constexpr double kZ = 5.0;
constexpr std::uint64_t kMaglevTableSize = 65537; // semantics §1.5 default (prime)

// Hosts "10.0.0.1:80", "10.0.0.2:80", ... (Envoy hashes the host address), healthy, weight 1
// unless weights are given.
std::vector<LbHost> makeHosts(std::size_t n, const std::vector<std::uint32_t>& weights = {})
{
    std::vector<LbHost> hosts(n);
    for (std::size_t i = 0; i < n; ++i) {
        hosts[i].key = "10.0.0." + std::to_string(i + 1) + ":80";
        hosts[i].weight = weights.empty() ? 1 : weights[i];
    }
    return hosts;
}

LoadBalancerConfig policyConfig(LoadBalancerPolicy policy)
{
    LoadBalancerConfig config;
    config.policy = policy;
    return config;
}

// The chosen host index, or -1 when the balancer returns no host (503 UH).
int chooseIndex(LoadBalancer& lb,
                const std::vector<LbHost>& hosts,
                std::optional<std::uint64_t> hash = std::nullopt)
{
    LbContext context;
    context.hash = hash;
    const std::optional<std::uint32_t> chosen = lb.choose(hosts, context);
    return chosen ? static_cast<int>(*chosen) : -1;
}

// A well spread 64-bit request hash (ring hash and Maglev need hashes over the whole range).
std::uint64_t requestHash(int i)
{
    return xxHash64("request-" + std::to_string(i));
}
} // namespace

class TestLoadBalancer : public QObject
{
    Q_OBJECT

private slots:
    // --- EDF scheduler (semantics §1.1) ------------------------------------------------------

    void edfOrderWithWeights123()
    {
        // Hand derivation from semantics §1.1: add(w) sets deadline = now + 1/w; a pick pops
        // the smallest deadline, sets now = deadline and re-adds the host; ties go FIFO (the
        // entry added first).
        //   start:  h0 @ 1 (order 0), h1 @ 1/2 (order 1), h2 @ 1/3 (order 2)
        //   pick 1: h2 @ 1/3  -> now 1/3, h2 re-added @ 2/3 (order 3)
        //   pick 2: h1 @ 1/2  -> now 1/2, h1 re-added @ 1   (order 4)
        //   pick 3: h2 @ 2/3  -> now 2/3, h2 re-added @ 1   (order 5)
        //   pick 4: three entries @ 1; h0 (order 0) was added first, re-added @ 2
        //   pick 5: h1 (order 4), re-added @ 3/2
        //   pick 6: h2 (order 5), re-added @ 4/3
        // => 2, 1, 2, 0, 1, 2. The tie at 1 is exact in double arithmetic: 1/2 + 1/2 == 1 and
        // (1/3 + 1/3) + 1/3 == 1 (both round to exactly 1.0).
        EdfScheduler edf;
        const std::array<double, 3> weights{1.0, 2.0, 3.0};
        for (std::uint32_t host = 0; host < 3; ++host)
            edf.add(host, weights[host]);
        const std::array<std::uint32_t, 6> expected{2, 1, 2, 0, 1, 2};
        for (const std::uint32_t e : expected)
            QCOMPARE(edf.pickAndAdd([&](std::uint32_t h) { return weights[h]; }), e);
        QVERIFY(!edf.empty());
    }

    void edfEqualWeightsAreFifo()
    {
        // Equal weights: all three deadlines are 1, then all 2, ...: FIFO order each round.
        EdfScheduler edf;
        for (std::uint32_t host = 0; host < 3; ++host)
            edf.add(host, 1.0);
        const std::array<std::uint32_t, 9> expected{0, 1, 2, 0, 1, 2, 0, 1, 2};
        for (const std::uint32_t e : expected)
            QCOMPARE(edf.pickAndAdd([](std::uint32_t) { return 1.0; }), e);
        edf.clear();
        QVERIFY(edf.empty());
    }

    // --- round robin (§1.1) ------------------------------------------------------------------

    void roundRobinVisitsEveryHealthyHostOncePerCycle()
    {
        // Equal weights: hosts[rr_index++ % n] from a random start, so any n consecutive picks
        // visit each of the n candidates exactly once.
        std::vector<LbHost> hosts = makeHosts(5);
        RandomStream random(11, "lb/round-robin");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RoundRobin), random);
        for (int cycle = 0; cycle < 100; ++cycle) {
            std::vector<int> seen(hosts.size(), 0);
            for (std::size_t i = 0; i < hosts.size(); ++i) {
                const int h = chooseIndex(*lb, hosts);
                QVERIFY(h >= 0);
                ++seen[static_cast<std::size_t>(h)];
            }
            for (const int count : seen)
                QCOMPARE(count, 1);
        }
        QVERIFY(!lb->lastChoiceInPanic());

        // Host 2 becomes unhealthy: 4 of 5 healthy (80% >= 50%, no panic); cycles of 4 over
        // the healthy hosts.
        hosts[2].healthy = false;
        lb->hostsChanged();
        for (int cycle = 0; cycle < 100; ++cycle) {
            std::vector<int> seen(hosts.size(), 0);
            for (int i = 0; i < 4; ++i) {
                const int h = chooseIndex(*lb, hosts);
                QVERIFY(h >= 0);
                ++seen[static_cast<std::size_t>(h)];
            }
            QCOMPARE(seen, (std::vector<int>{1, 1, 0, 1, 1}));
        }
    }

    void weightedShareFollowsWeights_data()
    {
        QTest::addColumn<int>("policy");
        // Least request with unequal weights uses EDF on weight / (active + 1)^1; with no
        // request in flight that is plain weighted round robin (semantics §1.2).
        QTest::newRow("round robin") << static_cast<int>(LoadBalancerPolicy::RoundRobin);
        QTest::newRow("least request, nothing active")
            << static_cast<int>(LoadBalancerPolicy::LeastRequest);
    }

    void weightedShareFollowsWeights()
    {
        // Weights 1, 2, 3: EDF picks host i exactly w_i times per unit of virtual time, i.e.
        // 1/2/3 of every 6 consecutive picks, so 600 picks give 100/200/300. The schedule starts
        // at a random point (createWithPicks: 0..5 emulated picks) and deadlines are sums of
        // 1/w in floating point, so ties at integral virtual times can break either way: a
        // window of 600 picks may be off by one pick per host at its ends. Tolerance: +-1
        // (checked by emulating the scheduler for all 6 possible start points).
        QFETCH(int, policy);
        const std::vector<LbHost> hosts = makeHosts(3, {1, 2, 3});
        RandomStream random(12, "lb/weighted");
        auto lb
            = LoadBalancer::create(policyConfig(static_cast<LoadBalancerPolicy>(policy)), random);
        std::vector<int> counts(3, 0);
        for (int i = 0; i < 600; ++i) {
            const int h = chooseIndex(*lb, hosts);
            QVERIFY(h >= 0);
            ++counts[static_cast<std::size_t>(h)];
        }
        const std::array<int, 3> expected{100, 200, 300};
        for (std::size_t i = 0; i < 3; ++i)
            QVERIFY2(std::abs(counts[i] - expected[i]) <= 1,
                     qPrintable(QString("host %1: %2 picks").arg(i).arg(counts[i])));

        // Over 60000 picks the same +-1 bound makes the shares 1/6, 2/6, 3/6 to within 2e-5.
        std::vector<int> many(3, 0);
        for (int i = 0; i < 60'000; ++i)
            ++many[static_cast<std::size_t>(chooseIndex(*lb, hosts))];
        QVERIFY(std::abs(many[0] - 10'000) <= 1);
        QVERIFY(std::abs(many[1] - 20'000) <= 1);
        QVERIFY(std::abs(many[2] - 30'000) <= 1);
    }

    // --- health and panic (§1.0) -------------------------------------------------------------

    void unhealthyHostsAreSkipped_data()
    {
        QTest::addColumn<int>("policy");
        QTest::newRow("round robin") << static_cast<int>(LoadBalancerPolicy::RoundRobin);
        QTest::newRow("least request") << static_cast<int>(LoadBalancerPolicy::LeastRequest);
        QTest::newRow("random") << static_cast<int>(LoadBalancerPolicy::Random);
        QTest::newRow("ring hash") << static_cast<int>(LoadBalancerPolicy::RingHash);
        QTest::newRow("maglev") << static_cast<int>(LoadBalancerPolicy::Maglev);
    }

    void unhealthyHostsAreSkipped()
    {
        // 4 of 5 hosts healthy: 80% >= the 50% panic threshold, so only healthy hosts are
        // candidates (§1.0). Every healthy host still gets traffic (2000 picks, about 500 each).
        QFETCH(int, policy);
        std::vector<LbHost> hosts = makeHosts(5);
        RandomStream random(13, "lb/unhealthy");
        auto lb
            = LoadBalancer::create(policyConfig(static_cast<LoadBalancerPolicy>(policy)), random);
        QVERIFY(chooseIndex(*lb, hosts, requestHash(0)) >= 0); // built with all hosts healthy
        hosts[2].healthy = false;
        lb->hostsChanged();
        std::vector<int> counts(hosts.size(), 0);
        for (int i = 0; i < 2000; ++i) {
            const int h = chooseIndex(*lb, hosts, requestHash(i));
            QVERIFY(h >= 0);
            ++counts[static_cast<std::size_t>(h)];
        }
        QCOMPARE(counts[2], 0);
        for (const std::size_t i : {0, 1, 3, 4})
            QVERIFY2(counts[i] > 0, qPrintable(QString("host %1 never chosen").arg(i)));
        QVERIFY(!lb->lastChoiceInPanic());
    }

    void panicUsesAllHosts()
    {
        // Semantics §1.0 worked example: 10 hosts, 4 healthy, default panic threshold 50%:
        // healthy% = 40 < 50 -> panic -> all 10 hosts are used. Round robin with equal weights
        // then visits all 10 once per 10 picks.
        std::vector<LbHost> hosts = makeHosts(10);
        for (std::size_t i = 4; i < hosts.size(); ++i)
            hosts[i].healthy = false;
        RandomStream random(14, "lb/panic");
        LoadBalancerConfig config = policyConfig(LoadBalancerPolicy::RoundRobin);
        QCOMPARE(config.panicThreshold, 0.5); // Envoy's default (semantics §1.0, §8)
        auto lb = LoadBalancer::create(config, random);
        std::vector<int> counts(hosts.size(), 0);
        for (int i = 0; i < 10; ++i) {
            const int h = chooseIndex(*lb, hosts);
            QVERIFY(h >= 0);
            ++counts[static_cast<std::size_t>(h)];
        }
        QCOMPARE(counts, std::vector<int>(10, 1));
        QVERIFY(lb->lastChoiceInPanic());

        // 5 of 10 healthy: healthy% = 50 is not < 50 -> no panic, only the 5 healthy hosts,
        // twice each in 10 picks.
        hosts[4].healthy = true;
        lb->hostsChanged();
        std::vector<int> counts2(hosts.size(), 0);
        for (int i = 0; i < 10; ++i) {
            const int h = chooseIndex(*lb, hosts);
            QVERIFY(h >= 0);
            ++counts2[static_cast<std::size_t>(h)];
        }
        QCOMPARE(counts2, (std::vector<int>{2, 2, 2, 2, 2, 0, 0, 0, 0, 0}));
        QVERIFY(!lb->lastChoiceInPanic());
    }

    void noPanicWhileFullyAvailable()
    {
        // Semantics §1.0: never panic while the normalized availability min(100, 140 x
        // healthy / hosts) is 100. With a panic threshold of 80%, 3 healthy hosts of 4 (75% <
        // 80%) are still fully available (140 x 3 / 4 = 105): no panic, only the healthy 3. With 2
        // of 4 (140 x 2 / 4 = 70 < 100, 50% < 80%): panic, all 4.
        std::vector<LbHost> hosts = makeHosts(4);
        hosts[3].healthy = false;
        RandomStream random(17, "lb/available");
        LoadBalancerConfig config = policyConfig(LoadBalancerPolicy::RoundRobin);
        config.panicThreshold = 0.8;
        auto lb = LoadBalancer::create(config, random);
        for (int i = 0; i < 12; ++i)
            QVERIFY(chooseIndex(*lb, hosts) != 3);
        QVERIFY(!lb->lastChoiceInPanic());
        hosts[2].healthy = false;
        lb->hostsChanged();
        std::vector<int> counts(hosts.size(), 0);
        for (int i = 0; i < 4; ++i)
            ++counts[static_cast<std::size_t>(chooseIndex(*lb, hosts))];
        QCOMPARE(counts, std::vector<int>(4, 1));
        QVERIFY(lb->lastChoiceInPanic());
    }

    void noHostWithoutPanic()
    {
        // Semantics §1.0: threshold 0 disables panic; with 0% availability there is no host
        // (503 UH).
        std::vector<LbHost> hosts = makeHosts(3);
        for (LbHost& h : hosts)
            h.healthy = false;
        RandomStream random(15, "lb/uh");
        LoadBalancerConfig config = policyConfig(LoadBalancerPolicy::RoundRobin);
        config.panicThreshold = 0.0;
        auto lb = LoadBalancer::create(config, random);
        QCOMPARE(chooseIndex(*lb, hosts), -1);
        QVERIFY(!lb->lastChoiceInPanic());

        // Still threshold 0, one host of 3 healthy (33%): no panic, only that host.
        hosts[1].healthy = true;
        lb->hostsChanged();
        for (int i = 0; i < 10; ++i)
            QCOMPARE(chooseIndex(*lb, hosts), 1);

        // The default threshold (50%) with no healthy host: panic, every host is a candidate.
        for (LbHost& h : hosts)
            h.healthy = false;
        RandomStream random2(16, "lb/uh-panic");
        auto panicking
            = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RoundRobin), random2);
        std::vector<int> counts(hosts.size(), 0);
        for (int i = 0; i < 3; ++i) {
            const int h = chooseIndex(*panicking, hosts);
            QVERIFY(h >= 0);
            ++counts[static_cast<std::size_t>(h)];
        }
        QCOMPARE(counts, std::vector<int>(3, 1));
        QVERIFY(panicking->lastChoiceInPanic());

        // No host at all: nothing to choose.
        const std::vector<LbHost> none;
        QCOMPARE(chooseIndex(*panicking, none), -1);
    }

    // --- least request, power of two choices (§1.2) ------------------------------------------

    void leastRequestPowerOfTwoChoices_data()
    {
        QTest::addColumn<QList<int>>("active");
        QTest::addColumn<int>("target");
        QTest::addColumn<double>("probability");
        // Equal weights: 2 samples with replacement; the first is kept unless the second has
        // strictly fewer active requests. The less loaded host loses only when both samples
        // land on loaded hosts.
        // 2 hosts {0, 10}: P(host 0) = 1 - (1/2)^2 = 3/4.
        QTest::newRow("{0,10}") << QList<int>{0, 10} << 0 << 0.75;
        // Same with the idle host second: P(host 1) = 3/4.
        QTest::newRow("{10,0}") << QList<int>{10, 0} << 1 << 0.75;
        // 3 hosts {0, 10, 10}: P(host 0) = 1 - (2/3)^2 = 5/9.
        QTest::newRow("{0,10,10}") << QList<int>{0, 10, 10} << 0 << 5.0 / 9.0;
        // A tie keeps the first sample: uniform, P = 1/2.
        QTest::newRow("{5,5}") << QList<int>{5, 5} << 0 << 0.5;
    }

    void leastRequestPowerOfTwoChoices()
    {
        // n = 40000 picks; the count of `target` is Binomial(n, p): SE = sqrt(n p (1 - p))
        // (86.6 for p = 3/4); accept 5 SE.
        QFETCH(QList<int>, active);
        QFETCH(int, target);
        QFETCH(double, probability);
        std::vector<LbHost> hosts = makeHosts(static_cast<std::size_t>(active.size()));
        for (std::size_t i = 0; i < hosts.size(); ++i)
            hosts[i].active = static_cast<std::uint32_t>(active[static_cast<qsizetype>(i)]);
        RandomStream random(17, "lb/p2c");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::LeastRequest), random);
        constexpr int kN = 40'000;
        int hits = 0;
        for (int i = 0; i < kN; ++i) {
            const int h = chooseIndex(*lb, hosts);
            QVERIFY(h >= 0);
            hits += h == target ? 1 : 0;
        }
        const double expected = kN * probability;
        const double se = std::sqrt(kN * probability * (1.0 - probability));
        QVERIFY2(
            std::abs(hits - expected) <= kZ * se,
            qPrintable(QString("%1 hits, expected %2 +- %3").arg(hits).arg(expected).arg(kZ * se)));
    }

    // --- random (§1.3) -----------------------------------------------------------------------

    void randomIsUniformAndIgnoresWeights()
    {
        // hosts[random % n]: weights are ignored, each of 5 hosts gets 1/5. Each count is
        // Binomial(n, 0.2), SE = sqrt(n * 0.2 * 0.8) = 126.5 for n = 100000; accept 5 SE.
        const std::vector<LbHost> hosts = makeHosts(5, {1, 2, 3, 4, 5});
        RandomStream random(18, "lb/random");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::Random), random);
        constexpr int kN = 100'000;
        std::vector<int> counts(hosts.size(), 0);
        for (int i = 0; i < kN; ++i) {
            const int h = chooseIndex(*lb, hosts);
            QVERIFY(h >= 0);
            ++counts[static_cast<std::size_t>(h)];
        }
        const double se = std::sqrt(kN * 0.2 * 0.8);
        for (const int c : counts)
            QVERIFY2(std::abs(c - kN * 0.2) <= kZ * se, qPrintable(QString::number(c)));
    }

    // --- ring hash (§1.4) --------------------------------------------------------------------

    void ringHashSameHashSameHost()
    {
        // The ring depends only on the host keys (xxHash64 of "<key>_<i>"), never on a random
        // stream: the same request hash maps to the same host, in the same balancer and in
        // another balancer with a different random stream.
        const std::vector<LbHost> hosts = makeHosts(10);
        RandomStream randomA(19, "lb/ring-a");
        RandomStream randomB(20, "lb/ring-b");
        auto a = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RingHash), randomA);
        auto b = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RingHash), randomB);
        std::vector<int> counts(hosts.size(), 0);
        for (int i = 0; i < 1000; ++i) {
            const std::uint64_t hash = requestHash(i);
            const int first = chooseIndex(*a, hosts, hash);
            QVERIFY(first >= 0);
            QCOMPARE(chooseIndex(*a, hosts, hash), first);
            QCOMPARE(chooseIndex(*b, hosts, hash), first);
            ++counts[static_cast<std::size_t>(first)];
        }
        for (const int c : counts)
            QVERIFY(c > 0); // 103 ring points per host: every host owns part of the ring
    }

    void smallRequestKeysSpreadOverTheRing()
    {
        // The cluster hashes request keys (item ids 1, 2, 3, ...) with hashRequestKey before
        // the ring sees them: consecutive small keys land all over the ring. 10,000 keys over 4
        // equal hosts: each gets a share near its share of the ring (about 1/4, ring points
        // are not perfectly even: 256 points per host give shares within a few percent); the
        // sampling sd is sqrt(0.25 x 0.75 / 10,000) = 0.0043.
        const std::vector<LbHost> hosts = makeHosts(4);
        RandomStream random(21, "lb/small-keys");
        auto ring = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RingHash), random);
        std::vector<int> counts(hosts.size(), 0);
        for (std::uint64_t key = 1; key <= 10'000; ++key)
            ++counts[static_cast<std::size_t>(
                chooseIndex(*ring, hosts, meshsim::models::hashRequestKey(key)))];
        for (const int c : counts)
            QVERIFY2(c > 1500 && c < 3500, qPrintable(QString::number(c)));
    }

    void ringHashRemovingAHostMovesOnlyItsKeys()
    {
        // Ketama's minimal disruption holds exactly when the surviving hosts keep the same ring
        // points. Semantics §1.4: with n equal hosts, min_w = 1/n, scale = ceil(1024/n) * n,
        // so each host gets ceil(1024/n) points "<key>_0" .. "<key>_<c-1>". For n = 33,
        // ceil(31.03) = 32; for n = 32, 1024/32 = 32 exactly: removing one host of 33 leaves
        // every other host's 32 points in place, so every key whose host survived keeps it
        // and only the removed host's keys move.
        std::vector<LbHost> hosts = makeHosts(33);
        RandomStream random(21, "lb/ring-remove");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RingHash), random);
        constexpr int kKeys = 10'000;
        std::vector<std::string> before(kKeys);
        for (int i = 0; i < kKeys; ++i) {
            const int h = chooseIndex(*lb, hosts, requestHash(i));
            QVERIFY(h >= 0);
            before[static_cast<std::size_t>(i)] = hosts[static_cast<std::size_t>(h)].key;
        }
        const std::string removed = hosts[7].key;
        hosts.erase(hosts.begin() + 7);
        lb->hostsChanged();
        int moved = 0;
        int survivorsMoved = 0;
        for (int i = 0; i < kKeys; ++i) {
            const int h = chooseIndex(*lb, hosts, requestHash(i));
            QVERIFY(h >= 0);
            const std::string& after = hosts[static_cast<std::size_t>(h)].key;
            const std::string& was = before[static_cast<std::size_t>(i)];
            if (was == removed)
                ++moved; // necessarily: the host is gone
            else if (after != was)
                ++survivorsMoved;
        }
        QCOMPARE(survivorsMoved, 0);
        // About 1/33 = 3.0% of keys were on the removed host. A host's ring share is a sum of
        // 32 arcs, relative sd about 1/sqrt(32) = 18%; 1%..6% is a loose band around 3%.
        QVERIFY2(moved >= kKeys / 100 && moved <= 6 * kKeys / 100,
                 qPrintable(QString::number(moved)));
    }

    void ringHashTenHostsRemoveOne()
    {
        // 10 hosts -> 9 (host 4 marked unhealthy: 90% healthy, no panic). Here the ring is
        // rebuilt with more points per host (ceil(1024/10) = 103 -> ceil(1024/9) = 114, §1.4),
        // so the 11 new points of each survivor take some keys from other survivors: Envoy's
        // ring hash, like this model, guarantees only approximately minimal disruption when
        // the host count changes the points per host.
        std::vector<LbHost> hosts = makeHosts(10);
        RandomStream random(22, "lb/ring-ten");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::RingHash), random);
        constexpr int kKeys = 10'000;
        std::vector<int> before(kKeys);
        for (int i = 0; i < kKeys; ++i)
            before[static_cast<std::size_t>(i)] = chooseIndex(*lb, hosts, requestHash(i));
        hosts[4].healthy = false;
        lb->hostsChanged();
        int onRemoved = 0;
        int survivorsMoved = 0;
        for (int i = 0; i < kKeys; ++i) {
            const int after = chooseIndex(*lb, hosts, requestHash(i));
            QVERIFY(after >= 0 && after != 4);
            if (before[static_cast<std::size_t>(i)] == 4)
                ++onRemoved;
            else if (after != before[static_cast<std::size_t>(i)])
                ++survivorsMoved;
        }
        // Roughly 1/10 of the keys were on host 4; ring shares vary (103 points: relative sd
        // about 1/sqrt(103) = 10%), so accept 5%..15%.
        QVERIFY2(onRemoved >= kKeys * 5 / 100 && onRemoved <= kKeys * 15 / 100,
                 qPrintable(QString::number(onRemoved)));
        // The new points are 99 of 1026 (9.6% of the ring in expectation); about 8/9 of the
        // keys they take belonged to another survivor: expect roughly 8.6% of the survivors'
        // keys to move. Bound it loosely below 15%.
        const int survivorKeys = kKeys - onRemoved;
        QVERIFY2(survivorsMoved < survivorKeys * 15 / 100,
                 qPrintable(QString("%1 of %2").arg(survivorsMoved).arg(survivorKeys)));
    }

    // --- Maglev (§1.5) -----------------------------------------------------------------------

    void maglevEqualHostsShareTheTable()
    {
        // Hashes 0..65536 address each of the 65537 table slots once (lookup = table[hash % M]).
        // With equal weights every host claims one slot per round (hosts in key order), so the
        // counts differ by at most one: 65537 = 5 x 13107 + 2, the last round fills 2 slots for
        // the first two hosts in key order ("10.0.0.1:80", "10.0.0.2:80"). All are within 1% of
        // 65537 / 5.
        const std::vector<LbHost> hosts = makeHosts(5);
        RandomStream random(23, "lb/maglev");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::Maglev), random);
        std::vector<int> counts(hosts.size(), 0);
        for (std::uint64_t slot = 0; slot < kMaglevTableSize; ++slot) {
            const int h = chooseIndex(*lb, hosts, slot);
            QVERIFY(h >= 0);
            ++counts[static_cast<std::size_t>(h)];
        }
        QCOMPARE(counts, (std::vector<int>{13108, 13108, 13107, 13107, 13107}));
        const double fair = static_cast<double>(kMaglevTableSize) / 5.0;
        for (const int c : counts)
            QVERIFY(std::abs(c - fair) <= 0.01 * fair);
    }

    void maglevSlotsFollowWeights()
    {
        // Weights 1, 2, 3 (max 3): a host claims a slot in round r when r * w >= target, target
        // growing by 3 per claim, at most one claim per round. After r rounds host 0 has
        // floor(r/3) + 1 slots, host 1 floor(2r/3) + 1, host 2 r. After 32767 rounds that is
        // 10923 + 21845 + 32767 = 65535; in round 32768 host 0 waits (32768 < 3 x 10923),
        // hosts 1 and 2 fill the last two slots: 10923 / 21846 / 32768, each within one slot
        // of 65537 x w / 6.
        const std::vector<LbHost> hosts = makeHosts(3, {1, 2, 3});
        RandomStream random(24, "lb/maglev-weights");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::Maglev), random);
        std::vector<int> counts(hosts.size(), 0);
        for (std::uint64_t slot = 0; slot < kMaglevTableSize; ++slot)
            ++counts[static_cast<std::size_t>(chooseIndex(*lb, hosts, slot))];
        QCOMPARE(counts, (std::vector<int>{10923, 21846, 32768}));
    }

    void maglevRemovingAHostDisturbsFewOtherKeys()
    {
        // Maglev's disruption is minimal only approximately: when a host leaves, the others
        // refill the table from their permutations and may take a few slots from each other.
        // (Emulating the algorithm gives about 0.1% here.) Assert that fewer than 5% of the
        // slots that belonged to surviving hosts change owner, and that the removed host's
        // slots all go to survivors.
        std::vector<LbHost> hosts = makeHosts(5);
        RandomStream random(25, "lb/maglev-remove");
        auto lb = LoadBalancer::create(policyConfig(LoadBalancerPolicy::Maglev), random);
        std::vector<int> before(kMaglevTableSize);
        for (std::uint64_t slot = 0; slot < kMaglevTableSize; ++slot)
            before[slot] = chooseIndex(*lb, hosts, slot);
        hosts[4].healthy = false; // 80% healthy: no panic, host 4 leaves the candidates
        lb->hostsChanged();
        int survivorSlots = 0;
        int moved = 0;
        for (std::uint64_t slot = 0; slot < kMaglevTableSize; ++slot) {
            const int after = chooseIndex(*lb, hosts, slot);
            QVERIFY(after >= 0 && after != 4);
            if (before[slot] != 4) {
                ++survivorSlots;
                moved += after != before[slot] ? 1 : 0;
            }
        }
        QVERIFY2(moved < survivorSlots * 5 / 100,
                 qPrintable(QString("%1 of %2").arg(moved).arg(survivorSlots)));
    }
};

QTEST_GUILESS_MAIN(TestLoadBalancer)
#include "tst_load_balancer.moc"
