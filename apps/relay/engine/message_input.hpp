// Checks of a message body shared by the send paths (internal to the engine).
#pragma once

#include "engine/api_error.hpp"
#include "engine/types.hpp"

namespace relay::detail {

inline constexpr std::size_t max_text_bytes = 32 * 1024;
inline constexpr std::size_t max_metadata_bytes = 8 * 1024;

inline void check_message_input(const message_input& in) {
    if (in.text.empty()) fail(400, "invalid_request", "text must not be empty.");
    if (in.text.size() > max_text_bytes) fail(400, "invalid_request", "text is longer than 32 KiB.");
    if (in.metadata && !in.metadata->is_object()) fail(400, "invalid_request", "metadata must be an object.");
    if (in.metadata && in.metadata->dump().size() > max_metadata_bytes)
        fail(400, "invalid_request", "metadata is larger than 8 KiB.");
}

}  // namespace relay::detail
