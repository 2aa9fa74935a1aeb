// Internal: a lexical scan of SQL text, shared by the raw lane (statement count,
// placeholders, tables, kind) and telemetry (normalized fingerprint). It understands
// quoted strings and identifiers, comments and PostgreSQL dollar quotes, so a `;` or `?`
// inside them is not mistaken for syntax.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace strata::detail {

enum class token_kind { word, quoted_identifier, string_literal, number, placeholder, semicolon, punct };

struct token {
    token_kind kind;
    std::string_view text;
};

// Calls `fn(token)` for each token; comments and whitespace are skipped. Returns false
// if the text ends inside a quote or comment (unterminated).
template <class Fn>
bool for_each_token(std::string_view sql, Fn&& fn);

struct sql_facts {
    bool terminated = true;          // false: an unterminated quote or comment
    bool empty = true;               // nothing but whitespace, comments and semicolons
    bool multiple_statements = false;
    std::size_t placeholders = 0;
    bool numbered_placeholders = false;  // ?NNN seen (not portable: rejected by the lane)
    std::string first_keyword;       // lower case
    std::vector<std::string> tables; // after FROM / JOIN / INTO / UPDATE, lower case
    bool has_limit = false;
    bool has_returning = false;
};

[[nodiscard]] sql_facts scan_sql(std::string_view sql);
[[nodiscard]] std::string normalize_sql_text(std::string_view sql);
[[nodiscard]] std::string lower(std::string_view s);

}  // namespace strata::detail

#include "sql_scan_impl.hpp"
