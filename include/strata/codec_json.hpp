// JSON codec: nlohmann::json travels as JSON text (jsonb on PostgreSQL, text on SQLite).
#pragma once

#include <nlohmann/json.hpp>

#include "strata/codec.hpp"

namespace strata {

template <>
struct codec<nlohmann::json> {
    static constexpr std::string_view name = "json";
    static value encode(const nlohmann::json& j) { return value{json_text{j.dump()}}; }
    static nlohmann::json decode(const value& v) {
        const std::string* text = nullptr;
        if (auto j = v.get_if<json_text>()) text = &j->text;
        if (auto s = v.get_if<std::string>()) text = s;
        if (text == nullptr) detail::throw_codec_failure("json (or text)", v);
        auto parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) throw codec_failure{"text is not valid JSON"};
        return parsed;
    }
};

}  // namespace strata
