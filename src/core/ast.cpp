#include "strata/ast.hpp"

namespace strata::ast {
namespace {

void walk(const statement& s, std::vector<const node*>& out);

void walk(const node_ptr& n, std::vector<const node*>& out) {
    if (!n) return;
    if (n->kind == node_kind::param) {
        out.push_back(n.get());
        return;
    }
    for (const auto& a : n->args) walk(a, out);
    if (n->sub) walk(*n->sub, out);
}

void walk(const std::vector<selected>& items, std::vector<const node*>& out) {
    for (const auto& i : items) walk(i.expr, out);
}

void walk(const statement& s, std::vector<const node*>& out) {
    switch (s.what) {
        case statement::kind::select: {
            const select_stmt& q = s.select;
            walk(q.columns, out);
            for (const auto& j : q.joins) walk(j.on, out);
            walk(q.where, out);
            for (const auto& g : q.group_by) walk(g, out);
            walk(q.having, out);
            for (const auto& o : q.order_by) walk(o.expr, out);
            walk(q.limit, out);
            walk(q.offset, out);
            break;
        }
        case statement::kind::insert: {
            const insert_stmt& q = s.insert;
            for (const auto& row : q.rows)
                for (const auto& v : row) walk(v, out);
            if (q.select) walk(*q.select, out);
            for (const auto& u : q.conflict.updates) walk(u.value, out);
            walk(q.conflict.where, out);
            walk(q.returning, out);
            break;
        }
        case statement::kind::update:
            for (const auto& a : s.update.sets) walk(a.value, out);
            walk(s.update.where, out);
            walk(s.update.returning, out);
            break;
        case statement::kind::remove:
            walk(s.remove.where, out);
            walk(s.remove.returning, out);
            break;
    }
}

}  // namespace

std::vector<const node*> params_in_order(const statement& s) {
    std::vector<const node*> out;
    walk(s, out);
    return out;
}

}  // namespace strata::ast
