#include "http/body.hpp"

#include <charconv>

#include "engine/api_error.hpp"
#include "engine/ids.hpp"
#include "text/json_depth.hpp"
#include "text/utf8.hpp"

namespace relay::http {

namespace {
// JSON strings are valid UTF-8 (the parser checks), but "\u0000" decodes to a NUL that
// PostgreSQL cannot store as text; the same rules as every other text (text/utf8.hpp).
std::string checked(const json& v, const char* key) {
    std::string s = v.get<std::string>();
    if (s.find('\0') != std::string::npos) fail(400, "invalid_request", std::string(key) + " must not contain NUL.");
    if (!valid_utf8(s)) fail(400, "invalid_utf8", std::string(key) + " is not valid UTF-8.");
    return s;
}
}  // namespace

json parse_object(const std::string& body) {
    // Before the parser builds a value that copying or printing would recurse through.
    if (json_nesting_exceeds(body))
        fail(400, "json_too_deep",
             "The request body nests arrays and objects more than " + std::to_string(max_json_depth) + " levels deep.");
    json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) fail(400, "invalid_json", "The request body is not valid JSON.");
    if (!parsed.is_object()) fail(400, "invalid_request", "The request body must be a JSON object.");
    return parsed;
}

std::string required_string(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) fail(400, "invalid_request", std::string(key) + " is required.");
    if (!it->is_string()) fail(400, "invalid_request", std::string(key) + " must be a string.");
    return checked(*it, key);
}

std::optional<std::string> optional_string(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) fail(400, "invalid_request", std::string(key) + " must be a string.");
    return checked(*it, key);
}

std::vector<std::string> string_array(const json& o, const char* key, bool required) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
        if (required) fail(400, "invalid_request", std::string(key) + " is required.");
        return {};
    }
    if (!it->is_array()) fail(400, "invalid_request", std::string(key) + " must be an array of strings.");
    std::vector<std::string> out;
    for (const auto& v : *it) {
        if (!v.is_string()) fail(400, "invalid_request", std::string(key) + " must be an array of strings.");
        out.push_back(checked(v, key));
    }
    return out;
}

std::optional<json> optional_object(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::nullopt;
    if (!it->is_object()) fail(400, "invalid_request", std::string(key) + " must be an object.");
    return *it;
}

message_input message_body(const json& o, bool allow_attachments) {
    message_input in;
    in.text = required_string(o, "text");
    if (allow_attachments) in.attachments = string_array(o, "attachments", false);
    in.metadata = optional_object(o, "metadata");
    return in;
}

int limit_param(const request& r, int fallback, int max) {
    auto v = r.query_value("limit");
    if (!v) return fallback;
    int n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc{} || ptr != v->data() + v->size() || n < 1 || n > max)
        fail(400, "invalid_request", "limit must be an integer from 1 to " + std::to_string(max) + ".");
    return n;
}

std::optional<std::int64_t> cursor_param(const request& r, const std::string& name) {
    auto v = r.query_value(name);
    if (!v) return std::nullopt;
    auto id = parse_id(*v);
    if (!id) fail(400, "invalid_cursor", name + " must be a message id.");
    return id;
}

page_query page_params(const request& r) {
    page_query q{limit_param(r, 50, 100), cursor_param(r, "before"), cursor_param(r, "after")};
    if (auto cursor = cursor_param(r, "cursor")) {
        if (q.before) fail(400, "invalid_cursor", "Give cursor or before, not both.");
        q.before = cursor;
    }
    return q;
}

page_request list_params(const request& r, int fallback, int max) {
    return {limit_param(r, fallback, max), r.query_value("cursor")};
}

std::optional<std::int64_t> parse_seq(std::string_view text) {
    constexpr std::int64_t largest = std::int64_t{1} << 62;
    if (text.empty() || text.size() > 19) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
        if (v > largest) return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> seq_param(const request& r, const std::string& name) {
    const auto text = r.query_value(name);
    if (!text) return std::nullopt;
    auto v = parse_seq(*text);
    if (!v) fail(400, "invalid_request", name + " must be a delivery seq: an integer from 0.");
    return v;
}

}  // namespace relay::http
