#include "query_command.hpp"

#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

#include "cli_errors.hpp"
#include "database_url.hpp"
#include "history_file.hpp"
#include "interactive_session.hpp"
#include "params.hpp"

namespace strata::cli {
namespace {

std::string footer() {
    return std::string(param_help()) +
           "\n\n"
           "The SQL: the argument, or -f FILE (-f - reads stdin), or stdin when it is not a\n"
           "terminal. One statement; a trailing semicolon is fine.\n"
           "\n"
           "Interactive mode: with no SQL while stdin and stdout are terminals, a prompt\n"
           "(strata> ) runs each statement when it ends with ';' (it may span lines; a ';'\n"
           "in quotes or comments does not count). An error prints its code and the session\n"
           "goes on. Up/Down recall earlier statements, kept in $STRATA_HISTORY (default\n"
           "~/.strata_history, mode 0600; statements only, never the URL). Ctrl-C clears the\n"
           "input; \\q or Ctrl-D quits. --param is not taken there.\n"
           "\n"
           "Output, printed as the rows arrive (constant memory for any result):\n"
           "  (default)  an aligned table and a row count, or OK for a statement without\n"
           "             rows; columns are sized from the first 1,000 rows\n"
           "  --json     one JSON array of objects, keys in column order\n"
           "  --jsonl    one JSON object per line\n"
           "  --csv      RFC 4180 with a header line; NULL is an empty field, '' is \"\"\n"
           "In --json, --jsonl and --csv, blobs are hex and timestamps RFC 3339 (UTC);\n"
           "--integers-as-strings prints integers as strings, so 64-bit ids survive JSON\n"
           "tools that read numbers as doubles.\n"
           "\n"
           "Exit status: 0 success, 1 database or statement error (rows printed before it\n"
           "stay printed), 2 usage error (bad option, --url, --param or SQL source; nothing\n"
           "ran).\n"
           "\n"
           "Examples:\n"
           "  strata query --url sqlite:app.db \"SELECT * FROM t WHERE id = ?\" --param 7\n"
           "  STRATA_URL=postgresql://app@localhost/app strata query --csv -f report.sql";
}

std::string read_all(std::istream& in) {
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The statement's text from exactly one source.
std::string statement_text(const query_options& options, std::istream& in, bool in_is_terminal) {
    if (!options.sql.empty() && !options.file.empty())
        throw usage_error("CLI.SQL_SOURCE", "Give the SQL either as an argument or with -f, not both.");
    if (!options.sql.empty()) return options.sql;
    std::string text;
    if (options.file == "-" || (options.file.empty() && !in_is_terminal)) {
        text = read_all(in);
    } else if (!options.file.empty()) {
        std::ifstream file(options.file, std::ios::binary);
        if (!file) throw usage_error("CLI.SQL_SOURCE", "Cannot read the SQL file given with -f.");
        text = read_all(file);
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw usage_error("CLI.SQL_SOURCE",
                          "No SQL: give it as an argument, with -f FILE, or on stdin (strata query --help).");
    return text;
}

output_options output_for(const query_options& options) {
    if (static_cast<int>(options.json) + static_cast<int>(options.jsonl) + static_cast<int>(options.csv) > 1)
        throw usage_error("CLI.USAGE", "Choose one of --json, --jsonl and --csv.");
    output_options out;
    out.format = options.json    ? output_format::json
                 : options.jsonl ? output_format::jsonl
                 : options.csv   ? output_format::csv
                                 : output_format::table;
    out.integers_as_strings = options.integers_as_strings;
    if (out.integers_as_strings && out.format == output_format::table)
        throw usage_error("CLI.USAGE", "--integers-as-strings goes with --json, --jsonl or --csv.");
    return out;
}

}  // namespace

CLI::App& add_query_command(CLI::App& app, query_options& options) {
    CLI::App* cmd = app.add_subcommand("query", "Run one SQL statement and print its rows (with no SQL on a terminal: a prompt)");
    cmd->add_option("--url", options.url,
                    "Database: sqlite:PATH, sqlite::memory:, postgresql://USER@HOST:PORT/DB or a libpq\n"
                    "key=value string (default: $STRATA_URL)")
        ->envname("STRATA_URL")
        ->required();
    cmd->add_option("sql", options.sql, "One SQL statement, with ? placeholders");
    cmd->add_option("-f,--file", options.file, "Read the SQL from FILE (- for stdin)");
    cmd->add_option("-p,--param", options.params, "A value for the next ? placeholder (repeatable; see below)")
        ->take_all()
        ->allow_extra_args(false);
    cmd->add_flag("--json", options.json, "Print the rows as one JSON array of objects");
    cmd->add_flag("--jsonl", options.jsonl, "Print one JSON object per row, one per line");
    cmd->add_flag("--csv", options.csv, "Print the rows as CSV (RFC 4180) with a header line");
    cmd->add_flag("--integers-as-strings", options.integers_as_strings,
                  "In --json, --jsonl and --csv, print integers as strings");
    cmd->footer(footer());
    return *cmd;
}

namespace {

bool wants_interactive(const query_options& options, const query_terminals& terminals) {
    return options.sql.empty() && options.file.empty() && terminals.stdin_is_terminal &&
           terminals.stdout_is_terminal;
}

}  // namespace

void run_query(const query_options& options, std::istream& in, const query_terminals& terminals,
               std::ostream& out, std::ostream& err) {
    // Everything the command line says is checked before a database is opened.
    const output_options format = output_for(options);
    const database_target target = target_for_url(options.url);
    if (wants_interactive(options, terminals)) {
        if (!options.params.empty())
            throw usage_error("CLI.USAGE",
                              "--param goes with one statement (an argument, -f or stdin), not the interactive mode.");
        runtime db = open_database(target);
        run_interactive(db, format, default_history_path(),
                        interactive_terminal{.in_fd = 0, .out_fd = 1, .out = out, .err = err});
        db.close();
        return;
    }
    const bool in_is_terminal = terminals.stdin_is_terminal;
    const plan statement = strata::sql_plan(statement_text(options, in, in_is_terminal), parse_params(options.params));

    runtime db = open_database(target);
    const auto writer = make_row_writer(out, format);
    for (const row& r : db.execute(statement)) writer->write(r);
    writer->finish(statement.meta().kind == statement_kind::read || statement.meta().returning);
    db.close();
}

}  // namespace strata::cli
