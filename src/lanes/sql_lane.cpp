#include "../core/sql_scan.hpp"
#include "strata/error.hpp"
#include "strata/sql.hpp"

namespace strata {
namespace {

statement_kind kind_of(const detail::sql_facts& f) {
    static constexpr std::string_view reads[] = {"select", "values", "explain"};
    static constexpr std::string_view writes[] = {"insert", "update", "delete", "replace", "create",
                                                  "drop",   "alter",  "upsert", "merge",   "truncate"};
    for (auto r : reads)
        if (f.first_keyword == r) return statement_kind::read;
    for (auto w : writes)
        if (f.first_keyword == w) return statement_kind::write;
    return statement_kind::unknown;  // WITH, PRAGMA, BEGIN...: the driver decides
}

}  // namespace

plan sql_plan(std::string text, std::vector<value> params) {
    const detail::sql_facts f = detail::scan_sql(text);
    if (f.empty) {
        throw error(std::string(codes::plan_empty), "The SQL text holds no statement. Pass one SQL statement.");
    }
    if (f.multiple_statements) {
        throw error(std::string(codes::plan_multiple_statements),
                    "The SQL text holds more than one statement. Pass one statement per plan; to run several "
                    "together, use a transaction or an atomic write unit.");
    }
    if (f.terminated && f.placeholders != params.size()) {
        throw error(std::string(codes::plan_param_count),
                    "The SQL text has " + std::to_string(f.placeholders) + " `?` placeholders but " +
                        std::to_string(params.size()) + " parameters were given. Pass one value per `?`.",
                    {{"placeholders", std::to_string(f.placeholders)}, {"parameters", std::to_string(params.size())}});
    }
    plan_meta meta;
    meta.source = lane::raw_sql;
    meta.kind = kind_of(f);
    meta.tables = f.tables;
    meta.has_limit = f.has_limit;
    meta.returning = f.has_returning;
    return plan{std::move(text), std::move(params), std::move(meta)};
}

}  // namespace strata
