// Turning the --url of a command into a connected runtime.
#pragma once

#include <string_view>

#include <strata/runtime.hpp>

namespace strata::cli {

// The database a URL names, checked before anything is opened:
// "sqlite:PATH", "sqlite::memory:" or "postgres(ql)://..." / key=value conninfo.
struct database_target {
    strata::stack stack;
    strata::binding where;
};
[[nodiscard]] database_target target_for_url(std::string_view url);

// A runtime connected to target.
[[nodiscard]] strata::runtime open_database(const database_target& target);

}  // namespace strata::cli
