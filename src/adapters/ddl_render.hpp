// Adapters layer: DDL for a contract table in a dialect (CREATE TABLE + CREATE INDEX).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strata/contract.hpp"

namespace strata::adapters {

struct ddl_dialect {
    std::string_view integer, real, text, blob, boolean, timestamp, json;
};

inline constexpr ddl_dialect sqlite_ddl{"INTEGER", "REAL", "TEXT", "BLOB", "BOOLEAN", "TIMESTAMP", "JSON"};
inline constexpr ddl_dialect postgres_ddl{"BIGINT", "DOUBLE PRECISION", "TEXT", "BYTEA", "BOOLEAN", "TIMESTAMPTZ", "JSONB"};

[[nodiscard]] std::vector<std::string> create_table_sql(const contract_table& t, const ddl_dialect& d);
// One column's definition: "name" TYPE [NOT NULL] [DEFAULT x] [PRIMARY KEY] [UNIQUE] [REFERENCES ...].
[[nodiscard]] std::string column_sql(const contract_column& c, const ddl_dialect& d);
// CREATE [UNIQUE] INDEX for one of the table's indexes.
[[nodiscard]] std::string index_sql(const std::string& table, const contract_index& i);
[[nodiscard]] std::string quoted(std::string_view name);  // names are validated identifiers
[[nodiscard]] std::string quoted_list(const std::vector<std::string>& names);

}  // namespace strata::adapters
