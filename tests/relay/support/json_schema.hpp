// A JSON Schema subset, enough to hold relay's responses to the schemas of its API
// document (apps/relay/api/openapi.json): type (a name or a list of names, so
// ["string", "null"] is nullable), properties, required, additionalProperties (false or
// a schema), items, enum, oneOf, and $ref to "#/..." inside the document. Other keywords
// (format, description, minimum...) are ignored: they describe, the tests check shape.
#pragma once

#include <string>
#include <vector>

#include "support/http_client.hpp"

namespace relay::test {

// Every way `value` breaks `schema`, each as "<JSON pointer>: <what>"; empty when it
// conforms. `document` resolves $ref. An unknown $ref or type name is an error too.
[[nodiscard]] std::vector<std::string> schema_errors(const json& document, const json& schema, const json& value);

// The node a "#/a/b" reference names (null when there is none).
[[nodiscard]] const json* resolve_ref(const json& document, const std::string& ref);

}  // namespace relay::test
