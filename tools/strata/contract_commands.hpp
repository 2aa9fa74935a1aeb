// `strata verify --url URL --contract FILE` and `strata contract print --url URL`.
// FILE is a contract's JSON (strata::contract::canonical_json() or pretty_json(), which
// an application writes out of its table declarations, and `strata contract print`
// writes out of a database).
#pragma once

#include <iosfwd>
#include <string>

#include "cli_errors.hpp"

namespace CLI {
class App;
}

namespace strata {
class contract;
}

namespace strata::cli {

struct contract_options {
    std::string url;
    std::string contract_file;
};

CLI::App& add_verify_command(CLI::App& app, contract_options& options);

struct print_options {
    std::string url;
    bool compact = false;
};
// `strata contract print`; returns the `print` subcommand.
CLI::App& add_contract_print_command(CLI::App& app, print_options& options);

// Prints match / mismatch (with the differences) / missing; returns the exit status:
// ok, contract_mismatch or contract_missing.
exit_status run_verify(const contract_options& options, std::ostream& out);
// Prints the live schema's contract JSON on `out`, and what it left out on `notes`.
void run_contract_print(const print_options& options, std::ostream& out, std::ostream& notes);

// The contract in FILE; CLI.CONTRACT_UNREADABLE, CONTRACT.INVALID.
[[nodiscard]] contract load_contract(const std::string& path);

}  // namespace strata::cli
