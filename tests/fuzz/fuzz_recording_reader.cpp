// libFuzzer harness: the recording reader (run::RecordingDecoder, run/recording_file.h) on
// arbitrary bytes, both ways recordings arrive (docs/fuzzing.md): a whole file
// (`meshsim-cli recording`, RecordingDecoder::file) and chunk by chunk (the run stream,
// RecordingDecoder::chunk).
//
// Whatever the input, the decoder accepts it or says why not, never a crash, an exception, a hang
// or memory out of proportion to the input. The same chunks must decode the same either way, and
// what it accepts is used as a viewer would use it.

#include "run/recording_file.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_recording.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

using meshsim::run::RecordingDecoder;

namespace {

constexpr std::size_t kFileStart = 12; // signature (8 bytes) and version (4)

// The length of the chunk at the start of `bytes` (type, varint length, payload), cut to the
// bytes there are: a malformed chunk still goes to the decoder, which must refuse it.
std::size_t chunkLength(std::string_view bytes)
{
    std::uint64_t length = 0;
    std::size_t at = 1;
    for (int shift = 0; at < bytes.size() && shift < 64; shift += 7) {
        const auto b = static_cast<unsigned char>(bytes[at++]);
        length |= std::uint64_t{b & 0x7FU} << shift;
        if ((b & 0x80U) == 0)
            break;
    }
    return length > bytes.size() - std::min(at, bytes.size())
               ? bytes.size()
               : at + static_cast<std::size_t>(length);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    RecordingDecoder file;
    const bool read = file.file(bytes);
    FUZZ_CHECK(read != file.failed());
    FUZZ_CHECK(!read || (file.hasHeader() && file.ended()));
    if (read)
        meshsim::fuzz::useRecording(file);

    // The same bytes as chunks, the file's start (if it has one) skipped.
    RecordingDecoder chunks;
    std::string_view rest
        = bytes.size() >= kFileStart && bytes[0] == '\x89' ? bytes.substr(kFileStart) : bytes;
    while (!rest.empty() && !chunks.failed()) {
        const std::size_t length = chunkLength(rest);
        chunks.chunk(rest.substr(0, length));
        rest.remove_prefix(length);
    }
    if (read) {
        FUZZ_CHECK(!chunks.failed() && chunks.ended());
        FUZZ_CHECK(chunks.cancelled() == file.cancelled());
        FUZZ_CHECK(chunks.recording().windows == file.recording().windows);
        FUZZ_CHECK(chunks.recording().states.size() == file.recording().states.size());
        FUZZ_CHECK(chunks.recording().requests.size() == file.recording().requests.size());
    }
    if (chunks.hasHeader() && !chunks.failed())
        meshsim::fuzz::useRecording(chunks);
    return 0;
}
