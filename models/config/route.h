#pragma once

// Validated configuration of a route: what a client request is matched by and where it goes.
//
// Plain data checked by the loader (topologies/); conventions in models/config/common.h.

#include "models/config/policy.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::models {

struct RouteConfig
{
    enum class Kind { Service, Aggregate, Sequence, Split };
    std::string path;
    Kind kind = Kind::Service;
    std::vector<ServiceIndex> targets;
    std::vector<OperationIndex> operations; // per target: the operation called (0 for a plain one)
    std::vector<double> weights;            // Split: one weight per target
    std::vector<bool> optional;             // Aggregate: per target, a failure only degrades
    // Matching (Envoy route matching, first match in declared order): a request matches when
    // its path starts with `prefix` (or equals `path` without a prefix) and carries every
    // header of `headers` with that exact value.
    std::optional<std::string> prefix;
    std::vector<std::pair<std::string, std::string>> headers;
    // The request's method (Envoy's `:method` header matcher); empty: any method.
    std::string method;
    std::optional<SimDuration> timeout; // the client (or gateway) gives up after it
    std::optional<RetryConfig> retries; // gateway route retries

    // The route's name in results and references: its path, after its method when it has one
    // ("POST /cart").
    std::string name() const { return method.empty() ? path : method + " " + path; }
};

// NGINX's non-idempotent methods (proxy_next_upstream's `non_idempotent`): POST, LOCK, PATCH.
inline bool nonIdempotent(const std::string& method)
{
    return method == "POST" || method == "LOCK" || method == "PATCH";
}

} // namespace meshsim::models
