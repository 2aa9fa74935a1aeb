// Descriptions and URL parsing for SQLite bindings.
#include "strata/redact.hpp"
#include "strata/sqlite.hpp"

namespace strata::sqlite {

std::string describe_binding(const file& f) { return redact_to_string("sqlite:" + f.path); }
std::string describe_binding(const memory&) { return "sqlite::memory:"; }
std::string describe_binding(const handle&) { return "sqlite:<caller-owned handle>"; }

binding parse_url(std::string_view url) {
    std::string_view rest;
    if (url.starts_with("sqlite://")) rest = url.substr(9);
    else if (url.starts_with("sqlite:")) rest = url.substr(7);
    else if (url.starts_with("file:")) rest = url.substr(5);
    else
        driver_errors::binding_invalid("sqlite", "url",
                                       "must start with sqlite: (e.g. sqlite:./app.db or sqlite::memory:), got " +
                                           redact_to_string(url));
    // sqlite://user:password@host/path is no SQLite form (there is no server); refused
    // rather than kept as a path that descriptions would print.
    if (url.starts_with("sqlite://") || url.starts_with("file://")) {
        const std::string_view authority = url.substr(url.find("//") + 2);
        if (authority.substr(0, authority.find('/')).find('@') != std::string_view::npos)
            driver_errors::binding_invalid("sqlite", "url", "must not carry a user or password (SQLite has no server)");
    }
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        driver_errors::binding_invalid("sqlite", "url", "must not carry ?parameters; set options on the binding");
    }
    if (rest.empty()) driver_errors::binding_invalid("sqlite", "url", "has no path (use sqlite:PATH)");
    if (rest == ":memory:") return memory{};
    return file{std::string(rest)};
}

}  // namespace strata::sqlite
