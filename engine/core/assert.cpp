#include "engine/core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace meshsim::engine::internal {

void assertFailed(const char* condition, const char* invariant, const char* file, int line)
{
    std::fprintf(
        stderr, "%s:%d: internal invariant broken: %s (%s)\n", file, line, invariant, condition);
    std::fflush(stderr);
    std::abort();
}

} // namespace meshsim::engine::internal
