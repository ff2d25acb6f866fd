#pragma once

// How a request, a call or a hop ended. A simulated failure is an outcome value, never an
// exception. Each value has a stable snake_case name (used in results.json) and, where Envoy
// has one, the response flag Envoy's access log would show (reference/semantics.md).

#include <array>
#include <cstdint>
#include <string_view>

namespace meshsim::models {

enum class Outcome : std::uint8_t {
    Ok,
    ServerError,       // 5xx returned by a handler (`errors:` or an error fault)
    QueueFull,         // the instance's queue was full: 503
    ConnectionFailure, // instance down, connection refused or reset: 503, flag UF
    Timeout,           // a timeout fired: 504, flag UT
    NoHealthyUpstream, // no instance to send to: 503, flag UH
    Overflow,          // a proxy circuit breaker overflowed: 503, flag UO
    RateLimited,       // 429, flag RL
    Unauthorized,      // 401
    Denied,            // 403, flag UAEX / RBAC
    InjectedFault,     // injected abort, flag FI
};

inline constexpr std::size_t kOutcomeCount = 11;

constexpr std::string_view outcomeName(Outcome o)
{
    constexpr std::array<std::string_view, kOutcomeCount> kNames{"ok",
                                                                 "server_error",
                                                                 "queue_full",
                                                                 "connection_failure",
                                                                 "timeout",
                                                                 "no_healthy_upstream",
                                                                 "overflow",
                                                                 "rate_limited",
                                                                 "unauthorized",
                                                                 "denied",
                                                                 "injected_fault"};
    return kNames[static_cast<std::size_t>(o)];
}

constexpr std::string_view responseFlag(Outcome o)
{
    constexpr std::array<std::string_view, kOutcomeCount> kFlags{
        "-", "-", "-", "UF", "UT", "UH", "UO", "RL", "-", "-", "FI"};
    return kFlags[static_cast<std::size_t>(o)];
}

constexpr int httpStatus(Outcome o)
{
    constexpr std::array<int, kOutcomeCount> kStatus{
        200, 500, 503, 503, 504, 503, 503, 429, 401, 403, 503};
    return kStatus[static_cast<std::size_t>(o)];
}

} // namespace meshsim::models
