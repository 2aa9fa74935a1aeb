// Known findings that a fix is pending for are tolerated by default, so a target keeps
// exploring past them instead of stopping at the first run. STRATA_FUZZ_STRICT=1 in the
// environment turns them back into failures: that is how the inputs under
// tests/fuzz/findings/ reproduce, and how to check a fix.
#pragma once

#include <cstdlib>
#include <cstring>

inline bool fuzz_strict() {
    static const bool strict = [] {
        const char* v = std::getenv("STRATA_FUZZ_STRICT");
        return v != nullptr && std::strcmp(v, "0") != 0 && *v != '\0';
    }();
    return strict;
}
