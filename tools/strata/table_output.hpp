// Rows as a text table for people:
//
//   id | name
//   ---+-----
//    1 | ann
//   (1 row)
//
// Numbers are right-aligned, NULL prints as NULL, control characters are escaped so a
// row stays on one line. A statement that returns no rows prints "(0 rows)" when it is
// a read (or has RETURNING), else "OK".
#pragma once

#include <iosfwd>
#include <vector>

#include <strata/row.hpp>

namespace strata::cli {

void write_table(std::ostream& out, const std::vector<strata::row>& rows, bool statement_returns_rows);

}  // namespace strata::cli
