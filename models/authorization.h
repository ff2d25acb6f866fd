#pragma once

// Istio authorization policies between services (reference/semantics.md §7.3): DENY rules are
// evaluated first, then ALLOW rules; a destination with ALLOW rules admits only the sources they
// name. Pure function of the rules.

#include "models/config.h"

#include <optional>
#include <vector>

namespace meshsim::models {

// Whether a call from `source` (a service, or nothing for clients, the gateway and the ingress)
// to service `to` is allowed.
bool authorized(const std::vector<AuthorizationRule>& rules,
                std::optional<ServiceIndex> source,
                ServiceIndex to);

} // namespace meshsim::models
