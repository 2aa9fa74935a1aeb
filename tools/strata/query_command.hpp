// `strata query --url URL "SQL" [--param V ...] [--json]`: runs one statement and
// prints its rows.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace strata::cli {

struct query_options {
    std::string url;
    std::string sql;
    std::vector<std::string> params;
    bool json = false;
};

// Registers the subcommand on `app`; parsing fills `options`.
CLI::App& add_query_command(CLI::App& app, query_options& options);

// Runs the statement and writes its result to `out` (only once it has all succeeded, so
// a failure leaves stdout empty). Throws strata::error or usage_error.
void run_query(const query_options& options, std::ostream& out);

}  // namespace strata::cli
