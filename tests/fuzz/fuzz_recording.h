#pragma once

// A decoded recording, used the way its readers use it (tests/fuzz/: the recording and stream
// harnesses). Whatever the decoder accepted must be consistent: every series as long as the
// recording's window count, and the whole printable as JSON lines (`meshsim-cli recording
// --jsonl`).

#include "run/recording_file.h"
#include "run/recording_jsonl.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstdio>

namespace meshsim::fuzz {

inline void useRecording(const run::RecordingDecoder& decoder)
{
    const models::Recording& r = decoder.recording();
    const auto sized = [&r](const auto& series) {
        for (const auto& s : series)
            FUZZ_CHECK(s.size() == r.windows);
    };
    sized(r.routes);
    sized(r.tiers);
    sized(r.instances);
    sized(r.edges);
    sized(r.proxies);
    sized(r.nodes);
    static std::FILE* const devNull = std::fopen("/dev/null", "w");
    FUZZ_CHECK(devNull != nullptr);
    run::writeRecordingJsonLines(decoder.info(), r, decoder.cancelled(), devNull);
}

} // namespace meshsim::fuzz
