// InstanceServer on a FakePlatform: the queue, the workers and the CPU of a service instance,
// its errors and `slow` faults, refusals, and what a kill does to the requests it holds
// (docs/scenario-format.md, services; docs/mechanisms/faults.md). Tries are handed to the server as
// the router hands them once their request has arrived; answers are heard at the caller's
// AnswerSink. Every time below is computed by hand in the comments: the network between the
// frontend and the backend takes 1 ms whatever the size (unlimited bandwidth), CPU work runs at
// speed 1.

#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/endpoint.h"
#include "models/internal/components.h"
#include "models/internal/records.h"
#include "models/outcome.h"
#include "tests/fakes/fake_platform.h"
#include "tests/support/two_tier_system.h"

#include <QTest>

#include <cstdint>
#include <utility>
#include <vector>

using meshsim::engine::atNanos;
using meshsim::engine::SimDuration;
using meshsim::engine::toNanos;
using meshsim::models::AnswerSink;
using meshsim::models::Call;
using meshsim::models::Distribution;
using meshsim::models::Exchange;
using meshsim::models::Outcome;
using meshsim::models::ServiceConfig;
using meshsim::models::SystemConfig;
using meshsim::testing::TwoTierSystem;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr SimDuration kNetwork{1 * kMs};
constexpr std::uint64_t kResponseBytes = 2000;

// A backend of one instance with `workers` workers, a queue of `queue`, constant CPU work.
SystemConfig backendWith(std::uint32_t workers, std::uint32_t queue, std::int64_t cpuMs)
{
    SystemConfig system;
    ServiceConfig backend;
    backend.name = "backend";
    backend.workers = workers;
    backend.queue = queue;
    backend.cpu = Distribution::constant(static_cast<double>(cpuMs * kMs));
    backend.responseBytes = kResponseBytes;
    ServiceConfig frontend;
    frontend.name = "frontend";
    system.services = {backend, frontend};
    return system;
}

struct Answer
{
    std::uint32_t id = 0;
    Outcome outcome = Outcome::Ok;
    std::int64_t atNs = 0;
    std::uint64_t bytes = 0;
    bool reset = false;
    bool connectFailure = false;
};

// The caller's side: what came back, when.
class AnswerLog final : public AnswerSink
{
public:
    explicit AnswerLog(const meshsim::fakes::FakePlatform& platform)
        : m_platform(platform)
    {}
    void answered(Exchange* ex) override
    {
        Answer a;
        a.id = ex->number;
        a.outcome = ex->outcome;
        a.atNs = toNanos(m_platform.now());
        a.bytes = ex->responseBytes;
        a.reset = ex->reset;
        a.connectFailure = ex->connectFailure;
        answers.push_back(a);
    }
    // The answer to try `id`; one that never came back has id 0 and time -1.
    const Answer* find(std::uint32_t id) const
    {
        for (const Answer& a : answers) {
            if (a.id == id)
                return &a;
        }
        return &m_missing;
    }
    std::vector<Answer> answers;

private:
    const meshsim::fakes::FakePlatform& m_platform;
    Answer m_missing{0, Outcome::Ok, -1, 0, false, false};
};

// The system with its answers heard by `log` instead of the router.
struct Bench
{
    explicit Bench(SystemConfig config)
        : sys(std::move(config), kNetwork)
        , log(sys.platform)
    {
        sys.upstream().answers = &log;
    }

    // Try `id` of a frontend call reaches backend instance 0 now (its request has arrived).
    void arrive(std::uint32_t id)
    {
        Call* call = sys.runtime.records.calls.acquire();
        call->target = TwoTierSystem::kBackend;
        call->caller = &sys.frontend();
        call->upstream = &sys.upstream();
        call->requestBytes = 1000;
        call->sentAt = sys.platform.now();
        Exchange* ex = sys.runtime.records.exchanges.acquire();
        ex->call = call;
        ex->host = 0;
        ex->number = id;
        ex->start = sys.platform.now();
        sys.server.receive(ex);
    }
    void at(std::int64_t ms) { sys.platform.advanceTo(atNanos(ms * kMs)); }

    TwoTierSystem sys;
    AnswerLog log;
};

} // namespace

