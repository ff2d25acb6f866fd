// libFuzzer harness: the scenario loader (topologies/loader.h) on arbitrary bytes, as
// `meshsim-cli validate` and `run` read a file (docs/fuzzing.md).
//
// Whatever the input, loadScenarioText returns diagnostics in its own time and memory: never a
// crash, an exception or a hang. A diagnostic names the file, and a place when it has one; a
// scenario comes back exactly when there is no error. A scenario it accepts is placed and
// described the way `meshsim-cli run` does right after loading, since the loader promises that
// every reference is resolved and every instance can be placed.

#include "tests/fuzz/fuzz_check.h"
#include "topologies/loader.h"
#include "topologies/placement.h"
#include "topologies/system_view.h"

#include <cstdint>
#include <string>
#include <string_view>

using namespace meshsim::topologies;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // A tenth of the default visit budget: alias bombs, which the fuzzer breeds from the
    // alias_bomb.yaml seed, cost 0.1 s each instead of 1.3 s under the sanitizers, and the budget
    // is reached ten times sooner. Real scenarios under -max_len visit far fewer nodes.
    LoadLimits limits;
    limits.maxNodesVisited = 25'000;
    const std::string file = "fuzz.yaml";
    const LoadResult result = loadScenarioText(
        std::string_view(reinterpret_cast<const char*>(data), size), file, limits);
    FUZZ_CHECK(result.ok() != hasErrors(result.diagnostics));
    for (const Diagnostic& d : result.diagnostics) {
        // Past the visit budget, one diagnostic replaces whatever was found before
        // (topologies/internal/yaml_reader.h).
        FUZZ_CHECK(d.message.rfind("document too large to read", 0) != 0
                   || result.diagnostics.size() == 1);
        FUZZ_CHECK(d.file == file && !d.message.empty());
        FUZZ_CHECK(d.line >= 0 && d.column >= 0 && (d.line == 0) == (d.column == 0));
        FUZZ_CHECK(d.format().rfind(file + ":", 0) == 0);
    }
    if (!result.ok())
        return 0;
    const Scenario& scenario = *result.scenario;
    FUZZ_CHECK(checkPlacement(scenario).empty());
    const Placement placement = computePlacement(scenario);
    FUZZ_CHECK(placement.instances.size() == scenario.system.services.size());
    const SystemView view = makeSystemView(scenario, placement);
    for (const SystemView::Instance& instance : view.instances)
        FUZZ_CHECK(instance.component < view.components.size()
                   && instance.node < view.nodes.size());
    return 0;
}
