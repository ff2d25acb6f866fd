// Frames of the topology view without a GPU (the offscreen platform's software raster): the
// particle layer alone and the whole view (nodes, edges, labels, particles), with N particles
// moving on the default scenario's graph. docs/performance.md gives the numbers and the command.
//
// The particles are N sampled requests, each one Transfer hop along a call edge of the default
// scenario, with start times spread so that all N are under way during the measured frames; each
// iteration draws one frame 16 ms of simulated time after the previous one (1x playback at 60
// frames/s), into a 1600 x 900 image.

#include "run/recording_follower.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"
#include "topologies/yaml_outline.h"
#include "ui/topology_scene.h"
#include "ui/topology_view.h"

#include <QApplication>
#include <QImage>
#include <QPainter>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>

using namespace meshsim;
namespace m = meshsim::models;

namespace {

struct Fixture
{
    topologies::SystemView view;
    m::Recording recording;
    std::unique_ptr<ui::TopologyScene> scene;
    std::unique_ptr<ui::TopologyView> widget;
};

std::unique_ptr<Fixture> makeFixture(std::size_t particles)
{
    auto f = std::make_unique<Fixture>();
    const std::string spec(topologies::kDefaultScenario);
    topologies::LoadResult loaded = topologies::loadScenario(spec);
    if (!loaded.ok()) {
        std::fprintf(stderr, "%s does not load\n", spec.c_str());
        std::exit(1);
    }
    f->view = run::makeRecordingInfo(*loaded.scenario, m::EngineKind::Fast, 1).view;
    const auto edges = f->view.edges();
    m::Recording& r = f->recording;
    r.layout.windowNs = 1'000'000'000;
    r.windows = 10;
    std::uint64_t x = 12345;
    auto next = [&x] { // xorshift: a fixed spread, not a model's randomness
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (std::size_t i = 0; i < particles; ++i) {
        const auto& [from, to] = edges[i % edges.size()];
        const auto& callee = f->view.components[to];
        m::RecordedRequest q;
        q.id = i + 1;
        const std::int64_t start
            = 4'000'000'000 - static_cast<std::int64_t>(next() % 1'000'000'000);
        m::RecordedHop request;
        request.start = start;
        request.end = start + 3'000'000'000;
        request.at = {from, m::kNoIndex, 0};
        q.hops.push_back(request);
        m::RecordedHop transfer = request;
        transfer.kind = m::HopKind::Transfer;
        transfer.parent = 0;
        transfer.from = {from, m::kNoIndex, 0};
        transfer.at
            = {to,
               callee.replicas ? static_cast<std::uint32_t>(next() % callee.replicas) : m::kNoIndex,
               0};
        transfer.outcome = (i % 10 == 0) ? m::Outcome::ServerError : m::Outcome::Ok;
        q.hops.push_back(transfer);
        r.requests.push_back(std::move(q));
    }
    f->scene = std::make_unique<ui::TopologyScene>();
    f->scene->setSystem(f->view, {});
    f->scene->setRecording(&f->recording);
    f->widget = std::make_unique<ui::TopologyView>();
    f->widget->setScene(f->scene.get());
    f->widget->resize(1600, 900);
    f->widget->show();
    QApplication::processEvents();
    f->widget->fit();
    return f;
}

void frames(benchmark::State& state, bool wholeView)
{
    const auto particles = static_cast<std::size_t>(state.range(0));
    const auto f = makeFixture(particles);
    QImage image(1600, 900, QImage::Format_ARGB32_Premultiplied);
    std::int64_t frame = 0;
    std::size_t drawn = 0;
    for (auto _ : state) {
        // Every particle is under way from 4 s to 6 s: the frames cycle through that time.
        const std::int64_t t = 4'000'000'000 + (++frame * 16'000'000) % 2'000'000'000;
        f->scene->show(t, std::nullopt);
        QPainter painter(&image);
        if (wholeView) {
            f->widget->render(&painter, QRectF(), f->widget->viewport()->rect());
        } else {
            image.fill(Qt::white);
            f->scene->particles()->paint(&painter, nullptr, nullptr);
        }
        painter.end();
        drawn = f->scene->particles()->drawnLastFrame();
        benchmark::DoNotOptimize(image.bits());
    }
    state.counters["particles"] = static_cast<double>(drawn);
}

void particleLayer(benchmark::State& state)
{
    frames(state, false);
}

void wholeView(benchmark::State& state)
{
    frames(state, true);
}

// The scenario editor's outline of its text, rebuilt after each keystroke when the cursor moves
// or completion asks: the 1,000-service fan-out (2,017 lines) repeated `Arg` times (x20 is about
// the loader's 2 MiB limit).
void editorOutline(benchmark::State& state)
{
    const auto text = topologies::builtinScenarioText("bench-fanout1000");
    if (!text) {
        state.SkipWithError("no bench-fanout1000 scenario");
        return;
    }
    std::string big;
    for (std::int64_t i = 0; i < state.range(0); ++i)
        big += std::string(*text) + "\n";
    for (auto _ : state) {
        const topologies::YamlOutline outline = topologies::YamlOutline::fromText(big);
        benchmark::DoNotOptimize(outline.entries().size());
    }
}

} // namespace

BENCHMARK(editorOutline)->Arg(1)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(particleLayer)->Arg(20'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(wholeView)
    ->Arg(0)
    ->Arg(20'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen"); // software raster, as on a machine without a GPU
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
