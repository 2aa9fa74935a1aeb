// The interactive mode's statement history, kept across sessions in a file:
// $STRATA_HISTORY, else ~/.strata_history. Only statements are written (never the URL),
// one per line with '\' and line breaks escaped; the file is created, and kept, with
// mode 0600 because statements can hold data. The newest 1,000 are kept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::cli {

class history_file {
public:
    // Loads the entries of `path` ("" keeps history for this session only). An
    // unreadable file gives an empty history, not an error: history is a convenience.
    explicit history_file(std::string path);

    // Oldest first.
    [[nodiscard]] const std::vector<std::string>& entries() const noexcept { return entries_; }

    // Adds a statement (not a repeat of the newest) and appends it to the file at once,
    // so a session that is killed keeps what it ran.
    void add(std::string_view statement);

    static constexpr std::size_t kept = 1000;

private:
    void rewrite() const;

    std::string path_;
    std::vector<std::string> entries_;
};

// $STRATA_HISTORY, else $HOME/.strata_history, else "" (no file).
[[nodiscard]] std::string default_history_path();

}  // namespace strata::cli
