#include "strata/redact.hpp"

#include <cctype>
#include <string>

namespace strata {
namespace {

// Percent-decoding is not needed: we only keep host, port, database and user, and print
// them as they were written.

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// "scheme:" at the start (RFC 3986: a letter, then letters, digits, + - .). libpq takes
// a string for a URL only when it starts with postgres(ql)://; anything else with an '='
// is conninfo, so "host=h password=a://b" is read as conninfo, as libpq reads it.
bool starts_with_scheme(std::string_view s) {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    if (!std::isalpha(static_cast<unsigned char>(s.front()))) return false;
    for (char c : s.substr(0, colon)) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

// A value that is itself a connection string is never printed: it may hold a password.
bool printable_value(std::string_view v) {
    return v.find('=') == std::string_view::npos && v.find("://") == std::string_view::npos;
}

// libpq's conninfo_parse, step by step: a key ends at '=' or whitespace and must be
// followed by '='; a value is either quoted ('...', backslash escapes the next character)
// or runs to the next whitespace (backslash escapes there too, so "password=a\ host=x" is
// one value). Anything libpq would refuse is unparseable here as well.
redacted_url parse_conninfo(std::string_view s) {
    redacted_url out;
    out.scheme = "conninfo";
    while (true) {
        while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
        if (s.empty()) break;
        std::size_t k = 0;
        while (k < s.size() && s[k] != '=' && !is_space(s[k])) ++k;
        const std::string_view key = s.substr(0, k);
        s.remove_prefix(k);
        while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
        if (s.empty() || s.front() != '=' || key.empty()) return {};
        s.remove_prefix(1);
        while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
        std::string val;
        if (!s.empty() && s.front() == '\'') {
            s.remove_prefix(1);
            bool closed = false;
            while (!s.empty()) {
                const char c = s.front();
                s.remove_prefix(1);
                if (c == '\\') {
                    if (!s.empty()) {
                        val += s.front();
                        s.remove_prefix(1);
                    }
                } else if (c == '\'') {
                    closed = true;
                    break;
                } else {
                    val += c;
                }
            }
            if (!closed) return {};
        } else {
            while (!s.empty() && !is_space(s.front())) {
                if (s.front() == '\\') {
                    s.remove_prefix(1);
                    if (s.empty()) break;
                }
                val += s.front();
                s.remove_prefix(1);
            }
        }
        if (!printable_value(val)) continue;
        if (key == "host" || key == "hostaddr") out.host = val;
        else if (key == "port") out.port = val;
        else if (key == "dbname") out.database = val;
        else if (key == "user") out.user = val;
    }
    return out;
}

// sqlite:PATH, sqlite://PATH, sqlite::memory: — the path is not a secret, but query
// parameters might be, so they are dropped. sqlite://user:secret@host/path is no SQLite
// form (the driver refuses it); whatever precedes the last '@' is never echoed.
redacted_url parse_sqlite(std::string_view rest) {
    redacted_url out;
    out.scheme = "sqlite";
    if (rest.starts_with("//")) {
        rest.remove_prefix(2);
        if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    }
    out.database = std::string(rest.substr(0, rest.find('?')));
    return out;
}

// The host list, port and database of an authority + path that holds no userinfo.
redacted_url parse_location(redacted_url out, std::string_view rest) {
    const auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    const std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    if (authority.find(',') != std::string_view::npos) {
        out.host = std::string(authority);  // several hosts (h1:5432,[::1]:5433): printed as written
    } else if (authority.starts_with('[')) {  // IPv6 literal
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return {};
        out.host = std::string(authority.substr(0, close + 1));
        authority.remove_prefix(close + 1);
        if (!authority.empty() && !authority.starts_with(':')) return {};
        if (authority.starts_with(':')) out.port = std::string(authority.substr(1));
    } else {
        const auto pc = authority.rfind(':');
        out.host = std::string(authority.substr(0, pc));
        if (pc != std::string_view::npos) out.port = std::string(authority.substr(pc + 1));
    }
    for (char c : out.port) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return {};
    }
    if (path.starts_with('/')) out.database = std::string(path.substr(1, path.find_first_of("?#") - 1));
    return out;
}

redacted_url parse_url_form(std::string_view s) {
    redacted_url out;
    const auto colon = s.find(':');
    out.scheme = std::string(s.substr(0, colon));
    std::string_view rest = s.substr(colon + 1);
    if (out.scheme == "sqlite" || out.scheme == "file") return parse_sqlite(rest);
    if (!rest.starts_with("//")) return {};
    rest.remove_prefix(2);
    // libpq reads the userinfo up to the first '@' or '/' (so a password may hold a raw
    // '?', '#' or ':'). A raw '@' anywhere after that point, or a '/' before the '@', means
    // the string has more than one reading: "u:1234/x@h/db" is host u, port 1234 to libpq
    // but a password "1234/x" to whoever wrote it; "u:a@b@h" has a password "a@b" or a
    // host "b@h". No field of such a string is printed, since any of them may be a
    // password (the PostgreSQL driver refuses these strings: decision 0030).
    const auto end = rest.find_first_of("@/");
    std::string_view userinfo;
    if (end != std::string_view::npos && rest[end] == '@') {
        userinfo = rest.substr(0, end);
        rest.remove_prefix(end + 1);
    }
    if (rest.find('@') != std::string_view::npos) return {};
    // The user ends at the first ':'; it is printed only when nothing in it could be
    // taken for the start of a query or fragment by a reader of the printed text.
    const std::string_view user = userinfo.substr(0, userinfo.find(':'));
    if (user.find_first_of("?#") == std::string_view::npos) out.user = std::string(user);
    return parse_location(std::move(out), rest);
}

}  // namespace

std::string redacted_url::to_string() const {
    if (empty()) return "<unparseable url>";
    if (scheme == "sqlite") return "sqlite:" + database;
    if (scheme == "conninfo") {
        std::string out;
        auto add = [&](std::string_view k, const std::string& v) {
            if (v.empty()) return;
            if (!out.empty()) out += ' ';
            out += std::string(k) + "=" + v;
        };
        add("host", host);
        add("port", port);
        add("dbname", database);
        add("user", user);
        return out.empty() ? "<conninfo>" : out;
    }
    std::string out = scheme + "://";
    if (!user.empty()) out += user + "@";
    out += host;
    if (!port.empty()) out += ":" + port;
    if (!database.empty()) out += "/" + database;
    return out;
}

redacted_url redact(std::string_view url) noexcept {
    try {
        url = trim(url);
        if (url.empty()) return {};
        if (starts_with_scheme(url)) return parse_url_form(url);
        if (url.find('=') != std::string_view::npos) return parse_conninfo(url);
        return {};
    } catch (...) {  // allocation failure: print nothing rather than something unsafe
        return {};
    }
}

std::string redact_to_string(std::string_view url) { return redact(url).to_string(); }

}  // namespace strata
