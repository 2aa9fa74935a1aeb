// Adapters layer: lowering builder statements (strata/ast.hpp) to a dialect's SQL.
// The SQLite and PostgreSQL adapters configure one renderer with their dialect; nothing
// outside the adapters produces SQL from a tree.
#pragma once

#include <string>
#include <string_view>

#include "strata/ast.hpp"
#include "strata/plan.hpp"

namespace strata::adapters {

struct sql_dialect {
    std::string_view name;
    bool dollar_params = false;  // $1, $2 (PostgreSQL) instead of ? (SQLite)
    // SQLite cannot parse INSERT ... SELECT ... ON CONFLICT without a WHERE in the SELECT.
    bool upsert_select_needs_where = false;
    // PostgreSQL's SUM of integers is numeric: cast it back to keep the builder's type.
    bool cast_aggregates = false;
};

// The statement's SQL; its placeholders follow ast::params_in_order.
[[nodiscard]] std::string render(const ast::statement& s, const sql_dialect& d);

// The adapter's lowering of any plan: builder plans are rendered once per dialect and
// cached on the plan's shared text; raw plans go through `raw` (empty: unchanged).
[[nodiscard]] std::string lower_plan(const plan& p, const sql_dialect& d,
                                     std::string (*raw)(const plan&) = nullptr);

}  // namespace strata::adapters
