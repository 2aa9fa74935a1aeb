// Reading request input: a JSON object body and its fields, query parameters. Anything
// malformed or of the wrong type is a 400 with a code, never a 500.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.hpp"
#include "http/request.hpp"

namespace relay::http {

// 400 invalid_json (not JSON) / invalid_request (not an object).
[[nodiscard]] json parse_object(const std::string& body);
[[nodiscard]] std::string required_string(const json& o, const char* key);
[[nodiscard]] std::optional<std::string> optional_string(const json& o, const char* key);
// An array of strings; absent or null -> empty (or 400 when required).
[[nodiscard]] std::vector<std::string> string_array(const json& o, const char* key, bool required);
[[nodiscard]] std::optional<json> optional_object(const json& o, const char* key);

// {text, attachments?, metadata?}
[[nodiscard]] message_input message_body(const json& o, bool allow_attachments);

// ?limit: default when absent; 400 invalid_request unless an integer in [1, max].
[[nodiscard]] int limit_param(const request& r, int fallback, int max);
// ?before / ?after: a message id; 400 invalid_cursor otherwise.
[[nodiscard]] std::optional<std::int64_t> cursor_param(const request& r, const std::string& name);
// A message history's page: ?limit (default 50, at most 100), ?before, ?after, and
// ?cursor (the page's next_cursor: the same as before; 400 invalid_cursor with before).
[[nodiscard]] page_query page_params(const request& r);
// Any other list's page: ?limit (`fallback` when absent, at most `max`) and ?cursor as
// given (the list decodes it: 400 invalid_cursor for one it did not hand out).
[[nodiscard]] page_request list_params(const request& r, int fallback, int max);
// A delivery seq given as text (?after_seq): a decimal integer in [0, 2^62]; nullopt for
// anything else.
[[nodiscard]] std::optional<std::int64_t> parse_seq(std::string_view text);
// ?after_seq: absent -> nullopt; 400 invalid_request unless parse_seq accepts it.
[[nodiscard]] std::optional<std::int64_t> seq_param(const request& r, const std::string& name);

}  // namespace relay::http
