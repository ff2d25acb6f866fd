// Micro-benchmarks of the event core (Google Benchmark). Run: build/<preset>/bench/meshsim_bench
//
// EventQueueHold is the classic "hold" model of event-list benchmarks: the queue keeps n
// pending events; each executed event schedules one successor at a random future time, so every
// iteration is one pop and one push at a steady size n. items_per_second is events per second.

#include "engine/core/distribution.h"
#include "engine/core/event_queue.h"
#include "engine/core/fast_platform.h"
#include "engine/core/random.h"

#include <benchmark/benchmark.h>

using namespace meshsim::engine;

namespace {

struct Hold
{
    EventQueue* queue;
    RandomStream* random;
    std::uint64_t* remaining;
};

void holdEvent(Hold* h)
{
    if (*h->remaining == 0)
        return;
    --*h->remaining;
    // Exponential-ish spread of future times: uniform over [0, 2^20) ns.
    const SimDuration delay{static_cast<std::int64_t>(h->random->nextU64() >> 44)};
    h->queue->scheduleAfter(delay, [h] { holdEvent(h); });
}

void BM_EventQueueHold(benchmark::State& state)
{
    const auto size = static_cast<std::uint64_t>(state.range(0));
    constexpr std::uint64_t kEvents = 2'000'000;
    std::uint64_t executed = 0;
    for (auto _ : state) {
        state.PauseTiming();
        EventQueue queue;
        RandomStream random(1, "hold");
        std::uint64_t remaining = kEvents;
        Hold h{&queue, &random, &remaining};
        Hold* hp = &h;
        for (std::uint64_t i = 0; i < size; ++i)
            queue.scheduleAfter(SimDuration{static_cast<std::int64_t>(random.nextU64() >> 44)},
                                [hp] { holdEvent(hp); });
        state.ResumeTiming();
        queue.run();
        executed += queue.executed();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(executed));
}
BENCHMARK(BM_EventQueueHold)->Arg(16)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_EventQueueScheduleCancel(benchmark::State& state)
{
    // Timers that are mostly cancelled before they fire (request timeouts).
    EventQueue queue;
    std::int64_t t = 0;
    for (auto _ : state) {
        const TimerId id = queue.scheduleAt(atNanos(t + 1'000'000), [] {});
        benchmark::DoNotOptimize(queue.cancel(id));
        queue.scheduleAt(atNanos(++t), [] {});
        queue.step();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventQueueScheduleCancel);

struct Chain
{
    FastPlatform* platform;
    std::uint64_t* remaining;
};

void chainStep(Chain* c, NodeId node)
{
    if (*c->remaining == 0)
        return;
    --*c->remaining;
    const NodeId next = (node + 1) % 10;
    // One hop: a transfer, then a computation on the next node.
    c->platform->transfer(node, next, 1000, [c, next] {
        c->platform->compute(next, SimDuration{100'000}, [c, next] { chainStep(c, next); });
    });
}

void BM_FastPlatformHops(benchmark::State& state)
{
    // 10 nodes, 1000 concurrent flows each hopping transfer -> compute -> transfer ...:
    // items_per_second is hops (two platform activities each) per second.
    PlatformSpec spec;
    spec.zones = {"z"};
    for (int i = 0; i < 10; ++i)
        spec.nodes.push_back({"n" + std::to_string(i), 0, 64, 1.0});
    spec.nodes.push_back({"clients", 0, 1, 1.0});
    spec.clientNode = 10;
    spec.sameZone = {SimDuration{100'000}, 1.25e9};
    constexpr std::uint64_t kHops = 1'000'000;
    std::uint64_t hops = 0;
    for (auto _ : state) {
        state.PauseTiming();
        FastPlatform platform(spec);
        std::uint64_t remaining = kHops;
        Chain chain{&platform, &remaining};
        Chain* cp = &chain;
        for (NodeId flow = 0; flow < 1000; ++flow)
            platform.schedule(SimDuration{flow}, [cp, flow] { chainStep(cp, flow % 10); });
        state.ResumeTiming();
        platform.runUntil(kSimNever);
        hops += kHops;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(hops));
}
BENCHMARK(BM_FastPlatformHops)->Unit(benchmark::kMillisecond);

// Sampling: an empirical distribution of `range(0)` values (a measured CPU profile) against an
// exponential of the same mean.
void BM_SampleEmpirical(benchmark::State& state)
{
    std::vector<double> values;
    std::vector<double> weights;
    for (std::int64_t i = 0; i < state.range(0); ++i) {
        values.push_back(1e5 * static_cast<double>(i + 1));
        weights.push_back(1.0 + static_cast<double>(i % 7));
    }
    const Distribution d = Distribution::empirical(values, weights);
    RandomStream random(1, "bench");
    double sum = 0.0;
    for (auto _ : state)
        sum += d.sample(random);
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_SampleEmpirical)->Arg(10)->Arg(1'000)->Arg(100'000);

void BM_SampleExponential(benchmark::State& state)
{
    const Distribution d = Distribution::exponential(5e7);
    RandomStream random(1, "bench");
    double sum = 0.0;
    for (auto _ : state)
        sum += d.sample(random);
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_SampleExponential);

} // namespace

BENCHMARK_MAIN();
