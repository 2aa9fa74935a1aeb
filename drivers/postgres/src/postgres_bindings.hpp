// Internal: checks of PostgreSQL bindings (DRIVER.BINDING_INVALID{field, reason}).
#pragma once

#include <string>

#include "strata/postgres.hpp"

namespace strata::postgres::detail {

struct checked_url {
    std::string password{};  // empty if none; only to mask it in error messages
    std::string options{};   // libpq `options` to connect with (postgres_session.hpp)
};

// Checks the URL/conninfo and the pool options.
[[nodiscard]] checked_url check_url(const url& u);
void check_client(const client& c);

}  // namespace strata::postgres::detail
