// `strata migrate` (apply; --dry-run), `strata migrate plan` and `strata migrate status`:
// versioned migrations from the contract in a database's marker to the one in FILE
// (docs/decisions/0033-versioned-migrations.md).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli_errors.hpp"

namespace CLI {
class App;
}

namespace strata::cli {

struct migrate_options {
    std::string url;
    std::string contract_file;
    bool dry_run = false;
    std::vector<std::string> allow_drop;  // TABLE or TABLE.COLUMN
    std::vector<std::string> renames;     // OLD=NEW
    std::vector<std::string> sql_steps;   // NAME=FILE
};

struct migrate_commands {
    CLI::App* apply;
    CLI::App* plan;
    CLI::App* status;
};
// `migrate` binds `apply`, `migrate plan` binds `plan`, `migrate status` binds `status`.
migrate_commands add_migrate_commands(CLI::App& app, migrate_options& apply, migrate_options& plan,
                                      migrate_options& status);

// Applies the plan (or, with dry_run, prints it); prints the steps that ran and
// "applied: HASH ..." or "up to date: HASH". Throws on failure (nothing applied).
void run_migrate(const migrate_options& options, std::ostream& out);
// Prints the plan: each step with its SQL, then "plan: N steps ...".
void run_migrate_plan(const migrate_options& options, std::ostream& out);
// Prints where the database stands; exit ok (up to date), migrations_pending (behind),
// schema_drifted, contract_missing (unknown).
exit_status run_migrate_status(const migrate_options& options, std::ostream& out);

}  // namespace strata::cli
