// Fuzzes redaction (strata::redact, redact_to_string) and the binding parsers that can run
// without a server (strata::postgres::parse_url / describe_binding, strata::sqlite::
// parse_url / describe_binding).
//
// Each input is turned into a connection string with a known password in it: a
// postgres(ql):// URL, a URL of another scheme (sqlite, file, mysql...) or a libpq
// key=value conninfo, its parts (user, host, port, database, parameters, the order of
// conninfo keys, spacing and quoting) taken from the fuzz bytes. The password is
// MARK_A + fuzz bytes + MARK_B. Two shapes:
// - escaped: every part percent-encoded (URL) or quoted (conninfo) so the password is
//   where it was put by construction; trailing parameters may still be raw bytes;
// - raw: parts pasted as they come, so delimiters inside them move things around; the
//   password is then whatever libpq's own parser (PQconninfoParse; a URL of another
//   scheme parsed as if it were postgresql://) says it is.
// Property: when the password is really the password (and neither mark appears in any
// other part), neither mark nor the password appears in redact_to_string, in a binding's
// describe(), nor in the message, details, describe() or what() of any strata::error the
// parsers throw; and the parsers throw nothing but strata::error.
// Findings F2, F3, F4 (fixed; inputs replayed from tests/fuzz/crashes/redact/): a
// backslash in an unquoted conninfo value, sqlite://user:password@host, and a '#' or '?'
// in a URL password each printed the password (docs/reliability.md).
#include <fuzzer/FuzzedDataProvider.h>
#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "strata/error.hpp"
#include "strata/postgres.hpp"
#include "strata/redact.hpp"
#include "strata/sqlite.hpp"

namespace {

constexpr std::string_view mark_a = "Pw7qZ2kT";
constexpr std::string_view mark_b = "Xj4vR9mB";

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

std::string percent_encode(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

std::string conninfo_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

// Any bytes as a URL scheme (RFC 3986: a letter, then letters, digits, + - .): with a
// ':' or '/' in it the string is no URL with a password at all.
std::string url_scheme(std::string_view bytes) {
    std::string out = "x";
    for (char c : bytes)
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')
            out += c;
    return out;
}

struct parts {
    std::string scheme, user, password, host, port, database, params;
};

struct shaped {
    std::string text;
    std::vector<std::string> others;  // every part that is not the password
    bool escaped = false;
    bool sqlite_like = false;  // sqlite:// or file:// (the SQLite parser's forms)
    bool url_form = false;     // scheme://... rather than key=value
};

shaped make_input(FuzzedDataProvider& in) {
    shaped out;
    out.escaped = in.ConsumeBool();
    const int form = in.ConsumeIntegralInRange(0, 4);
    parts p;
    p.user = in.ConsumeRandomLengthString(24);
    p.password = std::string(mark_a) + in.ConsumeRandomLengthString(16) + std::string(mark_b);
    p.host = in.ConsumeRandomLengthString(24);
    p.port = in.ConsumeRandomLengthString(8);
    p.database = in.ConsumeRandomLengthString(24);
    p.params = in.ConsumeRandomLengthString(32);
    static const char* const schemes[] = {"postgresql", "postgres", "sqlite", "file", "mysql"};
    p.scheme = form < 4 ? schemes[form] : in.ConsumeBool() ? schemes[4] : url_scheme(in.ConsumeRandomLengthString(8));
    out.sqlite_like = p.scheme == "sqlite" || p.scheme == "file";
    out.others = {p.user, p.host, p.port, p.database, p.params, p.scheme};

    const bool conninfo = in.ConsumeIntegralInRange(0, 2) == 0;
    const bool with_user = in.ConsumeBool();
    if (conninfo) {
        // key = value pairs in a fuzz-chosen order, spaced and quoted as the bytes say.
        std::vector<std::pair<std::string, std::string>> kv = {
            {"host", p.host}, {"port", p.port}, {"dbname", p.database}, {"password", p.password}};
        if (with_user) kv.insert(kv.begin(), {"user", p.user});
        for (std::size_t i = kv.size(); i > 1; --i) std::swap(kv[i - 1], kv[in.ConsumeIntegralInRange<std::size_t>(0, i - 1)]);
        const std::string eq = in.ConsumeBool() ? "=" : " = ";
        for (const auto& [k, v] : kv) {
            if (!out.text.empty()) out.text += ' ';
            const bool quote = out.escaped || in.ConsumeBool();
            out.text += k + eq + (quote ? conninfo_quote(v) : v);
        }
        if (in.ConsumeBool()) out.text += " " + p.params;
        return out;
    }
    out.url_form = true;
    auto enc = [&](const std::string& s) { return out.escaped ? percent_encode(s) : s; };
    out.text = p.scheme + "://";
    if (with_user) out.text += enc(p.user);
    out.text += ":" + enc(p.password) + "@" + enc(p.host);
    if (!p.port.empty()) out.text += ":" + enc(p.port);
    if (!p.database.empty() || in.ConsumeBool()) out.text += "/" + enc(p.database);
    if (!p.params.empty()) out.text += "?" + p.params;  // raw even when escaped: the tail may be junk
    return out;
}

// libpq's view of the string: the password it would send, and every other value.
struct libpq_view {
    bool parsed = false;
    std::string password;
    std::vector<std::string> values;
};

libpq_view libpq_parse(const shaped& s) {
    libpq_view v;
    std::string text = s.text;
    // A URL of another scheme is read as if it were postgresql://, to learn where its
    // password is; a conninfo string is read as it is.
    if (s.url_form) text = "postgresql" + text.substr(text.find("://"));
    if (text.find('\0') != std::string::npos) return v;
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.c_str(), &message);
    if (message != nullptr) PQfreemem(message);
    if (options == nullptr) return v;
    v.parsed = true;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        if (std::string_view(o->keyword) == "password") v.password = o->val;
        else v.values.emplace_back(o->val);
    }
    PQconninfoFree(options);
    return v;
}

