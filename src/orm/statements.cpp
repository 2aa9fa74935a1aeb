// ORM collections to builder statement trees and plans (lane orm). Inputs are checked
// here, before anything reaches the database.
#include <algorithm>
#include <memory>
#include <string>

#include "strata/error.hpp"
#include "strata/orm/query_state.hpp"
#include "strata/query.hpp"

namespace strata::orm::detail {
namespace {

ast::node_ptr binary(std::string op, ast::node_ptr a, ast::node_ptr b) {
    ast::node n;
    n.kind = ast::node_kind::binary;
    n.op = std::move(op);
    n.args = {std::move(a), std::move(b)};
    return builder::make_node(std::move(n));
}

// (k0 > v0) OR (k0 = v0 AND ((k1 > v1) OR (k1 = v1 AND ...))), "<" when descending:
// portable row-value comparison for keyset pagination.
ast::node_ptr keyset_after(const query_state& q) {
    if (q.after.empty()) return nullptr;
    if (q.after.size() != q.keyset.size()) {
        throw_invalid("after", "the cursor has " + std::to_string(q.after.size()) + " values for a key of " +
                                   std::to_string(q.keyset.size()) + " columns");
    }
    const std::string op = q.keyset_descending ? "<" : ">";
    ast::node_ptr cond;
    for (std::size_t i = q.keyset.size(); i-- > 0;) {
        ast::node_ptr beyond = binary(op, q.keyset[i], builder::value_node(q.after[i]));
        cond = cond ? binary("OR", std::move(beyond),
                             binary("AND", binary("=", q.keyset[i], builder::value_node(q.after[i])), cond))
                    : std::move(beyond);
    }
    return cond;
}

plan make_plan(std::shared_ptr<ast::statement> s, statement_kind kind, bool returning) {
    builder::prepared_core core = builder::prepare_statement(std::move(s), {kind, returning});
    auto text = std::make_shared<plan_text>(*core.text);  // the same tree: core.slots stay valid
    text->meta.source = lane::orm;
    core.text = std::move(text);
    return builder::bind_statement(core, {});
}

std::vector<ast::selected> with_extra(const std::vector<ast::selected>& projection,
                                      const std::vector<ast::node_ptr>& extra) {
    std::vector<ast::selected> out = projection;
    out.reserve(projection.size() + extra.size());
    for (std::size_t i = 0; i < extra.size(); ++i) out.push_back({extra[i], "strata_x" + std::to_string(i)});
    return out;
}

void refuse_paging(std::string_view operation, const query_state& q) {
    if (q.take || q.skip || !q.after.empty()) {
        throw_invalid(operation,
                      "take()/skip()/after() choose rows to read, not rows to write; narrow the rows "
                      "with where()");
    }
}

void refuse_missing_where(std::string_view operation, const query_state& q, bool all) {
    if (!all && !q.where) {
        throw_invalid(operation, "no where(): this would write every row of " + std::string(q.table) +
                                     "; say so with " + std::string(operation) + "_all()");
    }
}

bool reads_a_column(const ast::node_ptr& n) {
    if (!n) return false;
    if (n->kind == ast::node_kind::column && !n->excluded) return true;
    if (n->sub) return true;
    return std::any_of(n->args.begin(), n->args.end(), reads_a_column);
}

void check_sets(std::string_view operation, const std::vector<ast::assignment>& sets, bool values_only) {
    if (sets.empty()) throw_invalid(operation, "no column to write: give at least one set(column, value)");
    for (std::size_t i = 0; i < sets.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (sets[j].column == sets[i].column)
                throw_invalid(operation, "column " + std::string(sets[i].column) + " is set twice");
        }
        if (values_only && reads_a_column(sets[i].value)) {
            throw_invalid(operation, "the value of " + std::string(sets[i].column) +
                                         " reads a column; a new row's values must be values");
        }
    }
}

}  // namespace

void throw_invalid(std::string_view operation, std::string reason) {
    throw error(std::string(codes::runtime_invalid_argument), std::string(operation) + "(): " + reason,
                {{"operation", std::string(operation)}, {"reason", reason}});
}

