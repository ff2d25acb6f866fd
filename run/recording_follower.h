#pragma once

// A recording as its run goes: what it says about the run (RecordingInfo, from the scenario), and
// the chunks (run/recording_file.h) it gains between two looks. The run stream and the GUI's
// worker both send these chunks; readers decode them with RecordingDecoder.

#include "run/recording_file.h"
#include "topologies/scenario.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::run {

// What a recording of `scenario` run on `engine` with `seed` says about its run.
RecordingInfo makeRecordingInfo(const topologies::Scenario& scenario,
                                models::EngineKind engine,
                                std::uint64_t seed);

// Follows a recording while its run goes: each call of since() returns, as whole chunks, what the
// recording gained since the previous call — the header first, then the sample's new threshold
// (a reader drops the requests it has that left the sample), closed windows, state changes and
// the requests completed since (in the order of completion, which `sequence` gives), and the END
// chunk on the last call. The run stream sends these chunks as lines; the GUI decodes them as they
// come from a run in its worker thread.
class RecordingFollower
{
public:
    explicit RecordingFollower(RecordingInfo info)
        : m_info(std::move(info))
    {}

    std::vector<std::string> since(const models::Recording& recording, bool last, bool cancelled);

private:
    RecordingInfo m_info;
    bool m_headerSent = false;
    std::uint32_t m_windowsSent = 0;
    std::size_t m_statesSent = 0;
    std::uint64_t m_lastSequence = 0;
    std::uint64_t m_thresholdSent = ~std::uint64_t{0};
};

} // namespace meshsim::run
