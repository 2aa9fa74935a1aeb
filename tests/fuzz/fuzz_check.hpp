// The one way a fuzz target reports a violated property: print what failed, then abort,
// so libFuzzer saves the input as a crash and the GCC replay test fails.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                   \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::fprintf(stderr, "fuzz property violated at %s:%d: %s\n  check: %s\n", __FILE__, \
                         __LINE__, what, #cond);                                                 \
            std::abort();                                                                        \
        }                                                                                        \
    } while (false)
