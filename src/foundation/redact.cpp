#include "strata/redact.hpp"

#include <cctype>
#include <string>

namespace strata {
namespace {

// Percent-decoding is not needed: we only keep host, port, database and user, and print
// them as they were written.
bool looks_like_conninfo(std::string_view s) {
    const auto eq = s.find('=');
    return eq != std::string_view::npos && s.find("://") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

redacted_url parse_conninfo(std::string_view s) {
    redacted_url out;
    out.scheme = "conninfo";
    while (!(s = trim(s)).empty()) {
        const auto eq = s.find('=');
        if (eq == std::string_view::npos) return {};
        const std::string_view key = trim(s.substr(0, eq));
        s.remove_prefix(eq + 1);
        s = trim(s);
        std::string val;
        if (!s.empty() && s.front() == '\'') {
            s.remove_prefix(1);
            bool closed = false;
            while (!s.empty()) {
                char c = s.front();
                s.remove_prefix(1);
                if (c == '\\' && !s.empty()) {
                    val += s.front();
                    s.remove_prefix(1);
                } else if (c == '\'') {
                    closed = true;
                    break;
                } else {
                    val += c;
                }
            }
            if (!closed) return {};
        } else {
            // As libpq reads it: a backslash escapes the next character here too, so
            // "password=a\ host=x" is one value (a password), not a host.
            while (!s.empty() && !std::isspace(static_cast<unsigned char>(s.front()))) {
                if (s.front() == '\\' && s.size() > 1) s.remove_prefix(1);
                val += s.front();
                s.remove_prefix(1);
            }
        }
        if (key == "host" || key == "hostaddr") out.host = val;
        else if (key == "port") out.port = val;
        else if (key == "dbname") out.database = val;
        else if (key == "user") out.user = val;
    }
    return out;
}

redacted_url parse_url_form(std::string_view s) {
    redacted_url out;
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return {};
    out.scheme = std::string(s.substr(0, colon));
    for (char c : out.scheme) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
    }
    std::string_view rest = s.substr(colon + 1);
    if (out.scheme == "sqlite" || out.scheme == "file") {
        // sqlite:PATH, sqlite://PATH, sqlite::memory: — the path is not a secret, but
        // query parameters might be, so drop them.
        if (rest.starts_with("//")) {
            rest.remove_prefix(2);
            // sqlite://user:secret@host/path is not a SQLite form, but never echo a userinfo.
            const auto slash = rest.find('/');
            const auto at = rest.substr(0, slash).rfind('@');
            if (at != std::string_view::npos) rest.remove_prefix(at + 1);
        }
        out.scheme = "sqlite";
        out.database = std::string(rest.substr(0, rest.find('?')));
        return out;
    }
    if (!rest.starts_with("//")) return {};
    rest.remove_prefix(2);
    // The userinfo ends at an '@' before the path, as libpq reads it: a password may hold
    // an unencoded '?' or '#', which must not be taken for the end of the authority
    // (its first characters would print as host and port). Everything up to the last '@'
    // before the first '/' is userinfo; the user is printed only when it is
    // unambiguous (no '?' or '#' in it).
    const auto first_slash = rest.find('/');
    if (const auto at = rest.substr(0, first_slash).rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        const std::string_view user = userinfo.substr(0, userinfo.find(':'));
        if (user.find_first_of("?#") == std::string_view::npos) out.user = std::string(user);
        rest.remove_prefix(at + 1);
    }
    const auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    if (authority.starts_with('[')) {  // IPv6 literal
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return {};
        out.host = std::string(authority.substr(0, close + 1));
        authority.remove_prefix(close + 1);
        if (authority.starts_with(':')) out.port = std::string(authority.substr(1));
    } else {
        const auto pc = authority.rfind(':');
        out.host = std::string(authority.substr(0, pc));
        if (pc != std::string_view::npos) out.port = std::string(authority.substr(pc + 1));
    }
    for (char c : out.port) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',') return {};
    }
    if (path.starts_with('/')) out.database = std::string(path.substr(1, path.find_first_of("?#") - 1));
    return out;
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
        if (looks_like_conninfo(url)) return parse_conninfo(url);
        return parse_url_form(url);
    } catch (...) {  // allocation failure: print nothing rather than something unsafe
        return {};
    }
}

std::string redact_to_string(std::string_view url) { return redact(url).to_string(); }

}  // namespace strata
