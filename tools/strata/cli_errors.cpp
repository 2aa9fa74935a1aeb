#include "cli_errors.hpp"

#include <algorithm>
#include <ostream>
#include <utility>

#include <strata/error.hpp>
#include <strata/redact.hpp>

#include "display_text.hpp"

namespace strata::cli {
namespace {

// Errors about the binding come from what the user typed in --url: a usage error.
bool is_usage(const strata::error& e) { return e.code() == codes::driver_binding_invalid; }

void print_line(std::ostream& err, std::string_view code, std::string_view message) {
    err << "error: " << escape_control(code) << ": " << escape_control(message) << '\n';
}

void print_strata_error(std::ostream& err, const strata::error& e) {
    print_line(err, e.code(), e.message());
    if (e.sql() && !e.sql()->sqlstate.empty()) err << "  sqlstate: " << e.sql()->sqlstate << '\n';
    // strata messages are redacted where they are made; the chain is printed the same way.
    for (const strata::error* c = e.strata_cause(); c != nullptr; c = c->strata_cause()) {
        err << "  caused by: " << escape_control(c->code()) << ": " << escape_control(c->message()) << '\n';
    }
}

bool may_hold_secret(std::string_view arg) {
    return arg.find("://") != std::string_view::npos || arg.find('@') != std::string_view::npos ||
           arg.find('=') != std::string_view::npos;
}

// A URL keeps what is safe to show (scheme, user, host, port, database); anything else
// is hidden whole.
std::string redacted_form(std::string_view arg) {
    const redacted_url r = redact(arg);
    if (arg.find("://") != std::string_view::npos && !r.empty()) return r.to_string();
    return "<redacted argument>";
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
}

}  // namespace

std::string redact_arguments(std::string text, const std::vector<std::string>& args) {
    std::vector<std::string> risky;
    for (const std::string& a : args) {
        if (a.size() >= 3 && may_hold_secret(a)) risky.push_back(a);
    }
    // Longest first, so an argument that contains another is replaced whole.
    std::sort(risky.begin(), risky.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const std::string& a : risky) replace_all(text, a, redacted_form(a));
    return text;
}

usage_error::usage_error(std::string code, std::string message)
    : std::runtime_error(code + ": " + message), code_(std::move(code)), message_(std::move(message)) {}

exit_status report_failure(const std::exception_ptr& e, std::ostream& err) noexcept {
    try {
        try {
            std::rethrow_exception(e);
        } catch (const strata::error& x) {
            print_strata_error(err, x);
            return is_usage(x) ? exit_status::usage : exit_status::failed;
        } catch (const usage_error& x) {
            print_line(err, x.code(), x.message());
            return exit_status::usage;
        } catch (const std::exception& x) {
            print_line(err, "CLI.INTERNAL", x.what());
            return exit_status::failed;
        } catch (...) {
            print_line(err, "CLI.INTERNAL", "unknown failure");
            return exit_status::failed;
        }
    } catch (...) {  // printing itself failed (out of memory): the status still counts
        return exit_status::failed;
    }
}

}  // namespace strata::cli
