// The change from one contract to another, as dialect-neutral steps: what the migration
// planner (strata/migrate.hpp) produces and each adapter renders into its own DDL.
//
//   auto changes = strata::diff_contracts(&in_the_database, declared, {.drops = {"notes.body"}});
//
// Additive steps come first (tables in reference order; per table: renames, index drops,
// column changes, new columns, new unique constraints, new indexes); drops of columns
// and tables come last, so a hand-written SQL step placed before them can still read
// what they remove (see migration_plan::add_sql_step).
#pragma once

#include <string>
#include <vector>

#include "strata/contract.hpp"

namespace strata {

enum class change_kind {
    create_table,
    drop_table,
    rename_table,
    add_column,
    drop_column,
    rename_column,
    alter_column,  // nullability, default, unique, reference
    create_index,
    drop_index,
    add_unique,   // a composite unique constraint
    drop_unique,
    sql,          // a hand-written step (migration_plan::add_sql_step)
};

// One change, with the table as it is just before it and just after it (empty name:
// no such table), so an adapter can render it alone — SQLite rebuilds a table from
// `after`, copying the columns the two share.
struct schema_change {
    change_kind kind = change_kind::sql;
    std::string table{};     // the table (for rename_table: its old name)
    std::string name{};      // the column or index; rename_*: the old name
    std::string new_name{};  // rename_*: the new name
    std::vector<std::string> columns{};  // add_unique / drop_unique
    bool destructive = false;          // drops stored data: needs a declaration
    std::string description{};           // one line: "add column notes.body (text null)"
    contract_table before{};
    contract_table after{};
};

// A change in one dialect: statements to run, then checks that must return no rows.
struct rendered_change {
    std::vector<std::string> statements;
    std::vector<std::string> checks{};
};

// What the caller declares, because a contract alone cannot tell it: which drops are
// meant, and which name changes are renames (not a drop and an add).
struct migration_declarations {
    // "table" or "table.column" that may be dropped.
    std::vector<std::string> drops{};
    // "old_table" -> "new_table", or "table.old_column" -> "table.new_column" (the table
    // by its name in the new contract).
    struct rename {
        std::string from;
        std::string to;
    };
    std::vector<rename> renames{};
};

// The steps taking `from` (nullptr: an empty database) to `to`. Destructive steps are
// listed whether or not declared (plan_migration refuses undeclared ones).
// CONTRACT.UNSUPPORTED_CHANGE for a change no step expresses: a column's type or a
// table's primary key (create a new table, copy with a SQL step, drop the old one).
[[nodiscard]] std::vector<schema_change> diff_contracts(const contract* from, const contract& to,
                                                        const migration_declarations& declared = {});

// `c` in the form a database reports it, for comparing a contract with a live schema:
// one-column primary keys and unique constraints as column flags, unique constraints
// and indexes sorted, defaults and index conditions without casts, outer parentheses
// and case, "NO ACTION" as no action.
[[nodiscard]] contract comparable_form(const contract& c);

}  // namespace strata
