#include <cstdint>
#include <iostream>
#include <string>

#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

int main() {
    auto db = strata::instantiate(strata::sqlite::make_stack());  // opens nothing yet
    db.connect(strata::sqlite::memory{});
    db.execute(strata::sql("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")).drain();
    db.execute(strata::sql("INSERT INTO users(name) VALUES (?), (?)", "ann", "bob")).drain();
    for (const strata::row& r : db.execute(strata::sql("SELECT id, name FROM users ORDER BY id")))
        std::cout << r.get<std::int64_t>("id") << ' ' << r.get<std::string>("name") << '\n';
    try {
        db.execute(strata::sql("INSERT INTO users(name) VALUES (?)", "ann")).drain();
    } catch (const strata::error& e) {
        std::cout << e.code() << '\n';  // QUERY.CONSTRAINT_VIOLATION
    }
}
