#include "machine_text.hpp"

#include <algorithm>

#include <strata/timestamp_text.hpp>

namespace strata::cli {

std::string hex_text(const blob& b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(b.size() * 2);
    for (std::byte c : b) {
        out += digits[std::to_integer<unsigned>(c) >> 4];
        out += digits[std::to_integer<unsigned>(c) & 0xF];
    }
    return out;
}

std::string rfc3339_text(timestamp t) {
    std::string text = format_timestamp(t);  // "YYYY-MM-DD HH:MM:SS.ffffff", UTC
    if (const auto space = text.find(' '); space != std::string::npos) text[space] = 'T';
    return text + 'Z';
}

std::vector<std::string> unique_column_names(const row_shape& shape) {
    std::vector<std::string> keys;
    for (const column_info& c : shape.columns()) {
        std::string key = c.name;
        for (int n = 2; std::find(keys.begin(), keys.end(), key) != keys.end(); ++n) key = c.name + ":" + std::to_string(n);
        keys.push_back(std::move(key));
    }
    return keys;
}

}  // namespace strata::cli
