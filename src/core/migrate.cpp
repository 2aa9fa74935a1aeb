#include "strata/migrate.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "strata/error.hpp"
#include "strata/sha256.hpp"
#include "strata/sql.hpp"
#include "strata/timestamp_text.hpp"
#include "strata/transaction.hpp"

namespace strata {
namespace {

const std::string marker_table(contract_marker_table);
const std::string history_table(migrations_table);

bool is_missing_table(const error& e) { return e.sql() && e.sql()->sqlstate == "42P01"; }

bool table_exists(const runtime& db, const std::string& name) {
    try {
        db.execute(sql("SELECT 1 FROM \"" + name + "\" WHERE 1 = 0")).drain();
        return true;
    } catch (const error& e) {
        if (is_missing_table(e)) return false;
        throw;
    }
}

std::optional<contract> stored_contract(const runtime& db) {
    try {
        auto r = db.execute(sql("SELECT contract FROM " + marker_table + " WHERE id = 1")).first();
        if (!r) return std::nullopt;
        return contract::from_json(r->get<std::string>(0));
    } catch (const error& e) {
        if (is_missing_table(e)) return std::nullopt;
        throw;
    }
}

const adapter_descriptor& ddl_adapter(const runtime& db) {
    const adapter_descriptor& a = db.stack().adapter;
    if (!a.create_table || !a.render_change || !a.introspect) {
        throw error(std::string(codes::contract_unsupported), "This stack's adapter cannot render DDL or read the schema; migrations "
                                                 "need the SQLite or PostgreSQL adapter.");
    }
    return a;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "\n  - " + l;
    return out;
}

bool declared_drop(const migration_declarations& d, const schema_change& c) {
    const std::string what = c.kind == change_kind::drop_table ? c.table : c.table + "." + c.name;
    return std::find(d.drops.begin(), d.drops.end(), what) != d.drops.end();
}

bool plain(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 63 && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name)
        ok = ok && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    return ok;
}

// The first name in `t` a contract would refuse ("" when all are plain).
std::string unplain_name(const contract_table& t) {
    if (!plain(t.name)) return t.name;
    for (const auto& c : t.columns)
        if (!plain(c.name)) return c.name;
    for (const auto& i : t.indexes)
        if (!plain(i.name)) return i.name;
    return "";
}

std::string now_text() {
    return format_timestamp(std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

std::string steps_json(const migration_plan& p) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const auto& s : p.steps) steps.push_back({{"name", s.name}, {"statements", s.statements}, {"checks", s.checks}});
    return steps.dump();
}

// Takes the migration lock (the marker row: a row lock on PostgreSQL, the write lock on
// SQLite, which BEGIN IMMEDIATE holds already) and returns the marker's hash ("" none).
std::string locked_marker_hash(tx& t) {
    t.execute(sql("CREATE TABLE IF NOT EXISTS " + marker_table +
                  " (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, contract TEXT NOT NULL, applied_at TEXT NOT NULL)"))
        .drain();
    t.execute(sql("UPDATE " + marker_table + " SET hash = hash WHERE id = 1")).drain();
    auto r = t.execute(sql("SELECT contract FROM " + marker_table + " WHERE id = 1")).first();
    return r ? contract::from_json(r->get<std::string>(0)).hash() : std::string();
}

}  // namespace

void migration_plan::add_sql_step(std::string step_name, std::string statement) {
    if (step_name.empty() || statement.find_first_not_of(" \t\r\n;") == std::string::npos)
        throw error(std::string(codes::runtime_invalid_argument), "A SQL step needs a name and a statement.");
    const auto first_drop = std::find_if(steps.begin(), steps.end(), [](const auto& s) { return s.destructive; });
    steps.insert(first_drop, migration_step{.name = std::move(step_name), .kind = change_kind::sql, .statements = {std::move(statement)}});
}

