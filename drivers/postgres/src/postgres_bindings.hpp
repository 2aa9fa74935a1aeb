// Internal: checks of PostgreSQL bindings (DRIVER.BINDING_INVALID{field, reason}).
#pragma once

#include <string>

#include "strata/postgres.hpp"

namespace strata::postgres::detail {

// Checks the URL/conninfo and the pool options. Returns the password it holds (empty if
// none) so error messages can be masked.
[[nodiscard]] std::string check_url(const url& u);
void check_client(const client& c);

}  // namespace strata::postgres::detail
