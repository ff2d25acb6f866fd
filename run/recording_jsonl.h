#pragma once

// A recording as JSON lines (`meshsim-cli recording --jsonl`): for people and tools that do not
// read the binary form (docs/recording-format.md).

#include "run/recording_file.h"

#include <cstdio>

namespace meshsim::run {

// The recording as JSON lines (one object per line: header, windows, states, requests, sample,
// end), for people and tools that do not read the binary form.
void writeRecordingJsonLines(const RecordingInfo& info,
                             const models::Recording& recording,
                             bool cancelled,
                             std::FILE* out);

} // namespace meshsim::run
