#pragma once

// MESHSIM_ASSERT(condition, "invariant"): a broken internal invariant is a bug, never bad input.
// Active in every build type (an invariant that silently breaks in release corrupts results).
// Bad scenario input is reported by the loader as diagnostics; simulated failures are outcomes.

namespace meshsim::engine::internal {
[[noreturn]] void
assertFailed(const char* condition, const char* invariant, const char* file, int line);
} // namespace meshsim::engine::internal

#define MESHSIM_ASSERT(condition, invariant)                                                       \
    do {                                                                                           \
        if (!(condition)) [[unlikely]]                                                             \
            ::meshsim::engine::internal::assertFailed(#condition, invariant, __FILE__, __LINE__);  \
    } while (false)
