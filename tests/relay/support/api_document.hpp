// relay's API document (apps/relay/api/openapi.json, as GET /v1/openapi.json serves it)
// held against what relay does: its operations as router patterns, and a real response
// checked against the operation it answers — the status documented, the content type
// listed, a JSON body valid under the response's schema (support/json_schema.hpp), an
// error's code among x-error-codes.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/http_client.hpp"

namespace relay::test {

class api_document {
public:
    explicit api_document(json document);

    // "GET /v1/messages/:id": each operation, its path in the router's pattern syntax.
    [[nodiscard]] std::set<std::string> operations() const;
    // What is wrong with `r` as the answer to `method` `target` (empty: nothing). The
    // operation is recorded as exercised when it is found.
    [[nodiscard]] std::vector<std::string> check(const std::string& method, const std::string& target,
                                                 const response& r);
    [[nodiscard]] const std::set<std::string>& exercised() const { return exercised_; }
    [[nodiscard]] const json& document() const { return document_; }

private:
    // The document's path template that matches a request path ("" when none).
    [[nodiscard]] std::string path_of(const std::string& path) const;

    json document_;
    std::set<std::string> exercised_;
};

// "/v1/messages/{id}" -> "/v1/messages/:id".
[[nodiscard]] std::string router_pattern(const std::string& openapi_path);

}  // namespace relay::test
