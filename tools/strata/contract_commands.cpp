#include "contract_commands.hpp"

#include <fstream>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <strata/strata.hpp>

#include "database_url.hpp"

namespace strata::cli {

contract load_contract(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("CLI.CONTRACT_UNREADABLE", "Cannot read the contract file '" + path + "'.");
    std::ostringstream text;
    text << in.rdbuf();
    return contract::from_json(text.str());
}

CLI::App& add_verify_command(CLI::App& app, contract_options& options) {
    CLI::App* cmd = app.add_subcommand(
        "verify", "Compare a database's contract marker with a contract. Exit 0: match; 3: the database holds "
                  "another contract (the differences are printed); 4: the database has no marker.");
    cmd->add_option("--url", options.url, "the database: sqlite:PATH, sqlite::memory: or postgres://...")->required();
    cmd->add_option("--contract", options.contract_file, "the contract's JSON file")->required();
    return *cmd;
}

CLI::App& add_contract_print_command(CLI::App& app, print_options& options) {
    CLI::App* contract_cmd = app.add_subcommand("contract", "Contracts without C++: print one from a database.");
    contract_cmd->require_subcommand(1);
    CLI::App* print = contract_cmd->add_subcommand(
        "print", "Print the contract of a database's live schema (the JSON --contract takes): tables, columns, "
                 "keys, references, unique constraints and indexes. What a contract cannot describe (views, "
                 "expression indexes, other column types) is left out and named on stderr.");
    print->add_option("--url", options.url, "the database: sqlite:PATH or postgres://...")->required();
    print->add_flag("--compact", options.compact, "one line (the canonical form the contract's hash is taken of)");
    return *print;
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

void run_contract_print(const print_options& options, std::ostream& out, std::ostream& notes) {
    const database_target target = target_for_url(options.url);
    runtime db = open_database(target);
    const live_schema live = introspect(db);
    db.close();
    out << (options.compact ? live.described.canonical_json() + "\n" : live.described.pretty_json());
    for (const auto& l : live.left_out) notes << "note: left out: " << l << '\n';
}

}  // namespace strata::cli
