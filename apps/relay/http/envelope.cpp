#include "http/envelope.hpp"

namespace relay::http {

reply ok(unsigned status, const json& data) {
    return {status,
            json{{"ok", true}, {"data", data}}.dump(-1, ' ', false, json::error_handler_t::replace),
            "application/json",
            {}};
}

reply error_reply(unsigned status, std::string_view code, std::string_view message) {
    const json body{{"ok", false}, {"error", {{"code", code}, {"message", message}}}};
    return {status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json", {}};
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Valid UTF-8 without NUL: what the databases accept as text (PostgreSQL refuses both).
bool clean_text(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0) return false;
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        if (n == 2 && c < 0xc2) return false;  // overlong
        i += n;
    }
    return true;
}

bool decode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return clean_text(out);
}
}  // namespace

bool split_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
    const auto q = target.find('?');
    if (!decode(target.substr(0, q), path)) return false;
    if (q == std::string_view::npos) return true;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string key;
        std::string value;
        if (!decode(pair.substr(0, eq), key)) return false;
        if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), value)) return false;
        query.emplace(std::move(key), std::move(value));  // the first occurrence wins
    }
    return true;
}

}  // namespace relay::http
