#include <iostream>
#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

struct authors {
    static constexpr std::string_view table_name = "authors";
    static constexpr strata::column<authors, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr strata::column<authors, std::string> name{"name"};
    static constexpr auto columns = std::tuple{id, name};
};
struct posts {
    static constexpr std::string_view table_name = "posts";
    static constexpr strata::column<posts, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr strata::column<posts, std::int64_t> author_id{"author_id", {.references = {"authors", "id"}}};
    static constexpr strata::column<posts, std::string> title{"title"};
    static constexpr auto columns = std::tuple{id, author_id, title};
};

int main() {
    namespace orm = strata::orm;
    using strata::set;
    auto db = strata::instantiate(strata::sqlite::make_stack());
    db.connect(strata::sqlite::memory{});
    strata::migrate(db, strata::make_contract<authors, posts>());
    const orm::collection<authors> people(db);  // or (tx) inside db.transaction: same API
    // A parent with its children, in one transaction: all of it lands or none of it.
    (void)people.create_nested({set(authors::id, 1), set(authors::name, "ann")},
                               orm::children<posts>({{set(posts::id, 1), set(posts::title, "hello")},
                                                     {set(posts::id, 2), set(posts::title, "again")}}));
    // Two statements however many authors: authors, then posts WHERE author_id IN (...).
    for (const auto& a : people.where(authors::name == "ann").include<posts>().all())
        for (const auto& p : a.get<posts>()) std::cout << std::get<1>(a.row) << ": " << std::get<2>(p) << '\n';
}
