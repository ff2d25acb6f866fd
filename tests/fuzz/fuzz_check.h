#pragma once

// What the libFuzzer harnesses of tests/fuzz/ share (docs/fuzzing.md).
//
// FUZZ_CHECK(condition): a property every input must keep. A broken one aborts, which libFuzzer
// reports as a crash and saves the input, and which fails the replay test in a normal build.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) [[unlikely]] {                                                           \
            std::fprintf(                                                                          \
                stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition);         \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
