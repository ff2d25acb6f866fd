#include "models/tracer.h"

namespace meshsim::models {

Tracer::Tracer(const TraceConfig& config, std::uint64_t seed, SimDuration warmup)
    : m_config(config)
    , m_warmup(warmup)
    , m_random(seed, "traces")
{}

Trace* Tracer::maybeTrace(RouteIndex route, std::uint64_t request, engine::SimTime now)
{
    if (m_config.maxTraces == 0 || now < engine::kSimStart + m_warmup)
        return nullptr;
    if (m_traces.size() >= m_config.maxTraces)
        return nullptr;
    if (!m_random.bernoulli(m_config.sampleFraction))
        return nullptr;
    auto trace = std::make_unique<Trace>();
    trace->route = route;
    trace->request = request;
    m_traces.push_back(std::move(trace));
    return m_traces.back().get();
}

std::int32_t
Tracer::openSpan(Trace* trace, std::int32_t parent, std::string name, engine::SimTime now)
{
    Span span;
    span.parent = parent;
    span.name = std::move(name);
    span.start = now;
    span.end = engine::kSimNever;
    trace->spans.push_back(std::move(span));
    return static_cast<std::int32_t>(trace->spans.size() - 1);
}

void Tracer::closeSpan(Trace* trace,
                       std::int32_t span,
                       engine::SimTime now,
                       Outcome outcome,
                       std::uint16_t flags,
                       std::uint32_t attempts)
{
    if (span < 0)
        return;
    Span& s = trace->spans[static_cast<std::size_t>(span)];
    s.end = now;
    s.outcome = outcome;
    s.flags = flags;
    s.attempts = attempts;
}

TraceRecord Tracer::finish(Trace* trace, const std::string& routePath)
{
    TraceRecord record;
    record.route = routePath;
    record.request = trace->request;
    for (const Span& s : trace->spans)
        record.spans.push_back(SpanRecord{s.parent,
                                          s.name,
                                          engine::toNanos(s.start),
                                          s.end == engine::kSimNever ? -1 : engine::toNanos(s.end),
                                          s.outcome,
                                          s.flags,
                                          s.attempts});
    trace->done = true;
    return record;
}

} // namespace meshsim::models
