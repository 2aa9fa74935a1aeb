// Adapters layer: one migration step (strata/schema_change.hpp) in a dialect.
// PostgreSQL alters tables in place; SQLite does what its ALTER TABLE can (add a plain
// column, rename) and rebuilds the table for the rest (create the new shape, copy, drop,
// rename, re-create the indexes; docs/decisions/0033-versioned-migrations.md).
#pragma once

#include "strata/schema_change.hpp"

namespace strata::adapters {

[[nodiscard]] rendered_change render_change_postgres(const schema_change& c);
[[nodiscard]] rendered_change render_change_sqlite(const schema_change& c);

}  // namespace strata::adapters
