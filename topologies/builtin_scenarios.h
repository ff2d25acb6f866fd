#pragma once

// The scenarios shipped inside meshsim (topologies/scenarios/*.yaml, embedded at build time),
// loadable as "builtin:<name>" wherever a scenario file is accepted.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::topologies {

std::vector<std::string> builtinScenarioNames();
std::optional<std::string_view> builtinScenarioText(std::string_view name);

} // namespace meshsim::topologies
