// How deeply a JSON text nests, found by one pass over its bytes before anything parses,
// copies or prints it: nlohmann's parser is iterative, but copying, dumping and
// comparing a value recurse once per level, so a body nested a few hundred thousand
// levels deep overflows the stack. Anything nested deeper than a route needs is refused.
#pragma once

#include <cstddef>
#include <string_view>

namespace relay {

inline constexpr std::size_t max_json_depth = 32;

// True when `text` opens more than `limit` arrays/objects inside one another. Brackets
// inside strings do not count; the text need not be valid JSON (the parser decides that).
[[nodiscard]] bool json_nesting_exceeds(std::string_view text, std::size_t limit = max_json_depth) noexcept;

}  // namespace relay
