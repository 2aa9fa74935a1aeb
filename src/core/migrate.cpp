#include "strata/migrate.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "strata/error.hpp"
#include "strata/sql.hpp"
#include "strata/timestamp_text.hpp"
#include "strata/transaction.hpp"

namespace strata {
namespace {

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
        auto r = db.execute(sql("SELECT contract FROM " + std::string(contract_marker_table) + " WHERE id = 1")).first();
        if (!r) return std::nullopt;
        return contract::from_json(r->get<std::string>(0));
    } catch (const error& e) {
        if (is_missing_table(e)) return std::nullopt;
        throw;
    }
}

// Referenced tables before the tables that reference them.
std::vector<const contract_table*> creation_order(const contract& c) {
    std::vector<const contract_table*> out;
    std::vector<std::string> done;
    auto ready = [&](const contract_table& t) {
        return std::all_of(t.columns.begin(), t.columns.end(), [&](const auto& col) {
            return col.ref_table.empty() || col.ref_table == t.name ||
                   std::find(done.begin(), done.end(), col.ref_table) != done.end();
        });
    };
    while (out.size() < c.tables().size()) {
        bool progressed = false;
        for (const auto& t : c.tables()) {
            if (std::find(done.begin(), done.end(), t.name) != done.end() || !ready(t)) continue;
            out.push_back(&t);
            done.push_back(t.name);
            progressed = true;
        }
        if (!progressed) {  // a reference cycle: create in name order; SQLite checks references lazily
            for (const auto& t : c.tables())
                if (std::find(done.begin(), done.end(), t.name) == done.end()) {
                    out.push_back(&t);
                    done.push_back(t.name);
                }
        }
    }
    return out;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "\n  - " + l;
    return out;
}

}  // namespace

migrate_result migrate(const runtime& db, const contract& c) {
    if (!db.stack().adapter.create_table) {
        throw error("CONTRACT.UNSUPPORTED", "This stack's adapter cannot render DDL; migrate needs the SQLite or "
                                            "PostgreSQL adapter.");
    }
    if (auto stored = stored_contract(db)) {
        if (stored->hash() == c.hash()) return {migrate_outcome::up_to_date, {}};
        const auto diffs = c.differences(*stored);
        error e("CONTRACT.MISMATCH",
                "The database holds another version of the schema; migrate will not change it silently. What "
                "differs (declared vs database):" +
                    joined(diffs) + "\nWrite a migration for these changes, or migrate a new database.",
                {{"database_hash", stored->hash()}, {"declared_hash", c.hash()}});
        throw e;
    }
    for (const auto& t : c.tables()) {
        if (table_exists(db, t.name)) {
            throw error("CONTRACT.UNMANAGED",
                        "Table '" + t.name + "' already exists but the database has no contract marker. Migrate an "
                        "empty database, or record the contract once you have checked the schema matches.",
                        {{"table", t.name}});
        }
    }
    migrate_result result;
    result.outcome = migrate_outcome::applied;
    for (const contract_table* t : creation_order(c)) {
        for (auto& stmt : db.stack().adapter.create_table(*t)) result.statements.push_back(std::move(stmt));
    }
    const std::string marker = "CREATE TABLE " + std::string(contract_marker_table) +
                               " (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, contract TEXT NOT NULL, applied_at TEXT "
                               "NOT NULL)";
    db.transaction([&](tx& t) {
        for (const auto& stmt : result.statements) t.execute(sql(stmt)).drain();
        t.execute(sql(marker)).drain();
        const auto now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
        t.execute(sql("INSERT INTO " + std::string(contract_marker_table) +
                          " (id, hash, contract, applied_at) VALUES (1, ?, ?, ?)",
                      c.hash(), c.canonical_json(), format_timestamp(now)))
            .drain();
    });
    result.statements.push_back(marker);
    return result;
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
