#pragma once

// How a request, a call or a hop ended. A simulated failure is an outcome value, never an
// exception. Each outcome has a stable snake_case name (used in results.json) and an HTTP status;
// response flags say, as Envoy's access log does, what a proxy did (reference/semantics.md):
//   UO  upstream overflow (circuit breaker), URX retries exhausted, UT upstream request timeout,
//   UH  no healthy upstream, UF upstream connection failure, FI fault injected (abort),
//   DI  delay injected, RL rate limited, UAEX unauthorized (external authorization / RBAC),
//   RX  retried at least once (meshsim's own flag, to count calls that needed retries).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshsim::models {

enum class Outcome : std::uint8_t {
    Ok,
    ServerError,       // 500 returned by a handler (`errors:` or an error fault)
    QueueFull,         // the instance's queue was full: 503
    ConnectionFailure, // instance or node down, connection refused or reset: 503
    Timeout,           // a timeout fired: 504
    NoHealthyUpstream, // no instance to send to: 503
    Overflow,          // a proxy circuit breaker overflowed: 503
    RateLimited,       // 429
    Unauthorized,      // 401: authentication failed at the gateway
    Denied,            // 403: an authorization policy denied the call
    InjectedFault,     // an injected abort (its status is the fault's)
    CircuitOpen,       // a library circuit breaker (resilience4j, Hystrix) refused the call
};

inline constexpr std::size_t kOutcomeCount = 12;

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
                                                                 "injected_fault",
                                                                 "circuit_open"};
    return kNames[static_cast<std::size_t>(o)];
}

constexpr int httpStatus(Outcome o)
{
    constexpr std::array<int, kOutcomeCount> kStatus{
        200, 500, 503, 503, 504, 503, 503, 429, 401, 403, 503, 503};
    return kStatus[static_cast<std::size_t>(o)];
}

// Response flags, a bit set.
enum ResponseFlag : std::uint16_t {
    kFlagNone = 0,
    kFlagUO = 1 << 0,
    kFlagURX = 1 << 1,
    kFlagUT = 1 << 2,
    kFlagUH = 1 << 3,
    kFlagUF = 1 << 4,
    kFlagFI = 1 << 5,
    kFlagDI = 1 << 6,
    kFlagRL = 1 << 7,
    kFlagUAEX = 1 << 8,
    kFlagRX = 1 << 9,
};
inline constexpr std::size_t kFlagCount = 10;

constexpr std::string_view flagName(std::size_t bit)
{
    constexpr std::array<std::string_view, kFlagCount> kNames{
        "UO", "URX", "UT", "UH", "UF", "FI", "DI", "RL", "UAEX", "RX"};
    return kNames[bit];
}

// "UO,URX" style, "-" when empty.
inline std::string flagsText(std::uint16_t flags)
{
    std::string out;
    for (std::size_t bit = 0; bit < kFlagCount; ++bit) {
        if (flags & (1U << bit)) {
            if (!out.empty())
                out += ',';
            out += flagName(bit);
        }
    }
    return out.empty() ? "-" : out;
}

} // namespace meshsim::models
