// A request as route handlers see it (already parsed off the wire), and the reply they
// return (the server writes it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/principal.hpp"

namespace relay::http {

struct request {
    std::string method;                         // "GET", "POST", ...
    std::string path;                           // without the query string
    std::map<std::string, std::string> query;   // percent-decoded
    std::map<std::string, std::string> params;  // from the route pattern (:name)
    std::string body;
    std::string authorization;
    std::optional<std::string> idempotency_key;
    // Set when the caller was authenticated from the header, before the body was read.
    std::optional<principal> caller{};

    [[nodiscard]] const std::string& param(const std::string& name) const { return params.at(name); }
    [[nodiscard]] std::optional<std::string> query_value(const std::string& name) const {
        auto it = query.find(name);
        if (it == query.end()) return std::nullopt;
        return it->second;
    }
};

struct reply {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers{};
};

// Splits "/a/b?x=1&y=%20" into path and decoded query parameters: malformed when the
// percent-encoding is, invalid_utf8 when a decoded part is not text the databases store
// (text/utf8.hpp: PostgreSQL's UTF-8 rules, no NUL).
enum class target_status { ok, malformed, invalid_utf8 };
[[nodiscard]] target_status parse_target(std::string_view target, std::string& path,
                                         std::map<std::string, std::string>& query);
[[nodiscard]] inline bool split_target(std::string_view target, std::string& path,
                                       std::map<std::string, std::string>& query) {
    return parse_target(target, path, query) == target_status::ok;
}

}  // namespace relay::http
