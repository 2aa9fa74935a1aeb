// Descriptions, checks and URL parsing for PostgreSQL bindings.
#include "postgres_bindings.hpp"

#include <libpq-fe.h>

#include <cstdlib>

#include "postgres_errors.hpp"
#include "postgres_session.hpp"
#include "strata/redact.hpp"

namespace strata::postgres {
namespace detail {
namespace {

[[noreturn]] void invalid(std::string_view field, std::string_view reason) {
    driver_errors::binding_invalid(driver_name, field, reason);
}

// libpq's parse errors quote parts of the string (a password among them): keep the
// message, drop what it quotes. A quoted part may itself hold a '"' (a password can), so
// quotes do not pair reliably: everything from the first quote to the last goes.
std::string unquoted(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const auto first = message.find('"');
    if (first == std::string::npos) return message;
    const auto last = message.rfind('"');
    if (last == first) {
        message.erase(first);
    } else {
        message.replace(first, last - first + 1, "\"…\"");
    }
    return message;
}

void check_options(const pool_options& o) {
    if (o.max_size == 0) invalid("max_size", "must be at least 1");
    if (o.max_size > 10000) invalid("max_size", "must be at most 10000");
    if (o.min_size > o.max_size) invalid("min_size", "must not exceed max_size");
    if (o.acquire_timeout.count() < 0) invalid("acquire_timeout", "must not be negative");
    if (o.idle_timeout.count() < 0) invalid("idle_timeout", "must not be negative");
    if (o.max_lifetime.count() < 0) invalid("max_lifetime", "must not be negative");
    if (o.ping_after_idle.count() < 0) invalid("ping_after_idle", "must not be negative");
    if (o.validation_grace.count() < 0) invalid("validation_grace", "must not be negative");
    if (o.connect_timeout.count() < 0) invalid("connect_timeout", "must not be negative");
    if (o.cancel_grace.count() <= 0) invalid("cancel_grace", "must be positive");
    if (o.statements.cache_size > 100000) invalid("statement_cache_size", "must be at most 100000");
}

}  // namespace

checked_url check_url(const url& u) {
    const std::string_view text = u.value;
    if (text.empty()) invalid("url", "must not be empty (use postgresql://user@host:port/database)");
    if (text.find('\0') != std::string_view::npos) invalid("url", "must not contain a NUL character");
    if (const auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
        const std::string_view scheme = text.substr(0, scheme_end);
        if (scheme != "postgres" && scheme != "postgresql") {
            invalid("url", "must start with postgres:// or postgresql:// (or be a key=value conninfo), got " +
                               redact_to_string(text));
        }
    } else if (text.find('=') == std::string_view::npos) {
        invalid("url", "must be a postgres:// or postgresql:// URL or a key=value conninfo string");
    }
    // A string strata cannot describe without printing what may be a password is one
    // libpq and its writer may read differently ("u:1234/x@h/db": host u and port 1234 to
    // libpq, whose messages would then print them): refused before libpq sees it
    // (decision 0030).
    const bool url_form = text.starts_with("postgresql://") || text.starts_with("postgres://");
    if (url_form && redact(text).empty()) {
        invalid("url",
                "has an '@' after its user name and password, or a '/' or '@' inside them, so it can be read more "
                "than one way; percent-encode them (@ as %40, / as %2F)");
    }
    char* message = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(u.value.c_str(), &message);
    if (parsed == nullptr) {
        std::string reason = "could not be parsed";
        if (message != nullptr) {
            reason += ": " + unquoted(message);
            PQfreemem(message);
        }
        invalid("url", reason);
    }
    checked_url out;
    session_request session;
    for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        const std::string_view key = o->keyword;
        if (key == "password") out.password = o->val;
        if (key == "options") session.options = o->val;
        if (key == "client_encoding") session.client_encoding = o->val;
        // libpq checks ports only when it connects; a typo is a binding error, not a
        // connection failure worth retrying.
        if (key == "port" && std::string_view(o->val).find_first_not_of("0123456789,") != std::string_view::npos) {
            PQconninfoFree(parsed);
            invalid("url", "has a port that is not a number");
        }
    }
    PQconninfoFree(parsed);
    check_options(u.options);
    // libpq reads PGOPTIONS only when the string sets no options; strata passes its own,
    // so it reads the variable in libpq's place.
    if (session.options.empty()) {
        if (const char* env = std::getenv("PGOPTIONS"); env != nullptr) session.options = env;  // NOLINT(concurrency-mt-unsafe)
    }
    out.options = startup_options(session);
    return out;
}

void check_client(const client& c) {
    if (c.conn == nullptr) invalid("conn", "must not be null");
    if (PQstatus(c.conn) != CONNECTION_OK) invalid("conn", "is not connected (PQstatus is not CONNECTION_OK)");
    if (PQpipelineStatus(c.conn) != PQ_PIPELINE_OFF) invalid("conn", "must not be in pipeline mode");
    if (PQisBusy(c.conn) != 0) invalid("conn", "has a command in progress; read its results first");
    // strata never changes the session of a connection it does not own; it reads values
    // as text, so the settings that shape that text must already be what it reads.
    if (!session_decodable(c.conn))
        invalid("conn",
                "must have DateStyle=ISO, IntervalStyle=postgres and client_encoding=UTF8 (strata reads values in "
                "those forms; decision 0029): connect with options='-c DateStyle=ISO -c IntervalStyle=postgres' "
                "client_encoding=UTF8");
    if (c.acquire_timeout.count() < 0) invalid("acquire_timeout", "must not be negative");
    if (c.cancel_grace.count() <= 0) invalid("cancel_grace", "must be positive");
    if (c.statements.cache_size > 100000) invalid("statement_cache_size", "must be at most 100000");
}

}  // namespace detail

std::string describe_binding(const url& u) {
    return redact_to_string(u.value);
}
std::string describe_binding(const pool_binding& p) {
    return p.shared ? "shared pool " + p.shared->description() : "shared pool <null>";
}
std::string describe_binding(const client&) {
    return "postgres:<caller-owned PGconn>";
}

binding parse_url(std::string_view text) {
    url u{std::string(text)};
    (void)detail::check_url(u);
    return u;
}

}  // namespace strata::postgres
