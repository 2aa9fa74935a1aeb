#include "support/api_document.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "support/json_schema.hpp"

namespace relay::test {
namespace {

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::stringstream in(path);
    std::string part;
    while (std::getline(in, part, '/'))
        if (!part.empty()) out.push_back(part);
    return out;
}

bool is_parameter(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

}  // namespace

std::string router_pattern(const std::string& openapi_path) {
    std::string out;
    for (const auto& s : segments(openapi_path)) out += "/" + (is_parameter(s) ? ":" + s.substr(1, s.size() - 2) : s);
    return out.empty() ? "/" : out;
}

api_document::api_document(json document) : document_(std::move(document)) {}

std::set<std::string> api_document::operations() const {
    std::set<std::string> out;
    for (const auto& [path, item] : document_.at("paths").items())
        for (const auto& [method, op] : item.items()) out.insert(upper(method) + " " + router_pattern(path));
    return out;
}

std::string api_document::path_of(const std::string& path) const {
    const auto wanted = segments(path);
    std::string best;
    long best_literals = -1;
    for (const auto& [candidate, item] : document_.at("paths").items()) {
        const auto parts = segments(candidate);
        if (parts.size() != wanted.size()) continue;
        long literals = 0;
        bool match = true;
        for (std::size_t i = 0; i < parts.size() && match; ++i) {
            if (is_parameter(parts[i])) continue;
            match = parts[i] == wanted[i];
            ++literals;
        }
        if (match && literals > best_literals) {
            best = candidate;
            best_literals = literals;
        }
    }
    return best;
}

std::vector<std::string> api_document::check(const std::string& method, const std::string& target,
                                             const response& r) {
    const std::string where = method + " " + target + " -> " + std::to_string(r.status) + ": ";
    const std::string path = path_of(target.substr(0, target.find('?')));
    if (path.empty() || !document_["paths"][path].contains(lower(method)))
        return {where + "no operation in the document"};
    exercised_.insert(method + " " + router_pattern(path));
    const json& op = document_["paths"][path][lower(method)];
    const std::string status = std::to_string(r.status);
    if (!op["responses"].contains(status)) return {where + "the status is not documented"};
    const json* answer = &op["responses"][status];
    if (answer->contains("$ref")) answer = resolve_ref(document_, (*answer)["$ref"].get<std::string>());
    if (!answer) return {where + "the response's $ref names nothing"};
    if (!answer->contains("content")) return r.body.empty() ? std::vector<std::string>{} : std::vector{where + "a body"};
    const std::string type = r.header("content-type").substr(0, r.header("content-type").find(';'));
    const json& content = (*answer)["content"];
    const std::string media = content.contains(type) ? type : content.contains("*/*") ? "*/*" : "";
    if (media.empty()) return {where + "content type " + type + " is not documented"};
    if (type != "application/json") return {};
    const json body = r.body_json();
    if (body.is_null()) return {where + "the body is not JSON"};
    std::vector<std::string> out;
    for (auto& e : schema_errors(document_, content[media].value("schema", json::object()), body))
        out.push_back(where + e);
    if (r.status >= 400) {
        const json& codes = document_["x-error-codes"];
        if (std::find(codes.begin(), codes.end(), json(r.error_code())) == codes.end())
            out.push_back(where + "error code " + r.error_code() + " is not in x-error-codes");
    }
    return out;
}

}  // namespace relay::test
