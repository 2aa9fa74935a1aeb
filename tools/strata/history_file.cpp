#include "history_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

namespace strata::cli {
namespace {

std::string escaped(std::string_view entry) {
    std::string line;
    for (const char c : entry) {
        if (c == '\\')
            line += "\\\\";
        else if (c == '\n')
            line += "\\n";
        else if (c == '\r')
            line += "\\r";
        else
            line += c;
    }
    return line + '\n';
}

std::string unescaped(std::string_view line) {
    std::string entry;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] != '\\' || i + 1 == line.size()) {
            entry += line[i];
            continue;
        }
        const char next = line[++i];
        entry += next == 'n' ? '\n' : next == 'r' ? '\r' : next;
    }
    return entry;
}

// Writes all of `text` to the file at `path` (created 0600, made 0600 if it was not).
bool write_file(const std::string& path, std::string_view text, int flags) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, S_IRUSR | S_IWUSR);
    if (fd < 0) return false;
    struct stat st {};
    if (fstat(fd, &st) == 0 && (st.st_mode & 0777) != 0600) fchmod(fd, S_IRUSR | S_IWUSR);
    bool ok = true;
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return ::close(fd) == 0 && ok;
}

}  // namespace

std::string default_history_path() {
    if (const char* path = std::getenv("STRATA_HISTORY"); path != nullptr && *path != '\0') return path;
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::string(home) + "/.strata_history";
    return {};
}

history_file::history_file(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::ifstream in(path_, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) entries_.push_back(unescaped(line));
    }
    if (entries_.size() > kept) {
        entries_.erase(entries_.begin(), entries_.end() - static_cast<std::ptrdiff_t>(kept));
        rewrite();
    }
}

void history_file::add(std::string_view statement) {
    if (statement.empty() || (!entries_.empty() && entries_.back() == statement)) return;
    entries_.emplace_back(statement);
    if (!path_.empty()) write_file(path_, escaped(statement), O_APPEND);
}

void history_file::rewrite() const {
    // A new file renamed over the old one: a crash leaves either history, never half.
    std::string text;
    for (const std::string& e : entries_) text += escaped(e);
    const std::string temporary = path_ + ".new";
    if (write_file(temporary, text, O_TRUNC)) ::rename(temporary.c_str(), path_.c_str());
}

}  // namespace strata::cli
