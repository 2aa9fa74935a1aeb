// A small line editor for the interactive `strata query`: the terminal in raw mode while
// a line is read, printable input (UTF-8), Backspace/Delete, Left/Right, Home/End
// (and Ctrl-A/Ctrl-E), Up/Down through the history, Ctrl-C and Ctrl-D. One screen line:
// a line wider than the terminal scrolls sideways. See
// docs/decisions/0034-cli-interactive-mode.md for why not readline or libedit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::cli {

enum class line_status {
    entered,      // Enter: `text` holds the line
    interrupted,  // Ctrl-C: the caller drops what it has collected
    end_of_input  // Ctrl-D on an empty line, or the terminal went away
};

struct read_line_result {
    line_status status;
    std::string text;
};

class line_editor {
public:
    // in_fd and out_fd are terminals.
    line_editor(int in_fd, int out_fd);

    // Reads one line after `prompt`. `history` is oldest first; Up walks back from the
    // newest entry. A '\n' in an entry (a statement that spanned lines) is kept in the
    // text and shown as a space.
    [[nodiscard]] read_line_result read_line(std::string_view prompt, const std::vector<std::string>& history);

private:
    int in_fd_;
    int out_fd_;
};

}  // namespace strata::cli
