// How the CLI fails: one line "error: CODE: message" on stderr, never a secret, and an
// exit status that tells a script whether to fix the command line or look at the
// database.
#pragma once

#include <exception>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata::cli {

enum class exit_status : int {
    ok = 0,
    failed = 1,  // the database or the statement failed
    usage = 2,   // the command line is wrong (option, URL or --param); nothing ran
    contract_mismatch = 3,  // verify: the database holds another contract
    contract_missing = 4,   // verify: the database has no contract marker; migrate status: unknown
    migrations_pending = 5,  // migrate status: the database is behind the contract
    schema_drifted = 6,      // migrate status: the live schema differs from its marker
};

// A mistake in the command line itself, found before anything reached a database.
class usage_error : public std::runtime_error {
public:
    usage_error(std::string code, std::string message);
    [[nodiscard]] const std::string& code() const noexcept { return code_; }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

private:
    std::string code_;
    std::string message_;
};

// `text` with every argument in `args` that could carry a secret (a URL, a conninfo
// string, anything with '@' or '=') replaced by its redacted form. For messages that
// echo the command line, such as the option parser's "argument was not expected: ...".
[[nodiscard]] std::string redact_arguments(std::string text, const std::vector<std::string>& args);

// Prints the exception `e` to `err` and returns the exit status it deserves. Handles
// strata::error, usage_error and anything else; never throws.
[[nodiscard]] exit_status report_failure(const std::exception_ptr& e, std::ostream& err) noexcept;

}  // namespace strata::cli
