#include <map>
#include <optional>
#include <sstream>

#include "introspect.hpp"
#include "strata/sql.hpp"

namespace strata::adapters {
namespace {

std::optional<sql_type> type_from(const std::string& t) {
    if (t == "bigint" || t == "integer" || t == "smallint") return sql_type::integer;
    if (t == "double precision" || t == "real" || t.starts_with("numeric")) return sql_type::real;
    if (t == "text" || t.starts_with("character")) return sql_type::text;
    if (t == "bytea") return sql_type::bytes;
    if (t == "boolean") return sql_type::boolean;
    if (t.starts_with("timestamp")) return sql_type::time;
    if (t == "jsonb" || t == "json") return sql_type::json;
    return std::nullopt;
}

std::string on_delete(const std::string& code) {
    if (code == "c") return "CASCADE";
    if (code == "n") return "SET NULL";
    if (code == "d") return "SET DEFAULT";
    if (code == "r") return "RESTRICT";
    return "";
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, ',');) out.push_back(part);
    return out;
}

std::string text(const row& r, std::size_t i) { return r.get<std::optional<std::string>>(i).value_or(""); }

// Column names of an attnum array, in order (the names are validated identifiers: no commas).
std::string names_of(const std::string& attnums, const std::string& rel) {
    return "(SELECT string_agg(COALESCE(a.attname, ''), ',' ORDER BY u.i) FROM unnest(" + attnums +
           ") WITH ORDINALITY AS u(n, i) LEFT JOIN pg_attribute a ON a.attrelid = " + rel + " AND a.attnum = u.n)";
}

const char* in_schema = "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()";

}  // namespace

std::vector<contract_table> introspect_postgres(const runtime& db, std::vector<std::string>& left_out) {
    std::map<std::string, contract_table> tables;
    std::map<std::string, std::string> problems;
    for (const row& r : db.execute(sql(std::string("SELECT c.relname, c.relkind::text FROM pg_class c ") + in_schema +
                                       " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1"))
                            .all()) {
        if (text(r, 1) == "r" || text(r, 1) == "p") tables[text(r, 0)].name = text(r, 0);
        else left_out.push_back((text(r, 1) == "v" ? "view " : text(r, 1) == "m" ? "materialized view " : "foreign table ") + text(r, 0));
    }
    for (const row& r : db.execute(sql(std::string("SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
                                                   "a.attnotnull, COALESCE(pg_get_expr(d.adbin, d.adrelid), '') "
                                                   "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
                                                   "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum ") +
                                       in_schema + " AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
                                                   "ORDER BY c.relname, a.attnum"))
                            .all()) {
        contract_column col;
        col.name = text(r, 1);
        const auto type = type_from(text(r, 2));
        if (!type) problems[text(r, 0)] = "column " + col.name + " has type '" + text(r, 2) + "'";
        col.type = type.value_or(sql_type::text);
        col.nullable = !r.get<bool>(3);
        col.default_sql = text(r, 4);
        tables[text(r, 0)].columns.push_back(std::move(col));
    }
    auto column = [&](const std::string& table, const std::string& name) -> contract_column* {
        for (auto& c : tables[table].columns)
            if (c.name == name) return &c;
        return nullptr;
    };
    for (const row& r : db.execute(sql("SELECT c.relname, k.contype::text, " + names_of("k.conkey", "k.conrelid") +
                                       ", COALESCE(f.relname, ''), COALESCE(" + names_of("k.confkey", "k.confrelid") +
                                       ", ''), k.confdeltype::text FROM pg_constraint k JOIN pg_class c ON c.oid = "
                                       "k.conrelid LEFT JOIN pg_class f ON f.oid = k.confrelid " +
                                       in_schema + " AND k.contype IN ('p', 'u', 'f') ORDER BY c.relname, k.conname"))
                            .all()) {
        const std::string table = text(r, 0), kind = text(r, 1);
        const std::vector<std::string> cols = split(text(r, 2));
        if (cols.empty() || !tables.contains(table)) continue;
        if (kind == "p") {
            if (cols.size() == 1) column(table, cols.front())->primary_key = true;
            else tables[table].primary_key = cols;
        } else if (kind == "u") {
            if (cols.size() == 1) column(table, cols.front())->unique = true;
            else tables[table].unique.push_back(cols);
        } else if (cols.size() > 1) {
            problems[table] = "a reference over several columns";
        } else if (contract_column* col = column(table, cols.front())) {
            col->ref_table = text(r, 3);
            col->ref_column = text(r, 4);
            col->on_delete = on_delete(text(r, 5));
        }
    }
    // Indexes that back no constraint. One a contract cannot hold (an expression, another
    // method than btree, a collation or operator class of its own) is left out.
    for (const row& r : db.execute(sql("SELECT c.relname, i.relname, x.indisunique, " + names_of("x.indkey::int2[]", "x.indrelid") +
                                       ", COALESCE(pg_get_expr(x.indpred, x.indrelid), ''), "
                                       "x.indexprs IS NOT NULL OR am.amname <> 'btree' OR EXISTS (SELECT 1 FROM "
                                       "unnest(x.indcollation::oid[]) AS k(o) WHERE k.o NOT IN (0, 100)) "
                                       "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = "
                                       "i.relam JOIN pg_class c ON c.oid = x.indrelid " +
                                       in_schema +
                                       " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND "
                                       "k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY c.relname, i.relname"))
                            .all()) {
        const std::string table = text(r, 0), name = text(r, 1);
        if (!tables.contains(table)) continue;
        if (r.get<bool>(5)) {
            left_out.push_back("index " + name + " on " + table + " (an expression, a method, a collation)");
            continue;
        }
        tables[table].indexes.push_back({name, split(text(r, 3)), r.get<bool>(2), text(r, 4)});
    }
    std::vector<contract_table> out;
    for (auto& [name, t] : tables) {
        if (auto p = problems.find(name); p != problems.end()) {
            left_out.push_back("table " + name + ": " + p->second);
            continue;
        }
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace strata::adapters
