#include "query_command.hpp"

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

#include "database_url.hpp"
#include "json_output.hpp"
#include "params.hpp"
#include "table_output.hpp"

namespace strata::cli {
namespace {

std::string footer() {
    return std::string(param_help()) +
           "\n\n"
           "Output: an aligned table and a row count, or OK for a statement without rows.\n"
           "--json prints one JSON array of objects instead.\n"
           "\n"
           "Exit status: 0 success, 1 database or statement error,\n"
           "2 usage error (bad option, --url or --param; nothing ran).\n"
           "\n"
           "Example:\n"
           "  strata query --url sqlite:app.db \"SELECT * FROM t WHERE id = ?\" --param 7";
}

}  // namespace

CLI::App& add_query_command(CLI::App& app, query_options& options) {
    CLI::App* cmd = app.add_subcommand("query", "Run one SQL statement and print its rows");
    cmd->add_option("--url", options.url, "Database: sqlite:PATH or sqlite::memory:")->required();
    cmd->add_option("sql", options.sql, "One SQL statement, with ? placeholders")->required();
    cmd->add_option("-p,--param", options.params, "A value for the next ? placeholder (repeatable; see below)")
        ->take_all()
        ->allow_extra_args(false);
    cmd->add_flag("--json", options.json, "Print the rows as one JSON array of objects");
    cmd->footer(footer());
    return *cmd;
}

void run_query(const query_options& options, std::ostream& out) {
    // Everything the command line says is checked before a database is opened.
    const database_target target = target_for_url(options.url);
    const plan statement = strata::sql_plan(options.sql, parse_params(options.params));

    runtime db = open_database(target);
    const std::vector<row> rows = db.execute(statement).all();
    db.close();

    if (options.json) {
        write_json(out, rows);
    } else {
        const bool returns_rows = statement.meta().kind == statement_kind::read || statement.meta().returning;
        write_table(out, rows, returns_rows);
    }
}

}  // namespace strata::cli
