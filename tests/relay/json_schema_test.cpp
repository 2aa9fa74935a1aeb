// The schema checker the API-document tests rely on (support/json_schema.hpp) refuses
// what it must: a checker that passes everything would make those tests pass for nothing.
#include <gtest/gtest.h>

#include "support/json_schema.hpp"

namespace relay::test {
namespace {

const json document = json::parse(R"({
  "components": {"schemas": {
    "Item": {"type": "object", "additionalProperties": false, "required": ["id", "note"],
             "properties": {"id": {"type": "string"}, "note": {"type": ["string", "null"]},
                            "kind": {"enum": ["a", "b"]}, "tags": {"type": "array", "items": {"type": "integer"}}}},
    "Either": {"oneOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]}
  }}})");
const json item = {{"$ref", "#/components/schemas/Item"}};

TEST(json_schema, a_conforming_value_has_no_errors) {
    EXPECT_TRUE(schema_errors(document, item, json::parse(R"({"id": "1", "note": null})")).empty());
    EXPECT_TRUE(schema_errors(document, item, json::parse(R"({"id": "1", "note": "x", "kind": "b", "tags": [1]})")).empty());
    EXPECT_TRUE(schema_errors(document, {{"$ref", "#/components/schemas/Either"}}, nullptr).empty());
}

TEST(json_schema, each_broken_rule_is_reported_where_it_breaks) {
    auto errors = [&](const char* text) { return schema_errors(document, item, json::parse(text)); };
    EXPECT_EQ(errors(R"({"id": 1, "note": null})"), std::vector<std::string>{"/id: 1 is not of type \"string\""});
    EXPECT_EQ(errors(R"({"id": "1"})"), std::vector<std::string>{"/: lacks the required \"note\""});
    EXPECT_EQ(errors(R"({"id": "1", "note": null, "extra": 1})").size(), 1u);
    EXPECT_EQ(errors(R"({"id": "1", "note": null, "kind": "c"})").size(), 1u);
    EXPECT_EQ(errors(R"({"id": "1", "note": null, "tags": [1, "2"]})"),
              std::vector<std::string>{"/tags/1: \"2\" is not of type \"integer\""});
    EXPECT_EQ(errors(R"([])").size(), 1u);
    EXPECT_EQ(schema_errors(document, {{"$ref", "#/components/schemas/Either"}}, json::array()).size(), 1u);
    EXPECT_EQ(schema_errors(document, {{"$ref", "#/components/schemas/Nope"}}, 1).size(), 1u);
}

}  // namespace
}  // namespace relay::test
