#pragma once

// The scenarios shipped inside meshsim (embedded at build time): topologies/scenarios/*.yaml,
// loadable as "builtin:<name>" wherever a scenario file is accepted.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::topologies {

// The scenario meshsim opens when given none (the GUI, `./dev.sh demo`).
inline constexpr std::string_view kDefaultScenario = "builtin:bookstore";

std::vector<std::string> builtinScenarioNames();
std::optional<std::string_view> builtinScenarioText(std::string_view name);

// The queueing-theory validation scenarios (tests/validation/scenarios/*.yaml), loadable as
// "validation:<name>".
std::vector<std::string> validationScenarioNames();
std::optional<std::string_view> validationScenarioText(std::string_view name);

} // namespace meshsim::topologies
