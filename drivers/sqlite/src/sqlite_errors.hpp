// Internal: SQLite result codes -> strata::error with a normalized SQLSTATE.
#pragma once

#include <sqlite3.h>

#include <string_view>

#include "strata/error.hpp"

namespace strata::sqlite::detail {

// Builds the error for `rc` (an extended result code) from the connection's message.
// Call with the connection's lock held, right after the failing call.
[[nodiscard]] error make_error(sqlite3* db, int rc, std::string_view during);
// For failures where no connection message applies (open failed before a handle existed).
[[nodiscard]] error make_error_text(int rc, std::string_view message, std::string_view during);

}  // namespace strata::sqlite::detail
