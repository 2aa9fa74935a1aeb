// Time as relay stores it: milliseconds since the Unix epoch (minted by the application,
// so every statement of an atomic unit agrees), shown as ISO-8601 UTC.
#pragma once

#include <cstdint>
#include <string>

namespace relay {

[[nodiscard]] std::int64_t now_ms();
// "2026-06-10T12:34:56.789Z"
[[nodiscard]] std::string iso8601(std::int64_t ms);

}  // namespace relay
