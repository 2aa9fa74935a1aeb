// Applying, evolving and checking the contract (docs/decisions/0033-versioned-migrations.md).
//
//   strata::migrate(db, contract)   takes the database from the contract in its marker
//                                   (none: an empty database) to `contract`: plan, then
//                                   apply, in one transaction; an up-to-date one is left
//                                   alone. Drops and renames only when declared.
//   auto p = strata::plan_migration(db, contract, declarations);
//   p.add_sql_step("backfill titles", "UPDATE posts SET title = '' WHERE title IS NULL");
//   strata::apply_migration(db, p);  the same, with a look (and SQL steps) in between.
//   strata::check_migrations(db, c)  up to date / behind (the steps) / drifted / unknown.
//   strata::introspect(db)           the contract of the live schema.
//   strata::verify(db, contract)    compares the marker with the contract.
//   db.verify_contract_on_first_use(contract, contract_check::strict)
//                                   the runtime checks once, before its first statement
//                                   or transaction (never inside a user's transaction).
#pragma once

#include <string>
#include <vector>

#include "strata/contract.hpp"
#include "strata/runtime.hpp"
#include "strata/schema_change.hpp"

namespace strata {

enum class migrate_outcome { applied, up_to_date };
struct migrate_result {
    migrate_outcome outcome = migrate_outcome::up_to_date;
    std::vector<std::string> statements;  // the DDL that ran
};

// One step of a plan: a contract change rendered in the database's dialect, or a
// hand-written SQL step.
struct migration_step {
    std::string name{};  // the change's description, or the SQL step's name
    change_kind kind = change_kind::sql;
    bool destructive = false;
    std::vector<std::string> statements{};
    // Queries that must return no rows once the statements ran (SQLite: the references of
    // a rebuilt table); a row fails the migration with CONTRACT.STEP_CHECK_FAILED.
    std::vector<std::string> checks{};
};

// The steps from the database's contract to another, for one database.
struct migration_plan {
    std::string from_hash;  // the marker's hash when planned; empty: no marker (empty database)
    std::string to_hash;
    std::string to_json;  // the contract's canonical JSON, recorded in the marker
    std::vector<migration_step> steps;

    // Appends a hand-written step (one statement; for data changes) before the plan's
    // destructive steps, after the SQL steps added before it: it sees the columns and
    // tables being added and those about to be dropped. Recorded and checksummed like
    // every step. RUNTIME.INVALID_ARGUMENT for an empty name or statement.
    void add_sql_step(std::string step_name, std::string statement);
    // "sha256:" of the step list (names, statements and checks, in order).
    [[nodiscard]] std::string checksum() const;
    [[nodiscard]] bool up_to_date() const noexcept { return steps.empty() && from_hash == to_hash; }
    // The plan as text: one "-- step" line per step, then its statements.
    [[nodiscard]] std::string describe() const;
};

// Plans the migration of `db` to `c`. CONTRACT.DESTRUCTIVE_CHANGE{steps} when a step
// would drop a table or a column not in declared.drops; CONTRACT.UNSUPPORTED_CHANGE;
// CONTRACT.UNMANAGED when the database has the contract's tables but no marker.
[[nodiscard]] migration_plan plan_migration(const runtime& db, const contract& c,
                                            const migration_declarations& declared = {});
// Runs every step, updates the marker and records the plan in strata_migrations (from,
// to, checksum, steps), all in one transaction: a failing step leaves the schema, the
// marker and the record as they were (both drivers: DDL is transactional). SQLite runs
// it with foreign keys suspended (its table rebuild needs it) and each rebuilt table's
// references checked before commit. CONTRACT.PLAN_STALE when the marker moved since
// the plan was made.
migrate_result apply_migration(const runtime& db, const migration_plan& plan);
// plan_migration + apply_migration.
migrate_result migrate(const runtime& db, const contract& c, const migration_declarations& declared = {});

// Where a database stands against a contract.
enum class migration_state {
    up_to_date,  // the marker holds the contract and the live schema matches it
    behind,      // the marker holds another contract: `pending` steps lead to this one
    drifted,     // the live schema differs from what its marker records (`drift`)
    unknown,     // no marker: an empty or unmanaged database
};
struct migration_status {
    migration_state state = migration_state::unknown;
    std::string database_hash;         // the marker's (empty: none)
    std::vector<std::string> pending;  // behind: the steps (undeclared drops included)
    std::vector<std::string> drift;    // drifted: how the live schema differs from the marker
};
[[nodiscard]] migration_status check_migrations(const runtime& db, const contract& c,
                                                const migration_declarations& declared = {});
[[nodiscard]] std::string_view to_string(migration_state s) noexcept;

// The contract of the live schema (strata's own tables left out), as comparable_form()
// writes it: printing it, migrating an empty database with it and printing again gives
// the same JSON. What a contract cannot hold (a column type outside its seven, an
// expression or non-btree index, a collation, a composite reference, a virtual table)
// is left out and named in `left_out`.
struct live_schema {
    contract described;
    std::vector<std::string> left_out;
};
[[nodiscard]] live_schema introspect(const runtime& db);

enum class verify_status { match, mismatch, missing };
struct verify_result {
    verify_status status = verify_status::missing;
    std::string database_hash;             // empty when missing
    std::vector<std::string> differences;  // mismatch: what differs
};
[[nodiscard]] verify_result verify(const runtime& db, const contract& c);

// The marker table migrate() writes.
inline constexpr std::string_view contract_marker_table = "strata_contract";
// One row per applied plan: id, from_hash, to_hash, checksum, steps (JSON), applied_at.
inline constexpr std::string_view migrations_table = "strata_migrations";

}  // namespace strata