std::string visible(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

std::string_view current_input;  // printed with a violated property

bool leaks(std::string_view printed, std::string_view password) {
    const bool leaked = contains(printed, mark_a) || contains(printed, mark_b) || contains(printed, password);
    if (leaked)
        std::fprintf(stderr, "input:   %s\nprinted: %s\n", visible(current_input).c_str(), visible(printed).c_str());
    return leaked;
}

void check_error(const strata::error& e, std::string_view password, const char* where) {
    FUZZ_CHECK(!leaks(e.message(), password), where);
    FUZZ_CHECK(!leaks(e.describe(), password), where);
    FUZZ_CHECK(!leaks(e.what(), password), where);
    for (const auto& [k, v] : e.details()) FUZZ_CHECK(!leaks(k, password) && !leaks(v, password), where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const shaped s = make_input(in);
    current_input = s.text;
    const std::string password = [&] {
        // The password as placed (decoded); the raw shape is judged by libpq below.
        const auto a = s.text.find(mark_a);
        const auto b = s.text.find(mark_b);
        return (a != std::string::npos && b != std::string::npos && b >= a)
                   ? s.text.substr(a, b + mark_b.size() - a)
                   : std::string(mark_a);
    }();

    // Never throws, whatever the input (redact is noexcept: a throw would terminate).
    const std::string redacted = strata::redact_to_string(s.text);

    bool marks_elsewhere = false;
    for (const auto& o : s.others) marks_elsewhere = marks_elsewhere || contains(o, mark_a) || contains(o, mark_b);
    if (marks_elsewhere) return 0;

    const libpq_view pq = libpq_parse(s);
    bool is_password = s.escaped;
    if (pq.parsed) {
        bool seen_elsewhere = false;
        for (const auto& v : pq.values) seen_elsewhere = seen_elsewhere || contains(v, mark_a) || contains(v, mark_b);
        if (seen_elsewhere) return 0;  // libpq reads a mark as something other than the password
        is_password = contains(pq.password, mark_a) && contains(pq.password, mark_b);
    }
    if (!is_password) return 0;

    FUZZ_CHECK(!leaks(redacted, password), "redact_to_string printed the password");
    FUZZ_CHECK(!leaks(strata::postgres::describe_binding(strata::postgres::url{s.text}), password),
               "postgres::describe_binding printed the password");

    try {
        const strata::binding b = strata::postgres::parse_url(s.text);
        FUZZ_CHECK(!leaks(b.describe(), password), "a postgres binding's describe() printed the password");
    } catch (const strata::error& e) {
        check_error(e, password, "a postgres::parse_url error printed the password");
    }
    // Anything but strata::error escapes and is reported by libFuzzer as a crash.

    try {
        const strata::binding b = strata::sqlite::parse_url(s.text);
        FUZZ_CHECK(!leaks(b.describe(), password), "a sqlite binding's describe() printed the password");
    } catch (const strata::error& e) {
        check_error(e, password, "a sqlite::parse_url error printed the password");
    }
    return 0;
}
