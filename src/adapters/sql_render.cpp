#include "sql_render.hpp"

namespace strata::adapters {
namespace {

class renderer {
public:
    explicit renderer(const sql_dialect& d) : d_(d) {}

    void statement(const ast::statement& s) {
        switch (s.what) {
            case ast::statement::kind::select: select(s.select); break;
            case ast::statement::kind::insert: insert(s.insert); break;
            case ast::statement::kind::update: update(s.update); break;
            case ast::statement::kind::remove: remove(s.remove); break;
        }
    }
    std::string take() { return std::move(out_); }

private:
    void ident(std::string_view name) {
        out_ += '"';
        for (char c : name) {
            if (c == '"') out_ += '"';
            out_ += c;
        }
        out_ += '"';
    }
    void column(std::string_view table, std::string_view name) {
        ident(table);
        out_ += '.';
        ident(name);
    }
    void param() {
        if (d_.dollar_params) {
            out_ += '$';
            out_ += std::to_string(++params_);
        } else {
            out_ += '?';
        }
    }

    void expr(const ast::node_ptr& n) {
        switch (n->kind) {
            case ast::node_kind::column:
                if (n->excluded) {
                    out_ += "excluded.";
                    ident(n->name);
                } else {
                    column(n->table, n->name);
                }
                break;
            case ast::node_kind::param: param(); break;
            case ast::node_kind::star: out_ += '*'; break;
            case ast::node_kind::unary:
                if (n->op == "NOT" || n->op == "-") {
                    out_ += n->op == "NOT" ? "NOT (" : "-(";
                    expr(n->args[0]);
                    out_ += ')';
                } else {  // postfix: IS NULL / IS NOT NULL
                    out_ += '(';
                    expr(n->args[0]);
                    out_ += ") ";
                    out_ += n->op;
                }
                break;
            case ast::node_kind::binary:
                out_ += '(';
                expr(n->args[0]);
                out_ += ' ';
                out_ += n->op;
                out_ += ' ';
                expr(n->args[1]);
                out_ += ')';
                break;
            case ast::node_kind::function: {
                const bool cast = d_.cast_aggregates && n->result.has_value();
                if (cast) out_ += "CAST(";
                out_ += n->op;
                out_ += '(';
                list(n->args);
                out_ += ')';
                if (cast) out_ += *n->result == ast::sql_type_hint::integer ? " AS BIGINT)" : " AS DOUBLE PRECISION)";
                break;
            }
            case ast::node_kind::in_list:
                out_ += '(';
                expr(n->args[0]);
                out_ += " IN (";
                for (std::size_t i = 1; i < n->args.size(); ++i) {
                    if (i > 1) out_ += ", ";
                    expr(n->args[i]);
                }
                if (n->args.size() == 1) out_ += "SELECT NULL WHERE 1 = 0";  // IN () is not SQL
                out_ += "))";
                break;
            case ast::node_kind::subquery:
                out_ += '(';
                statement(*n->sub);
                out_ += ')';
                break;
            case ast::node_kind::exists:
                out_ += "EXISTS (";
                statement(*n->sub);
                out_ += ')';
                break;
        }
    }
    void list(const std::vector<ast::node_ptr>& xs) {
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (i) out_ += ", ";
            expr(xs[i]);
        }
    }
    void items(const std::vector<ast::selected>& xs) {
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (i) out_ += ", ";
            expr(xs[i].expr);
            if (!xs[i].alias.empty()) {
                out_ += " AS ";
                ident(xs[i].alias);
            } else if (xs[i].expr->kind == ast::node_kind::column) {
                out_ += " AS ";  // a stable result name on both dialects
                ident(xs[i].expr->name);
            }
        }
    }
    void returning(const std::vector<ast::selected>& xs) {
        if (xs.empty()) return;
        out_ += " RETURNING ";
        items(xs);
    }

