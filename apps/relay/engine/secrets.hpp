// Workspace keys and agent tokens. Only their SHA-256 hashes are stored; the plain value
// is shown once, in the response that created it, and never logged.
#pragma once

#include <string>
#include <string_view>

namespace relay {

inline constexpr std::string_view workspace_key_prefix = "rk_live_";
inline constexpr std::string_view agent_token_prefix = "at_live_";

[[nodiscard]] std::string random_hex(std::size_t bytes);
[[nodiscard]] std::string sha256_hex(std::string_view data);
[[nodiscard]] std::string new_workspace_key();  // rk_live_<32 hex>
[[nodiscard]] std::string new_agent_token();    // at_live_<32 hex>

}  // namespace relay
