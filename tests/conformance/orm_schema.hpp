// Tables the ORM collection tests declare: authors 1—n posts 1—n comments (foreign
// keys), reviews with two foreign keys to authors, and tags related to nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "strata/orm.hpp"
#include "strata/query.hpp"

namespace strata::test::orm_schema {

using stamp = std::chrono::sys_time<std::chrono::microseconds>;

// authors decode into a struct (by column name); the other tables into tuples.
struct author {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> bio;
    friend bool operator==(const author&, const author&) = default;
};

struct authors {
    static constexpr std::string_view table_name = "authors";
    static constexpr column<authors, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<authors, std::string> name{"name", {.unique = true}};
    static constexpr column<authors, std::optional<std::string>> bio{"bio"};
    static constexpr auto columns = std::tuple{id, name, bio};
    using record = author;
};

struct posts {
    static constexpr std::string_view table_name = "posts";
    static constexpr column<posts, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<posts, std::int64_t> author_id{"author_id", {.references = {"authors", "id"}}};
    static constexpr column<posts, std::string> title{"title"};
    static constexpr column<posts, std::int64_t> likes{"likes", {.default_sql = "0"}};
    static constexpr column<posts, stamp> created_at{"created_at"};
    static constexpr auto columns = std::tuple{id, author_id, title, likes, created_at};
};

struct comments {
    static constexpr std::string_view table_name = "comments";
    static constexpr column<comments, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<comments, std::int64_t> post_id{"post_id", {.references = {"posts", "id", "CASCADE"}}};
    static constexpr column<comments, std::string> body{"body"};
    static constexpr auto columns = std::tuple{id, post_id, body};
};

// Two foreign keys to authors: include<reviews>() from authors must name one.
struct reviews {
    static constexpr std::string_view table_name = "reviews";
    static constexpr column<reviews, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<reviews, std::int64_t> author_id{"author_id", {.references = {"authors", "id"}}};
    static constexpr column<reviews, std::optional<std::int64_t>> reviewer_id{"reviewer_id",
                                                                              {.references = {"authors", "id"}}};
    static constexpr column<reviews, std::int64_t> stars{"stars"};
    static constexpr auto columns = std::tuple{id, author_id, reviewer_id, stars};
};

// Related to nothing: include<tags>() must not compile.
struct tags {
    static constexpr std::string_view table_name = "tags";
    static constexpr column<tags, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr column<tags, std::optional<std::string>> label{"label"};
    static constexpr auto columns = std::tuple{id, label};
};

}  // namespace strata::test::orm_schema

template <>
struct strata::fields<strata::test::orm_schema::author> {
    using author = strata::test::orm_schema::author;
    static constexpr auto list = std::tuple{strata::field("id", &author::id), strata::field("name", &author::name),
                                            strata::field("bio", &author::bio)};
};