    void select(const ast::select_stmt& q) {
        out_ += q.distinct ? "SELECT DISTINCT " : "SELECT ";
        if (q.columns.empty()) out_ += '*';
        items(q.columns);
        out_ += " FROM ";
        ident(q.from);
        for (const auto& j : q.joins) {
            out_ += j.kind == ast::join_kind::left ? " LEFT JOIN " : " JOIN ";
            ident(j.table);
            out_ += " ON ";
            expr(j.on);
        }
        if (q.where) {
            out_ += " WHERE ";
            expr(q.where);
        } else if (in_upsert_select_) {
            out_ += " WHERE 1 = 1";
        }
        if (!q.group_by.empty()) {
            out_ += " GROUP BY ";
            list(q.group_by);
        }
        if (q.having) {
            out_ += " HAVING ";
            expr(q.having);
        }
        for (std::size_t i = 0; i < q.order_by.size(); ++i) {
            out_ += i ? ", " : " ORDER BY ";
            expr(q.order_by[i].expr);
            if (q.order_by[i].descending) out_ += " DESC";
        }
        if (q.limit) {
            out_ += " LIMIT ";
            expr(q.limit);
        }
        if (q.offset) {
            if (!q.limit && !d_.dollar_params) out_ += " LIMIT -1";  // SQLite needs a LIMIT before OFFSET
            out_ += " OFFSET ";
            expr(q.offset);
        }
    }

    void insert(const ast::insert_stmt& q) {
        out_ += "INSERT INTO ";
        ident(q.table);
        out_ += " (";
        for (std::size_t i = 0; i < q.columns.size(); ++i) {
            if (i) out_ += ", ";
            ident(q.columns[i]);
        }
        out_ += ')';
        if (q.select) {
            out_ += ' ';
            in_upsert_select_ = d_.upsert_select_needs_where && q.conflict.action != ast::conflict_action::none;
            statement(*q.select);
            in_upsert_select_ = false;
        } else {
            out_ += " VALUES ";
            for (std::size_t r = 0; r < q.rows.size(); ++r) {
                if (r) out_ += ", ";
                out_ += '(';
                list(q.rows[r]);
                out_ += ')';
            }
        }
        if (q.conflict.action != ast::conflict_action::none) {
            out_ += " ON CONFLICT";
            if (!q.conflict.target.empty()) {
                out_ += " (";
                for (std::size_t i = 0; i < q.conflict.target.size(); ++i) {
                    if (i) out_ += ", ";
                    ident(q.conflict.target[i]);
                }
                out_ += ')';
            }
            if (q.conflict.action == ast::conflict_action::do_nothing) {
                out_ += " DO NOTHING";
            } else {
                out_ += " DO UPDATE SET ";
                assignments(q.conflict.updates);
                if (q.conflict.where) {
                    out_ += " WHERE ";
                    expr(q.conflict.where);
                }
            }
        }
        returning(q.returning);
    }

    void assignments(const std::vector<ast::assignment>& sets) {
        for (std::size_t i = 0; i < sets.size(); ++i) {
            if (i) out_ += ", ";
            ident(sets[i].column);
            out_ += " = ";
            expr(sets[i].value);
        }
    }

    void update(const ast::update_stmt& q) {
        out_ += "UPDATE ";
        ident(q.table);
        out_ += " SET ";
        assignments(q.sets);
        if (q.where) {
            out_ += " WHERE ";
            expr(q.where);
        }
        returning(q.returning);
    }

    void remove(const ast::delete_stmt& q) {
        out_ += "DELETE FROM ";
        ident(q.table);
        if (q.where) {
            out_ += " WHERE ";
            expr(q.where);
        }
        returning(q.returning);
    }

    const sql_dialect& d_;
    std::string out_;
    std::size_t params_ = 0;
    bool in_upsert_select_ = false;
};

}  // namespace

std::string render(const ast::statement& s, const sql_dialect& d) {
    renderer r(d);
    r.statement(s);
    return r.take();
}

std::string lower_plan(const plan& p, const sql_dialect& d, std::string (*raw)(const plan&)) {
    const auto& text = p.text();
    if (text->tree) return text->lowered->get(d.name, [&] { return render(*text->tree, d); });
    return raw ? raw(p) : p.sql();
}

}  // namespace strata::adapters