std::string migration_plan::checksum() const {
    std::string text;
    for (const auto& s : steps) {
        text += "-- " + s.name + "\n";
        for (const auto& st : s.statements) text += st + ";\n";
        for (const auto& c : s.checks) text += "-- check: " + c + "\n";
    }
    return "sha256:" + sha256_hex(text);
}

std::string migration_plan::describe() const {
    std::string out;
    for (const auto& s : steps) {
        out += "-- " + s.name + (s.kind == change_kind::sql ? " (SQL step)" : "") + "\n";
        for (const auto& st : s.statements) out += st + ";\n";
        for (const auto& c : s.checks) out += "-- check (no rows): " + c + "\n";
    }
    return out;
}

migration_plan plan_migration(const runtime& db, const contract& c, const migration_declarations& declared) {
    const adapter_descriptor& adapter = ddl_adapter(db);
    const std::optional<contract> stored = stored_contract(db);
    if (!stored) {
        for (const auto& t : c.tables()) {
            if (table_exists(db, t.name)) {
                throw error(std::string(codes::contract_unmanaged),
                            "Table '" + t.name + "' already exists but the database has no contract marker. Migrate an "
                            "empty database, or record the contract once you have checked the schema matches.",
                            {{"table", t.name}});
            }
        }
    }
    migration_plan plan;
    plan.from_hash = stored ? stored->hash() : "";
    plan.to_hash = c.hash();
    plan.to_json = c.canonical_json();
    if (stored && stored->hash() == c.hash()) return plan;
    std::vector<std::string> refused;
    for (const schema_change& change : diff_contracts(stored ? &*stored : nullptr, c, declared)) {
        if (change.destructive && !declared_drop(declared, change)) refused.push_back(change.description);
        rendered_change r = adapter.render_change(change);
        plan.steps.push_back({.name = change.description, .kind = change.kind, .destructive = change.destructive,
                              .statements = std::move(r.statements), .checks = std::move(r.checks)});
    }
    if (!refused.empty()) {
        std::string names;
        for (const auto& r : refused) names += (names.empty() ? "" : "; ") + r;
        throw error(std::string(codes::contract_destructive_change),
                    "The migration would drop stored data, which it does only when told:" + joined(refused) +
                        "\nDeclare each drop (migration_declarations::drops, `--allow-drop TABLE[.COLUMN]`), or declare "
                        "a rename (`--rename OLD=NEW`) if it was one.",
                    {{"steps", names}});
    }
    return plan;
}

migrate_result apply_migration(const runtime& db, const migration_plan& plan) {
    const adapter_descriptor& adapter = ddl_adapter(db);
    migrate_result result;
    if (plan.up_to_date()) return result;
    const std::string checksum = plan.checksum();
    transaction_options options;
    options.driver_options = adapter.migration_options;
    db.transaction(
        [&](tx& t) {
            result.statements.clear();
            const std::string marked = locked_marker_hash(t);
            if (marked != plan.from_hash) {
                throw error(std::string(codes::contract_plan_stale),
                            "The database's contract changed since the migration was planned (another migration ran?). "
                            "Plan it again.",
                            {{"planned_from", plan.from_hash}, {"database_hash", marked}});
            }
            for (const auto& step : plan.steps) {
                for (const auto& st : step.statements) {
                    t.execute(sql(st)).drain();
                    result.statements.push_back(st);
                }
                for (const auto& check : step.checks) {
                    if (auto row = t.execute(sql(check)).first()) {
                        throw error(std::string(codes::contract_step_check_failed),
                                    "Step '" + step.name + "' left rows its check refuses (" + check +
                                        "); nothing was changed.",
                                    {{"step", step.name}});
                    }
                }
            }
            t.execute(sql("CREATE TABLE IF NOT EXISTS " + history_table +
                          " (id INTEGER PRIMARY KEY, from_hash TEXT NOT NULL, to_hash TEXT NOT NULL, checksum TEXT NOT "
                          "NULL, steps TEXT NOT NULL, applied_at TEXT NOT NULL)"))
                .drain();
            const auto next = t.execute(sql("SELECT COALESCE(MAX(id), 0) + 1 FROM " + history_table)).one_as<std::int64_t>();
            const std::string now = now_text();
            t.execute(sql("INSERT INTO " + history_table +
                              " (id, from_hash, to_hash, checksum, steps, applied_at) VALUES (?, ?, ?, ?, ?, ?)",
                          next, plan.from_hash, plan.to_hash, checksum, steps_json(plan), now))
                .drain();
            t.execute(sql("DELETE FROM " + marker_table)).drain();
            t.execute(sql("INSERT INTO " + marker_table + " (id, hash, contract, applied_at) VALUES (1, ?, ?, ?)",
                          plan.to_hash, plan.to_json, now))
                .drain();
        },
        options);
    result.outcome = migrate_outcome::applied;
    return result;
}

