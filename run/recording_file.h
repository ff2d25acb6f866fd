#pragma once

// The recording file (`meshsim-cli run --record FILE`), and the chunks the run stream carries:
// one binary format, documented in docs/recording-format.md.
//
//   file    = signature (8 bytes: 0x89 "MSHREC" 0x0A) version (u32 LE, 1) chunk*
//   chunk   = type (u8) length (varint) payload
//   HEADER  JSON: the run (scenario, engine, seed, window), the series layout, the SystemView
//   WINDOWS the next closed windows of every series
//   STATES  the next state changes
//   REQUESTS the next completed sampled requests, with their hops
//   SAMPLE  the sample's new threshold: requests whose key is not below it are dropped
//   LATENCY the latency buckets of the next windows' routes, tiers and edges
//   END     JSON: the run's end ("complete" or "cancelled") and counts to check against
// Numbers are LEB128 varints (zigzag for signed), floats IEEE-754 little endian. A file without an
// END chunk is incomplete and is refused; unknown chunk types are skipped (newer writers may add
// some). The reader never throws and never trusts a count: every size is checked against the
// bytes that remain and against the layout, so a hostile file gets an error, not a crash.

#include "models/metrics.h"
#include "models/recording.h"
#include "topologies/system_view.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::run {

inline constexpr std::string_view kRecordingFormat = "meshsim-recording/1";

enum class ChunkType : std::uint8_t {
    Header = 1,
    Windows = 2,
    States = 3,
    Requests = 4,
    Sample = 5,
    End = 6,
    Latency = 7,
};

// What a recording says about its run, besides the data.
struct RecordingInfo
{
    std::string scenario;
    std::string file;
    std::string engine;
    std::uint64_t seed = 0;
    topologies::SystemView view;
};

// Encoders: each returns one whole chunk (type, length, payload).
std::string encodeHeader(const RecordingInfo& info, const models::Recording& recording);
std::string
encodeWindows(const models::Recording& recording, std::uint32_t first, std::uint32_t count);
std::string
encodeStates(const std::vector<models::StateChange>& states, std::size_t first, std::size_t count);
std::string encodeRequests(const std::vector<models::RecordedRequest>& requests,
                           std::size_t first,
                           std::size_t count);
std::string encodeSample(std::uint64_t threshold);
std::string
encodeLatency(const models::Recording& recording, std::uint32_t first, std::uint32_t count);
std::string encodeEnd(const models::Recording& recording, bool cancelled);

// The file's signature and version, then every chunk of a finished recording.
std::string encodeFileStart();
std::string
encodeRecording(const RecordingInfo& info, const models::Recording& recording, bool cancelled);

// Builds a recording from chunks, as a file holds them or a stream delivers them.
class RecordingDecoder
{
public:
    struct Limits
    {
        std::uint64_t maxChunkBytes = std::uint64_t{1} << 30;
        std::uint64_t maxHopsPerRequest = 1U << 20;
    };

    RecordingDecoder() = default;
    explicit RecordingDecoder(const Limits& limits)
        : m_limits(limits)
    {}

    // One chunk (type, length, payload); false (with error()) when it is malformed.
    bool chunk(std::string_view bytes);
    // A file: signature, version, chunks, an END chunk.
    bool file(std::string_view bytes);

    bool failed() const { return m_error.has_value(); }
    const std::optional<std::string>& error() const { return m_error; }
    bool hasHeader() const { return m_hasHeader; }
    bool ended() const { return m_ended; }
    bool cancelled() const { return m_cancelled; }
    const RecordingInfo& info() const { return m_info; }
    const models::Recording& recording() const { return m_recording; }
    models::Recording& recording() { return m_recording; }

private:
    bool fail(std::string message);
    bool header(std::string_view payload);
    bool windows(std::string_view payload);
    bool states(std::string_view payload);
    bool requests(std::string_view payload);
    bool sample(std::string_view payload);
    bool latency(std::string_view payload);
    bool end(std::string_view payload);

    Limits m_limits;
    std::optional<std::string> m_error;
    bool m_hasHeader = false;
    std::size_t m_proxyKinds = models::kProxyKinds; // per window in the file (header)
    bool m_ended = false;
    bool m_cancelled = false;
    std::uint32_t m_latencyWindows = 0; // windows whose latency buckets have come
    RecordingInfo m_info;
    models::Recording m_recording;
};

// Reads a recording file; nullopt with `error` set when it cannot be read or is not complete.
std::optional<RecordingDecoder> readRecordingFile(const std::string& path, std::string& error);
// Writes a recording to `path` through a temporary file renamed at the end, so that a file
// at `path` is always whole. False with `error` set on failure (nothing is left behind).
bool writeRecordingFile(const std::string& path, const std::string& bytes, std::string& error);

// The JSON object of the HEADER chunk (docs/recording-format.md).
nlohmann::ordered_json recordingHeaderJson(const RecordingInfo& info,
                                           const models::Recording& recording);

} // namespace meshsim::run
