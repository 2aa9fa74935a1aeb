// The non-template half of ORM collections: a collection's query as plain data, and the
// functions (src/orm/statements.cpp) that turn it into builder statement trees and plans.
// Internal to the ORM; the adapters lower the trees like any builder plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/ast.hpp"
#include "strata/plan.hpp"
#include "strata/value.hpp"

namespace strata::orm::detail {

struct query_state {
    std::string_view table;
    std::vector<ast::selected> projection;     // decoded into the collection's Row
    ast::node_ptr where;                       // null: every row
    std::vector<ast::ordering> order_by;       // order_by() terms, or the keyset's columns
    std::vector<ast::ordering> default_order;  // primary key, when order_by is empty
    std::optional<std::int64_t> take;
    std::optional<std::int64_t> skip;
    std::vector<ast::node_ptr> keyset;  // key columns of keyset pagination
    bool keyset_descending = false;
    std::vector<value> after;  // start after this key (empty: from the start)
};

// RUNTIME.INVALID_ARGUMENT "<operation>(): <reason>" with details operation and reason.
[[noreturn]] void throw_invalid(std::string_view operation, std::string reason);

// a AND b, where either may be null.
[[nodiscard]] ast::node_ptr and_node(ast::node_ptr a, ast::node_ptr b);
// A reference to table.name (both with static storage: table declarations).
[[nodiscard]] ast::node_ptr column_ref(std::string_view table, std::string_view name);

// The columns of rows read or written: the projection, then `extra` aliased strata_x0...
// (keys the ORM needs for cursors and includes, decoded apart).
// SELECT ... FROM table WHERE where AND keyset-after AND extra_where ORDER BY ... LIMIT/OFFSET
[[nodiscard]] plan select_plan(const query_state& q, const std::vector<ast::node_ptr>& extra,
                               const ast::node_ptr& extra_where);
// SELECT COUNT(*) FROM table WHERE where AND keyset-after
[[nodiscard]] plan count_plan(const query_state& q);

struct upsert_spec {
    std::vector<std::string_view> target;  // conflict columns
    const std::vector<ast::assignment>* updates = nullptr;
};
// INSERT INTO table (columns of the first row) VALUES ... [ON CONFLICT ...] RETURNING ...
// Every row must set the same columns; values may not read columns.
[[nodiscard]] plan insert_plan(std::string_view operation, const query_state& q,
                               const std::vector<const std::vector<ast::assignment>*>& rows,
                               const std::vector<ast::node_ptr>& extra_returning, const upsert_spec* upsert = nullptr);
// UPDATE table SET ... WHERE where RETURNING ...; all=false refuses a collection without where().
[[nodiscard]] plan update_plan(std::string_view operation, const query_state& q,
                               const std::vector<ast::assignment>& sets, bool all);
// DELETE FROM table WHERE where RETURNING ...; all=false refuses a collection without where().
[[nodiscard]] plan delete_plan(std::string_view operation, const query_state& q, bool all);

}  // namespace strata::orm::detail
