// libFuzzer harness: the run-stream reader (run::StreamReader, run/stream.h) on arbitrary bytes,
// as the GUI and `meshsim-cli compare` read a child's stdout (docs/fuzzing.md).
//
// Whatever the input, the reader ends with a result or an error, never a crash, an exception or
// a hang. It must not depend on how a pipe splits the bytes: the input is read once whole and
// once in pieces of varying sizes, and both readers must agree. A recording the stream carried
// is used as a viewer would use it.

#include "run/stream.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_recording.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

using meshsim::run::StreamReader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    StreamReader whole;
    whole.feed(bytes);
    whole.finish("exit status 0");
    FUZZ_CHECK(whole.failed() || whole.ended());

    StreamReader pieces;
    for (std::size_t at = 0, piece = 1; at < bytes.size(); at += piece, piece = piece % 97 + 1)
        pieces.feed(bytes.substr(at, std::min(piece, bytes.size() - at)));
    pieces.finish("exit status 0");
    FUZZ_CHECK(pieces.error() == whole.error());
    FUZZ_CHECK(pieces.ended() == whole.ended() && pieces.status() == whole.status());
    FUZZ_CHECK(pieces.cancelled() == whole.cancelled());
    FUZZ_CHECK(pieces.notes() == whole.notes());
    FUZZ_CHECK(pieces.progressCount() == whole.progressCount());
    // Presence only: comparing two JSON documents recurses, and a hostile one nests deeply.
    FUZZ_CHECK(pieces.results().has_value() == whole.results().has_value());
    FUZZ_CHECK(pieces.recording().has_value() == whole.recording().has_value());

    const auto& recording = whole.recording();
    if (recording && recording->hasHeader() && !recording->failed())
        meshsim::fuzz::useRecording(*recording);
    return 0;
}
