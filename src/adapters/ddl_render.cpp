#include "ddl_render.hpp"

namespace strata::adapters {
namespace {

std::string_view type_of(sql_type t, const ddl_dialect& d) {
    switch (t) {
        case sql_type::integer: return d.integer;
        case sql_type::real: return d.real;
        case sql_type::text: return d.text;
        case sql_type::bytes: return d.blob;
        case sql_type::boolean: return d.boolean;
        case sql_type::time: return d.timestamp;
        case sql_type::json: return d.json;
    }
    return d.text;
}

}  // namespace

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + quoted(n);
    return out;
}

std::string column_sql(const contract_column& c, const ddl_dialect& d) {
    std::string sql = quoted(c.name) + " " + std::string(type_of(c.type, d));
    if (!c.nullable) sql += " NOT NULL";
    if (!c.default_sql.empty()) sql += " DEFAULT " + c.default_sql;
    if (c.primary_key) sql += " PRIMARY KEY";
    if (c.unique) sql += " UNIQUE";
    if (!c.ref_table.empty()) {
        sql += " REFERENCES " + quoted(c.ref_table) + " (" + quoted(c.ref_column) + ")";
        if (!c.on_delete.empty()) sql += " ON DELETE " + c.on_delete;
    }
    return sql;
}

std::string index_sql(const std::string& table, const contract_index& i) {
    std::string ix = std::string(i.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + quoted(i.name) + " ON " +
                     quoted(table) + " (" + quoted_list(i.columns) + ")";
    if (!i.where_sql.empty()) ix += " WHERE " + i.where_sql;
    return ix;
}

std::vector<std::string> create_table_sql(const contract_table& t, const ddl_dialect& d) {
    std::string sql = "CREATE TABLE " + quoted(t.name) + " (";
    bool first = true;
    for (const auto& c : t.columns) {
        sql += first ? "" : ", ";
        first = false;
        sql += column_sql(c, d);
    }
    if (!t.primary_key.empty()) sql += ", PRIMARY KEY (" + quoted_list(t.primary_key) + ")";
    for (const auto& u : t.unique) sql += ", UNIQUE (" + quoted_list(u) + ")";
    sql += ")";
    std::vector<std::string> out{std::move(sql)};
    for (const auto& i : t.indexes) out.push_back(index_sql(t.name, i));
    return out;
}

}  // namespace strata::adapters
