#include "database_url.hpp"

#include <strata/postgres.hpp>
#include <strata/sqlite.hpp>

namespace strata::cli {
namespace {

bool names_postgres(std::string_view url) {
    return url.starts_with("postgres:") || url.starts_with("postgresql:") ||
           (url.find('=') != std::string_view::npos && url.find("://") == std::string_view::npos &&
            !url.starts_with("sqlite:"));
}

}  // namespace

database_target target_for_url(std::string_view url) {
    if (names_postgres(url)) return {strata::postgres::make_stack(), strata::postgres::parse_url(url)};
    return {strata::sqlite::make_stack(), strata::sqlite::parse_url(url)};
}

strata::runtime open_database(const database_target& target) {
    strata::runtime db = instantiate(target.stack);
    db.connect(target.where);
    return db;
}

}  // namespace strata::cli