ast::node_ptr and_node(ast::node_ptr a, ast::node_ptr b) {
    if (!a) return b;
    if (!b) return a;
    return binary("AND", std::move(a), std::move(b));
}

ast::node_ptr column_ref(std::string_view table, std::string_view name) {
    ast::node n;
    n.kind = ast::node_kind::column;
    n.table = table;
    n.name = name;
    return builder::make_node(std::move(n));
}

plan select_plan(const query_state& q, const std::vector<ast::node_ptr>& extra, const ast::node_ptr& extra_where) {
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::select;
    s->select.from = q.table;
    s->select.columns = with_extra(q.projection, extra);
    s->select.where = and_node(and_node(q.where, keyset_after(q)), extra_where);
    s->select.order_by = q.order_by.empty() ? q.default_order : q.order_by;
    if (q.take) s->select.limit = builder::value_node(value{*q.take});
    if (q.skip) s->select.offset = builder::value_node(value{*q.skip});
    return make_plan(std::move(s), statement_kind::read, false);
}

plan count_plan(const query_state& q) {
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::select;
    s->select.from = q.table;
    s->select.columns = {{count_all().node, "n"}};
    s->select.where = and_node(q.where, keyset_after(q));
    return make_plan(std::move(s), statement_kind::read, false);
}

plan insert_plan(std::string_view operation, const query_state& q,
                 const std::vector<const std::vector<ast::assignment>*>& rows,
                 const std::vector<ast::node_ptr>& extra_returning, const upsert_spec* upsert) {
    if (rows.empty()) throw_invalid(operation, "no rows to create: give at least one");
    const std::vector<ast::assignment>& first = *rows.front();
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::insert;
    s->insert.table = q.table;
    for (const ast::assignment& a : first) s->insert.columns.push_back(a.column);
    s->insert.rows.reserve(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const std::vector<ast::assignment>& sets = *rows[r];
        check_sets(operation, sets, true);
        if (sets.size() != first.size()) {
            throw_invalid(operation, "row " + std::to_string(r) + " sets " + std::to_string(sets.size()) +
                                         " columns, row 0 sets " + std::to_string(first.size()) +
                                         "; every row must set the same columns");
        }
        std::vector<ast::node_ptr> values;
        values.reserve(first.size());
        for (std::string_view column : s->insert.columns) {
            const auto it =
                std::find_if(sets.begin(), sets.end(), [&](const ast::assignment& a) { return a.column == column; });
            if (it == sets.end()) {
                throw_invalid(operation, "row " + std::to_string(r) + " does not set " + std::string(column) +
                                             ", which row 0 sets; every row must set the same columns");
            }
            values.push_back(it->value);
        }
        s->insert.rows.push_back(std::move(values));
    }
    if (upsert != nullptr) {
        check_sets(operation, *upsert->updates, false);
        s->insert.conflict.action = ast::conflict_action::do_update;
        s->insert.conflict.target = upsert->target;
        s->insert.conflict.updates = *upsert->updates;
    }
    s->insert.returning = with_extra(q.projection, extra_returning);
    return make_plan(std::move(s), statement_kind::write, true);
}

plan update_plan(std::string_view operation, const query_state& q, const std::vector<ast::assignment>& sets, bool all) {
    refuse_paging(operation, q);
    refuse_missing_where(operation, q, all);
    check_sets(operation, sets, false);
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::update;
    s->update.table = q.table;
    s->update.sets = sets;
    s->update.where = q.where;
    s->update.returning = q.projection;
    return make_plan(std::move(s), statement_kind::write, true);
}

plan delete_plan(std::string_view operation, const query_state& q, bool all) {
    refuse_paging(operation, q);
    refuse_missing_where(operation, q, all);
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::remove;
    s->remove.table = q.table;
    s->remove.where = q.where;
    s->remove.returning = q.projection;
    return make_plan(std::move(s), statement_kind::write, true);
}

}  // namespace strata::orm::detail
