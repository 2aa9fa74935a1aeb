#include "support/json_schema.hpp"

#include <algorithm>

namespace relay::test {
namespace {

bool has_type(const json& value, const std::string& type) {
    if (type == "null") return value.is_null();
    if (type == "boolean") return value.is_boolean();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "string") return value.is_string();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    return false;
}

class checker {
public:
    explicit checker(const json& document) : document_(document) {}

    void check(const json& schema, const json& value, const std::string& at) {
        if (!schema.is_object()) return error(at, "the schema is not an object");
        if (schema.contains("$ref")) return check_ref(schema["$ref"].get<std::string>(), value, at);
        if (schema.contains("type") && !check_type(schema["type"], value, at)) return;
        if (schema.contains("enum") &&
            std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end())
            error(at, value.dump() + " is not one of " + schema["enum"].dump());
        if (schema.contains("oneOf")) check_one_of(schema["oneOf"], value, at);
        if (value.is_object()) check_object(schema, value, at);
        if (value.is_array() && schema.contains("items"))
            for (std::size_t i = 0; i < value.size(); ++i) check(schema["items"], value[i], at + "/" + std::to_string(i));
    }

    std::vector<std::string> errors;

private:
    void error(const std::string& at, const std::string& what) { errors.push_back((at.empty() ? "/" : at) + ": " + what); }

    void check_ref(const std::string& ref, const json& value, const std::string& at) {
        const json* target = resolve_ref(document_, ref);
        if (!target) return error(at, "no schema " + ref);
        check(*target, value, at);
    }

    bool check_type(const json& type, const json& value, const std::string& at) {
        const std::vector<std::string> names =
            type.is_array() ? type.get<std::vector<std::string>>() : std::vector<std::string>{type.get<std::string>()};
        for (const auto& name : names)
            if (has_type(value, name)) return true;
        error(at, value.dump().substr(0, 80) + " is not of type " + type.dump());
        return false;
    }

    void check_one_of(const json& options, const json& value, const std::string& at) {
        int matched = 0;
        for (const auto& option : options) {
            checker inner(document_);
            inner.check(option, value, at);
            matched += inner.errors.empty() ? 1 : 0;
        }
        if (matched != 1) error(at, "matches " + std::to_string(matched) + " of the oneOf schemas, not one");
    }

    void check_object(const json& schema, const json& value, const std::string& at) {
        const json properties = schema.value("properties", json::object());
        for (const auto& name : schema.value("required", json::array()))
            if (!value.contains(name.get<std::string>())) error(at, "lacks the required " + name.dump());
        for (const auto& [name, member] : value.items()) {
            if (properties.contains(name)) {
                check(properties[name], member, at + "/" + name);
                continue;
            }
            const json extra = schema.value("additionalProperties", json(true));
            if (extra.is_boolean() && !extra.get<bool>())
                error(at, "has " + name + ", which the schema does not name");
            else if (extra.is_object())
                check(extra, member, at + "/" + name);
        }
    }

    const json& document_;
};

}  // namespace

const json* resolve_ref(const json& document, const std::string& ref) {
    if (ref.rfind("#/", 0) != 0) return nullptr;
    const json* node = &document;
    std::size_t start = 2;
    while (start <= ref.size()) {
        const auto slash = ref.find('/', start);
        const std::string part = ref.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!node->is_object() || !node->contains(part)) return nullptr;
        node = &(*node)[part];
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return node;
}

std::vector<std::string> schema_errors(const json& document, const json& schema, const json& value) {
    checker c(document);
    c.check(schema, value, "");
    return c.errors;
}

}  // namespace relay::test
