#include "json_output.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <strata/timestamp_text.hpp>

namespace strata::cli {
namespace {

using json = nlohmann::ordered_json;

std::string hex(const blob& b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(b.size() * 2);
    for (std::byte c : b) {
        out += digits[std::to_integer<unsigned>(c) >> 4];
        out += digits[std::to_integer<unsigned>(c) & 0xF];
    }
    return out;
}

json to_json(const value& v) {
    struct visitor {
        json operator()(null_t) const { return nullptr; }
        json operator()(bool b) const { return b; }
        json operator()(std::int64_t i) const { return i; }
        json operator()(double d) const { return d; }  // inf and NaN have no JSON form: null
        json operator()(const std::string& s) const { return s; }
        json operator()(const blob& b) const { return hex(b); }
        json operator()(timestamp t) const { return format_timestamp(t); }
        json operator()(const json_text& j) const {
            json parsed = json::parse(j.text, nullptr, false);
            return parsed.is_discarded() ? json(j.text) : parsed;  // not valid JSON: keep the text
        }
    };
    return std::visit(visitor{}, v.get());
}

// Keys must be unique in an object: a repeated column name gets ":2", ":3"...
std::vector<std::string> unique_keys(const row_shape& shape) {
    std::vector<std::string> keys;
    for (const column_info& c : shape.columns()) {
        std::string key = c.name;
        for (int n = 2; std::find(keys.begin(), keys.end(), key) != keys.end(); ++n) {
            key = c.name + ":" + std::to_string(n);
        }
        keys.push_back(std::move(key));
    }
    return keys;
}

}  // namespace

void write_json(std::ostream& out, const std::vector<strata::row>& rows) {
    if (rows.empty()) {
        out << "[]\n";
        return;
    }
    const std::vector<std::string> keys = unique_keys(rows.front().shape());
    out << "[\n";
    for (std::size_t r = 0; r < rows.size(); ++r) {
        json object = json::object();
        for (std::size_t i = 0; i < keys.size(); ++i) object[keys[i]] = to_json(rows[r].at(i));
        // Invalid UTF-8 in a text column must not abort the output: replace it.
        out << "  " << object.dump(-1, ' ', false, json::error_handler_t::replace)
            << (r + 1 < rows.size() ? ",\n" : "\n");
    }
    out << "]\n";
}

}  // namespace strata::cli
