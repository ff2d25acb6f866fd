#pragma once

// Overrides: `KEY=VALUE` changes of a scenario's text made before it is loaded, so that one file
// runs in another architecture or with another setting without being edited (`meshsim-cli run
// --set`, `--architecture`, and every run of `compare` and `sweep`).
//
// KEY is a key path as the loader's diagnostics print it (`workloads[0].arrival.rate`,
// `mesh.defaults.retries.attempts`); a list item may also be named by its `name` key
// (`services[inventory].replicas`). The value is written into the text in place of the old one
// (or as a new key under the nearest existing mapping, indented as its siblings), keeping every
// other character, so that the loader validates the result and its diagnostics still point into
// the file the user wrote. A value is written as given when YAML reads it as the same plain
// scalar or as a flow collection (`{dist: exponential, mean: 4ms}`), and quoted otherwise.

#include "topologies/load_limits.h"
#include "topologies/loader.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::topologies {

struct Override
{
    std::string path;
    std::string value;
    bool operator==(const Override&) const = default;
};

// Reads `KEY=VALUE` (the first `=` separates them); nullopt, with `error` saying why, when there
// is no `=`, the key is empty or not a key path.
std::optional<Override> parseOverride(std::string_view text, std::string& error);

// `text` with every override applied in order; nullopt, with `error` naming the override, when
// one cannot be written (a list item that is not there, a key whose value is a block mapping or
// list where a scalar is given).
std::optional<std::string>
applyOverrides(const std::string& text, const std::vector<Override>& overrides, std::string& error);

// loadScenario(nameOrPath) of the text with the overrides applied. An override that cannot be
// written is an error diagnostic of the file, at no line, whose path is the override's key.
LoadResult loadScenarioWithOverrides(const std::string& nameOrPath,
                                     const std::vector<Override>& overrides,
                                     const LoadLimits& limits = {});

} // namespace meshsim::topologies
