// Adapters layer: the live schema read back as contract tables (strata::introspect).
#pragma once

#include <string>
#include <vector>

#include "strata/contract.hpp"
#include "strata/runtime.hpp"

namespace strata::adapters {

// SQLite: pragma_table_list / table_info / foreign_key_list / index_list / index_info,
// and sqlite_schema for an index's WHERE.
[[nodiscard]] std::vector<contract_table> introspect_sqlite(const runtime& db, std::vector<std::string>& left_out);
// PostgreSQL: pg_catalog, the tables of current_schema().
[[nodiscard]] std::vector<contract_table> introspect_postgres(const runtime& db, std::vector<std::string>& left_out);

// The database's identity (adapter_descriptor::identity). SQLite: the main file's path
// ("" in memory); PostgreSQL: the cluster's system identifier and the database name.
[[nodiscard]] std::string identity_sqlite(const runtime& db);
[[nodiscard]] std::string identity_postgres(const runtime& db);

}  // namespace strata::adapters
