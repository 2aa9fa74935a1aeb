// Values as the machine formats (json, jsonl, csv) write them: see row_writer.hpp.
#pragma once

#include <string>
#include <vector>

#include <strata/row.hpp>

namespace strata::cli {

// Lower-case hex.
[[nodiscard]] std::string hex_text(const blob& b);
// RFC 3339 in UTC: "YYYY-MM-DDTHH:MM:SS.ffffffZ".
[[nodiscard]] std::string rfc3339_text(timestamp t);
// Column names made unique (a repeated name gets ":2", ":3"...), as object keys must be.
[[nodiscard]] std::vector<std::string> unique_column_names(const row_shape& shape);

}  // namespace strata::cli
