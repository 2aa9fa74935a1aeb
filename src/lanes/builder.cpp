// The non-template half of the typed builder: param nodes, preparing and binding.
#include <algorithm>

#include "strata/error.hpp"
#include "strata/query.hpp"

namespace strata {

std::string_view to_string(sql_type t) noexcept {
    switch (t) {
        case sql_type::integer: return "integer";
        case sql_type::real: return "real";
        case sql_type::text: return "text";
        case sql_type::bytes: return "blob";
        case sql_type::boolean: return "boolean";
        case sql_type::time: return "timestamp";
        case sql_type::json: return "json";
    }
    return "unknown";
}

namespace builder {

ast::node_ptr value_node(value v) {
    ast::node n;
    n.kind = ast::node_kind::param;
    n.fixed = std::move(v);
    return make_node(std::move(n));
}

ast::node_ptr arg_node(std::size_t index) {
    ast::node n;
    n.kind = ast::node_kind::param;
    n.arg = index;
    return make_node(std::move(n));
}

namespace {
void collect_tables(const ast::statement& s, std::vector<std::string>& out) {
    auto add = [&](std::string_view t) {
        if (!t.empty()) out.emplace_back(t);
    };
    switch (s.what) {
        case ast::statement::kind::select:
            add(s.select.from);
            for (const auto& j : s.select.joins) add(j.table);
            break;
        case ast::statement::kind::insert:
            add(s.insert.table);
            if (s.insert.select) collect_tables(*s.insert.select, out);
            break;
        case ast::statement::kind::update: add(s.update.table); break;
        case ast::statement::kind::remove: add(s.remove.table); break;
    }
}
}  // namespace

prepared_core prepare_statement(std::shared_ptr<const ast::statement> s, statement_info info) {
    plan_meta meta;
    meta.source = lane::builder;
    meta.kind = info.kind;
    meta.returning = info.returning;
    meta.has_limit = s->what == ast::statement::kind::select && s->select.limit != nullptr;
    collect_tables(*s, meta.tables);
    std::sort(meta.tables.begin(), meta.tables.end());
    meta.tables.erase(std::unique(meta.tables.begin(), meta.tables.end()), meta.tables.end());

    prepared_core core;
    core.slots = ast::params_in_order(*s);
    for (const ast::node* p : core.slots) {
        if (!p->fixed) core.args = std::max(core.args, p->arg + 1);
    }
    auto text = std::make_shared<plan_text>();
    text->meta = std::move(meta);
    text->tree = std::move(s);
    text->lowered = std::make_shared<lowered_sql_cache>();
    core.text = std::move(text);
    return core;
}

plan bind_statement(const prepared_core& core, std::vector<value> args) {
    if (args.size() != core.args) {
        throw error(std::string(codes::plan_param_count),
                    "The query takes " + std::to_string(core.args) + " bind arguments (strata::arg<T>(i)) but " +
                        std::to_string(args.size()) + " were given.",
                    {{"arguments", std::to_string(core.args)}, {"given", std::to_string(args.size())}});
    }
    std::vector<value> params;
    params.reserve(core.slots.size());
    for (const ast::node* p : core.slots) params.push_back(p->fixed ? *p->fixed : args[p->arg]);
    return plan{core.text, std::move(params)};
}

}  // namespace builder
}  // namespace strata