migrate_result migrate(const runtime& db, const contract& c, const migration_declarations& declared) {
    return apply_migration(db, plan_migration(db, c, declared));
}

live_schema introspect(const runtime& db) {
    const adapter_descriptor& adapter = ddl_adapter(db);
    std::vector<std::string> left_out;
    std::vector<contract_table> tables;
    for (auto& t : adapter.introspect(db, left_out)) {
        if (t.name == marker_table || t.name == history_table) continue;
        if (auto bad = unplain_name(t); !bad.empty()) {
            left_out.push_back("table " + t.name + ": '" + bad + "' is not a plain lower-case identifier");
            continue;
        }
        tables.push_back(std::move(t));
    }
    // A table that references one left out goes too (a contract's references stay inside it).
    for (bool removed = true; removed;) {
        removed = false;
        for (auto it = tables.begin(); it != tables.end(); ++it) {
            const auto dangling = std::find_if(it->columns.begin(), it->columns.end(), [&](const contract_column& c) {
                return !c.ref_table.empty() && std::none_of(tables.begin(), tables.end(), [&](const auto& x) { return x.name == c.ref_table; });
            });
            if (dangling == it->columns.end()) continue;
            left_out.push_back("table " + it->name + ": references " + dangling->ref_table + ", which is left out");
            tables.erase(it);
            removed = true;
            break;
        }
    }
    return {comparable_form(contract(std::move(tables))), std::move(left_out)};
}

migration_status check_migrations(const runtime& db, const contract& c, const migration_declarations& declared) {
    migration_status s;
    const std::optional<contract> stored = stored_contract(db);
    if (!stored) return s;
    s.database_hash = stored->hash();
    const contract live = introspect(db).described;
    const contract recorded = comparable_form(*stored);
    // Column order aside: a column added later sits at the end of the live table.
    s.drift = recorded.differences(live);
    if (!s.drift.empty()) {
        s.state = migration_state::drifted;
        return s;
    }
    if (stored->hash() == c.hash()) {
        s.state = migration_state::up_to_date;
        return s;
    }
    s.state = migration_state::behind;
    for (const auto& change : diff_contracts(&*stored, c, declared))
        s.pending.push_back(change.description + (change.destructive && !declared_drop(declared, change) ? " (undeclared)" : ""));
    return s;
}

std::string_view to_string(migration_state s) noexcept {
    switch (s) {
        case migration_state::up_to_date: return "up to date";
        case migration_state::behind: return "behind";
        case migration_state::drifted: return "drifted";
        case migration_state::unknown: return "unknown";
    }
    return "unknown";
}

verify_result verify(const runtime& db, const contract& c) {
    verify_result r;
    auto stored = stored_contract(db);
    if (!stored) return r;
    r.database_hash = stored->hash();
    if (stored->hash() == c.hash()) {
        r.status = verify_status::match;
    } else {
        r.status = verify_status::mismatch;
        r.differences = c.differences(*stored);
    }
    return r;
}

}  // namespace strata
