// A deterministic generator of connection strings that hold a password: URL and libpq
// key=value conninfo shapes, each part escaped as its format asks (well formed) or pasted
// raw, with passwords and user names made of every awkward character a connection string
// has (/ # @ : ? & = % spaces, quotes, backslashes, percent-encodings, unicode), IPv6
// hosts, host lists, a password in the query string, conninfo quoting.
//
// A password is built from fragments ("K3Z8Q1": an upper-case letter and a digit in
// turn, which no other part and no libpq or server message holds) joined by awkward
// pieces. The property the tests check: no fragment of the password, as its writer
// meant it, is ever printed — so a redactor that prints part of a password fails, not
// only one that prints all of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::test {

struct secret_case {
    std::string text;                    // the URL or conninfo string
    std::string password;                // as its writer meant it
    std::vector<std::string> fragments;  // parts of the password that must never be printed
    std::string host;                    // a host a redacted well-formed string still names
    bool well_formed = false;            // every part escaped or quoted as the format asks
    std::string shape;                   // for failure messages
};

// Where generated strings point. Empty: any of a set of host names and ports.
struct secret_endpoint {
    std::string host{};  // e.g. "127.0.0.1"
    std::string port{};
};

class secret_shapes {
public:
    explicit secret_shapes(std::uint64_t seed, secret_endpoint endpoint = {}) : state_(seed), endpoint_(std::move(endpoint)) {}

    secret_case next() {
        secret_case c;
        const std::string user = user_name();
        c.password = password(c.fragments);
        const auto [host, port, conninfo_host, conninfo_port] = location();
        const std::string db = pick<std::string>({"app", "my%20db", "", "db_1"});
        const std::string scheme = pick<std::string>({"postgresql", "postgres"});
        const std::string tail = pick<std::string>({"", "sslmode=disable", "connect_timeout=5&application_name=svc"});
        std::string authority = host + (port.empty() ? "" : ":" + port);
        auto query = [&](std::string extra) {
            std::string q = tail;
            if (!extra.empty()) q += (q.empty() ? "" : "&") + extra;
            return q.empty() ? "" : "?" + q;
        };
        const std::string path = db.empty() && one_in(2) ? "" : "/" + db;
        switch (below(9)) {
            case 0:  // URL, password raw in the userinfo
                c.shape = "url raw userinfo";
                c.text = scheme + "://" + user + ":" + c.password + "@" + authority + path + query("");
                break;
            case 1:  // URL, userinfo percent-encoded
                c.shape = "url encoded userinfo";
                c.well_formed = true;
                c.text = scheme + "://" + percent_encode(user) + ":" + percent_encode(c.password) + "@" + authority +
                         path + query("");
                break;
            case 2:  // URL, password raw in the query string
                c.shape = "url raw query password";
                c.text = scheme + "://" + user + "@" + authority + path + query("password=" + c.password);
                break;
            case 3:  // URL, password encoded in the query string, maybe no user at all
                c.shape = "url encoded query password";
                c.well_formed = true;
                c.text = scheme + "://" + (one_in(2) ? percent_encode(user) + "@" : "") + authority + path +
                         query("password=" + percent_encode(c.password));
                break;
            case 4:  // URL with an empty user name
                c.shape = "url empty user";
                c.well_formed = one_in(2);
                c.text = scheme + "://:" + (c.well_formed ? percent_encode(c.password) : c.password) + "@" + authority +
                         path + query("");
                break;
            case 5:  // conninfo, values quoted and escaped
                c.shape = "conninfo quoted";
                c.well_formed = true;
                c.text = conninfo(user, c.password, conninfo_host, conninfo_port, db, [](std::string_view v) {
                    return quote(v);
                });
                break;
            case 6:  // conninfo, unquoted values with backslash escapes
                c.shape = "conninfo escaped";
                c.well_formed = true;
                c.text = conninfo(user, c.password, conninfo_host, conninfo_port, db, [](std::string_view v) {
                    return backslash_escape(v);
                });
                break;
            case 7:  // conninfo, the password quoted but not escaped (password='it''s')
                c.shape = "conninfo raw quoted";
                c.text = conninfo(user, c.password, conninfo_host, conninfo_port, db,
                                  [](std::string_view v) { return "'" + std::string(v) + "'"; });
                break;
            default:  // conninfo, the password pasted as it is (a space would end it: none then)
                c.shape = "conninfo raw";
                if (c.password.find_first_of(" \t") != std::string::npos) c.password = c.fragments.front();
                c.text = conninfo(user, c.password, conninfo_host, conninfo_port, db, [](std::string_view v) {
                    return backslash_escape(v);
                }, /*raw_password=*/true);
                break;
        }
        c.host = c.shape.starts_with("conninfo") ? conninfo_host : host;
        return c;
    }

    static std::string percent_encode(std::string_view s) {
        static constexpr char digits[] = "0123456789ABCDEF";
        std::string out;
        for (unsigned char ch : s) {
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                ch == '.' || ch == '_' || ch == '~') {
                out += static_cast<char>(ch);
            } else {
                out += '%';
                out += digits[ch >> 4];
                out += digits[ch & 15];
            }
        }
        return out;
    }

