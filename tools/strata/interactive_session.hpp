// `strata query` with no SQL while stdin and stdout are terminals: a prompt that runs
// statements as they are completed. See docs/decisions/0034-cli-interactive-mode.md.
#pragma once

#include <iosfwd>
#include <optional>
#include <strata/runtime.hpp>
#include <string>
#include <string_view>

#include "row_writer.hpp"

namespace strata::cli {

// Takes the first complete statement off the front of `input`: the text up to and
// including the first ';' that is not inside a quote, a quoted identifier, a dollar
// quote or a comment (strata's own SQL scanner decides). std::nullopt while no
// statement is complete. What is left of `input` is cleared when it holds nothing but
// whitespace and comments, so the next prompt starts fresh.
[[nodiscard]] std::optional<std::string> take_statement(std::string& input);

struct interactive_terminal {
    int in_fd;
    int out_fd;
    std::ostream& out;  // rows (the stream on out_fd)
    std::ostream& err;  // errors: "error: CODE: message", and the session goes on
};

// Reads statements at "strata> " (continuation "   ...> ") until \q or Ctrl-D and runs
// each on `db`, printing its rows in `format`. Ctrl-C drops the statement being typed.
// Statements are kept in the history file at `history_path` ("" keeps none).
void run_interactive(strata::runtime& db, const output_options& format, const std::string& history_path,
                     const interactive_terminal& terminal);

}  // namespace strata::cli
