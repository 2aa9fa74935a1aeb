#include "line_editor.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace strata::cli {
namespace {

// The terminal without echo, line buffering or signal keys while a line is read; the
// previous mode comes back on every exit path. Output processing stays on ('\n' still
// moves to the start of the next line) and typed-ahead input is kept (TCSADRAIN), so a
// pasted multi-line statement arrives whole.
class raw_mode {
public:
    explicit raw_mode(int fd) : fd_(fd) {
        if (tcgetattr(fd_, &saved_) != 0) return;
        termios raw = saved_;
        raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
        raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        active_ = tcsetattr(fd_, TCSADRAIN, &raw) == 0;
    }
    ~raw_mode() {
        if (active_) tcsetattr(fd_, TCSADRAIN, &saved_);
    }
    raw_mode(const raw_mode&) = delete;
    raw_mode& operator=(const raw_mode&) = delete;

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::size_t previous_char(const std::string& s, std::size_t pos) {
    if (pos == 0) return 0;
    --pos;
    while (pos > 0 && is_continuation(s[pos])) --pos;
    return pos;
}

std::size_t next_char(const std::string& s, std::size_t pos) {
    if (pos >= s.size()) return s.size();
    ++pos;
    while (pos < s.size() && is_continuation(s[pos])) ++pos;
    return pos;
}

// Screen columns of s[0, end): one per code point.
std::size_t columns_of(const std::string& s, std::size_t end) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < end; ++i) n += is_continuation(s[i]) ? 0 : 1;
    return n;
}

std::size_t terminal_width(int fd) {
    winsize size{};
    if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the terminal is gone; reading will say so
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// One byte, or -1 at end of input.
int read_byte(int fd) {
    unsigned char c = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n == 1) return c;
        if (n < 0 && errno == EINTR) continue;
        return -1;
    }
}

enum class key { none, up, down, left, right, home, end, erase_forward };

// The rest of an escape sequence after ESC: CSI (ESC [) and SS3 (ESC O) forms.
key read_escape(int fd) {
    const int first = read_byte(fd);
    if (first == 'O') {
        const int c = read_byte(fd);
        return c == 'H' ? key::home : c == 'F' ? key::end : key::none;
    }
    if (first != '[') return key::none;
    int c = read_byte(fd);
    if (c >= '0' && c <= '9') {
        const int number = c;
        while (c >= 0 && c != '~' && !(c >= 'A' && c <= 'Z')) c = read_byte(fd);  // params, then the final
        if (c != '~') return key::none;
        switch (number) {
            case '1':
            case '7':
                return key::home;
            case '4':
            case '8':
                return key::end;
            case '3':
                return key::erase_forward;
            default:
                return key::none;
        }
    }
    switch (c) {
        case 'A':
            return key::up;
        case 'B':
            return key::down;
        case 'C':
            return key::right;
        case 'D':
            return key::left;
        case 'H':
            return key::home;
        case 'F':
            return key::end;
        default:
            return key::none;
    }
}

// Redraws prompt and line on the current screen line, scrolled sideways so the cursor
// stays visible, and puts the cursor at `pos`.
void refresh(int fd, std::string_view prompt, const std::string& line, std::size_t pos) {
    const std::size_t width = terminal_width(fd);
    const std::size_t prompt_columns = prompt.size();
    const std::size_t room = width > prompt_columns + 1 ? width - prompt_columns - 1 : 1;
    const std::size_t cursor = columns_of(line, pos);
    const std::size_t skip = cursor >= room ? cursor - room + 1 : 0;
    std::string screen = "\r";
    screen += prompt;
    std::size_t column = 0;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (!is_continuation(c)) ++column;
        if (column <= skip) continue;
        if (!is_continuation(c) && ++shown > room) break;
        screen += (c == '\n' || c == '\t') ? ' ' : (static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    }
    screen += "\x1b[K\r";
    const std::size_t target = prompt_columns + cursor - skip;
    if (target > 0) screen += "\x1b[" + std::to_string(target) + "C";
    write_all(fd, screen);
}

}  // namespace

line_editor::line_editor(int in_fd, int out_fd) : in_fd_(in_fd), out_fd_(out_fd) {}

read_line_result line_editor::read_line(std::string_view prompt, const std::vector<std::string>& history) {
    const raw_mode raw(in_fd_);
    std::string line;
    std::size_t pos = 0;
    std::size_t entry = history.size();  // history.size(): the line being typed
    std::string typed;                   // that line, while Up shows an older entry
    refresh(out_fd_, prompt, line, pos);
    for (;;) {
        const int c = read_byte(in_fd_);
        key k = key::none;
        if (c < 0) {
            write_all(out_fd_, "\r\n");
            return {line_status::end_of_input, {}};
        } else if (c == '\r' || c == '\n') {
            refresh(out_fd_, prompt, line, line.size());
            write_all(out_fd_, "\r\n");
            return {line_status::entered, line};
        } else if (c == 3) {  // Ctrl-C
            write_all(out_fd_, "^C\r\n");
            return {line_status::interrupted, {}};
        } else if (c == 4) {  // Ctrl-D: end of input on an empty line, else delete forward
            if (line.empty()) {
                write_all(out_fd_, "\r\n");
                return {line_status::end_of_input, {}};
            }
            k = key::erase_forward;
        } else if (c == 127 || c == 8) {  // Backspace
            const std::size_t from = previous_char(line, pos);
            line.erase(from, pos - from);
            pos = from;
        } else if (c == 1) {
            k = key::home;
        } else if (c == 5) {
            k = key::end;
        } else if (c == 27) {
            k = read_escape(in_fd_);
        } else if (c == '\t' || c >= 0x20) {
            line.insert(pos, 1, c == '\t' ? ' ' : static_cast<char>(c));
            ++pos;
        }
        switch (k) {
            case key::left:
                pos = previous_char(line, pos);
                break;
            case key::right:
                pos = next_char(line, pos);
                break;
            case key::home:
                pos = 0;
                break;
            case key::end:
                pos = line.size();
                break;
            case key::erase_forward:
                line.erase(pos, next_char(line, pos) - pos);
                break;
            case key::up:
                if (entry > 0) {
                    if (entry == history.size()) typed = line;
                    line = history[--entry];
                    pos = line.size();
                }
                break;
            case key::down:
                if (entry < history.size()) {
                    ++entry;
                    line = entry == history.size() ? typed : history[entry];
                    pos = line.size();
                }
                break;
            case key::none:
                break;
        }
        refresh(out_fd_, prompt, line, pos);
    }
}

}  // namespace strata::cli
