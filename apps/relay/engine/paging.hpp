// Paging the lists that are not message histories (internal to the engine; decision
// 0018). Each list orders by a key of two columns — a name or a time, then an id — and
// a page holds the rows strictly after the key its cursor names. The cut, the order
// check and the cursor itself are strata::split's (merge, encode_cursor): the same
// cursors the time-ordered lists over two databases hand out.
#pragma once

#include <optional>
#include <strata/split.hpp>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "engine/types.hpp"

namespace relay::detail {

using strata::split::direction;

// The kinds of a list's two key columns: a cursor whose key has other kinds was made by
// another list, and must not reach a statement as the wrong type.
enum class key_kind { integer, text };
struct key_kinds {
    key_kind first;
    key_kind second;
};

// A list's keyset: its two key columns as SQL expressions (text ones in byte order:
// dialect_queries::in_byte_order), the names they have in the result, and the direction.
struct keyset {
    std::string first_sql;
    std::string second_sql;
    std::string first_column;
    std::string second_column;
    key_kinds kinds;
    direction order = direction::oldest_first;

    // The list request of a page: its limit, and the key it starts after (400
    // invalid_cursor for a cursor this list did not hand out).
    [[nodiscard]] strata::split::list_request request(const page_request& page) const;
    // `query` (SELECT ... WHERE ..., with its parameters) continued: rows strictly after
    // `after` in this order, ordered, at most n.
    [[nodiscard]] strata::plan plan(std::string query, std::vector<strata::value> params,
                                    const std::optional<strata::split::key>& after, std::int64_t n) const;
};

// The key a page starts after, or 400 invalid_cursor: a cursor strata refuses
// (SPLIT.CURSOR_INVALID), or one whose key has other kinds than `kinds`.
[[nodiscard]] std::optional<strata::split::key> page_start(const page_request& page, key_kinds kinds);

// One page from one database: build(after, limit + 1) runs there, then the page is cut.
[[nodiscard]] strata::split::page read_page(const strata::runtime& db, const strata::split::list_request& request,
                                            const strata::split::keyset_builder& build);

// {items_name: items, next_cursor, has_more} after the fields `head` already has.
[[nodiscard]] json page_json(json head, const char* items_name, json items, const strata::split::page& page);

}  // namespace relay::detail
