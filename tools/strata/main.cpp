// strata — the command-line tool. Each subcommand lives in its own file; main parses
// the command line and turns every failure into "error: CODE: message" and an exit
// status (see cli_errors.hpp).
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_errors.hpp"
#include "contract_commands.hpp"
#include "migrate_commands.hpp"
#include "query_command.hpp"
#include "split_command.hpp"

int main(int argc, char** argv) {
    using namespace strata::cli;
    // Rows stream to stdout: no flush per line, no sync with C stdio.
    std::ios::sync_with_stdio(false);
    CLI::App app{"strata: run SQL against a strata database from the shell", "strata"};
    app.set_version_flag("--version", STRATA_CLI_VERSION);
    app.require_subcommand(1);
    query_options query;
    CLI::App& query_cmd = add_query_command(app, query);
    migrate_options migrate_opts, plan_opts, status_opts;
    const migrate_commands migrate_cmds = add_migrate_commands(app, migrate_opts, plan_opts, status_opts);
    CLI::App& migrate_cmd = *migrate_cmds.apply;
    contract_options verify_opts;
    CLI::App& verify_cmd = add_verify_command(app, verify_opts);
    print_options print_opts;
    CLI::App& print_cmd = add_contract_print_command(app, print_opts);
    split_status_options split_opts;
    CLI::App& split_status_cmd = add_split_command(app, split_opts);

    try {
        app.parse(argc, argv);
        exit_status status = exit_status::ok;
        if (query_cmd)
            run_query(query, std::cin,
                      query_terminals{.stdin_is_terminal = isatty(STDIN_FILENO) != 0,
                                      .stdout_is_terminal = isatty(STDOUT_FILENO) != 0},
                      std::cout, std::cerr);
        if (*migrate_cmds.plan) run_migrate_plan(plan_opts, std::cout);
        else if (*migrate_cmds.status) status = run_migrate_status(status_opts, std::cout);
        else if (migrate_cmd) run_migrate(migrate_opts, std::cout);
        if (print_cmd) run_contract_print(print_opts, std::cout, std::cerr);
        if (verify_cmd) status = run_verify(verify_opts, std::cout);
        if (split_status_cmd) run_split_status(split_opts, std::cout);
        std::cout.flush();
        return static_cast<int>(status);
    } catch (const CLI::Success& e) {  // --help, --version
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const char* help = query_cmd.parsed()     ? "strata query --help"
                           : migrate_cmds.plan->parsed() ? "strata migrate plan --help"
                           : migrate_cmds.status->parsed() ? "strata migrate status --help"
                           : migrate_cmd.parsed() ? "strata migrate --help"
                           : print_cmd.parsed() ? "strata contract print --help"
                           : verify_cmd.parsed()  ? "strata verify --help"
                           : split_status_cmd.parsed() ? "strata split status --help"
                                                  : "strata --help";
        // The parser echoes unexpected arguments; one may be a URL with a password.
        const std::string what = redact_arguments(e.what(), std::vector<std::string>(argv + 1, argv + argc));
        const usage_error usage("CLI.USAGE", what + ". Run `" + help + "` for usage.");
        return static_cast<int>(report_failure(std::make_exception_ptr(usage), std::cerr));
    } catch (...) {
        return static_cast<int>(report_failure(std::current_exception(), std::cerr));
    }
}
