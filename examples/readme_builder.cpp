#include <iostream>

#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

struct users {
    static constexpr std::string_view table_name = "users";
    static constexpr strata::column<users, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr strata::column<users, std::string> name{"name", {.unique = true}};
    static constexpr strata::column<users, std::int64_t> karma{"karma"};
    static constexpr auto columns = std::tuple{id, name, karma};
};

int main() {
    auto db = strata::instantiate(strata::sqlite::make_stack());
    db.connect(strata::sqlite::memory{});
    strata::migrate(db, strata::make_contract<users>());  // CREATE TABLE + contract marker
    db.execute(strata::insert_into<users>(users::id, users::name, users::karma)
                   .values(1, "ann", 10).values(2, "bob", 3).plan()).drain();
    // Checked by the compiler: users::name == 42 or a column of an unjoined table won't build.
    const auto top = strata::from<users>().select(users::name, users::karma)
                         .where(users::karma >= strata::arg<std::int64_t>(0)).prepare();
    for (const auto& [name, karma] : db.execute(top.bind(5)).all_as<decltype(top)::row_type>())
        std::cout << name << ' ' << karma << '\n';  // ann 10
}
