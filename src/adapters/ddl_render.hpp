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

}  // namespace strata::adapters