private:
    // splitmix64: the same sequence on every platform and standard library.
    std::uint64_t draw() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(draw() % n); }
    bool one_in(std::size_t n) { return below(n) == 0; }
    template <class T>
    T pick(std::initializer_list<T> options) {
        return *(options.begin() + below(options.size()));
    }

    static const std::vector<std::string>& awkward() {
        static const std::vector<std::string> pieces = {
            "/",   "#",  "@",   ":",   "?",     "&",          "=",  "%",    "%40", "%2F", "%zz", "%%",
            " ",   "  ", "'",   "''",  "\"",    "\\",         "\\'", "é",   "密码", "\xF0\x9F\x94\x91", "+", ",",
            "[",   "]",  ";",   "$",   "~",     "password=",  "\t", "//",  "@@",  "://", "?x=1", "&password="};
        return pieces;
    }

    std::string fragment() {
        static constexpr char letters[] = "BCDFGHJKLMNPQRSTVWXZ";
        std::string f;
        for (int i = 0; i < 3; ++i) {
            f += letters[below(sizeof letters - 1)];
            f += static_cast<char>('0' + below(10));
        }
        return f;
    }

    std::string password(std::vector<std::string>& fragments) {
        std::string p;
        const std::size_t parts = 1 + below(4);
        if (one_in(3)) p += awkward()[below(awkward().size())];
        for (std::size_t i = 0; i < parts; ++i) {
            if (i > 0) {
                for (std::size_t k = 1 + below(2); k > 0; --k) p += awkward()[below(awkward().size())];
            }
            fragments.push_back(fragment());
            p += fragments.back();
        }
        if (one_in(3)) p += awkward()[below(awkward().size())];
        return p;
    }

    std::string user_name() {
        std::string u = pick<std::string>({"bob", "app", "strata_user", "u"});
        if (one_in(3)) u += awkward()[below(awkward().size())] + pick<std::string>({"x", "corp", "1"});
        return u;
    }

    struct place {
        std::string host, port, conninfo_host, conninfo_port;
    };
    place location() {
        if (!endpoint_.host.empty()) {
            const std::string& h = endpoint_.host;
            const std::string& p = endpoint_.port;
            if (one_in(4)) return {h + ":" + p + "," + h + ":" + p, "", h + "," + h, p + "," + p};
            return {h, p, h, p};
        }
        switch (below(6)) {
            case 0: return {"db.example.com", "5432", "db.example.com", "5432"};
            case 1: return {"127.0.0.1", "", "127.0.0.1", ""};
            case 2: return {"[::1]", "5433", "::1", "5433"};
            case 3: return {"[2001:db8::7]", "", "2001:db8::7", ""};
            case 4: return {"h1.example.com:5433,h2.example.com:5434", "", "h1.example.com,h2.example.com", "5433,5434"};
            default: return {"[::1]:5433,db2.example.com", "", "::1,db2.example.com", "5433,5432"};
        }
    }

    template <class Escape>
    std::string conninfo(const std::string& user, const std::string& password, const std::string& host,
                         const std::string& port, const std::string& db, Escape escape, bool raw_password = false) {
        std::vector<std::pair<std::string, std::string>> kv = {{"host", escape(host)}, {"password", raw_password ? password : escape(password)}};
        if (!port.empty()) kv.emplace_back("port", escape(port));
        if (!db.empty()) kv.emplace_back("dbname", escape(db));
        if (!one_in(4)) kv.emplace_back("user", escape(user));
        if (one_in(3)) kv.emplace_back("sslmode", "disable");
        for (std::size_t i = kv.size(); i > 1; --i) std::swap(kv[i - 1], kv[below(i)]);
        std::string out;
        const std::string eq = one_in(3) ? " = " : "=";
        for (const auto& [k, v] : kv) out += (out.empty() ? "" : " ") + k + eq + v;
        return out;
    }

    static std::string quote(std::string_view v) {
        std::string out = "'";
        for (char ch : v) {
            if (ch == '\'' || ch == '\\') out += '\\';
            out += ch;
        }
        return out + "'";
    }
    static std::string backslash_escape(std::string_view v) {
        std::string out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const char ch = v[i];
            if (ch == '\\' || ch == ' ' || ch == '\t' || (i == 0 && ch == '\'')) out += '\\';
            out += ch;
        }
        return out.empty() ? "''" : out;
    }

    std::uint64_t state_;
    secret_endpoint endpoint_;
};

// The first fragment of `c`'s password found in `printed`, or "".
inline std::string leaked_fragment(std::string_view printed, const secret_case& c) {
    for (const std::string& f : c.fragments) {
        if (printed.find(f) != std::string_view::npos) return f;
    }
    if (!c.password.empty() && c.password.size() >= 4 && printed.find(c.password) != std::string_view::npos)
        return c.password;
    return {};
}

}  // namespace strata::test
