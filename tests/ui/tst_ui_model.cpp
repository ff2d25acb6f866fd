// The GUI's model pieces, without a window: the layout on the call graph, the particle index built
// from a recording, the aggregation of windows, and the playback clock. Every expected value is a
// hand calculation from the data the test builds.

#include "run/recording_follower.h"
#include "run/simulation.h"
#include "tests/support/scenario_text.h"
#include "topologies/loader.h"
#include "ui/graph_layout.h"
#include "ui/particle_index.h"
#include "ui/playback.h"
#include "ui/series_stats.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace meshsim;
namespace m = meshsim::models;

namespace {

// A gateway in front of a shop: /home goes to frontend, /books to catalog directly; frontend
// calls catalog and reviews, catalog calls inventory, reviews calls ratings.
constexpr const char* kShop = R"(
meshsim: 1
name: shop
duration: 10s
architecture: gateway
services:
  - {name: frontend, steps: [{call: catalog}, {call: reviews}]}
  - {name: catalog, steps: [{call: inventory}]}
  - {name: inventory}
  - {name: reviews, steps: [{call: ratings}]}
  - {name: ratings}
routes:
  - {path: /home, to: frontend}
  - {path: /books, to: catalog}
gateway: {replicas: 2}
workloads:
  - {name: browsers, arrival: {process: poisson, rate: 10/s}, mix: [{path: /home, weight: 1}, {path: /books, weight: 1}]}
)";

topologies::SystemView shopView()
{
    const topologies::Scenario scenario = testing::loadOrDie(kShop, "shop.yaml");
    return run::makeRecordingInfo(scenario, m::EngineKind::Fast, 1).view;
}

std::uint32_t componentNamed(const topologies::SystemView& v, const std::string& name)
{
    for (std::uint32_t c = 0; c < v.components.size(); ++c)
        if (v.components[c].name == name)
            return c;
    qFatal("no component %s", name.c_str());
}

m::RecordedHop hop(m::HopKind kind,
                   std::int64_t start,
                   std::int64_t end,
                   std::int32_t parent,
                   m::Place at,
                   m::Place from = {})
{
    m::RecordedHop h;
    h.kind = kind;
    h.start = start;
    h.end = end;
    h.parent = parent;
    h.at = at;
    h.from = from;
    return h;
}

} // namespace

class TestUiModel : public QObject
{
    Q_OBJECT

private slots:
    // Layered layout: a component sits one layer right of its deepest caller: clients 0, gateway
    // 1, frontend 2; catalog is called by the gateway (/books) and by frontend, so it is at 3;
    // inventory, called by catalog, at 4; reviews 3 and ratings 4.
    void layersFollowTheLongestCallPath()
    {
        const auto view = shopView();
        const auto depth = ui::callDepths(view);
        QCOMPARE(depth[componentNamed(view, "browsers")], 0U);
        QCOMPARE(depth[componentNamed(view, "gateway")], 1U);
        QCOMPARE(depth[componentNamed(view, "frontend")], 2U);
        QCOMPARE(depth[componentNamed(view, "catalog")], 3U);
        QCOMPARE(depth[componentNamed(view, "inventory")], 4U);
        QCOMPARE(depth[componentNamed(view, "reviews")], 3U);
        QCOMPARE(depth[componentNamed(view, "ratings")], 4U);
        // Every call edge points right.
        for (const auto& [from, to] : view.edges())
            QVERIFY(depth[to] > depth[from]);
        const auto points = ui::layeredLayout(view);
        for (std::uint32_t c = 0; c < view.components.size(); ++c)
            QCOMPARE(points[c].x, depth[c] * ui::LayoutSpacing{}.layer);
    }