class TestInstanceServer : public QObject
{
    Q_OBJECT

private slots:
    void oneWorkerServesInArrivalOrder()
    {
        Bench b(backendWith(1, 10, 10));
        b.arrive(1); // t = 0: a worker is free, CPU 0 -> 10 ms
        b.at(5);
        b.arrive(2); // t = 5 ms: the only worker is busy: queued
        b.sys.platform.runAll();
        // 1: CPU done at 10 ms, the response travels 1 ms: 11 ms.
        // 2: the worker is free at 10 ms, CPU 10 -> 20 ms, response at 21 ms.
        QCOMPARE(b.log.answers.size(), std::size_t{2});
        QCOMPARE(b.log.find(1)->atNs, 11 * kMs);
        QCOMPARE(b.log.find(2)->atNs, 21 * kMs);
        QCOMPARE(b.log.find(1)->outcome, Outcome::Ok);
        QCOMPARE(b.log.find(2)->bytes, kResponseBytes);
        const auto& cpu = b.sys.platform.computations();
        QCOMPARE(cpu.size(), std::size_t{2});
        QCOMPARE(toNanos(cpu[1].start), 10 * kMs);
        QCOMPARE(toNanos(cpu[1].end), 20 * kMs);
        QCOMPARE(cpu[1].node, b.sys.backendNode(0));
        // The service's latency runs from arrival to the response leaving: 10 and 15 ms.
        const auto& service = b.sys.metrics.services()[TwoTierSystem::kBackend];
        QCOMPARE(service.requests.latency.count(), std::uint64_t{2});
        QCOMPARE(service.requests.latency.min(), 10 * kMs);
        QCOMPARE(service.requests.latency.max(), 15 * kMs);
        // The responses left for the frontend's node with the service's response size.
        const auto& sent = b.sys.platform.transfers();
        QCOMPARE(sent.size(), std::size_t{2});
        QCOMPARE(sent[0].to, b.sys.frontendNode());
        QCOMPARE(sent[0].bytes, kResponseBytes);
        QCOMPARE(b.sys.runtime.records.jobs.inUse(), std::size_t{0});
        QCOMPARE(b.sys.backendInstance(0).busy, 0U);
    }

    void twoWorkersServeTogether()
    {
        Bench b(backendWith(2, 10, 10));
        b.arrive(1); // CPU 0 -> 10 ms
        b.at(5);
        b.arrive(2); // the second worker: CPU 5 -> 15 ms
        b.sys.platform.runAll();
        QCOMPARE(b.log.find(1)->atNs, 11 * kMs);
        QCOMPARE(b.log.find(2)->atNs, 16 * kMs);
    }

    void aFullQueueAnswers503()
    {
        // 1 worker, a queue of 1: the third request at t = 0 finds both taken and is answered
        // 503 at once (an empty response, back after 1 ms); the others as above.
        Bench b(backendWith(1, 1, 10));
        b.arrive(1);
        b.arrive(2);
        b.arrive(3);
        b.sys.platform.runAll();
        QCOMPARE(b.log.find(3)->outcome, Outcome::QueueFull);
        QCOMPARE(b.log.find(3)->atNs, 1 * kMs);
        QCOMPARE(b.log.find(3)->bytes, std::uint64_t{0});
        QVERIFY(!b.log.find(3)->reset); // a response, not a reset
        QCOMPARE(b.log.find(1)->atNs, 11 * kMs);
        QCOMPARE(b.log.find(2)->atNs, 21 * kMs);
        const auto& instance = b.sys.metrics.services()[TwoTierSystem::kBackend].instances[0];
        QCOMPARE(instance.arrivals, std::uint64_t{3});
        QCOMPARE(instance.rejected, std::uint64_t{1});
        QCOMPARE(instance.served, std::uint64_t{2});
        QCOMPARE(instance.maxQueue, 1U); // request 3 saw one request waiting
    }

    void errorRateAnswers500AfterTheWork()
    {
        // errors: 1.0 -> every request is answered 500 (empty) once its CPU work is done.
        SystemConfig config = backendWith(1, 10, 10);
        config.services[TwoTierSystem::kBackend].errorRate = 1.0;
        Bench b(config);
        b.arrive(1);
        b.sys.platform.runAll();
        QCOMPARE(b.log.find(1)->outcome, Outcome::ServerError);
        QCOMPARE(b.log.find(1)->atNs, 11 * kMs);
        QCOMPARE(b.log.find(1)->bytes, std::uint64_t{0});
    }

