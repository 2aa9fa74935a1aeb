// Name rules (internal to the engine).
#pragma once

#include <string_view>

namespace relay::detail {

// Channels: [a-z0-9_-]{1,64}.
[[nodiscard]] inline bool valid_channel_name(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

// Agents: [A-Za-z0-9_-]{1,64}, the characters an @mention can hold.
[[nodiscard]] inline bool valid_agent_name(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

// A unique-constraint violation (SQLSTATE 23505), the same on SQLite and PostgreSQL.
[[nodiscard]] bool is_unique_violation(const std::exception& e);

}  // namespace relay::detail
