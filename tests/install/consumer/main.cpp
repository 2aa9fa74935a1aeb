// Uses the installed strata headers and libraries: prints "consumer ok: 2 rows, QUERY.CONSTRAINT_VIOLATION".
#include <iostream>
#include <string>

#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

int main() {
    try {
        auto db = strata::instantiate(strata::sqlite::make_stack());
        db.connect(strata::sqlite::memory{});
        db.execute(strata::sql("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)")).drain();
        db.execute(strata::sql("INSERT INTO t(name) VALUES (?), (?)", "ann", "bob")).drain();
        const auto rows = db.execute(strata::sql("SELECT id, name FROM t")).all();
        std::string code = "no error";
        try {
            db.execute(strata::sql("INSERT INTO t(name) VALUES (?)", "ann")).drain();
        } catch (const strata::error& e) {
            code = e.code();
        }
        std::cout << "consumer ok: " << rows.size() << " rows, " << code << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "consumer failed: " << e.what() << '\n';
        return 1;
    }
}
