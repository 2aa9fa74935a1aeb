#include "migration_render.hpp"

#include <algorithm>
#include <cctype>

#include "ddl_render.hpp"
#include "strata/error.hpp"

namespace strata::adapters {
namespace {

const contract_column& column_of(const contract_table& t, const std::string& name) {
    for (const auto& c : t.columns)
        if (c.name == name) return c;
    throw error(std::string(codes::runtime_internal), "migration step names a column its table does not have", {{"column", name}});
}

const contract_index& index_of(const contract_table& t, const std::string& name) {
    for (const auto& i : t.indexes)
        if (i.name == name) return i;
    throw error(std::string(codes::runtime_internal), "migration step names an index its table does not have", {{"index", name}});
}

std::string alter(const std::string& table) { return "ALTER TABLE " + quoted(table) + " "; }

// What every dialect writes the same way; false when the change is the dialect's own.
bool render_common(const schema_change& c, const ddl_dialect& d, rendered_change& out) {
    switch (c.kind) {
        case change_kind::create_table: out.statements = create_table_sql(c.after, d); return true;
        case change_kind::drop_table: out.statements = {"DROP TABLE " + quoted(c.table)}; return true;
        case change_kind::rename_table: out.statements = {alter(c.name) + "RENAME TO " + quoted(c.new_name)}; return true;
        case change_kind::rename_column:
            out.statements = {alter(c.table) + "RENAME COLUMN " + quoted(c.name) + " TO " + quoted(c.new_name)};
            return true;
        case change_kind::create_index: {
            // An index of that name already there is taken as the one planned (one made by
            // hand before the contract named it); status reports drift if it differs.
            std::string ix = index_sql(c.table, index_of(c.after, c.name));
            ix.insert(ix.find(" INDEX ") + 7, "IF NOT EXISTS ");
            out.statements = {std::move(ix)};
            return true;
        }
        case change_kind::drop_index: out.statements = {"DROP INDEX " + quoted(c.name)}; return true;
        case change_kind::sql: return true;  // a SQL step carries its own statement
        default: return false;
    }
}

// PostgreSQL's default constraint names, which CREATE TABLE gave the constraints strata
// made: <table>_<columns>_key (unique) and <table>_<column>_fkey.
std::string unique_name(const std::string& table, const std::vector<std::string>& columns) {
    std::string n = table;
    for (const auto& c : columns) n += "_" + c;
    return n + "_key";
}

std::string references_sql(const contract_column& c) {
    std::string s = "REFERENCES " + quoted(c.ref_table) + " (" + quoted(c.ref_column) + ")";
    if (!c.on_delete.empty()) s += " ON DELETE " + c.on_delete;
    return s;
}

void alter_column_postgres(const schema_change& c, std::vector<std::string>& out) {
    const contract_column& was = column_of(c.before, c.name);
    const contract_column& now = column_of(c.after, c.name);
    const std::string table = alter(c.table), col = quoted(c.name);
    const bool ref_changed = was.ref_table != now.ref_table || was.ref_column != now.ref_column || was.on_delete != now.on_delete;
    if (was.unique && !now.unique) out.push_back(table + "DROP CONSTRAINT " + quoted(unique_name(c.table, {c.name})));
    if (ref_changed && !was.ref_table.empty()) out.push_back(table + "DROP CONSTRAINT " + quoted(c.table + "_" + c.name + "_fkey"));
    if (was.nullable != now.nullable)
        out.push_back(table + "ALTER COLUMN " + col + (now.nullable ? " DROP NOT NULL" : " SET NOT NULL"));
    if (was.default_sql != now.default_sql)
        out.push_back(table + "ALTER COLUMN " + col +
                      (now.default_sql.empty() ? " DROP DEFAULT" : " SET DEFAULT " + now.default_sql));
    if (!was.unique && now.unique)
        out.push_back(table + "ADD CONSTRAINT " + quoted(unique_name(c.table, {c.name})) + " UNIQUE (" + col + ")");
    if (ref_changed && !now.ref_table.empty())
        out.push_back(table + "ADD CONSTRAINT " + quoted(c.table + "_" + c.name + "_fkey") + " FOREIGN KEY (" + col +
                      ") " + references_sql(now));
}

// SQLite's ALTER TABLE ADD COLUMN takes a column that needs no existing row rewritten or
// checked: no primary key or unique, a default when NOT NULL, no reference with a
// default, no default of CURRENT_* or an expression.
bool sqlite_can_add(const contract_column& c) {
    std::string def = c.default_sql;
    std::transform(def.begin(), def.end(), def.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (def.starts_with("CURRENT_") || def.starts_with("(")) return false;
    if (c.primary_key || c.unique) return false;
    if (!c.nullable && c.default_sql.empty()) return false;
    return c.ref_table.empty() || c.default_sql.empty();
}

// SQLite's way for what its ALTER TABLE cannot do (sqlite.org/lang_altertable.html,
// "making other kinds of table schema changes"): the new shape under a temporary name,
// the shared columns copied, the old table dropped, the new one renamed, the indexes
// made again. Runs with foreign keys suspended (transaction_options), so dropping the
// old table cascades nowhere; the check then looks at the new table's references.
rendered_change rebuild(const schema_change& c) {
    const std::string temp = "strata_rebuild_" + c.table;
    contract_table shape = c.after;
    shape.name = temp;
    shape.indexes.clear();
    std::string shared;
    for (const auto& col : c.after.columns) {
        const bool had = std::any_of(c.before.columns.begin(), c.before.columns.end(), [&](const auto& b) { return b.name == col.name; });
        if (had) shared += (shared.empty() ? "" : ", ") + quoted(col.name);
    }
    rendered_change out;
    out.statements.push_back(create_table_sql(shape, sqlite_ddl).front());
    if (!shared.empty())
        out.statements.push_back("INSERT INTO " + quoted(temp) + " (" + shared + ") SELECT " + shared + " FROM " + quoted(c.table));
    out.statements.push_back("DROP TABLE " + quoted(c.table));
    out.statements.push_back(alter(temp) + "RENAME TO " + quoted(c.table));
    for (const auto& i : c.after.indexes) out.statements.push_back(index_sql(c.table, i));
    out.checks.push_back("SELECT * FROM pragma_foreign_key_check('" + c.table + "')");
    return out;
}

}  // namespace

rendered_change render_change_postgres(const schema_change& c) {
    rendered_change out;
    if (render_common(c, postgres_ddl, out)) return out;
    const std::string table = alter(c.table);
    switch (c.kind) {
        case change_kind::add_column: out.statements = {table + "ADD COLUMN " + column_sql(column_of(c.after, c.name), postgres_ddl)}; break;
        case change_kind::drop_column: out.statements = {table + "DROP COLUMN " + quoted(c.name)}; break;
        case change_kind::alter_column: alter_column_postgres(c, out.statements); break;
        case change_kind::add_unique:
            out.statements = {table + "ADD CONSTRAINT " + quoted(unique_name(c.table, c.columns)) + " UNIQUE (" +
                              quoted_list(c.columns) + ")"};
            break;
        case change_kind::drop_unique: out.statements = {table + "DROP CONSTRAINT " + quoted(unique_name(c.table, c.columns))}; break;
        default: break;
    }
    return out;
}

rendered_change render_change_sqlite(const schema_change& c) {
    rendered_change out;
    if (render_common(c, sqlite_ddl, out)) return out;
    if (c.kind == change_kind::add_column && sqlite_can_add(column_of(c.after, c.name))) {
        out.statements = {alter(c.table) + "ADD COLUMN " + column_sql(column_of(c.after, c.name), sqlite_ddl)};
        return out;
    }
    return rebuild(c);  // add_column, drop_column, alter_column, add_unique, drop_unique
}

}  // namespace strata::adapters
