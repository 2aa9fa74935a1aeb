#include <iostream>

#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

int main() {
    auto db = strata::instantiate(strata::sqlite::make_stack());
    db.connect(strata::sqlite::memory{});
    db.execute(strata::sql("CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER CHECK (balance >= 0))")).drain();
    db.execute(strata::sql("INSERT INTO accounts VALUES (1, 100), (2, 0)")).drain();
    // Commit on return, rollback on throw; nothing read inside escapes the callback.
    const int left = db.transaction([](strata::tx& tx) {
        tx.execute(strata::sql("UPDATE accounts SET balance = balance - ? WHERE id = 1", 30)).drain();
        tx.execute(strata::sql("UPDATE accounts SET balance = balance + ? WHERE id = 2", 30)).drain();
        return tx.execute(strata::sql("SELECT balance FROM accounts WHERE id = 1")).one_as<int>();
    });
    // A unit of writes that all land or none do, on the strongest mechanism available.
    const strata::sql_template move("UPDATE accounts SET balance = balance + ? WHERE id = ?");
    try {
        (void)strata::run_atomic_writes(db, {move.bind(-500, 1), move.bind(500, 2)});
    } catch (const strata::error& e) {
        std::cout << e.code() << ' ' << e.sql()->sqlstate << '\n';  // ATOMIC.UNIT_FAILED 23514
    }
    std::cout << left << '\n';  // 70: the failed unit changed nothing
}
