// --url: which database a command talks to.
#pragma once

#include <string_view>

#include <strata/driver.hpp>

namespace strata::cli {

// "sqlite:PATH" or "sqlite::memory:" -> an SQLite binding. PostgreSQL URLs are recognised
// but not supported by this build yet. Anything else: DRIVER.BINDING_INVALID, which
// shows the URL only redacted (no password, no query parameters).
[[nodiscard]] strata::binding binding_for_url(std::string_view url);

}  // namespace strata::cli