    void slowFaultScalesTheWorkAndAddsLatency()
    {
        // A `slow` fault with factor 3: 10 ms of work becomes 30 ms, the response at 31 ms.
        Bench slow(backendWith(1, 10, 10));
        slow.sys.backendInstance(0).slowFactor = 3.0;
        slow.arrive(1);
        slow.sys.platform.runAll();
        QCOMPARE(slow.sys.platform.computations()[0].work.count(), 30 * kMs);
        QCOMPARE(slow.log.find(1)->atNs, 31 * kMs);
        // added_latency 5 ms: a stall after the CPU work (10 ms), then the response: 16 ms.
        Bench late(backendWith(1, 10, 10));
        late.sys.backendInstance(0).addedLatency = SimDuration{5 * kMs};
        late.arrive(1);
        late.sys.platform.runAll();
        QCOMPARE(late.log.find(1)->atNs, 16 * kMs);
        const auto& timers = late.sys.platform.timers();
        QCOMPARE(timers.size(), std::size_t{1});
        QCOMPARE(toNanos(timers[0].scheduledAt), 10 * kMs);
        QCOMPARE(timers[0].delay.count(), 5 * kMs);
    }

    void aDeadInstanceRefuses()
    {
        // Killed: the connection is refused, a connect failure, back after 1 ms; no work done.
        Bench b(backendWith(1, 10, 10));
        b.sys.backendInstance(0).alive = false;
        b.arrive(1);
        b.sys.platform.runAll();
        const Answer* a = b.log.find(1);
        QCOMPARE(a->outcome, Outcome::ConnectionFailure);
        QVERIFY(a->reset && a->connectFailure);
        QCOMPARE(a->atNs, 1 * kMs);
        QVERIFY(b.sys.platform.computations().empty());
        QCOMPARE(b.sys.metrics.services()[0].instances[0].rejected, std::uint64_t{1});
    }

    void onANodeThatIsDownNothingAnswers()
    {
        // Node down: nothing answers; the caller gives up after its connect timeout, here 2 s.
        SystemConfig config = backendWith(1, 10, 10);
        config.connectTimeout = SimDuration{2000 * kMs};
        Bench b(config);
        b.sys.backendInstance(0).alive = false;
        b.sys.backendInstance(0).nodeDown = true;
        b.arrive(1);
        b.sys.platform.runAll();
        QCOMPARE(b.log.find(1)->outcome, Outcome::ConnectionFailure);
        QCOMPARE(b.log.find(1)->atNs, 2000 * kMs);
        QVERIFY(b.sys.platform.transfers().empty()); // no packet came back
    }

    void resetAllResetsQueuedAndRunningRequests()
    {
        // Killed at 4 ms (as FaultInjector::kill does it): request 1 is in its CPU work (0 ->
        // 10 ms), request 2 waits in the queue. Both connections are reset: resets (not connect
        // failures: the requests had been sent) back at 4 + 1 = 5 ms. The CPU work stops.
        Bench b(backendWith(1, 10, 10));
        b.arrive(1);
        b.arrive(2);
        b.at(4);
        b.sys.backendInstance(0).alive = false;
        b.sys.server.resetAll(b.sys.backendInstance(0));
        b.sys.platform.runAll();
        QCOMPARE(b.log.answers.size(), std::size_t{2});
        for (const std::uint32_t id : {1U, 2U}) {
            const Answer* a = b.log.find(id);
            QCOMPARE(a->outcome, Outcome::ConnectionFailure);
            QVERIFY(a->reset && !a->connectFailure);
            QCOMPARE(a->atNs, 5 * kMs);
        }
        const auto& cpu = b.sys.platform.computations();
        QCOMPARE(cpu.size(), std::size_t{1}); // request 2 never started
        QVERIFY(cpu[0].cancelled && !cpu[0].finished);
        QCOMPARE(toNanos(cpu[0].cancelledAt), 4 * kMs);
        QCOMPARE(b.sys.platform.busyCoreSeconds(b.sys.backendNode(0)), 0.004);
        QCOMPARE(b.sys.backendInstance(0).busy, 0U);
        QVERIFY(b.sys.backendInstance(0).queue.empty());
        QCOMPARE(b.sys.runtime.records.jobs.inUse(), std::size_t{0});
    }
};

QTEST_GUILESS_MAIN(TestInstanceServer)
#include "tst_instance_server.moc"
