// Text form of timestamps, shared by codecs and drivers that store timestamps as text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "strata/value.hpp"

namespace strata {

// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: fixed width, so text order is time order, and
// readable by SQLite's date functions.
[[nodiscard]] std::string format_timestamp(timestamp t);
// Accepts "YYYY-MM-DD[ T]HH:MM[:SS[.f{1,9}]][Z|±HH[:MM[:SS]]]" and "YYYY-MM-DD".
[[nodiscard]] std::optional<timestamp> parse_timestamp(std::string_view text) noexcept;

}  // namespace strata
