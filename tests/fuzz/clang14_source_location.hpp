// Force-included into every file of the fuzz build (the `fuzz` preset's CMAKE_CXX_FLAGS).
// libstdc++ 12 defines std::source_location only when the compiler has
// __builtin_source_location, which clang 14 lacks (clang 15 added it), so strata's
// error.hpp does not compile with clang-14. This fills the gap with the builtins clang 14
// does have; with a newer clang it defines nothing.
#pragma once

#if defined(__clang__) && defined(__cplusplus) && __cplusplus > 201703L && !__has_builtin(__builtin_source_location)
#include <cstdint>

namespace std {
struct source_location {
    static constexpr source_location current(const char* file = __builtin_FILE(),
                                             const char* function = __builtin_FUNCTION(),
                                             std::uint_least32_t line = __builtin_LINE(),
                                             std::uint_least32_t column = __builtin_COLUMN()) noexcept {
        source_location s;
        s.file_ = file;
        s.function_ = function;
        s.line_ = line;
        s.column_ = column;
        return s;
    }
    constexpr source_location() noexcept = default;
    constexpr std::uint_least32_t line() const noexcept { return line_; }
    constexpr std::uint_least32_t column() const noexcept { return column_; }
    constexpr const char* file_name() const noexcept { return file_; }
    constexpr const char* function_name() const noexcept { return function_; }

private:
    const char* file_ = "";
    const char* function_ = "";
    std::uint_least32_t line_ = 0;
    std::uint_least32_t column_ = 0;
};
}  // namespace std
#endif
