#include "run/stream.h"

#include "run/results_json.h"

namespace meshsim::run {

using Json = nlohmann::ordered_json;

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
}

void StreamWriter::result(const Json& results)
{
    line({{"type", "result"}, {"results", results}});
}

void StreamWriter::error(const std::string& message)
{
    line({{"type", "error"}, {"message", message}});
}

void StreamWriter::end(int status)
{
    line({{"type", "end"}, {"status", status}});
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
        const auto it = object.find(key);
        if (it == object.end() || !it->is_number()) {
            fail(where + "\"" + kind + "\" without a number \"" + key + "\"");
            return false;
        }
        out = it->get<std::remove_reference_t<decltype(out)>>();
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
    } else if (kind == "error") {
        const auto it = object.find("message");
        fail("the simulation failed: "
             + (it != object.end() && it->is_string() ? it->get<std::string>()
                                                      : std::string("(no message)")));
    } else if (kind == "end") {
        if (!number("status", m_status))
            return;
        m_ended = true;
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
