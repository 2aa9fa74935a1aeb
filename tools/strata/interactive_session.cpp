#include "interactive_session.hpp"

#include <exception>
#include <ostream>
#include <strata/strata.hpp>
#include <vector>

#include "cli_errors.hpp"
#include "core/sql_scan.hpp"
#include "history_file.hpp"
#include "line_editor.hpp"

namespace strata::cli {
namespace {

constexpr std::string_view primary_prompt = "strata> ";
constexpr std::string_view continuation_prompt = "   ...> ";

// True when `sql` holds no tokens but semicolons: whitespace, comments, empty statements.
bool holds_nothing(std::string_view sql) {
    bool something = false;
    const bool terminated = detail::for_each_token(sql, [&](const detail::token& t) {
        if (t.kind != detail::token_kind::semicolon) something = true;
    });
    return terminated && !something;
}

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") + 1 - first);
}

void run_statement(strata::runtime& db, std::string_view sql, const output_options& format,
                   const interactive_terminal& terminal) {
    try {
        const plan statement = strata::sql_plan(std::string(sql), {});
        const auto writer = make_row_writer(terminal.out, format);
        for (const row& r : db.execute(statement)) writer->write(r);
        writer->finish(statement.meta().kind == statement_kind::read || statement.meta().returning);
        terminal.out.flush();
    } catch (...) {
        // Rows printed before the failure stay; the error follows them.
        terminal.out.flush();
        (void)report_failure(std::current_exception(), terminal.err);
        terminal.err.flush();
    }
}

}  // namespace

std::optional<std::string> take_statement(std::string& input) {
    std::optional<std::size_t> end;
    // Semicolons found before an unterminated quote or comment are real: the scanner
    // reports tokens in order and stops only at the unterminated one.
    (void)detail::for_each_token(input, [&](const detail::token& t) {
        if (!end && t.kind == detail::token_kind::semicolon)
            end = static_cast<std::size_t>(t.text.data() - input.data()) + 1;
    });
    if (!end) return std::nullopt;
    std::string statement = input.substr(0, *end);
    input.erase(0, *end);
    if (holds_nothing(input)) input.clear();
    return statement;
}

void run_interactive(strata::runtime& db, const output_options& format, const std::string& history_path,
                     const interactive_terminal& terminal) {
    history_file history(history_path);
    line_editor editor(terminal.in_fd, terminal.out_fd);
    terminal.out << "strata: end each statement with ';'. \\q or Ctrl-D quits; Ctrl-C clears the input.\n";
    std::string input;
    for (;;) {
        terminal.out.flush();
        const read_line_result line =
            editor.read_line(input.empty() ? primary_prompt : continuation_prompt, history.entries());
        if (line.status == line_status::end_of_input) break;
        if (line.status == line_status::interrupted) {
            input.clear();
            continue;
        }
        if (trimmed(line.text) == "\\q") break;
        if (input.empty() && trimmed(line.text).starts_with('\\')) {
            terminal.err << "error: CLI.META_COMMAND: Unknown command " << trimmed(line.text)
                         << "; the only one is \\q (quit).\n";
            terminal.err.flush();
            continue;
        }
        input += line.text;
        input += '\n';
        while (std::optional<std::string> statement = take_statement(input)) {
            if (holds_nothing(*statement)) continue;
            const std::string_view text = trimmed(*statement);
            history.add(text);
            run_statement(db, text, format, terminal);
        }
        if (holds_nothing(input)) input.clear();
    }
    terminal.out.flush();
}

}  // namespace strata::cli
