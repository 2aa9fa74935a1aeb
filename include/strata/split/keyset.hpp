// Split stores, part 3: lists over both stores, paged by a time-based keyset
// `(created_at, id)` (see docs/decisions/0013-split-stores.md).
//
// The caller gives a plan builder: for an optional key and a limit it returns the same
// keyset query for any store — rows strictly after the key in the list's direction,
// ordered by (created_at, id) that way, at most `limit` rows. The list runs it on each
// store with limit + 1, dedupes by id (the new store wins), merges with a comparator
// that agrees with the databases, and returns a page with a cursor valid across both.
//
// The comparator: integers and times numerically, text bytewise (the query must order
// text by bytes: SQLite's default BINARY collation, `COLLATE "C"` on PostgreSQL). NULL
// keys are refused (the dialects order NULLs differently). Rows a store returns out of
// this order raise SPLIT.ORDER_MISMATCH rather than produce a silently wrong page.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/row.hpp"
#include "strata/split/topology.hpp"
#include "strata/value.hpp"

namespace strata::split {

enum class direction { newest_first, oldest_first };

// A keyset position. created_at: integer or time; id: integer or text.
struct key {
    value created_at;
    value id;
    friend bool operator==(const key&, const key&) = default;
};

// Total order of keys, ascending: <0, 0, >0. SPLIT.ORDER_MISMATCH for NULLs or for
// components of different kinds.
[[nodiscard]] int compare(const key& a, const key& b);

// An opaque cursor ("k1." + the key) and back; SPLIT.CURSOR_INVALID for anything that
// is not a cursor this function made.
[[nodiscard]] std::string encode_cursor(const key& k);
[[nodiscard]] key decode_cursor(std::string_view cursor);

struct list_request {
    direction order = direction::newest_first;
    std::int64_t limit = 50;     // 1..10000, else SPLIT.INVALID_ARGUMENT
    std::optional<key> after{};  // the page starts strictly after this key
    std::string created_at_column = "created_at";
    std::string id_column = "id";
    // Ask the stores at the same time (one thread per extra store): a page then costs the
    // slower store's round trip instead of the sum. Worth it for networked databases; for
    // SQLite files the thread costs more than it saves.
    bool concurrent = false;
};

struct page {
    std::vector<row> rows;                     // at most limit, in the list's order
    std::vector<residency> from;               // the store each row came from
    std::optional<key> last{};                 // the key of the last row, when rows is not empty
    std::optional<std::string> next_cursor{};  // set when has_more
    bool has_more = false;
};

using keyset_builder = std::function<plan(const std::optional<key>& after, std::int64_t limit)>;

// Reads one page over the topology's list stores (both when split, one otherwise).
[[nodiscard]] page list(const topology& t, const list_request& request, const keyset_builder& build,
                        read_consistency c = read_consistency::replica_ok);

// The merge itself, over rows already read from each store (new store first): exposed
// for callers that read the stores themselves.
struct store_rows {
    residency from;
    std::vector<row> rows;
};
[[nodiscard]] page merge(const list_request& request, std::vector<store_rows> sources);

}  // namespace strata::split
