#pragma once

// Running a scenario: build the platform and the models from a validated Scenario, run the
// simulation, and collect what it measured.
//
// One call, one independent simulation: runs share nothing, so many may run one after another
// in one process (the fast platform) and their results depend only on (scenario, seed,
// platform). The wall clock is not read here: callers time runs themselves.

#include "engine/core/platform.h"
#include "models/metrics.h"
#include "models/recording.h"
#include "topologies/placement.h"
#include "topologies/scenario.h"
#include "topologies/system_view.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::run {

// The engine vocabulary this layer speaks in.
using engine::kSimStart;
using engine::NodeId;
using engine::SimDuration;
using engine::SimTime;
using engine::toSeconds;

struct RunOptions
{
    std::optional<std::uint64_t> seed;        // overrides the scenario's seed
    std::optional<models::EngineKind> engine; // overrides the scenario's engine
    std::optional<SimDuration> duration;      // overrides the scenario's duration
    // Records the run (models/recorder.h) within this memory budget; recording never changes
    // what the run does or what results.json says.
    std::optional<std::uint64_t> recordBudget;
};

struct SloResult
{
    std::string metric; // "p99", "error_rate", ...
    double limit = 0.0; // milliseconds for latencies, a fraction for error_rate
    double actual = 0.0;
    bool pass = false;
};

struct NodeResult
{
    std::string name;
    std::string zone;
    std::uint32_t cores = 1;
    double utilisation = 0.0; // busy core-seconds / (cores * simulated seconds)
    // A node with a CPU quota (an instance's cpu_limit): the quota in cores, and the time and
    // the 100 ms periods it was throttled in the measured window.
    double cpuQuota = 0.0;
    double throttledSeconds = 0.0;
    std::uint64_t throttledPeriods = 0;
};

// Where a run is, reported between slices of simulated time.
struct Progress
{
    SimTime now;
    SimDuration duration;
    std::uint64_t sent = 0;
    std::uint64_t answered = 0;
    bool cancelled = false; // the run was cancelled (said by its last report)
    // The recording so far (recorded runs), valid during the call only. The last report of a run
    // (`last`) comes after the recording is finished.
    const models::Recording* recording = nullptr;
    bool last = false;
};

// Follows a run from the simulation's thread, between slices of simulated time.
class RunObserver
{
public:
    virtual ~RunObserver() = default;
    virtual void onProgress(const Progress& progress) = 0;
    // Asked between slices: true stops the run there (it ends as cancelled). May be called from
    // the simulation's thread only; an implementation may read an atomic flag set elsewhere.
    virtual bool cancelled() { return false; }
};

struct RunResult
{
    const topologies::Scenario* scenario = nullptr;
    std::uint64_t seed = 0;
    models::EngineKind engine = models::EngineKind::Fast;
    double simulatedSeconds = 0.0; // simulated time when the run ended (drain included)
    double measuredSeconds = 0.0;  // duration - warmup: the window statistics cover
    std::uint64_t events = 0;
    std::uint64_t requestsStarted = 0; // all client requests, warmup included
    std::uint64_t requestsUnanswered = 0;
    std::unique_ptr<models::Metrics> metrics;
    topologies::Placement placement;
    std::vector<NodeResult> nodes;
    std::vector<SloResult> slo;
    bool sloPass = true;
    bool cancelled = false; // stopped by its observer before the end
    topologies::SystemView view;
    std::unique_ptr<models::Recording> recording; // recorded runs
};

// Runs on the fast platform or on SimGrid (at most one SimGrid run per process). The observer, if
// any, hears about progress about a hundred times per run, and may cancel it. The run stops
// (invisibly to the models) before every window boundary of the scenario, so that a recording
// reads every node's CPU at its windows' ends; recorded or not, the same stops happen.
RunResult runScenario(const topologies::Scenario& scenario,
                      const RunOptions& options = {},
                      RunObserver* observer = nullptr);

// The (from, to) node pairs that can exchange data in this scenario: clients with the instances
// of route targets, callers' instances with their callees' instances (from the topology graph).
std::vector<std::pair<NodeId, NodeId>> communicatingNodes(const topologies::Scenario& scenario,
                                                          const topologies::Placement& placement,
                                                          NodeId clientNode);

} // namespace meshsim::run