    void forceLayoutIsDeterministicAndSeparatesNodes()
    {
        const auto view = shopView();
        const auto a = ui::forceLayout(view);
        const auto b = ui::forceLayout(view);
        QCOMPARE(a.size(), view.components.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].x, b[i].x);
            QCOMPARE(a[i].y, b[i].y);
            for (std::size_t j = 0; j < i; ++j) // no two components on one spot
                QVERIFY(std::hypot(a[i].x - a[j].x, a[i].y - a[j].y) > 1.0);
        }
    }

    // One request: client -> transfer -> call (try: transfer, queue, cpu, reply) -> reply.
    void particlesFollowTheHops()
    {
        const auto view = shopView();
        const std::uint32_t client = componentNamed(view, "browsers");
        const std::uint32_t gateway = componentNamed(view, "gateway");
        const std::uint32_t frontend = componentNamed(view, "frontend");
        const m::Place c{client, m::kNoIndex, 0};
        const m::Place g{gateway, 0, 0};
        const m::Place f{frontend, 0, 0};
        m::Recording r;
        r.layout.windowNs = 1'000'000'000;
        r.windows = 2;
        m::RecordedRequest q;
        q.id = 1;
        q.hops.push_back(hop(m::HopKind::Request, 0, 1000, -1, c));                          // 0
        q.hops.push_back(hop(m::HopKind::Transfer, 0, 100, 0, g, c));                        // 1
        q.hops.push_back(hop(m::HopKind::Call, 100, 900, 0, {frontend, m::kNoIndex, 0}, g)); // 2
        q.hops.push_back(hop(m::HopKind::Try, 100, 900, 2, f, g));                           // 3
        q.hops[3].detail = 1; // the second try: a retry
        q.hops[3].outcome = m::Outcome::ServerError;
        q.hops.push_back(hop(m::HopKind::Transfer, 100, 200, 3, f, g));  // 4 request
        q.hops.push_back(hop(m::HopKind::Queue, 200, 300, 3, f));        // 5
        q.hops.push_back(hop(m::HopKind::Cpu, 300, 800, 3, f));          // 6
        q.hops.push_back(hop(m::HopKind::Transfer, 800, 900, 3, g, f));  // 7 response
        q.hops.push_back(hop(m::HopKind::Transfer, 900, 1000, 0, c, g)); // 8 response to client
        r.requests.push_back(q);

        ui::ParticleIndex index;
        index.update(r, view);
        QCOMPARE(index.legs().size(), 6U); // the leaves: hops 1, 4, 5, 6, 7, 8
        QCOMPARE(index.activeCount(50), 1U);
        QCOMPARE(index.activeCount(250), 1U);
        std::vector<ui::Leg> at;
        index.forEachActive(150, [&](const ui::Leg& leg, double u) {
            at.push_back(leg);
            QCOMPARE(u, 0.5); // 50 of 100 ns
        });
        QCOMPARE(at.size(), 1U);
        QCOMPARE(at[0].motion, ui::Motion::Travel);
        QCOMPARE(at[0].toInstance, view.components[frontend].firstInstance);
        ui::ParticleStyle style;
        style.outcome = ui::OutcomeClass::ServerError; // its try failed
        style.retry = true;
        QCOMPARE(at[0].style, style.index());
        // The reply from frontend to the gateway is a response; the request to it was not.
        std::vector<ui::Leg> reply, toClient;
        index.forEachActive(850, [&](const ui::Leg& leg, double) { reply.push_back(leg); });
        index.forEachActive(950, [&](const ui::Leg& leg, double) { toClient.push_back(leg); });
        QCOMPARE(reply.size(), 1U);
        QVERIFY((reply[0].style & 2U) != 0);
        QCOMPARE(toClient.size(), 1U);
        QVERIFY((toClient[0].style & 2U) != 0);
        QCOMPARE(toClient[0].toComponent, client);
        // Stepping visits the hop boundaries in order.
        QCOMPARE(index.nextEventAfter(0).value(), 100);
        QCOMPARE(index.nextEventAfter(250).value(), 300);
        QCOMPARE(index.previousEventBefore(250).value(), 200);
        QCOMPARE(index.previousEventBefore(1).value(), 0);
        QVERIFY(!index.nextEventAfter(1000));

        // A sample that shrank rebuilds the index: the same number of requests, another one.
        m::RecordedRequest other;
        other.id = 2;
        other.hops.push_back(hop(m::HopKind::Request, 2000, 3000, -1, c));
        other.hops.push_back(hop(m::HopKind::Transfer, 2000, 2100, 0, g, c));
        r.sampleThreshold = 5;
        r.requests = {other};
        index.update(r, view);
        QCOMPARE(index.legs().size(), 1U);
        QCOMPARE(index.legs()[0].requestId, 2U);
        QCOMPARE(index.activeCount(150), 0U);
        QCOMPARE(index.activeCount(2050), 1U);
    }

    // A breaker that refused a call without sending anything bounces for kMinBounceNs.
    void refusedCallsBounce()
    {
        const auto view = shopView();
        const std::uint32_t frontend = componentNamed(view, "frontend");
        const std::uint32_t catalog = componentNamed(view, "catalog");
        m::Recording r;
        r.layout.windowNs = 1'000'000'000;
        r.windows = 1;
        m::RecordedRequest q;
        q.hops.push_back(hop(m::HopKind::Request, 0, 500, -1, {0, m::kNoIndex, 0}));
        q.hops.push_back(
            hop(m::HopKind::Call, 300, 300, 0, {catalog, m::kNoIndex, 0}, {frontend, 0, 0}));
        q.hops[1].outcome = m::Outcome::Overflow;
        r.requests.push_back(q);
        ui::ParticleIndex index;
        index.update(r, view);
        QCOMPARE(index.legs().size(), 1U);
        const ui::Leg& leg = index.legs()[0];
        QCOMPARE(leg.motion, ui::Motion::Bounce);
        QCOMPARE(leg.end - leg.start, ui::ParticleIndex::kMinBounceNs);
        QCOMPARE(leg.fromComponent, frontend);
        const ui::ParticleStyle refused{ui::OutcomeClass::Refused, false, false};
        QCOMPARE(leg.style, refused.index());
    }

    // Aggregates add windows exactly: two windows of 3 and 5 answers (1 error) over 2 s.
    void aggregatesAddWindows()
    {
        m::Recording r;
        r.layout.windowNs = 1'000'000'000;
        r.layout.tierReplicas = {1};
        r.windows = 2;
        r.tiers.assign(1, std::vector<m::TierWindow>(2));
        r.instances.assign(1, std::vector<m::TierWindow>(2));
        r.tiers[0][0].responses.outcomes[0] = 3;
        r.tiers[0][0].responses.timed = 3;
        r.tiers[0][0].responses.latencySumNs = 3e6;
        r.tiers[0][0].responses.p95
            = 1'007'616; // the middle of its bucket (61 << 14, width 16,384)
        r.tiers[0][0].busyMean = 2.0F;
        r.tiers[0][1].responses.outcomes[0] = 4;
        r.tiers[0][1].responses.outcomes[static_cast<int>(m::Outcome::Timeout)] = 1;
        r.tiers[0][1].responses.timed = 5;
        r.tiers[0][1].responses.latencySumNs = 15e6;
        r.tiers[0][1].busyMean = 4.0F;
        // Their latency buckets: 3 at 1 ms, then 4 at 2 ms and 1 at 10 ms. Bucket of v >= 32 ns:
        // 32 x (top - 4) + (v >> (top - 5)) & 31, top = floor(log2 v): 1 ms -> 32 x 15 + 29,
        // 2 ms -> 32 x 16 + 29, 10 ms -> 32 x 19 + 6 (lower 38 << 18 = 9,961,472, width 262,144).
        r.tiers[0][0].responses.latency = {{32 * 15 + 29, 3}};
        r.tiers[0][1].responses.latency = {{32 * 16 + 29, 4}, {32 * 19 + 6, 1}};
        const ui::Aggregate one = ui::tierAggregate(r, 0, ui::windowAt(r, 500'000'000));
        QCOMPARE(one.total, 3U);
        QCOMPARE(one.p95.value(), 1'007'616);
        const ui::Aggregate both = ui::tierAggregate(r, 0, ui::wholeRun(r));
        QCOMPARE(both.total, 8U);
        QCOMPARE(both.errors(), 1U);
        QCOMPARE(both.classes[static_cast<int>(ui::OutcomeClass::Timeout)], 1U);
        QCOMPARE(both.rate(), 4.0);           // 8 in 2 s
        QCOMPARE(both.meanLatencyMs(), 2.25); // 18 ms over 8
        QCOMPARE(both.busyMean, 3.0);         // time average of 2 and 4
        // p95 of the 8 together: the 8th smallest (ceil(0.95 x 8)), in the 10 ms bucket: its
        // middle.
        QCOMPARE(both.p95.value(), 9'961'472 + 262'144 / 2);
        // p50: the 4th smallest, in the 2 ms bucket (lower 61 << 15, width 32,768).
        QCOMPARE(both.p50.value(), (61 << 15) + 32'768 / 2);
        // An instance keeps no buckets: a range of its windows has no percentile, only its mean.
        r.instances[0][0].responses = r.tiers[0][0].responses;
        r.instances[0][1].responses = r.tiers[0][1].responses;
        r.instances[0][0].responses.latency.clear();
        r.instances[0][1].responses.latency.clear();
        const ui::Aggregate instance = ui::instanceAggregate(r, 0, 0, ui::wholeRun(r));
        QVERIFY(!instance.p95);
        QCOMPARE(instance.meanLatencyMs(), 2.25);
        // Ranges are clipped to the closed windows.
        QCOMPARE(ui::windowsBetween(r, 500'000'000, 9'000'000'000).first, 0U);
        QCOMPARE(ui::windowsBetween(r, 500'000'000, 9'000'000'000).last, 2U);
        QCOMPARE(ui::windowAt(r, 7'000'000'000).first, 1U);
    }

    // The clock: speed scales wall time, and it never runs past what the run has recorded.
    void playbackFollowsSpeedAndWaitsForTheRun()
    {
        ui::Playback p;
        QSignalSpy changed(&p, &ui::Playback::timeChanged);
        p.setLimit(3'000'000'000);
        p.setSpeed(2.0);
        p.advance(500'000'000); // 0.5 s of wall time at 2x
        QCOMPARE(p.time(), 1'000'000'000);
        p.setSpeed(0.01);
        p.advance(1'000'000'000);
        QCOMPARE(p.time(), 1'010'000'000);
        p.setSpeed(1000.0);
        p.advance(1'000'000'000);
        QCOMPARE(p.time(), 3'000'000'000); // held at the limit
        p.setLimit(5'000'000'000);
        p.setFollowRun(true);
        p.advance(1);
        QCOMPARE(p.time(), 5'000'000'000); // as fast as the run: at the latest recorded time
        p.setSpeed(1e9);
        QCOMPARE(p.speed(), ui::Playback::kMaxSpeed);
        p.setLimit(1'000'000'000); // a new run restarts: the shown time comes back
        QCOMPARE(p.time(), 1'000'000'000);
        QVERIFY(changed.count() >= 4);
    }
};

QTEST_GUILESS_MAIN(TestUiModel)
#include "tst_ui_model.moc"
