#include "strata/value.hpp"

#include <cstdio>

#include "strata/timestamp_text.hpp"

namespace strata {

std::string_view to_string(value_kind k) noexcept {
    switch (k) {
        case value_kind::nil: return "null";
        case value_kind::boolean: return "bool";
        case value_kind::integer: return "integer";
        case value_kind::real: return "real";
        case value_kind::text: return "text";
        case value_kind::bytes: return "blob";
        case value_kind::time: return "timestamp";
        case value_kind::json: return "json";
    }
    return "unknown";
}

std::string value::to_display() const {
    struct visitor {
        std::string operator()(null_t) const { return "NULL"; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", d);
            return buf;
        }
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(const blob& b) const {
            static constexpr char hex[] = "0123456789abcdef";
            std::string out = "x'";
            for (std::byte c : b) {
                out += hex[std::to_integer<unsigned>(c) >> 4];
                out += hex[std::to_integer<unsigned>(c) & 0xF];
            }
            return out + "'";
        }
        std::string operator()(timestamp t) const { return format_timestamp(t); }
        std::string operator()(const json_text& j) const { return j.text; }
    };
    return std::visit(visitor{}, v_);
}

}  // namespace strata
