// Text that may reach the database: valid UTF-8 by PostgreSQL's rules (RFC 3629: no
// overlong form of any length, no surrogate code points U+D800..U+DFFF, nothing above
// U+10FFFF) and no NUL, which PostgreSQL cannot store in text. SQLite would store any
// bytes; checking the same rules at the edge makes both databases answer alike (400
// invalid_utf8) instead of PostgreSQL answering 500.
#pragma once

#include <string_view>

namespace relay {

[[nodiscard]] bool valid_utf8(std::string_view s) noexcept;
// valid_utf8 and no NUL byte.
[[nodiscard]] bool storable_text(std::string_view s) noexcept;

}  // namespace relay
