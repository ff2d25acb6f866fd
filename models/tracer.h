#pragma once

// Tracer: the sampled request traces of results.json (OpenTelemetry-shaped span trees: the
// client request, every call and every request at an instance, with outcome, response flags
// and attempts). `traces.sample` of the client requests sent after the warmup are traced, up to
// `traces.max`; the choice draws from the tracer's own random stream, so tracing never changes
// the simulation. Owns its traces. Not thread-safe.

#include "engine/core/random.h"
#include "engine/core/sim_time.h"
#include "models/config.h"
#include "models/metrics.h"
#include "models/outcome.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace meshsim::models {

struct Span
{
    std::int32_t parent = -1;
    std::string name;
    engine::SimTime start;
    engine::SimTime end;
    Outcome outcome = Outcome::Ok;
    std::uint16_t flags = 0;
    std::uint32_t attempts = 0;
};

struct Trace
{
    RouteIndex route = 0;
    std::uint64_t request = 0; // the client request's id
    std::vector<Span> spans;
    bool done = false; // handed over: later spans are not recorded
};

class Tracer
{
public:
    Tracer(const TraceConfig& config, std::uint64_t seed, SimDuration warmup);

    // A new trace for a client request sent at `now`, or null when it is not sampled.
    Trace* maybeTrace(RouteIndex route, std::uint64_t request, engine::SimTime now);
    std::int32_t openSpan(Trace* trace, std::int32_t parent, std::string name, engine::SimTime now);
    static void closeSpan(Trace* trace,
                          std::int32_t span,
                          engine::SimTime now,
                          Outcome outcome,
                          std::uint16_t flags,
                          std::uint32_t attempts);
    // The trace as results record it; marks it done.
    static TraceRecord finish(Trace* trace, const std::string& routePath);

private:
    TraceConfig m_config;
    SimDuration m_warmup;
    engine::RandomStream m_random;
    std::vector<std::unique_ptr<Trace>> m_traces;
};

} // namespace meshsim::models
