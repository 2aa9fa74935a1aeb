// `strata migrate --url URL --contract FILE` and `strata verify --url URL --contract FILE`.
// FILE is the contract's canonical JSON (strata::contract::canonical_json(), which an
// application can write out of its table declarations).
#pragma once

#include <iosfwd>
#include <string>

#include "cli_errors.hpp"

namespace CLI {
class App;
}

namespace strata::cli {

struct contract_options {
    std::string url;
    std::string contract_file;
};

CLI::App& add_migrate_command(CLI::App& app, contract_options& options);
CLI::App& add_verify_command(CLI::App& app, contract_options& options);

// Applies the contract; prints the DDL that ran or "up to date". Throws on failure.
void run_migrate(const contract_options& options, std::ostream& out);
// Prints match / mismatch (with the differences) / missing; returns the exit status:
// ok, contract_mismatch or contract_missing.
exit_status run_verify(const contract_options& options, std::ostream& out);

}  // namespace strata::cli
