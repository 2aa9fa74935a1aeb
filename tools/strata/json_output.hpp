// Rows as JSON for programs: exactly one array of objects, one object per row, keys in
// column order. Integers and reals are numbers, NULL is null, booleans are true/false,
// blobs are lower-case hex strings, timestamps are "YYYY-MM-DD HH:MM:SS.ffffff" strings,
// JSON columns are embedded as JSON. A statement without rows prints [].
#pragma once

#include <iosfwd>
#include <vector>

#include <strata/row.hpp>

namespace strata::cli {

void write_json(std::ostream& out, const std::vector<strata::row>& rows);

}  // namespace strata::cli
