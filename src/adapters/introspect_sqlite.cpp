#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "introspect.hpp"
#include "strata/sql.hpp"

namespace strata::adapters {
namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// The declared type, by the names strata writes first, then by SQLite's affinity rules.
std::optional<sql_type> type_from(const std::string& declared) {
    const std::string t = upper(declared);
    if (t == "BOOLEAN" || t == "BOOL") return sql_type::boolean;
    if (t == "TIMESTAMP" || t == "TIMESTAMPTZ" || t == "DATETIME") return sql_type::time;
    if (t == "JSON" || t == "JSONB") return sql_type::json;
    if (t.find("INT") != std::string::npos) return sql_type::integer;
    if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos || t.find("TEXT") != std::string::npos)
        return sql_type::text;
    if (t.find("BLOB") != std::string::npos) return sql_type::bytes;
    if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos || t.find("DOUB") != std::string::npos)
        return sql_type::real;
    return std::nullopt;
}

// The condition of a partial index, from its CREATE INDEX text.
std::string where_of(const std::string& create_index) {
    const std::string u = upper(create_index);
    const auto at = u.rfind(" WHERE ");
    return at == std::string::npos ? std::string() : create_index.substr(at + 7);
}

std::string text(const row& r, std::size_t i) { return r.get<std::optional<std::string>>(i).value_or(""); }

}  // namespace

std::vector<contract_table> introspect_sqlite(const runtime& db, std::vector<std::string>& left_out) {
    std::vector<contract_table> out;
    for (const row& listed : db.execute(sql("SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND name NOT "
                                            "LIKE 'sqlite_%' ORDER BY name"))
                                 .all()) {
        contract_table t;
        t.name = text(listed, 0);
        if (text(listed, 1) != "table") {
            left_out.push_back(text(listed, 1) + " table " + t.name);
            continue;
        }
        std::string problem;
        std::vector<std::pair<std::int64_t, std::string>> pk;
        for (const row& c : db.execute(sql("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY "
                                           "cid",
                                           t.name))
                                .all()) {
            contract_column col;
            col.name = text(c, 0);
            const auto type = type_from(text(c, 1));
            if (!type) problem = "column " + col.name + " has type '" + text(c, 1) + "'";
            col.type = type.value_or(sql_type::text);
            col.nullable = c.get<std::int64_t>(2) == 0;
            col.default_sql = text(c, 3);
            if (const auto n = c.get<std::int64_t>(4); n > 0) pk.emplace_back(n, col.name);
            t.columns.push_back(std::move(col));
        }
        std::sort(pk.begin(), pk.end());
        auto column = [&](const std::string& n) -> contract_column* {
            for (auto& c : t.columns)
                if (c.name == n) return &c;
            return nullptr;
        };
        if (pk.size() == 1) {
            column(pk.front().second)->primary_key = true;
            // INTEGER PRIMARY KEY without NOT NULL: SQLite never stores a NULL there.
        } else {
            for (const auto& [n, name] : pk) t.primary_key.push_back(name);
        }
        std::map<std::int64_t, int> fk_width;
        const auto fks = db.execute(sql("SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?)", t.name)).all();
        for (const row& f : fks) ++fk_width[f.get<std::int64_t>(0)];
        for (const row& f : fks) {
            if (fk_width[f.get<std::int64_t>(0)] > 1) {
                problem = "a reference over several columns";
                continue;
            }
            contract_column* col = column(text(f, 2));
            if (!col) continue;
            col->ref_table = text(f, 1);
            col->ref_column = text(f, 3);
            col->on_delete = text(f, 4);
        }
        for (const row& ix : db.execute(sql("SELECT name, \"unique\", origin FROM pragma_index_list(?) ORDER BY name", t.name)).all()) {
            const std::string name = text(ix, 0), origin = text(ix, 2);
            if (origin == "pk") continue;
            std::vector<std::string> cols;
            for (const row& c : db.execute(sql("SELECT name FROM pragma_index_info(?) ORDER BY seqno", name)).all()) {
                const auto n = c.get<std::optional<std::string>>(0);
                if (!n) problem = "index " + name + " is on an expression";
                cols.push_back(n.value_or(""));
            }
            if (origin == "u") {
                if (cols.size() == 1) column(cols.front())->unique = true;
                else t.unique.push_back(cols);
                continue;
            }
            const auto created = db.execute(sql("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", name)).first();
            t.indexes.push_back({name, cols, ix.get<std::int64_t>(1) != 0, created ? where_of(text(*created, 0)) : ""});
        }
        if (!problem.empty()) {
            left_out.push_back("table " + t.name + ": " + problem);
            continue;
        }
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace strata::adapters
