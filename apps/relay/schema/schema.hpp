// relay's schema, in ONE place, applied at start.
//
// TODO(strata builder, issue 5): this is per-dialect DDL applied inside a transaction
// with a version table, because strata's typed schema builder and contract/migrate do
// not exist yet. When they land, declare these tables with the builder and apply them
// with contract/migrate; nothing outside schema/ knows how the schema is applied.
#pragma once

#include <string>
#include <vector>

#include <strata/strata.hpp>

#include "db/database.hpp"

namespace relay::schema {

// The newest schema version this build knows.
inline constexpr int current_version = 1;

// Brings the database to current_version. Idempotent; safe when several relay
// processes start at once (PostgreSQL: an advisory lock; SQLite: the write lock).
// Returns the version found before migrating (0 for an empty database).
int migrate(const strata::runtime& db, dialect d);

// Statements of each version, for one dialect (exposed for tests).
struct migration {
    int version;
    std::vector<strata::plan> statements;
};
[[nodiscard]] std::vector<migration> migrations(dialect d);

namespace detail {
// The tables both dialects share, written once with type tokens: {pk} (a 64-bit
// integer primary key) and {bigint}.
[[nodiscard]] std::vector<std::string> common_tables_v1();
// What differs: full-text search (SQLite FTS5 + triggers; PostgreSQL a GIN index).
[[nodiscard]] std::vector<strata::plan> sqlite_extras_v1();
[[nodiscard]] std::vector<strata::plan> postgres_extras_v1();
}  // namespace detail

}  // namespace relay::schema
