// Internal: libpq failures -> strata::error, with the same codes and SQLSTATEs as SQLite.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "strata/driver.hpp"
#include "strata/error.hpp"

namespace strata::postgres::detail {

inline constexpr std::string_view driver_name = "postgres";
inline constexpr std::string_view connection_lost_code = codes::driver_connection_lost;

// The error a failed result describes (`res` may be null: then PQerrorMessage(conn)).
[[nodiscard]] error make_error(const PGresult* res, PGconn* conn, std::string_view during);
// True when the connection is unusable after `e` (connection lost).
[[nodiscard]] bool is_connection_lost(const error& e) noexcept;
// A connect that failed: never holds the password or the full URL.
[[nodiscard]] error connect_failed(std::string_view libpq_message, std::string_view description,
                                   std::string_view password);
// RUNTIME.ABORTED for a statement stopped by its deadline or its cancel token.
[[nodiscard]] error aborted(const execution_control& c);
[[nodiscard]] bool control_fired(const execution_control& c) noexcept;
// `text` with every occurrence of `secret` masked (secrets shorter than 3 characters are
// left: they would mask ordinary words).
[[nodiscard]] std::string scrub(std::string text, std::string_view secret);

}  // namespace strata::postgres::detail
