#include "contract_commands.hpp"

#include <fstream>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <strata/strata.hpp>

#include "database_url.hpp"

namespace strata::cli {
namespace {

void add_common(CLI::App& cmd, contract_options& o) {
    cmd.add_option("--url", o.url, "the database: sqlite:PATH, sqlite::memory: or postgres://...")->required();
    cmd.add_option("--contract", o.contract_file, "the contract's canonical JSON file")->required();
}

contract load_contract(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("CLI.CONTRACT_UNREADABLE", "Cannot read the contract file '" + path + "'.");
    std::ostringstream text;
    text << in.rdbuf();
    return contract::from_json(text.str());
}

}  // namespace

CLI::App& add_migrate_command(CLI::App& app, contract_options& options) {
    CLI::App* cmd = app.add_subcommand(
        "migrate", "Apply a contract to an empty database (or confirm it is up to date). A database holding another "
                   "contract is left alone and what differs is printed; exit 1.");
    add_common(*cmd, options);
    return *cmd;
}

CLI::App& add_verify_command(CLI::App& app, contract_options& options) {
    CLI::App* cmd = app.add_subcommand(
        "verify", "Compare a database's contract marker with a contract. Exit 0: match; 3: the database holds "
                  "another contract (the differences are printed); 4: the database has no marker.");
    add_common(*cmd, options);
    return *cmd;
}

void run_migrate(const contract_options& options, std::ostream& out) {
    const database_target target = target_for_url(options.url);
    const contract c = load_contract(options.contract_file);
    runtime db = open_database(target);
    const migrate_result r = migrate(db, c);
    db.close();
    if (r.outcome == migrate_outcome::up_to_date) {
        out << "up to date: " << c.hash() << '\n';
        return;
    }
    for (const auto& stmt : r.statements) out << stmt << ";\n";
    out << "applied: " << c.hash() << '\n';
}

exit_status run_verify(const contract_options& options, std::ostream& out) {
    const database_target target = target_for_url(options.url);
    const contract c = load_contract(options.contract_file);
    runtime db = open_database(target);
    const verify_result r = verify(db, c);
    db.close();
    switch (r.status) {
        case verify_status::match: out << "match: " << c.hash() << '\n'; return exit_status::ok;
        case verify_status::missing:
            out << "missing: the database has no contract marker (run strata migrate)\n";
            return exit_status::contract_missing;
        case verify_status::mismatch:
            out << "mismatch: the database holds " << r.database_hash << ", the contract is " << c.hash() << '\n';
            for (const auto& d : r.differences) out << "  - " << d << '\n';
            return exit_status::contract_mismatch;
    }
    return exit_status::failed;
}

}  // namespace strata::cli
