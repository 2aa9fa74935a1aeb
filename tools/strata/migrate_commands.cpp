#include "migrate_commands.hpp"

#include <fstream>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <strata/strata.hpp>

#include "contract_commands.hpp"
#include "database_url.hpp"

namespace strata::cli {
namespace {

void add_common(CLI::App& cmd, migrate_options& o, bool changes) {
    cmd.add_option("--url", o.url, "the database: sqlite:PATH or postgres://...");
    cmd.add_option("--contract", o.contract_file, "the contract's JSON file (what the database should become)");
    cmd.add_option("--allow-drop", o.allow_drop, "TABLE or TABLE.COLUMN the migration may drop (repeatable)");
    cmd.add_option("--rename", o.renames, "OLD=NEW: a table (or TABLE.OLD=TABLE.NEW: a column) was renamed (repeatable)");
    if (changes)
        cmd.add_option("--sql-step", o.sql_steps,
                       "NAME=FILE: a hand-written SQL statement for data changes, run after the additions and before "
                       "the drops (repeatable, in order)");
}

void require_inputs(const migrate_options& o, const std::string& command) {
    if (o.url.empty() || o.contract_file.empty())
        throw usage_error("CLI.USAGE", "--url and --contract are required. Run `" + command + " --help` for usage.");
}

std::pair<std::string, std::string> split_pair(const std::string& text, const std::string& option) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw usage_error("CLI.USAGE", option + " takes A=B, got '" + text + "'.");
    return {text.substr(0, eq), text.substr(eq + 1)};
}

migration_declarations declarations_of(const migrate_options& o) {
    migration_declarations d;
    d.drops = o.allow_drop;
    for (const auto& r : o.renames) {
        auto [from, to] = split_pair(r, "--rename");
        d.renames.push_back({std::move(from), std::move(to)});
    }
    return d;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("CLI.SQL_STEP_UNREADABLE", "Cannot read the SQL step file '" + path + "'.");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

migration_plan plan_for(const runtime& db, const contract& c, const migrate_options& o) {
    migration_plan plan = plan_migration(db, c, declarations_of(o));
    for (const auto& s : o.sql_steps) {
        const auto [name, path] = split_pair(s, "--sql-step");
        plan.add_sql_step(name, file_text(path));
    }
    return plan;
}

std::string origin(const migration_plan& p) { return p.from_hash.empty() ? "an empty database" : p.from_hash; }

void print_plan(const migration_plan& p, std::ostream& out) {
    if (p.up_to_date()) {
        out << "up to date: " << p.to_hash << '\n';
        return;
    }
    out << p.describe();
    out << "plan: " << p.steps.size() << " steps from " << origin(p) << " to " << p.to_hash << ", checksum "
        << p.checksum() << '\n';
}

}  // namespace

migrate_commands add_migrate_commands(CLI::App& app, migrate_options& apply, migrate_options& plan,
                                      migrate_options& status) {
    CLI::App* cmd = app.add_subcommand(
        "migrate", "Take a database from the contract in its marker (none: an empty database) to --contract, in one "
                   "transaction, and record it in strata_migrations. Drops and renames only when declared "
                   "(--allow-drop, --rename). A failing step leaves the database as it was; exit 1.");
    cmd->require_subcommand(0, 1);
    add_common(*cmd, apply, true);
    cmd->add_flag("--dry-run", apply.dry_run, "print the plan, apply nothing (the same as `strata migrate plan`)");
    CLI::App* plan_cmd = cmd->add_subcommand("plan", "Print the steps (and their SQL) migrate would run; apply nothing.");
    add_common(*plan_cmd, plan, true);
    CLI::App* status_cmd = cmd->add_subcommand(
        "status", "Where the database stands. Exit 0: up to date; 5: behind (the steps are listed); 6: drifted (its "
                  "live schema differs from its marker); 4: unknown (no marker).");
    add_common(*status_cmd, status, false);
    return {cmd, plan_cmd, status_cmd};
}

void run_migrate(const migrate_options& options, std::ostream& out) {
    if (options.dry_run) {
        run_migrate_plan(options, out);
        return;
    }
    require_inputs(options, "strata migrate");
    const database_target target = target_for_url(options.url);
    const contract c = load_contract(options.contract_file);
    runtime db = open_database(target);
    const migration_plan plan = plan_for(db, c, options);
    if (plan.up_to_date()) {
        db.close();
        out << "up to date: " << c.hash() << '\n';
        return;
    }
    (void)apply_migration(db, plan);
    db.close();
    out << plan.describe();
    out << "applied: " << plan.to_hash << " (" << plan.steps.size() << " steps from " << origin(plan) << ", checksum "
        << plan.checksum() << ")\n";
}

void run_migrate_plan(const migrate_options& options, std::ostream& out) {
    require_inputs(options, "strata migrate plan");
    const database_target target = target_for_url(options.url);
    const contract c = load_contract(options.contract_file);
    runtime db = open_database(target);
    const migration_plan plan = plan_for(db, c, options);
    db.close();
    print_plan(plan, out);
}

exit_status run_migrate_status(const migrate_options& options, std::ostream& out) {
    require_inputs(options, "strata migrate status");
    const database_target target = target_for_url(options.url);
    const contract c = load_contract(options.contract_file);
    runtime db = open_database(target);
    const migration_status s = check_migrations(db, c, declarations_of(options));
    db.close();
    switch (s.state) {
        case migration_state::up_to_date: out << "up to date: " << c.hash() << '\n'; return exit_status::ok;
        case migration_state::unknown:
            out << "unknown: the database has no contract marker (run strata migrate)\n";
            return exit_status::contract_missing;
        case migration_state::behind:
            out << "behind: " << s.pending.size() << " steps from " << s.database_hash << " to " << c.hash() << '\n';
            for (const auto& p : s.pending) out << "  - " << p << '\n';
            return exit_status::migrations_pending;
        case migration_state::drifted:
            out << "drifted: the live schema differs from its marker " << s.database_hash
                << " (recorded vs live):\n";
            for (const auto& d : s.drift) out << "  - " << d << '\n';
            return exit_status::schema_drifted;
    }
    return exit_status::failed;
}

}  // namespace strata::cli
