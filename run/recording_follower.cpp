#include "run/recording_follower.h"

#include "topologies/placement.h"

#include <algorithm>

namespace meshsim::run {

namespace m = meshsim::models;

RecordingInfo
makeRecordingInfo(const topologies::Scenario& scenario, m::EngineKind engine, std::uint64_t seed)
{
    RecordingInfo info;
    info.scenario = scenario.name;
    info.file = scenario.file;
    info.engine = topologies::engineName(engine);
    info.seed = seed;
    info.view = topologies::makeSystemView(scenario, topologies::computePlacement(scenario));
    return info;
}

std::vector<std::string>
RecordingFollower::since(const m::Recording& recording, bool last, bool cancelled)
{
    std::vector<std::string> chunks;
    if (!m_headerSent) {
        chunks.push_back(encodeHeader(m_info, recording));
        m_headerSent = true;
    }
    if (recording.sampleThreshold != m_thresholdSent) {
        chunks.push_back(encodeSample(recording.sampleThreshold));
        m_thresholdSent = recording.sampleThreshold;
    }
    if (recording.windows > m_windowsSent) {
        chunks.push_back(
            encodeWindows(recording, m_windowsSent, recording.windows - m_windowsSent));
        chunks.push_back(
            encodeLatency(recording, m_windowsSent, recording.windows - m_windowsSent));
        m_windowsSent = recording.windows;
    }
    if (recording.states.size() > m_statesSent) {
        chunks.push_back(
            encodeStates(recording.states, m_statesSent, recording.states.size() - m_statesSent));
        m_statesSent = recording.states.size();
    }
    const auto firstNew = std::partition_point(
        recording.requests.begin(), recording.requests.end(), [this](const m::RecordedRequest& q) {
            return q.sequence <= m_lastSequence;
        });
    if (firstNew != recording.requests.end()) {
        const auto first = static_cast<std::size_t>(firstNew - recording.requests.begin());
        chunks.push_back(
            encodeRequests(recording.requests, first, recording.requests.size() - first));
        m_lastSequence = recording.requests.back().sequence;
    }
    if (last)
        chunks.push_back(encodeEnd(recording, cancelled));
    return chunks;
}

} // namespace meshsim::run
