// Descriptions and URL parsing for SQLite bindings.
#include <charconv>

#include "strata/redact.hpp"
#include "strata/sqlite.hpp"

namespace strata::sqlite {

std::string describe_binding(const file& f) { return redact_to_string("sqlite:" + f.path); }
std::string describe_binding(const memory&) { return "sqlite::memory:"; }
std::string describe_binding(const handle&) { return "sqlite:<caller-owned handle>"; }

namespace {

// "max_page_count=N", the one setting a URL may carry (decision 0019). Nothing of the
// text is echoed in the error: a URL may hold a secret where a parameter was expected.
settings parse_parameters(std::string_view query) {
    constexpr std::string_view key = "max_page_count=";
    settings out;
    if (!query.starts_with(key))
        driver_errors::binding_invalid("sqlite", "url",
                                       "may carry only ?max_page_count=N; set other options on the binding");
    const std::string_view digits = query.substr(key.size());
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || n == 0 || n > 4294967294u)
        driver_errors::binding_invalid("sqlite", "url", "max_page_count must be a number from 1 to 4294967294");
    out.max_page_count = n;
    return out;
}

}  // namespace

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
    // rather than kept as a path that descriptions would print. Any '@' counts, not only
    // one before the first '/': a password may hold a raw '/' ("sqlite://u:12/x@h/db").
    // A path with an '@' in it is still written sqlite:/path or bound as a file.
    if (url.starts_with("sqlite://") || url.starts_with("file://")) {
        if (url.find('@') != std::string_view::npos)
            driver_errors::binding_invalid("sqlite", "url", "must not carry a user or password (SQLite has no server)");
    }
    settings options;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        options = parse_parameters(rest.substr(q + 1));
        rest = rest.substr(0, q);
    }
    if (rest.empty()) driver_errors::binding_invalid("sqlite", "url", "has no path (use sqlite:PATH)");
    if (rest == ":memory:") return memory{options};
    return file{std::string(rest), open_mode::read_write_create, options};
}

}  // namespace strata::sqlite
