#include "run/stream.h"

#include "run/results_json.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <utility>

namespace meshsim::run {

using Json = nlohmann::ordered_json;

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16)
                                | (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8)
                                | static_cast<unsigned char>(bytes[i + 2]);
        for (int k = 18; k >= 0; k -= 6)
            out.push_back(kBase64[(v >> k) & 63]);
    }
    if (i < bytes.size()) {
        std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (i + 1 < bytes.size())
            v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out.push_back(kBase64[(v >> 18) & 63]);
        out.push_back(kBase64[(v >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? kBase64[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::optional<std::string> unbase64(std::string_view text)
{
    if (text.size() % 4 != 0)
        return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t v = 0;
        int padding = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            const char* p = c == '=' ? nullptr : std::strchr(kBase64, c);
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++padding;
                v <<= 6;
                continue;
            }
            if (!p || c == '\0' || padding > 0)
                return std::nullopt;
            v = (v << 6) | static_cast<std::uint32_t>(p - kBase64);
        }
        out.push_back(static_cast<char>(v >> 16));
        if (padding < 2)
            out.push_back(static_cast<char>((v >> 8) & 0xFF));
        if (padding < 1)
            out.push_back(static_cast<char>(v & 0xFF));
    }
    return out;
}

// Whether `j` is an integer that T holds.
template <typename T>
bool fitsInteger(const Json& j)
{
    if (j.is_number_unsigned())
        return std::in_range<T>(j.get<std::uint64_t>());
    return j.is_number_integer() && std::in_range<T>(j.get<std::int64_t>());
}

// The run stream's line type for each chunk type of a recording.
constexpr std::array<const char*, 8> kChunkLines{nullptr,
                                                 "recording_header",
                                                 "windows",
                                                 "states",
                                                 "requests",
                                                 "sample",
                                                 "recording_end",
                                                 "latency"};

} // namespace

void StreamWriter::line(const Json& object)
{
    const std::string text = object.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), m_out);
    std::fflush(m_out);
}

void StreamWriter::hello(const topologies::Scenario& scenario,
                         models::EngineKind engine,
                         std::uint64_t seed)
{
    line({{"type", "hello"},
          {"protocol", kStreamProtocol},
          {"scenario", scenario.name},
          {"file", scenario.file},
          {"engine", topologies::engineName(engine)},
          {"seed", seed}});
}

void StreamWriter::note(const std::string& text)
{
    line({{"type", "note"}, {"text", text}});
}

void StreamWriter::onProgress(const Progress& progress)
{
    line({{"type", "progress"},
          {"simulated_seconds", roundTo(toSeconds(progress.now), 6)},
          {"duration_seconds", roundTo(toSeconds(progress.duration), 6)},
          {"sent", progress.sent},
          {"answered", progress.answered}});
    if (m_follower && progress.recording)
        for (const std::string& bytes :
             m_follower->since(*progress.recording, progress.last, progress.cancelled))
            chunk(bytes);
}

void StreamWriter::chunk(const std::string& bytes)
{
    const auto type = static_cast<std::size_t>(static_cast<unsigned char>(bytes.front()));
    line({{"type", kChunkLines.at(type)}, {"data", base64(bytes)}});
}

void StreamWriter::result(const Json& results)
{
    line({{"type", "result"}, {"results", results}});
}

void StreamWriter::error(const std::string& message)
{
    line({{"type", "error"}, {"message", message}});
}

void StreamWriter::end(int status, bool cancelled)
{
    Json j{{"type", "end"}, {"status", status}};
    if (cancelled)
        j["cancelled"] = true;
    line(j);
}

void StreamReader::fail(std::string message)
{
    if (!m_error)
        m_error = std::move(message);
}

void StreamReader::feed(std::string_view bytes)
{
    if (m_error)
        return;
    std::size_t start = 0;
    for (;;) {
        const std::size_t newline = bytes.find('\n', start);
        if (newline == std::string_view::npos)
            break;
        m_pending.append(bytes.substr(start, newline - start));
        start = newline + 1;
        ++m_lineNumber;
        handleLine(m_pending);
        m_pending.clear();
        if (m_error)
            return;
    }
    m_pending.append(bytes.substr(start));
    if (m_pending.size() > m_maxLine)
        fail("line " + std::to_string(m_lineNumber + 1) + " of the run stream is longer than "
             + std::to_string(m_maxLine) + " bytes");
}

