#include "http/envelope.hpp"

#include "text/utf8.hpp"

namespace relay::http {

reply ok(unsigned status, const json& data) {
    return {status,
            json{{"ok", true}, {"data", data}}.dump(-1, ' ', false, json::error_handler_t::replace),
            "application/json",
            {}};
}

reply error_reply(unsigned status, std::string_view code, std::string_view message) {
    const json body{{"ok", false}, {"error", {{"code", code}, {"message", message}}}};
    reply out{status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json", {}};
    // RFC 6750: a 401 names the scheme, and says when the token itself was refused.
    if (status == 401)
        out.headers.emplace_back("WWW-Authenticate", code == "invalid_token"
                                                         ? R"(Bearer realm="relay", error="invalid_token")"
                                                         : R"(Bearer realm="relay")");
    return out;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

target_status decode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size()) return target_status::malformed;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return target_status::malformed;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return storable_text(out) ? target_status::ok : target_status::invalid_utf8;
}
}  // namespace

target_status parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
    const auto q = target.find('?');
    if (const auto status = decode(target.substr(0, q), path); status != target_status::ok) return status;
    if (q == std::string_view::npos) return target_status::ok;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string key;
        std::string value;
        if (const auto status = decode(pair.substr(0, eq), key); status != target_status::ok) return status;
        if (eq != std::string_view::npos) {
            if (const auto status = decode(pair.substr(eq + 1), value); status != target_status::ok) return status;
        }
        query.emplace(std::move(key), std::move(value));  // the first occurrence wins
    }
    return target_status::ok;
}

}  // namespace relay::http
