// relay's schema, in ONE place, applied at start: the tables are declared with strata's
// schema declarations (tables.hpp), turned into a contract, and migrated with strata's
// versioned migrations (an empty database gets them and a marker; a database an earlier
// relay made is upgraded in place, in one transaction; an up-to-date one is left alone;
// one that would lose data is refused). What a contract cannot express — full-text
// search, PostgreSQL's byte-order name indexes — is added after, per dialect, idempotently.
#pragma once

#include <strata/contract.hpp>
#include <strata/strata.hpp>
#include <vector>

#include "db/database.hpp"

namespace relay::schema {

// The contract of relay's tables.
[[nodiscard]] const strata::contract& relay_contract();

// The contract of a split relay's messages database: the message-side tables without
// references to the control plane, and delivery_counters (tables.hpp).
[[nodiscard]] const strata::contract& messages_contract();

// Migrates the database (see above). Returns true when it created the schema now.
// Throws strata::error CONTRACT.DESTRUCTIVE_CHANGE / CONTRACT.UNSUPPORTED_CHANGE /
// CONTRACT.UNMANAGED for a database it must not change.
bool migrate(const strata::runtime& db, dialect d);
// The same for the messages database of a split relay (messages_contract()). Pointing
// --messages-db at a database that holds relay's full contract fails here.
bool migrate_messages(const strata::runtime& db, dialect d);

namespace detail {
// Full-text search: SQLite FTS5 + triggers; PostgreSQL a GIN expression index. Each
// statement is idempotent (IF NOT EXISTS).
[[nodiscard]] std::vector<strata::plan> sqlite_search_objects();
[[nodiscard]] std::vector<strata::plan> postgres_search_objects();
}  // namespace detail

}  // namespace relay::schema
