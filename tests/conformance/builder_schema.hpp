// Tables the builder tests declare in C++.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "strata/query.hpp"

namespace strata::test::schema {

struct authors {
    static constexpr std::string_view table_name = "authors";
    static constexpr column<authors, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<authors, std::string> name{"name", {.unique = true}};
    static constexpr column<authors, std::optional<std::string>> bio{"bio"};
    static constexpr auto columns = std::tuple{id, name, bio};
};

struct posts {
    static constexpr std::string_view table_name = "posts";
    static constexpr column<posts, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<posts, std::int64_t> author_id{"author_id", {.references = {"authors", "id"}}};
    static constexpr column<posts, std::string> title{"title"};
    static constexpr column<posts, std::int64_t> likes{"likes"};
    static constexpr column<posts, std::chrono::sys_time<std::chrono::microseconds>> created_at{"created_at"};
    static constexpr auto columns = std::tuple{id, author_id, title, likes, created_at};
};

// Not part of any query below: selecting from it without a join must not compile.
struct tags {
    static constexpr std::string_view table_name = "tags";
    static constexpr column<tags, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr auto columns = std::tuple{id};
};

}  // namespace strata::test::schema
