#include "models/sim_events.h"

#include <array>

namespace meshsim::models {

namespace {

constexpr std::array<const char*, 8> kReasons{"consecutive_5xx",
                                              "consecutive_gateway_failure",
                                              "success_rate",
                                              "failure_percentage",
                                              "ejection_time_elapsed",
                                              "active_health_check",
                                              "failure_accrual",
                                              "probation_passed"};

} // namespace

const char* ejectionReasonName(EjectionReason reason)
{
    return kReasons[static_cast<std::size_t>(reason)];
}

EjectionReason ejectionReasonFromName(const std::string& name)
{
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
        if (name == kReasons[i])
            return static_cast<EjectionReason>(i);
    }
    return EjectionReason::Consecutive5xx;
}

const char* stateKindName(StateChange::Kind kind)
{
    constexpr std::array<const char*, 10> kNames{"circuit_breaker",
                                                 "ejection",
                                                 "return",
                                                 "not_ready",
                                                 "ready",
                                                 "unhealthy",
                                                 "healthy",
                                                 "killed",
                                                 "node_down",
                                                 "restored"};
    return kNames[static_cast<std::size_t>(kind)];
}

const char* hopKindName(HopKind kind)
{
    constexpr std::array<const char*, 12> kNames{"request",
                                                 "call",
                                                 "try",
                                                 "job",
                                                 "transfer",
                                                 "queue",
                                                 "cpu",
                                                 "stall",
                                                 "proxy",
                                                 "connect",
                                                 "backoff",
                                                 "fault_delay"};
    return kNames[static_cast<std::size_t>(kind)];
}

} // namespace meshsim::models
