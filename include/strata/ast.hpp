// The statement tree built by the typed builder (strata/query.hpp) and lowered to SQL by
// the SQLite and PostgreSQL adapters. Values never appear in the tree: a param node
// holds either a bound value or the index of an argument supplied at bind time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/value.hpp"

namespace strata::ast {

struct node;
struct statement;
enum class sql_type_hint { integer, real };
using node_ptr = std::shared_ptr<const node>;

enum class node_kind {
    column,      // table.name (excluded: the row proposed for insertion, in ON CONFLICT DO UPDATE)
    param,       // a bound value or a bind-time argument
    unary,       // op applied to args[0]: NOT, IS NULL, IS NOT NULL, - (negation)
    binary,      // args[0] op args[1]: = <> < <= > >= AND OR + - * / LIKE
    function,    // op(args...): COUNT, SUM, MIN, MAX, AVG, COALESCE, LOWER...; COUNT(*) has no args
    in_list,     // args[0] IN (args[1..])
    subquery,    // (SELECT ...) as a scalar, or the right side of IN
    exists,      // EXISTS (SELECT ...)
    star,        // *
};

struct node {
    node_kind kind = node_kind::column;
    std::string_view table;  // column: table name; static storage (table declarations)
    std::string_view name;   // column name
    bool excluded = false;
    std::string op;          // operator / function name
    std::vector<node_ptr> args;
    std::optional<value> fixed;                  // param: the bound value, or
    std::size_t arg = static_cast<std::size_t>(-1);  // param: the bind-time argument index
    std::shared_ptr<const statement> sub;        // subquery / exists
    // function: the SQL family of the result, where a dialect must cast to keep it
    // (PostgreSQL's SUM of integers is numeric).
    std::optional<sql_type_hint> result;
};

struct selected {
    node_ptr expr;
    std::string alias;  // empty: the column's own name
};

enum class join_kind { inner, left };
struct join {
    join_kind kind = join_kind::inner;
    std::string_view table;
    node_ptr on;
};

struct ordering {
    node_ptr expr;
    bool descending = false;
};

struct select_stmt {
    std::vector<selected> columns;  // empty: *
    bool distinct = false;
    std::string_view from;
    std::vector<join> joins;
    node_ptr where;
    std::vector<node_ptr> group_by;
    node_ptr having;
    std::vector<ordering> order_by;
    node_ptr limit;   // a param
    node_ptr offset;  // a param
};

struct assignment {
    std::string_view column;
    node_ptr value;
};

enum class conflict_action { none, do_nothing, do_update };
struct on_conflict {
    conflict_action action = conflict_action::none;
    std::vector<std::string_view> target;  // conflict columns
    std::vector<assignment> updates;       // DO UPDATE SET
    node_ptr where;                        // DO UPDATE ... WHERE
};

struct insert_stmt {
    std::string_view table;
    std::vector<std::string_view> columns;
    std::vector<std::vector<node_ptr>> rows;  // VALUES rows, or
    std::shared_ptr<const statement> select;  // INSERT ... SELECT
    on_conflict conflict;
    std::vector<selected> returning;
};

struct update_stmt {
    std::string_view table;
    std::vector<assignment> sets;
    node_ptr where;
    std::vector<selected> returning;
};

struct delete_stmt {
    std::string_view table;
    node_ptr where;
    std::vector<selected> returning;
};

struct statement {
    enum class kind { select, insert, update, remove } what = kind::select;
    select_stmt select;
    insert_stmt insert;
    update_stmt update;
    delete_stmt remove;
};

// The param nodes of a statement in the order they appear in its SQL text. Every
// renderer emits placeholders in exactly this order.
[[nodiscard]] std::vector<const node*> params_in_order(const statement& s);

}  // namespace strata::ast
