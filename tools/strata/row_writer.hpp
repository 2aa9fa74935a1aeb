// Where `strata query` sends rows, one at a time as they arrive, so a result of any size
// prints in constant memory (the table keeps only its first rows, to size its columns).
//
// Formats:
//   table  for people: aligned columns, NULL, control characters escaped, a row count.
//          Column widths come from the first 1,000 rows; a later, wider value widens
//          only its own line.
//   json   one JSON array of objects, keys in column order.
//   jsonl  one JSON object per line (JSON Lines).
//   csv    RFC 4180: a header line of column names, then one line per row, CRLF line
//          ends; a field with a comma, quote, CR or LF is quoted. NULL is an empty
//          field, the empty string is "".
// In json, jsonl and csv: blobs are lower-case hex, timestamps RFC 3339 in UTC
// ("2026-12-06T10:00:00.000000Z"), integers are numbers unless integers_as_strings
// (64-bit ids survive JSON tools that read numbers as doubles). JSON columns are
// embedded as JSON (json, jsonl) or as their text (csv).
// A statement without rows prints "OK" (table; "(0 rows)" for a read), [] (json), and
// nothing (jsonl, csv: the column names are known only from a row).
#pragma once

#include <iosfwd>
#include <memory>

#include <strata/row.hpp>

namespace strata::cli {

enum class output_format { table, json, jsonl, csv };

struct output_options {
    output_format format = output_format::table;
    bool integers_as_strings = false;
};

class row_writer {
public:
    virtual ~row_writer() = default;
    virtual void write(const strata::row& r) = 0;
    // After the last row. statement_returns_rows: a read, or a write with RETURNING.
    virtual void finish(bool statement_returns_rows) = 0;
};

[[nodiscard]] std::unique_ptr<row_writer> make_row_writer(std::ostream& out, const output_options& options);

// Each format's writer (row_writer.cpp picks one).
[[nodiscard]] std::unique_ptr<row_writer> make_table_writer(std::ostream& out);
[[nodiscard]] std::unique_ptr<row_writer> make_json_writer(std::ostream& out, bool lines, bool integers_as_strings);
[[nodiscard]] std::unique_ptr<row_writer> make_csv_writer(std::ostream& out, bool integers_as_strings);

}  // namespace strata::cli
