#pragma once

// The run stream: how a simulation in another process (meshsim-cli run --stream) reports to
// whoever started it (the GUI, meshsim-cli compare). Documented in docs/stream-protocol.md.
//
// One JSON object per line (UTF-8, '\n'-terminated), each with a "type":
//   hello     first line: {"protocol": "meshsim-stream/1", "scenario", "engine", "seed"}
//   note      {"text"}: a warning about the scenario (file:line:column: path: message)
//   progress  {"simulated_seconds", "duration_seconds", "sent", "answered"}
//   recording_header, windows, latency, states, requests, sample, recording_end
//             {"data": base64}: a chunk of the run's recording (run/recording_file.h), sent as
//             the run goes when the writer records (`run --stream --stream-recording`)
//   result    {"results": <the whole results.json object>}
//   error     {"message"}: the run failed
//   end       last line: {"status": 0 on success, "cancelled": true when the run was cancelled}
// Readers ignore unknown types (newer writers may add some) and unknown keys.

#include "run/recording_file.h"
#include "run/recording_follower.h"
#include "run/simulation.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace meshsim::run {

inline constexpr std::string_view kStreamProtocol = "meshsim-stream/1";

// Writes the stream to a C stream (stdout), flushing every line so the reader sees it at once.
class StreamWriter : public RunObserver
{
public:
    explicit StreamWriter(std::FILE* out)
        : m_out(out)
    {}
    void hello(const topologies::Scenario& scenario, models::EngineKind engine, std::uint64_t seed);
    void note(const std::string& text);
    // Sends the run's recording too, chunk by chunk as the run goes (a recorded run's progress
    // carries it).
    void streamRecording(RecordingInfo info) { m_follower.emplace(std::move(info)); }
    void onProgress(const Progress& progress) override;
    void result(const nlohmann::ordered_json& results);
    void error(const std::string& message);
    void end(int status, bool cancelled = false);

private:
    void line(const nlohmann::ordered_json& object);
    void chunk(const std::string& bytes);

    std::FILE* m_out;
    std::optional<RecordingFollower> m_follower;
};

// Reads a stream incrementally: feed() it bytes as they arrive, finish() at end of input.
// Malformed input, a missing hello, lines after end, an overlong line or input that stops
// before end all make error() say what happened; the reader never throws.
class StreamReader
{
public:
    struct Progress
    {
        double simulatedSeconds = 0.0;
        double durationSeconds = 0.0;
        std::uint64_t sent = 0;
        std::uint64_t answered = 0;
    };

    static constexpr std::size_t kMaxLine = std::size_t{256} * 1024 * 1024;

    explicit StreamReader(std::size_t maxLine = kMaxLine)
        : m_maxLine(maxLine)
    {}

    void feed(std::string_view bytes);
    // End of input; `exitDescription` says how the writer ended ("exit status 1", ...).
    void finish(const std::string& exitDescription = {});

    bool failed() const { return m_error.has_value(); }
    const std::optional<std::string>& error() const { return m_error; }
    bool ended() const { return m_ended; }
    int status() const { return m_status; }
    const nlohmann::ordered_json& hello() const { return m_hello; }
    const std::vector<std::string>& notes() const { return m_notes; }
    const Progress& progress() const { return m_progress; }
    bool cancelled() const { return m_cancelled; }
    // The recording the stream carried, if any (complete once its recording_end has come).
    const std::optional<RecordingDecoder>& recording() const { return m_recording; }
    // The results object, once the result line has been read.
    const std::optional<nlohmann::ordered_json>& results() const { return m_results; }
    std::uint64_t progressCount() const { return m_progressCount; }

private:
    void handleLine(std::string_view line);
    void fail(std::string message);

    std::size_t m_maxLine;
    std::string m_pending;
    std::size_t m_lineNumber = 0;
    std::optional<std::string> m_error;
    bool m_ended = false;
    int m_status = -1;
    nlohmann::ordered_json m_hello;
    std::vector<std::string> m_notes;
    Progress m_progress;
    std::uint64_t m_progressCount = 0;
    std::optional<nlohmann::ordered_json> m_results;
    bool m_cancelled = false;
    std::optional<RecordingDecoder> m_recording;
};

} // namespace meshsim::run
