// Descriptions, checks and URL parsing for PostgreSQL bindings.
#include "postgres_bindings.hpp"

#include <libpq-fe.h>

#include "postgres_errors.hpp"
#include "strata/redact.hpp"

namespace strata::postgres {
namespace detail {
namespace {

[[noreturn]] void invalid(std::string_view field, std::string_view reason) {
    driver_errors::binding_invalid(driver_name, field, reason);
}

// libpq's parse errors may quote parts of the string (a password among them): keep the
// message, drop what it quotes.
std::string unquoted(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    static const std::string mask = "\"…\"";
    for (auto open = message.find('"'); open != std::string::npos; open = message.find('"', open + mask.size())) {
        const auto close = message.find('"', open + 1);
        if (close == std::string::npos) {
            message.erase(open);
            break;
        }
        message.replace(open, close - open + 1, mask);
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

std::string check_url(const url& u) {
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
    std::string password;
    for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        const std::string_view key = o->keyword;
        if (key == "password") password = o->val;
        // libpq checks ports only when it connects; a typo is a binding error, not a
        // connection failure worth retrying.
        if (key == "port" && std::string_view(o->val).find_first_not_of("0123456789,") != std::string_view::npos) {
            PQconninfoFree(parsed);
            invalid("url", "has a port that is not a number");
        }
    }
    PQconninfoFree(parsed);
    check_options(u.options);
    return password;
}

void check_client(const client& c) {
    if (c.conn == nullptr) invalid("conn", "must not be null");
    if (PQstatus(c.conn) != CONNECTION_OK) invalid("conn", "is not connected (PQstatus is not CONNECTION_OK)");
    if (PQpipelineStatus(c.conn) != PQ_PIPELINE_OFF) invalid("conn", "must not be in pipeline mode");
    if (PQisBusy(c.conn) != 0) invalid("conn", "has a command in progress; read its results first");
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
