// Redaction of connection strings. Anything that may print a URL or conninfo (errors,
// logs, the CLI) prints redact(url) instead: scheme, host, port, database and user only.
// Passwords, query parameters (sslpassword, tokens...) and unknown parts never survive.
#pragma once

#include <string>
#include <string_view>

namespace strata {

struct redacted_url {
    std::string scheme{};    // "postgresql", "sqlite", or "conninfo" for key=value strings
    std::string host{};
    std::string port{};
    std::string database{};  // for sqlite: the file path (or ":memory:")
    std::string user{};

    // "postgresql://user@host:port/database", "sqlite:path", or "<unparseable url>".
    [[nodiscard]] std::string to_string() const;
    [[nodiscard]] bool empty() const noexcept {
        return scheme.empty() && host.empty() && port.empty() && database.empty() && user.empty();
    }
};

// Parses URLs (scheme://user:pass@host:port/db?params), "sqlite:PATH" and libpq
// key=value conninfo strings. Never throws; returns an empty value when unparseable.
[[nodiscard]] redacted_url redact(std::string_view url) noexcept;
[[nodiscard]] std::string redact_to_string(std::string_view url);

}  // namespace strata