void StreamReader::handleLine(std::string_view text)
{
    const std::string where = "line " + std::to_string(m_lineNumber) + " of the run stream: ";
    if (m_ended) {
        fail(where + "data after the end line");
        return;
    }
    nlohmann::ordered_json object = nlohmann::ordered_json::parse(text, nullptr, false);
    if (object.is_discarded() || !object.is_object()) {
        std::string excerpt(text.substr(0, 80));
        for (char& c : excerpt) { // keep the message printable
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7f)
                c = '?';
        }
        fail(where + "not a JSON object (\"" + excerpt + (text.size() > 80 ? "..." : "") + "\")");
        return;
    }
    const auto type = object.find("type");
    if (type == object.end() || !type->is_string()) {
        fail(where + "no \"type\"");
        return;
    }
    const std::string& kind = type->get_ref<const std::string&>();
    if (m_lineNumber == 1) {
        if (kind != "hello" || !object.contains("protocol")
            || object["protocol"] != std::string(kStreamProtocol)) {
            fail(where + "expected a hello line with protocol " + std::string(kStreamProtocol));
            return;
        }
        m_hello = std::move(object);
        return;
    }
    const auto number = [&](const char* key, auto& out) {
        using T = std::remove_reference_t<decltype(out)>;
        const auto it = object.find(key);
        if constexpr (std::is_integral_v<T>) {
            // A count or a status is a whole number in range: converting 1e10 or -1.5 to an
            // integer is undefined behaviour, not an error.
            if (it == object.end() || !fitsInteger<T>(*it)) {
                fail(where + "\"" + kind + "\" without a whole number \"" + key + "\"");
                return false;
            }
        } else if (it == object.end() || !it->is_number()) {
            fail(where + "\"" + kind + "\" without a number \"" + key + "\"");
            return false;
        }
        out = it->get<T>();
        return true;
    };
    if (kind == "note") {
        const auto it = object.find("text");
        if (it == object.end() || !it->is_string()) {
            fail(where + "\"note\" without a \"text\"");
            return;
        }
        m_notes.push_back(it->get<std::string>());
    } else if (kind == "progress") {
        Progress p;
        if (!number("simulated_seconds", p.simulatedSeconds)
            || !number("duration_seconds", p.durationSeconds) || !number("sent", p.sent)
            || !number("answered", p.answered))
            return;
        m_progress = p;
        ++m_progressCount;
    } else if (kind == "result") {
        const auto it = object.find("results");
        if (it == object.end() || !it->is_object()) {
            fail(where + "\"result\" without a \"results\" object");
            return;
        }
        m_results = std::move(*it);
    } else if (std::find_if(kChunkLines.begin() + 1,
                            kChunkLines.end(),
                            [&](const char* name) { return kind == name; })
               != kChunkLines.end()) {
        const auto data = object.find("data");
        const auto bytes = data != object.end() && data->is_string()
                               ? unbase64(data->get_ref<const std::string&>())
                               : std::nullopt;
        if (!bytes) {
            fail(where + "\"" + kind + "\" without base64 \"data\"");
            return;
        }
        const auto chunkType = bytes->empty() ? 0U : static_cast<unsigned char>((*bytes)[0]);
        if (chunkType == 0 || chunkType >= kChunkLines.size() || kind != kChunkLines[chunkType]) {
            fail(where + "\"" + kind + "\" carries another kind of recording chunk");
            return;
        }
        if (!m_recording)
            m_recording.emplace();
        if (!m_recording->chunk(*bytes))
            fail(where + "recording: " + *m_recording->error());
    } else if (kind == "error") {
        const auto it = object.find("message");
        fail("the simulation failed: "
             + (it != object.end() && it->is_string() ? it->get<std::string>()
                                                      : std::string("(no message)")));
    } else if (kind == "end") {
        if (!number("status", m_status))
            return;
        const auto cancelled = object.find("cancelled");
        m_cancelled
            = cancelled != object.end() && cancelled->is_boolean() && cancelled->get<bool>();
        m_ended = true;
        if (m_recording && !m_recording->ended() && !m_recording->failed() && m_status == 0)
            fail(where + "the run ended before its recording did");
        if (m_status == 0 && !m_results)
            fail(where + "the run ended without a result");
    }
}

void StreamReader::finish(const std::string& exitDescription)
{
    if (m_error)
        return;
    if (!m_pending.empty()) {
        fail("the run stream stopped in the middle of line " + std::to_string(m_lineNumber + 1)
             + (exitDescription.empty() ? "" : " (" + exitDescription + ")"));
        return;
    }
    if (m_lineNumber == 0) {
        fail("the simulator sent nothing"
             + (exitDescription.empty() ? "" : " (" + exitDescription + ")"));
        return;
    }
    if (!m_ended)
        fail("the run stream stopped before the run finished"
             + (exitDescription.empty() ? "" : " (" + exitDescription + ")"));
}

} // namespace meshsim::run
