// `strata split status`: the boot decision a split deployment would make, and where ids
// live.
//
//   strata split status --db URL [--db-replica URL] --messages-db URL [--off]
//                       [--ids int64|text] [--table NAME] [--id ID ...]
//
// Prints the decision (split on or off, and why) and, for each --id, the store its shape
// belongs to and the stores a read by id would ask; with --table, whether a row with that
// id exists in each of those stores.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace strata::cli {

struct split_status_options {
    std::string db_url;
    std::string replica_url;
    std::string messages_url;
    bool off = false;
    std::string id_shape = "int64";
    std::string table;
    std::vector<std::string> ids;
};

// Adds `split` with its `status` subcommand; returns the `status` subcommand.
CLI::App& add_split_command(CLI::App& app, split_status_options& options);
void run_split_status(const split_status_options& options, std::ostream& out);

}  // namespace strata::cli
