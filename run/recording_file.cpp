#include "run/recording_file.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

namespace meshsim::run {

namespace m = meshsim::models;
using Json = nlohmann::json;

namespace {

constexpr std::array<char, 8> kSignature{'\x89', 'M', 'S', 'H', 'R', 'E', 'C', '\n'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kNone = m::kNoIndex;
constexpr std::uint64_t kMaxWindowsPerChunk = std::uint64_t{1} << 24;
// Operation series in all (a service has at most 1,000 operations).
constexpr std::uint64_t kMaxOperationSeries = 10'000'000;
// A hop's kind byte: the kind in the low 4 bits, and which optional fields follow.
constexpr unsigned kSameFrom = 0x10; // `from` is `at` (not written)
constexpr unsigned kHasFlags = 0x20;
constexpr unsigned kHasDetail = 0x40;

// --- writing -------------------------------------------------------------------------------

class Out
{
public:
    void u8(std::uint8_t v) { m_bytes.push_back(static_cast<char>(v)); }
    void varint(std::uint64_t v)
    {
        while (v >= 0x80) {
            u8(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        u8(static_cast<std::uint8_t>(v));
    }
    void zigzag(std::int64_t v)
    {
        varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    // kNoIndex -> 0, i -> i + 1
    void index(std::uint32_t v) { varint(v == kNone ? 0 : std::uint64_t{v} + 1); }
    void fixed64(std::uint64_t v)
    {
        for (int i = 0; i < 8; ++i)
            u8(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void f32(float v)
    {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        for (int i = 0; i < 4; ++i)
            u8(static_cast<std::uint8_t>(bits >> (8 * i)));
    }
    void f64(double v)
    {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        fixed64(bits);
    }
    void bytes(std::string_view s) { m_bytes.append(s); }
    void reserve(std::size_t n) { m_bytes.reserve(n); }
    std::string& str() { return m_bytes; }

private:
    std::string m_bytes;
};

std::string chunkOf(ChunkType type, const std::string& payload)
{
    Out out;
    out.u8(static_cast<std::uint8_t>(type));
    out.varint(payload.size());
    out.bytes(payload);
    return std::move(out.str());
}

void writeOutcomes(Out& out, const m::WindowOutcomes& w)
{
    for (const std::uint32_t c : w.outcomes)
        out.varint(c);
    out.varint(w.timed);
    out.f64(w.latencySumNs);
    out.zigzag(w.p50);
    out.zigzag(w.p95);
    out.zigzag(w.p99);
}

void writePlace(Out& out, const m::Place& p)
{
    out.index(p.component);
    out.index(p.instance);
    out.index(p.node);
}

Json viewToJson(const topologies::SystemView& v)
{
    Json j;
    j["name"] = v.name;
    j["architecture"] = v.architecture;
    j["first_tier"] = v.firstTier;
    j["zones"] = v.zones;
    Json nodes = Json::array();
    for (const auto& n : v.nodes)
        nodes.push_back({{"name", n.name},
                         {"zone", n.zone},
                         {"cores", n.cores},
                         {"speed", n.speed},
                         {"clients", n.clients}});
    j["nodes"] = nodes;
    Json components = Json::array();
    for (const auto& c : v.components) {
        components.push_back({{"name", c.name},
                              {"kind", m::componentKindName(c.kind)},
                              {"replicas", c.replicas},
                              {"workers", c.workers},
                              {"first_instance", c.firstInstance},
                              {"sidecars", c.sidecars},
                              {"callees", c.callees}});
        if (!c.versions.empty()) { // a service with versions (older readers skip the key)
            Json versions = Json::array();
            for (std::size_t k = 0; k < c.versions.size(); ++k)
                versions.push_back({{"name", c.versions[k]}, {"replicas", c.versionReplicas[k]}});
            components.back()["versions"] = versions;
        }
        if (!c.operations.empty()) // a service with named operations (older readers skip it)
            components.back()["operations"] = c.operations;
    }
    j["components"] = components;
    Json instances = Json::array();
    for (const auto& i : v.instances)
        instances.push_back({i.component, i.index, i.node});
    j["instances"] = instances;
    Json routes = Json::array();
    for (const auto& r : v.routes)
        routes.push_back({{"path", r.path}, {"targets", r.targets}});
    j["routes"] = routes;
    return j;
}

// --- reading -------------------------------------------------------------------------------

class In
{
public:
    explicit In(std::string_view bytes)
        : m_bytes(bytes)
    {}
    bool ok() const { return m_ok; }
    std::size_t remaining() const { return m_bytes.size() - m_pos; }
    bool done() const { return m_pos == m_bytes.size(); }

    std::uint8_t u8()
    {
        if (m_pos >= m_bytes.size()) {
            m_ok = false;
            return 0;
        }
        return static_cast<std::uint8_t>(m_bytes[m_pos++]);
    }
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const std::uint8_t b = u8();
            if (!m_ok)
                return 0;
            v |= std::uint64_t{b & 0x7FU} << shift;
            if ((b & 0x80) == 0)
                return v;
        }
        m_ok = false; // more than ten bytes: not a varint
        return 0;
    }
    std::int64_t zigzag()
    {
        const std::uint64_t v = varint();
        return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
    }
    std::uint32_t u32(std::uint64_t max = std::numeric_limits<std::uint32_t>::max())
    {
        const std::uint64_t v = varint();
        if (v > max)
            m_ok = false;
        return static_cast<std::uint32_t>(v);
    }
    std::uint32_t index()
    {
        const std::uint64_t v = varint();
        if (v > std::uint64_t{std::numeric_limits<std::uint32_t>::max()})
            m_ok = false;
        return v == 0 ? kNone : static_cast<std::uint32_t>(v - 1);
    }
    std::uint64_t fixed64()
    {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v |= std::uint64_t{u8()} << (8 * i);
        return v;
    }
    float f32()
    {
        std::uint32_t bits = 0;
        for (int i = 0; i < 4; ++i)
            bits |= std::uint32_t{u8()} << (8 * i);
        float v = 0.0F;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    double f64()
    {
        const std::uint64_t bits = fixed64();
        double v = 0.0;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    std::string_view take(std::size_t n)
    {
        if (n > remaining()) {
            m_ok = false;
            return {};
        }
        const std::string_view s = m_bytes.substr(m_pos, n);
        m_pos += n;
        return s;
    }
    // A count of items of at least `minBytes` each: never more than the bytes left allow.
    std::uint64_t count(std::size_t minBytes)
    {
        const std::uint64_t n = varint();
        if (minBytes > 0 && n > remaining() / minBytes)
            m_ok = false;
        return m_ok ? n : 0;
    }

private:
    std::string_view m_bytes;
    std::size_t m_pos = 0;
    bool m_ok = true;
};

// sum = a + b, false when it does not fit: times are nanoseconds of a run, so a time beyond the
// signed 64-bit range is a malformed file.
bool addNanos(std::int64_t a, std::int64_t b, std::int64_t& sum)
{
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    if (b > 0 ? a > kMax - b : a < kMin - b)
        return false;
    sum = a + b;
    return true;
}
bool addNanos(std::int64_t a, std::uint64_t b, std::int64_t& sum)
{
    return b <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
           && addNanos(a, static_cast<std::int64_t>(b), sum);
}

void readOutcomes(In& in, m::WindowOutcomes& w)
{
    for (std::uint32_t& c : w.outcomes)
        c = in.u32();
    w.timed = in.u32();
    w.latencySumNs = in.f64();
    w.p50 = in.zigzag();
    w.p95 = in.zigzag();
    w.p99 = in.zigzag();
}

m::Place readPlace(In& in)
{
    m::Place p;
    p.component = in.index();
    p.instance = in.index();
    p.node = in.index();
    return p;
}

// Typed access to untrusted JSON: a wrong type or a missing key is an error, never an exception.
struct JsonReader
{
    std::string error;

    const Json* get(const Json& j, const char* key, Json::value_t type)
    {
        if (!j.is_object()) {
            fail("expected an object");
            return nullptr;
        }
        const auto it = j.find(key);
        const bool numeric = type == Json::value_t::number_unsigned;
        if (it == j.end() || (numeric ? !it->is_number_unsigned() : it->type() != type)) {
            fail(std::string("missing or wrong \"") + key + "\"");
            return nullptr;
        }
        return &*it;
    }
    std::string text(const Json& j, const char* key)
    {
        const Json* v = get(j, key, Json::value_t::string);
        return v ? v->get<std::string>() : std::string();
    }
    std::uint64_t number(const Json& j, const char* key, std::uint64_t max)
    {
        const Json* v = get(j, key, Json::value_t::number_unsigned);
        if (!v)
            return 0;
        const auto n = v->get<std::uint64_t>();
        if (n > max)
            fail(std::string("\"") + key + "\" out of range");
        return n;
    }
    const Json* array(const Json& j, const char* key, std::size_t maxSize)
    {
        const Json* v = get(j, key, Json::value_t::array);
        if (v && v->size() > maxSize) {
            fail(std::string("\"") + key + "\" too long");
            return nullptr;
        }
        return v;
    }
    std::uint32_t element(const Json& j, std::uint64_t max)
    {
        if (!j.is_number_unsigned() || j.get<std::uint64_t>() > max) {
            fail("an index out of range");
            return 0;
        }
        return static_cast<std::uint32_t>(j.get<std::uint64_t>());
    }
    void fail(std::string message)
    {
        if (error.empty())
            error = std::move(message);
    }
};

std::optional<topologies::SystemView> viewFromJson(const Json& j, JsonReader& r)
{
    constexpr std::size_t kMax = 10'000'000;
    topologies::SystemView v;
    v.name = r.text(j, "name");
    v.architecture = r.text(j, "architecture");
    if (const Json* zones = r.array(j, "zones", kMax))
        for (const Json& z : *zones) {
            if (!z.is_string())
                return r.fail("a zone that is not a name"), std::nullopt;
            v.zones.push_back(z.get<std::string>());
        }
    if (v.zones.empty())
        r.fail("no zones");
    if (const Json* nodes = r.array(j, "nodes", kMax))
        for (const Json& n : *nodes) {
            topologies::SystemView::Node node;
            node.name = r.text(n, "name");
            node.zone = static_cast<std::uint32_t>(r.number(n, "zone", v.zones.size() - 1));
            node.cores = static_cast<std::uint32_t>(r.number(n, "cores", 1U << 20));
            const auto speed = n.find("speed");
            node.speed = speed != n.end() && speed->is_number() ? speed->get<double>() : 1.0;
            const auto clients = n.find("clients");
            node.clients = clients != n.end() && clients->is_boolean() && clients->get<bool>();
            v.nodes.push_back(std::move(node));
        }
    const Json* components = r.array(j, "components", kMax);
    const Json* instances = r.array(j, "instances", kMax);
    const Json* routes = r.array(j, "routes", kMax);
    if (!components || !instances || !routes || !r.error.empty())
        return std::nullopt;
    const std::size_t componentCount = components->size();
    v.firstTier = static_cast<std::uint32_t>(r.number(j, "first_tier", componentCount));
    for (const Json& c : *components) {
        topologies::SystemView::Component component;
        component.name = r.text(c, "name");
        if (const auto kind = m::componentKindFromName(r.text(c, "kind")))
            component.kind = *kind;
        else
            r.fail("unknown component kind");
        component.replicas = static_cast<std::uint32_t>(r.number(c, "replicas", kMax));
        if (c.contains("workers")) // written since the GUI (meshsim-recording/1 readers skip it)
            component.workers = static_cast<std::uint32_t>(r.number(c, "workers", kMax));
        component.firstInstance
            = static_cast<std::uint32_t>(r.number(c, "first_instance", instances->size()));
        if (std::uint64_t{component.firstInstance} + component.replicas > instances->size())
            r.fail("a component's instances beyond the list");
        const auto sidecars = c.find("sidecars");
        component.sidecars = sidecars != c.end() && sidecars->is_boolean() && sidecars->get<bool>();
        if (const Json* callees = r.array(c, "callees", componentCount))
            for (const Json& callee : *callees)
                component.callees.push_back(r.element(callee, componentCount - 1));
        if (c.contains("versions")) {
            std::uint64_t sum = 0;
            if (const Json* versions = r.array(c, "versions", 64))
                for (const Json& version : *versions) {
                    component.versions.push_back(r.text(version, "name"));
                    component.versionReplicas.push_back(
                        static_cast<std::uint32_t>(r.number(version, "replicas", kMax)));
                    sum += component.versionReplicas.back();
                }
            if (sum != component.replicas)
                r.fail("a component's versions do not add up to its replicas");
        }
        if (c.contains("operations"))
            if (const Json* operations = r.array(c, "operations", 1000))
                for (const Json& operation : *operations)
                    component.operations.push_back(
                        operation.is_string() ? operation.get<std::string>() : std::string());
        v.components.push_back(std::move(component));
    }
    for (const Json& i : *instances) {
        if (!i.is_array() || i.size() != 3)
            return r.fail("an instance that is not [component, index, node]"), std::nullopt;
        v.instances.push_back({r.element(i[0], componentCount - 1),
                               r.element(i[1], kMax),
                               r.element(i[2], v.nodes.empty() ? 0 : v.nodes.size() - 1)});
    }
    for (const Json& route : *routes) {
        topologies::SystemView::Route out;
        out.path = r.text(route, "path");
        if (const Json* targets = r.array(route, "targets", componentCount))
            for (const Json& t : *targets)
                out.targets.push_back(r.element(t, componentCount - 1));
        v.routes.push_back(std::move(out));
    }
    if (componentCount == 0 || v.nodes.empty())
        r.fail("an empty system");
    if (!r.error.empty())
        return std::nullopt;
    return v;
}

} // namespace

// --- encoders ------------------------------------------------------------------------------

nlohmann::ordered_json recordingHeaderJson(const RecordingInfo& info, const m::Recording& recording)
{
    const m::SeriesLayout& s = recording.layout;
    nlohmann::ordered_json j;
    j["format"] = kRecordingFormat;
    j["scenario"] = info.scenario;
    j["file"] = info.file;
    j["engine"] = info.engine;
    j["seed"] = info.seed;
    j["window_ns"] = s.windowNs;
    j["budget_bytes"] = recording.budgetBytes;
    Json edges = Json::array();
    for (const auto& [from, to] : s.edges)
        edges.push_back({from, to});
    j["layout"] = {{"routes", s.routes},
                   {"tier_replicas", s.tierReplicas},
                   {"edges", edges},
                   {"nodes", s.nodes},
                   {"proxy_kinds", recording.proxies.size()},
                   {"tier_operations", s.tierOperations}};
    j["view"] = viewToJson(info.view);
    return j;
}

std::string encodeHeader(const RecordingInfo& info, const m::Recording& recording)
{
    return chunkOf(ChunkType::Header, recordingHeaderJson(info, recording).dump());
}

std::string encodeWindows(const m::Recording& r, std::uint32_t first, std::uint32_t count)
{
    Out out;
    out.varint(first);
    out.varint(count);
    for (std::uint32_t w = first; w < first + count; ++w) {
        for (const auto& series : r.routes) {
            out.varint(series[w].sent);
            writeOutcomes(out, series[w].answered);
        }
        for (const auto* tiers : {&r.tiers, &r.instances}) {
            for (const auto& series : *tiers) {
                const m::TierWindow& t = series[w];
                out.varint(t.arrivals);
                writeOutcomes(out, t.responses);
                out.varint(t.queueMax);
                out.f32(t.queueMean);
                out.f32(t.busyMean);
                out.f32(t.cpuSeconds);
                out.varint(t.ejectedMax);
            }
        }
        for (const auto& series : r.edges) {
            const m::EdgeWindow& e = series[w];
            writeOutcomes(out, e.calls);
            out.varint(e.attempts);
            out.varint(e.breakersOpen);
            out.varint(e.ejections);
        }
        for (const auto& series : r.proxies) {
            const m::ProxyWindow& p = series[w];
            out.varint(p.traversals);
            out.f32(p.cpuSeconds);
            out.zigzag(p.p50);
            out.zigzag(p.p95);
            out.zigzag(p.p99);
        }
        for (const auto& series : r.nodes)
            out.f32(series[w].utilisation);
        for (const auto& series : r.operations)
            writeOutcomes(out, series[w]);
    }
    return chunkOf(ChunkType::Windows, out.str());
}

std::string encodeLatency(const m::Recording& r, std::uint32_t first, std::uint32_t count)
{
    Out out;
    out.varint(first);
    out.varint(count);
    const auto write = [&out](const std::vector<m::LatencyBucket>& buckets) {
        out.varint(buckets.size());
        std::uint32_t previous = 0;
        for (const m::LatencyBucket& b : buckets) {
            out.varint(b.bucket - previous); // increasing: deltas
            out.varint(b.count);
            previous = b.bucket;
        }
    };
    for (std::uint32_t w = first; w < first + count; ++w) {
        for (const auto& series : r.routes)
            write(series[w].answered.latency);
        for (const auto& series : r.tiers)
            write(series[w].responses.latency);
        for (const auto& series : r.edges)
            write(series[w].calls.latency);
    }
    return chunkOf(ChunkType::Latency, out.str());
}

std::string
encodeStates(const std::vector<m::StateChange>& states, std::size_t first, std::size_t count)
{
    Out out;
    out.varint(count);
    for (std::size_t i = first; i < first + count; ++i) {
        const m::StateChange& s = states[i];
        out.zigzag(engine::toNanos(s.at));
        out.u8(static_cast<std::uint8_t>(s.kind));
        out.u8(static_cast<std::uint8_t>(s.breaker));
        out.u8(static_cast<std::uint8_t>(s.reason));
        out.index(s.component);
        out.index(s.instance);
        out.index(s.target);
        out.index(s.host);
    }
    return chunkOf(ChunkType::States, out.str());
}

std::string encodeRequests(const std::vector<m::RecordedRequest>& requests,
                           std::size_t first,
                           std::size_t count)
{
    Out out;
    std::size_t hops = 0;
    for (std::size_t i = first; i < first + count; ++i)
        hops += requests[i].hops.size();
    out.reserve(count * 16 + hops * 24); // about what a hop takes
    out.varint(count);
    for (std::size_t i = first; i < first + count; ++i) {
        const m::RecordedRequest& r = requests[i];
        out.varint(r.id);
        out.fixed64(r.sampleKey);
        out.varint(r.route);
        out.u8(r.complete ? 1 : 0);
        out.varint(r.hops.size());
        for (std::size_t k = 0; k < r.hops.size(); ++k) {
            const m::RecordedHop& h = r.hops[k];
            // Times relative to the parent's start (hop 0: absolute); the kind byte says which of
            // the optional fields follow.
            const std::int64_t origin
                = k == 0 ? 0 : r.hops[static_cast<std::size_t>(h.parent)].start;
            const bool sameFrom = h.from.component == h.at.component
                                  && h.from.instance == h.at.instance && h.from.node == h.at.node;
            out.varint(h.parent < 0 ? 0 : static_cast<std::uint64_t>(h.parent) + 1);
            out.u8(static_cast<std::uint8_t>(
                static_cast<unsigned>(h.kind) | (sameFrom ? kSameFrom : 0U)
                | (h.flags != 0 ? kHasFlags : 0U) | (h.detail != 0 ? kHasDetail : 0U)));
            out.u8(static_cast<std::uint8_t>(h.outcome));
            out.zigzag(h.start - origin);
            out.varint(h.end < 0 ? 0 : static_cast<std::uint64_t>(h.end - h.start) + 1);
            if (h.flags != 0)
                out.varint(h.flags);
            if (h.detail != 0)
                out.varint(h.detail);
            writePlace(out, h.at);
            if (!sameFrom)
                writePlace(out, h.from);
        }
    }
    return chunkOf(ChunkType::Requests, out.str());
}

std::string encodeSample(std::uint64_t threshold)
{
    Out out;
    out.fixed64(threshold);
    return chunkOf(ChunkType::Sample, out.str());
}

std::string encodeEnd(const m::Recording& recording, bool cancelled)
{
    const nlohmann::ordered_json j = {{"status", cancelled ? "cancelled" : "complete"},
                                      {"windows", recording.windows},
                                      {"states", recording.states.size()},
                                      {"requests", recording.requests.size()},
                                      {"requests_seen", recording.requestsSeen},
                                      {"late_hops", recording.lateHops},
                                      {"end_ns", recording.endNs}};
    return chunkOf(ChunkType::End, j.dump());
}

std::string encodeFileStart()
{
    Out out;
    out.bytes(std::string_view(kSignature.data(), kSignature.size()));
    for (int i = 0; i < 4; ++i)
        out.u8(static_cast<std::uint8_t>(kVersion >> (8 * i)));
    return std::move(out.str());
}

std::string
encodeRecording(const RecordingInfo& info, const m::Recording& recording, bool cancelled)
{
    std::string bytes = encodeFileStart();
    bytes += encodeHeader(info, recording);
    bytes += encodeSample(recording.sampleThreshold);
    bytes += encodeWindows(recording, 0, recording.windows);
    bytes += encodeLatency(recording, 0, recording.windows);
    bytes += encodeStates(recording.states, 0, recording.states.size());
    bytes += encodeRequests(recording.requests, 0, recording.requests.size());
    bytes += encodeEnd(recording, cancelled);
    return bytes;
}

// --- decoder -------------------------------------------------------------------------------

bool RecordingDecoder::fail(std::string message)
{
    if (!m_error)
        m_error = std::move(message);
    return false;
}

bool RecordingDecoder::file(std::string_view bytes)
{
    if (bytes.size() < kSignature.size() + 4
        || bytes.substr(0, kSignature.size())
               != std::string_view(kSignature.data(), kSignature.size()))
        return fail("not a meshsim recording (no signature)");
    In in(bytes.substr(kSignature.size(), 4));
    std::uint32_t version = 0;
    for (int i = 0; i < 4; ++i)
        version |= std::uint32_t{in.u8()} << (8 * i);
    if (version != kVersion)
        return fail("unsupported recording version " + std::to_string(version) + " (expected "
                    + std::to_string(kVersion) + ")");
    In chunks(bytes.substr(kSignature.size() + 4));
    while (!chunks.done()) {
        const std::size_t before = chunks.remaining();
        chunks.u8();
        const std::uint64_t length = chunks.varint();
        if (!chunks.ok() || length > chunks.remaining())
            return fail("truncated chunk");
        const std::size_t headerBytes = before - chunks.remaining();
        chunks.take(length);
        const std::size_t start = bytes.size() - before;
        if (!chunk(bytes.substr(start, headerBytes + length)))
            return false;
        if (m_ended && !chunks.done())
            return fail("data after the end of the recording");
    }
    if (!m_ended)
        return fail("incomplete recording (no end: the run that wrote it did not finish)");
    return true;
}

bool RecordingDecoder::chunk(std::string_view bytes)
{
    if (failed())
        return false;
    In in(bytes);
    const std::uint8_t type = in.u8();
    const std::uint64_t length = in.varint();
    if (!in.ok() || length != in.remaining())
        return fail("malformed chunk");
    if (length > m_limits.maxChunkBytes)
        return fail("chunk too large");
    const std::string_view payload = in.take(length);
    if (m_ended)
        return fail("a chunk after the end of the recording");
    if (type != static_cast<std::uint8_t>(ChunkType::Header) && !m_hasHeader)
        return fail("recording data before its header");
    switch (static_cast<ChunkType>(type)) {
    case ChunkType::Header:
        return header(payload);
    case ChunkType::Windows:
        return windows(payload);
    case ChunkType::States:
        return states(payload);
    case ChunkType::Requests:
        return requests(payload);
    case ChunkType::Sample:
        return sample(payload);
    case ChunkType::Latency:
        return latency(payload);
    case ChunkType::End:
        return end(payload);
    }
    return true; // a chunk of a newer writer: skipped
}

bool RecordingDecoder::header(std::string_view payload)
{
    if (m_hasHeader)
        return fail("a second header");
    const Json j = Json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail("header: not a JSON object");
    JsonReader r;
    if (r.text(j, "format") != kRecordingFormat)
        return fail("header: not " + std::string(kRecordingFormat));
    m_info.scenario = r.text(j, "scenario");
    m_info.file = r.text(j, "file");
    m_info.engine = r.text(j, "engine");
    m_info.seed = r.number(j, "seed", std::numeric_limits<std::uint64_t>::max());
    m::SeriesLayout& s = m_recording.layout;
    s.windowNs = static_cast<std::int64_t>(
        r.number(j, "window_ns", std::uint64_t{std::numeric_limits<std::int64_t>::max()}));
    if (s.windowNs <= 0)
        r.fail("window_ns must be positive");
    m_recording.budgetBytes
        = r.number(j, "budget_bytes", std::numeric_limits<std::uint64_t>::max());
    const Json* layout = r.get(j, "layout", Json::value_t::object);
    const Json* view = r.get(j, "view", Json::value_t::object);
    if (!layout || !view || !r.error.empty())
        return fail("header: " + r.error);
    const auto parsed = viewFromJson(*view, r);
    if (!parsed)
        return fail("header: view: " + r.error);
    m_info.view = *parsed;
    const auto components = static_cast<std::uint32_t>(m_info.view.components.size());
    s.routes = static_cast<std::uint32_t>(r.number(*layout, "routes", m_info.view.routes.size()));
    if (const Json* replicas = r.array(*layout, "tier_replicas", components)) {
        std::uint64_t instances = 0;
        for (const Json& n : *replicas) {
            s.tierReplicas.push_back(r.element(n, m_info.view.instances.size()));
            instances += s.tierReplicas.back();
        }
        if (instances > m_info.view.instances.size()
            || s.tierReplicas.size() != components - m_info.view.firstTier)
            r.fail("tier_replicas do not match the view");
    }
    if (const Json* edges = r.array(*layout, "edges", std::size_t{components} * components)) {
        for (const Json& e : *edges) {
            if (!e.is_array() || e.size() != 2) {
                r.fail("an edge that is not [from, to]");
                break;
            }
            s.edges.emplace_back(r.element(e[0], components - 1), r.element(e[1], components - 1));
        }
    }
    s.nodes = static_cast<std::uint32_t>(r.number(*layout, "nodes", m_info.view.nodes.size()));
    // Written since waypoints (a fifth kind); older files have the first four.
    m_proxyKinds = layout->contains("proxy_kinds")
                       ? static_cast<std::size_t>(r.number(*layout, "proxy_kinds", m::kProxyKinds))
                       : 4;
    // Written since operations were recorded; older files have none.
    if (layout->contains("tier_operations")) {
        if (const Json* operations = r.array(*layout, "tier_operations", components)) {
            std::uint64_t total = 0;
            for (const Json& n : *operations) {
                s.tierOperations.push_back(r.element(n, 1000));
                total += s.tierOperations.back();
            }
            if (s.tierOperations.size() != s.tierReplicas.size() || total > kMaxOperationSeries)
                r.fail("tier_operations do not match the tiers");
            for (std::size_t t = 0; t < s.tierOperations.size() && r.error.empty(); ++t)
                if (s.tierOperations[t]
                    != m_info.view.components[m_info.view.firstTier + t].operations.size())
                    r.fail("tier_operations do not match the view's operations");
        }
    }
    if (!r.error.empty())
        return fail("header: layout: " + r.error);
    m_recording.routes.resize(s.routes);
    m_recording.tiers.resize(s.tierReplicas.size());
    m_recording.instances.resize(s.instanceCount());
    m_recording.edges.resize(s.edges.size());
    m_recording.proxies.resize(m::kProxyKinds);
    m_recording.nodes.resize(s.nodes);
    m_recording.operations.resize(s.operationCount());
    m_hasHeader = true;
    return true;
}

bool RecordingDecoder::windows(std::string_view payload)
{
    In in(payload);
    m::Recording& r = m_recording;
    const std::uint64_t first = in.varint();
    const std::uint64_t count = in.varint();
    if (!in.ok() || first != r.windows)
        return fail("windows out of order");
    // Every window holds at least one byte per series.
    const std::size_t perWindow = r.routes.size() + r.tiers.size() + r.instances.size()
                                  + r.edges.size() + m_proxyKinds + r.nodes.size()
                                  + r.operations.size();
    if (count > kMaxWindowsPerChunk || count > in.remaining() / std::max<std::size_t>(1, perWindow))
        return fail("windows: more than the chunk holds");
    // Every window must start at a time (its index times window_ns, in signed 64-bit
    // nanoseconds), and be counted by the recording's 32-bit window count.
    const std::uint64_t windows = r.windows + count;
    if (windows > std::numeric_limits<std::uint32_t>::max()
        || windows > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()
                                                / r.layout.windowNs))
        return fail("windows: more than a run holds (window_ns times the windows exceeds 2^63 ns)");
    for (std::uint64_t w = 0; w < count && in.ok(); ++w) {
        for (auto& series : r.routes) {
            m::RouteWindow rw;
            rw.sent = in.u32();
            readOutcomes(in, rw.answered);
            series.push_back(rw);
        }
        for (auto* tiers : {&r.tiers, &r.instances}) {
            for (auto& series : *tiers) {
                m::TierWindow t;
                t.arrivals = in.u32();
                readOutcomes(in, t.responses);
                t.queueMax = in.u32();
                t.queueMean = in.f32();
                t.busyMean = in.f32();
                t.cpuSeconds = in.f32();
                t.ejectedMax = static_cast<std::uint16_t>(in.u32(0xFFFF));
                series.push_back(t);
            }
        }
        for (auto& series : r.edges) {
            m::EdgeWindow e;
            readOutcomes(in, e.calls);
            e.attempts = in.u32();
            e.breakersOpen = static_cast<std::uint16_t>(in.u32(0xFFFF));
            e.ejections = static_cast<std::uint16_t>(in.u32(0xFFFF));
            series.push_back(e);
        }
        for (std::size_t k = 0; k < r.proxies.size(); ++k) {
            auto& series = r.proxies[k];
            m::ProxyWindow p;
            if (k >= m_proxyKinds) { // a kind the writer did not have
                series.push_back(p);
                continue;
            }
            p.traversals = in.u32();
            p.cpuSeconds = in.f32();
            p.p50 = in.zigzag();
            p.p95 = in.zigzag();
            p.p99 = in.zigzag();
            series.push_back(p);
        }
        for (auto& series : r.nodes)
            series.push_back(m::NodeWindow{in.f32()});
        for (auto& series : r.operations) {
            m::WindowOutcomes o;
            readOutcomes(in, o);
            series.push_back(std::move(o));
        }
        ++r.windows;
    }
    if (!in.ok() || !in.done())
        return fail("windows: malformed");
    return true;
}

bool RecordingDecoder::states(std::string_view payload)
{
    In in(payload);
    const std::uint64_t count = in.count(8);
    const auto components = static_cast<std::uint32_t>(m_info.view.components.size());
    for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
        m::StateChange s;
        s.at = engine::atNanos(in.zigzag());
        const std::uint8_t kind = in.u8();
        const std::uint8_t breaker = in.u8();
        const std::uint8_t reason = in.u8();
        if (kind > static_cast<std::uint8_t>(m::StateChange::Kind::Restored)
            || breaker > static_cast<std::uint8_t>(m::BreakerState::HalfOpen)
            || reason > static_cast<std::uint8_t>(m::EjectionReason::ProbationPassed))
            return fail("states: unknown kind");
        s.kind = static_cast<m::StateChange::Kind>(kind);
        s.breaker = static_cast<m::BreakerState>(breaker);
        s.reason = static_cast<m::EjectionReason>(reason);
        s.component = in.index();
        s.instance = in.index();
        s.target = in.index();
        s.host = in.index();
        if (s.component >= components || (s.target != kNone && s.target >= components))
            return fail("states: a component out of range");
        m_recording.states.push_back(s);
    }
    if (!in.ok() || !in.done())
        return fail("states: malformed");
    return true;
}

bool RecordingDecoder::requests(std::string_view payload)
{
    const auto placeValid = [&](const m::Place& p) {
        return (p.component == kNone || p.component < m_info.view.components.size())
               && (p.node == kNone || p.node < m_info.view.nodes.size());
    };
    In in(payload);
    const std::uint64_t count = in.count(12);
    for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
        m::RecordedRequest r;
        r.id = in.varint();
        r.sampleKey = in.fixed64();
        r.route = in.u32();
        if (r.route >= m_recording.layout.routes)
            return fail("requests: a route out of range");
        r.complete = in.u8() != 0;
        const std::uint64_t hops = in.count(6);
        if (hops == 0 || hops > m_limits.maxHopsPerRequest)
            return fail("requests: a request without hops, or with too many");
        r.hops.reserve(hops);
        for (std::uint64_t k = 0; k < hops && in.ok(); ++k) {
            m::RecordedHop h;
            const std::uint64_t parent = in.varint();
            if (k == 0 ? parent != 0 : (parent == 0 || parent > k))
                return fail("requests: a hop whose parent is not an earlier hop");
            h.parent = static_cast<std::int32_t>(parent) - 1;
            const std::uint8_t kind = in.u8();
            const std::uint8_t outcome = in.u8();
            if ((kind & 0x0FU) > static_cast<std::uint8_t>(m::HopKind::FaultDelay)
                || (kind & 0x80U) != 0 || outcome >= m::kOutcomeCount)
                return fail("requests: an unknown hop kind or outcome");
            h.kind = static_cast<m::HopKind>(kind & 0x0FU);
            h.outcome = static_cast<m::Outcome>(outcome);
            const std::int64_t origin
                = k == 0 ? 0 : r.hops[static_cast<std::size_t>(h.parent)].start;
            const std::int64_t offset = in.zigzag();
            const std::uint64_t end = in.varint(); // 0: under way, else its duration + 1
            if (!addNanos(origin, offset, h.start)
                || (end != 0 && !addNanos(h.start, end - 1, h.end)))
                return fail("requests: a hop's time out of range");
            h.flags = (kind & kHasFlags) != 0 ? static_cast<std::uint16_t>(in.u32(0xFFFF)) : 0;
            h.detail = (kind & kHasDetail) != 0 ? in.varint() : 0;
            h.at = readPlace(in);
            h.from = (kind & kSameFrom) != 0 ? h.at : readPlace(in);
            if (!placeValid(h.at) || !placeValid(h.from))
                return fail("requests: a hop's place out of range");
            r.hops.push_back(h);
        }
        m_recording.requests.push_back(std::move(r));
    }
    if (!in.ok() || !in.done())
        return fail("requests: malformed");
    return true;
}

bool RecordingDecoder::sample(std::string_view payload)
{
    In in(payload);
    const std::uint64_t threshold = in.fixed64();
    if (!in.ok() || !in.done())
        return fail("sample: malformed");
    m_recording.sampleThreshold = threshold;
    auto& kept = m_recording.requests;
    kept.erase(std::remove_if(
                   kept.begin(),
                   kept.end(),
                   [threshold](const m::RecordedRequest& r) { return r.sampleKey >= threshold; }),
               kept.end());
    return true;
}

bool RecordingDecoder::latency(std::string_view payload)
{
    In in(payload);
    m::Recording& r = m_recording;
    const std::uint64_t first = in.varint();
    const std::uint64_t count = in.varint();
    if (!in.ok() || first != m_latencyWindows || first + count > r.windows)
        return fail("latency: not for the next recorded windows");
    // Every series of a window takes at least one byte (its bucket count).
    const std::size_t perWindow = r.routes.size() + r.tiers.size() + r.edges.size();
    if (count > in.remaining() / std::max<std::size_t>(1, perWindow))
        return fail("latency: more than the chunk holds");
    const auto read = [&](m::WindowOutcomes& w) {
        const std::uint64_t n = in.varint();
        if (!in.ok() || n > m::kLatencyBuckets || n > in.remaining() / 2)
            return fail("latency: too many buckets");
        std::vector<m::LatencyBucket> buckets;
        buckets.reserve(n);
        std::uint64_t bucket = 0, total = 0;
        for (std::uint64_t k = 0; k < n; ++k) {
            const std::uint64_t delta = in.varint();
            const std::uint64_t c = in.varint();
            bucket += delta;
            if (!in.ok() || (k > 0 && delta == 0) || bucket >= m::kLatencyBuckets || c == 0
                || c > std::numeric_limits<std::uint32_t>::max())
                return fail("latency: a bucket out of order or out of range");
            total += c;
            buckets.push_back({static_cast<std::uint16_t>(bucket), static_cast<std::uint32_t>(c)});
        }
        if (total != w.timed) // the buckets count exactly the latencies the window has
            return fail("latency: the buckets do not count the window's latencies");
        w.latency = std::move(buckets);
        return true;
    };
    for (std::uint64_t w = first; w < first + count; ++w) {
        for (auto& series : r.routes)
            if (!read(series[w].answered))
                return false;
        for (auto& series : r.tiers)
            if (!read(series[w].responses))
                return false;
        for (auto& series : r.edges)
            if (!read(series[w].calls))
                return false;
    }
    if (!in.ok() || in.remaining() != 0)
        return fail("latency: malformed");
    m_latencyWindows = static_cast<std::uint32_t>(first + count);
    return true;
}

bool RecordingDecoder::end(std::string_view payload)
{
    const Json j = Json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail("end: not a JSON object");
    JsonReader r;
    const std::string status = r.text(j, "status");
    constexpr auto kAny = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t windows = r.number(j, "windows", kAny);
    const std::uint64_t states = r.number(j, "states", kAny);
    const std::uint64_t requests = r.number(j, "requests", kAny);
    m_recording.requestsSeen = r.number(j, "requests_seen", kAny);
    m_recording.lateHops = r.number(j, "late_hops", kAny);
    if (const auto end = j.find("end_ns"); end != j.end()) { // absent in files of before the GUI
        if (!end->is_number_integer())
            return fail("end: end_ns is not an integer");
        const std::int64_t ns = end->get<std::int64_t>();
        const std::int64_t first
            = std::int64_t{m_recording.windows > 0 ? m_recording.windows - 1 : 0}
              * m_recording.layout.windowNs;
        if (ns < -1
            || (ns >= 0 && m_recording.windows > 0
                && (ns < first || ns - first > m_recording.layout.windowNs)))
            return fail("end: end_ns is not in the last window");
        m_recording.endNs = ns;
    }
    if (!r.error.empty())
        return fail("end: " + r.error);
    if (status != "complete" && status != "cancelled")
        return fail("end: unknown status");
    if (windows != m_recording.windows || states != m_recording.states.size()
        || requests != m_recording.requests.size())
        return fail("end: the recording does not hold what its end says (truncated?)");
    m_cancelled = status == "cancelled";
    m_ended = true;
    return true;
}

// --- files ---------------------------------------------------------------------------------

std::optional<RecordingDecoder> readRecordingFile(const std::string& path, std::string& error)
{
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::string bytes;
    std::array<char, 1 << 16> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0)
        bytes.append(buffer.data(), n);
    const bool readError = std::ferror(f) != 0;
    std::fclose(f);
    if (readError) {
        error = path + ": read error";
        return std::nullopt;
    }
    RecordingDecoder decoder;
    if (!decoder.file(bytes)) {
        error = path + ": " + *decoder.error();
        return std::nullopt;
    }
    return decoder;
}

bool writeRecordingFile(const std::string& path, const std::string& bytes, std::string& error)
{
    const std::string partial = path + ".partial";
    std::FILE* f = std::fopen(partial.c_str(), "wb");
    if (!f) {
        error = partial + ": " + std::strerror(errno);
        return false;
    }
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed || std::rename(partial.c_str(), path.c_str()) != 0) {
        error = path + ": " + std::strerror(errno);
        std::remove(partial.c_str());
        return false;
    }
    return true;
}

} // namespace meshsim::run
