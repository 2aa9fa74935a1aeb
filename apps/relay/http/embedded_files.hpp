// Files built into the relay binary (cmake/embed_files.cmake writes the table from the
// source tree at build time): the API document api/openapi.json and the web console's
// console/*. One source of truth, nothing read from disk or fetched at run time.
#pragma once

#include <span>
#include <string_view>

namespace relay::http {

struct embedded_file {
    std::string_view name;   // its path under apps/relay: "api/openapi.json"
    std::string_view bytes;
};

[[nodiscard]] std::span<const embedded_file> embedded_files() noexcept;

}  // namespace relay::http
