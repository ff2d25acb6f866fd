// The settings of the run: the root's own keys (format version, name, seed, durations, engine,
// architecture), slo, discovery and traces.

#include "topologies/internal/enum_names.h"
#include "topologies/internal/sections.h"
#include "topologies/units.h"

#include <charconv>

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

void readRunSettings(Context& ctx, const Fields& root, Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    if (const YAML::Node* version = root.find("meshsim")) {
        std::uint32_t v = 0;
        if (reader.parseCount(*version, "meshsim", v, 0, 1000) && v != 1)
            reader.error(*version,
                         "meshsim",
                         "unsupported format version " + std::to_string(v) + " (expected 1)");
    } else {
        reader.error(root.node(),
                     "",
                     "missing key \"meshsim\" (the format version: write meshsim: 1 at the "
                     "top of the file)");
    }
    reader.readString(root, "name", s.name);
    reader.readString(root, "description", s.description);
    if (const YAML::Node* seed = root.find("seed")) {
        if (reader.scalar(*seed, "seed", "a whole number")) {
            const std::string& t = seed->Scalar();
            std::uint64_t value = 0;
            const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
            if (ec != std::errc() || ptr != t.data() + t.size())
                reader.expected(*seed, "seed", "a whole number from 0 to 18446744073709551615");
            else
                s.seed = value;
        }
    }
    reader.readDuration(root, "duration", s.duration, true);
    reader.readDuration(root, "warmup", s.warmup);
    reader.readDuration(root, "drain", s.drain);
    reader.readDuration(root, "window", s.window, true);
    if (s.warmup >= s.duration)
        reader.error(root.nodeOr("warmup", root.node()),
                     "warmup",
                     "impossible value (expected a warmup shorter than the duration, "
                         + formatDuration(s.duration) + ")");
    if (s.window.count() > 0
        && static_cast<std::size_t>((s.duration + s.drain) / s.window) > limits.maxWindows)
        reader.error(root.nodeOr("window", root.node()),
                     "window",
                     "too many time windows (expected at most " + std::to_string(limits.maxWindows)
                         + " windows over duration + drain; choose a longer window)");
    reader.readEnum(root, "engine", s.engine, kEngineNames);
    reader.readEnum(root, "architecture", s.system.architecture, kArchitectureNames);
}

void readSlo(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    Fields f(reader, node, "slo", {"mean", "p50", "p90", "p95", "p99", "p999", "error_rate"});
    if (!f.valid())
        return;
    using M = m::SloConfig::Metric;
    const std::pair<const char*, M> latencies[] = {{"mean", M::Mean},
                                                   {"p50", M::P50},
                                                   {"p90", M::P90},
                                                   {"p95", M::P95},
                                                   {"p99", M::P99},
                                                   {"p999", M::P999}};
    for (const auto& [key, metric] : latencies) {
        SimDuration limit{0};
        if (reader.readDuration(f, key, limit, true))
            s.slo.objectives.push_back({metric, static_cast<double>(limit.count())});
    }
    double rate = 0.0;
    if (reader.readFraction(f, "error_rate", rate))
        s.slo.objectives.push_back({M::ErrorRate, rate});
}

void readDiscovery(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    Fields df(reader,
              node,
              "discovery",
              {"readiness_period", "failure_threshold", "success_threshold", "propagation"});
    if (df.valid()) {
        reader.readDuration(df, "readiness_period", s.system.discovery.readinessPeriod, true);
        reader.readCount(df, "failure_threshold", s.system.discovery.failureThreshold, 1, 1000);
        reader.readCount(df, "success_threshold", s.system.discovery.successThreshold, 1, 1000);
        reader.readDuration(df, "propagation", s.system.discovery.propagation);
    }
}

void readTraces(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    Fields tf(reader, node, "traces", {"sample", "max"});
    if (tf.valid()) {
        reader.readFraction(tf, "sample", s.system.traces.sampleFraction);
        reader.readCount(tf, "max", s.system.traces.maxTraces, 0, 10'000);
    }
}

} // namespace meshsim::topologies::internal
