// Text as a terminal shows it: control characters escaped (so one value stays on one
// line and cannot move the cursor) and widths counted in characters, not bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace strata::cli {

// "\n", "\r" and "\t" as two-character escapes; other control bytes as \xNN.
[[nodiscard]] std::string escape_control(std::string_view text);
// Columns `text` takes in a terminal: UTF-8 code points (wide characters count as one).
[[nodiscard]] std::size_t display_width(std::string_view text) noexcept;

}  // namespace strata::cli
