#pragma once

// Running simulations in child processes: `meshsim-cli run --stream` per scenario, read through
// the run stream (run/stream.h). SimGrid allows one engine per process, so every SimGrid
// run that is not the process's only run goes through here; independent runs also use every
// core this way.

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::app {

struct ChildResult
{
    std::optional<nlohmann::ordered_json> results; // set on success
    std::string error;                             // what went wrong otherwise
};

// Runs `executable run --stream <arguments...>` once per entry of `runs`, at most `parallel`
// at a time, and returns their results in the same order. A child that prints nothing for
// `silenceSeconds` is killed and reported. `finished` (if set) is told of each run that ends, with
// its index, in the order they end.
std::vector<ChildResult> runChildren(const QString& executable,
                                     const std::vector<QStringList>& runs,
                                     int parallel,
                                     int silenceSeconds = 600,
                                     const std::function<void(std::size_t)>& finished = {});

// This executable (for starting children of itself).
QString selfExecutable(const QString& fallback);

} // namespace meshsim::app
