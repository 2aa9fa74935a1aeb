// `strata query [--url URL] ["SQL" | -f FILE] [--param V ...] [--json|--jsonl|--csv]`:
// runs one statement and prints its rows as they arrive; with no SQL on a terminal, a
// prompt (the interactive mode).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "row_writer.hpp"

namespace CLI {
class App;
}

namespace strata::cli {

struct query_options {
    std::string url;   // --url, else $STRATA_URL
    std::string sql;   // the argument, or
    std::string file;  // -f FILE ("-": stdin); with neither, stdin when it is not a terminal
    std::vector<std::string> params;
    bool json = false;
    bool jsonl = false;
    bool csv = false;
    bool integers_as_strings = false;
};

// Registers the subcommand on `app`; parsing fills `options`.
CLI::App& add_query_command(CLI::App& app, query_options& options);

struct query_terminals {
    bool stdin_is_terminal = false;
    bool stdout_is_terminal = false;
};

// Runs the statement and writes its rows to `out` as they arrive (constant memory). The
// command line and the SQL are checked before a database is opened; a failure after
// rows were printed leaves them printed (the table's count line, a JSON array's `]` are
// missing) and exits 1. Throws strata::error or usage_error. `in` is stdin.
// With no SQL while stdin and stdout are both terminals, runs the interactive mode
// instead (interactive_session.hpp): on file descriptors 0 and 1, whose streams `in` and
// `out` must be; a statement's error goes to `err` and the session goes on.
void run_query(const query_options& options, std::istream& in, const query_terminals& terminals,
               std::ostream& out, std::ostream& err);

}  // namespace strata::cli
