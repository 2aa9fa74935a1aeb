// A request as route handlers see it (already parsed off the wire), and the reply they
// return (the server writes it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace relay::http {

struct request {
    std::string method;                         // "GET", "POST", ...
    std::string path;                           // without the query string
    std::map<std::string, std::string> query;   // percent-decoded
    std::map<std::string, std::string> params;  // from the route pattern (:name)
    std::string body;
    std::string authorization;
    std::optional<std::string> idempotency_key;

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

// Splits "/a/b?x=1&y=%20" into path and decoded query parameters. False when the
// percent-encoding is malformed or a decoded part is not valid UTF-8 or holds a NUL.
[[nodiscard]] bool split_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query);

}  // namespace relay::http
