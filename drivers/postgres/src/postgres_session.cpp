#include "postgres_session.hpp"

#include <cctype>
#include <charconv>
#include <vector>

#include "postgres_errors.hpp"

namespace strata::postgres::detail {
namespace {

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The server's split of `options` (pg_split_opts): whitespace separates, a backslash
// takes the next character literally.
std::vector<std::string> split_options(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool in_token = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_token) out.push_back(std::exchange(cur, {}));
            in_token = false;
        } else {
            in_token = true;
            if (c == '\\' && i + 1 < s.size()) ++i;
            cur += s[i];
        }
    }
    if (in_token) out.push_back(cur);
    return out;
}

// "-c name=value", "-cname=value" and "--name=value" (dashes in a name read as '_').
std::vector<std::pair<std::string, std::string>> settings_in(std::string_view options) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto tokens = split_options(options);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::string_view t = tokens[i];
        std::string_view setting;
        if (t == "-c" && i + 1 < tokens.size()) setting = tokens[++i];
        else if (t.starts_with("--")) setting = t.substr(2);
        else if (t.starts_with("-c")) setting = t.substr(2);
        else continue;
        const auto eq = setting.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name = lower(setting.substr(0, eq));
        for (char& c : name)
            if (c == '-') c = '_';
        out.emplace_back(std::move(name), std::string(setting.substr(eq + 1)));
    }
    return out;
}

bool is_utf8(std::string_view encoding) {
    std::string e;
    for (char c : lower(encoding))
        if (c != '-' && c != '_') e += c;
    return e == "utf8" || e == "unicode";
}

bool datestyle_is_iso(std::string_view value) {
    // "ISO", "ISO, DMY", "dmy,iso": output ISO whatever the field order for input.
    std::string word;
    for (char c : lower(value) + ",") {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
            if (word == "iso") return true;
            word.clear();
        } else {
            word += c;
        }
    }
    return false;
}

[[noreturn]] void conflict(std::string_view field, std::string_view setting, std::string_view needed) {
    driver_errors::binding_invalid(driver_name, field,
                                   "asks for " + std::string(setting) +
                                       ", but strata reads values in the session as " + std::string(needed) +
                                       " (decision 0029); remove it from the URL's options (or PGOPTIONS)");
}

}  // namespace

std::string startup_options(const session_request& r) {
    if (!r.client_encoding.empty() && !is_utf8(r.client_encoding))
        conflict("client_encoding", "another client_encoding", "UTF8");
    bool timezone_chosen = false;
    for (const auto& [name, value] : settings_in(r.options)) {
        if (name == "datestyle" && !datestyle_is_iso(value)) conflict("options", "another DateStyle", "DateStyle=ISO");
        if (name == "intervalstyle" && lower(value) != "postgres")
            conflict("options", "another IntervalStyle", "IntervalStyle=postgres");
        if (name == "client_encoding" && !is_utf8(value)) conflict("options", "another client_encoding", "UTF8");
        if (name == "extra_float_digits") {
            int digits = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), digits);
            if (ec != std::errc{} || end != value.data() + value.size() || digits < 1)
                conflict("options", "fewer float digits", "extra_float_digits >= 1 (exact floats)");
        }
        if (name == "timezone") timezone_chosen = true;
    }
    std::string out = r.options;
    if (!out.empty()) out += ' ';
    out += "-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3";
    if (!timezone_chosen) out += " -c TimeZone=UTC";
    return out;
}

bool session_decodable(PGconn* conn) noexcept {
    const char* date = PQparameterStatus(conn, "DateStyle");
    const char* interval = PQparameterStatus(conn, "IntervalStyle");
    const char* encoding = PQparameterStatus(conn, "client_encoding");
    return date != nullptr && std::string_view(date).starts_with("ISO") && interval != nullptr &&
           std::string_view(interval) == "postgres" && encoding != nullptr && std::string_view(encoding) == "UTF8";
}

bool session_intact(PGconn* conn, std::string_view timezone) noexcept {
    const char* zone = PQparameterStatus(conn, "TimeZone");
    return session_decodable(conn) && zone != nullptr && std::string_view(zone) == timezone;
}

bool settle_session(PGconn* conn) noexcept {
    if (session_decodable(conn)) return true;
    PGresult* res = PQexec(conn, "SET DateStyle = ISO; SET IntervalStyle = postgres");
    const bool ok = res != nullptr && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok && session_decodable(conn);
}

}  // namespace strata::postgres::detail
