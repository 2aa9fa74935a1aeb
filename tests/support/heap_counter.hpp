// Live bytes allocated through operator new in this process (the test binary replaces
// the global operator new/delete to count them). Works under ASan, whose quarantine makes
// RSS useless for "memory stays flat" checks.
#pragma once

#include <cstddef>

namespace strata::test {
[[nodiscard]] std::size_t live_heap_bytes() noexcept;
}
