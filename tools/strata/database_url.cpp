#include "database_url.hpp"

#include <string>

#include <strata/redact.hpp>
#include <strata/sqlite.hpp>

namespace strata::cli {
namespace {

bool names_postgres(std::string_view url) {
    return url.starts_with("postgres:") || url.starts_with("postgresql:");
}

}  // namespace

strata::binding binding_for_url(std::string_view url) {
    if (names_postgres(url)) {
        driver_errors::binding_invalid("postgres", "url",
                                       "names PostgreSQL (" + redact_to_string(url) +
                                           "), which this build of strata cannot connect to yet; use sqlite:PATH or "
                                           "sqlite::memory:");
    }
    return strata::sqlite::parse_url(url);
}

}  // namespace strata::cli
