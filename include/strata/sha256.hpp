// SHA-256 (FIPS 180-4), for stable contract hashes and for storing token hashes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

[[nodiscard]] std::array<std::uint8_t, 32> sha256(std::string_view data) noexcept;
// Lower-case hex of sha256(data).
[[nodiscard]] std::string sha256_hex(std::string_view data);

}  // namespace strata
