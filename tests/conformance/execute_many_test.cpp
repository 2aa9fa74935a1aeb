// execute_many: one statement, many parameter rows, one connection — on every driver
// (SQLite binds rows into one prepared statement; PostgreSQL runs the SPI's default).
#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

using item = std::tuple<std::int64_t, std::string, double, std::optional<std::string>, bool>;

class execute_many_rows : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;
        exec("CREATE TABLE items(id " + types().integer + " PRIMARY KEY, name " + types().text + " NOT NULL, score " +
             types().real + " NOT NULL, note " + types().text + ", flag " + types().boolean + " NOT NULL)");
    }
    static std::vector<item> items(int n, int first = 1) {
        std::vector<item> out;
        for (int i = first; i < first + n; ++i)
            out.emplace_back(i, "item " + std::to_string(i), i * 0.5,
                             i % 3 == 0 ? std::nullopt : std::optional<std::string>("note " + std::to_string(i)),
                             i % 2 == 0);
        return out;
    }
    const sql_template insert{"INSERT INTO items(id, name, score, note, flag) VALUES (?, ?, ?, ?, ?)"};
};

TEST_P(execute_many_rows, every_row_is_inserted_with_its_values) {
    const auto rows = items(1000);
    const many_result r = db().execute_many(insert, rows);
    EXPECT_EQ(r.executions, 1000u);
    EXPECT_EQ(r.affected_rows, 1000u);
    EXPECT_EQ(count("items"), 1000);
    for (int id : {1, 3, 500, 1000}) {
        const auto got =
            db().execute(sql("SELECT id, name, score, note, flag FROM items WHERE id = ?", id)).one().as<item>();
        EXPECT_EQ(got, rows[static_cast<std::size_t>(id - 1)]) << "row " << id;
    }
}

TEST_P(execute_many_rows, a_failing_row_leaves_nothing_behind) {
    auto rows = items(10);
    std::get<0>(rows[5]) = 2;  // the sixth row repeats the second's key
    const auto e = catch_error([&] { (void)db().execute_many(insert, rows); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code(), codes::query_constraint) << e->describe();
    EXPECT_EQ(count("items"), 0) << "the rows before the failure were rolled back";
}

TEST_P(execute_many_rows, inside_a_transaction_the_rows_commit_or_roll_back_with_it) {
    const auto first = items(5);
    const auto second = items(5, 6);
    EXPECT_THROW(db().transaction([&](tx& t) {
        (void)t.execute_many(insert, first);
        throw std::runtime_error("changed my mind");
    }),
                 std::runtime_error);
    EXPECT_EQ(count("items"), 0);
    db().transaction([&](tx& t) {
        EXPECT_EQ(t.execute_many(insert, first).executions, 5u);
        t.execute(sql("DELETE FROM items WHERE id = 1")).drain();
        EXPECT_EQ(t.execute_many(insert, second).affected_rows, 5u);
    });
    EXPECT_EQ(count("items"), 9);
}

TEST_P(execute_many_rows, updates_report_the_rows_they_changed) {
    (void)db().execute_many(insert, items(10));
    const sql_template bump("UPDATE items SET score = score + ? WHERE id <= ?");
    const std::vector<std::tuple<double, std::int64_t>> rows{{1.0, 3}, {1.0, 0}, {2.0, 10}};
    const many_result r = db().execute_many(bump, rows);
    EXPECT_EQ(r.executions, 3u);
    EXPECT_EQ(r.affected_rows, 13u);
    EXPECT_EQ(db().execute(sql("SELECT score FROM items WHERE id = 2")).one_as<double>(), 1.0 + 1.0 + 2.0);
}

TEST_P(execute_many_rows, bad_input_is_refused_before_anything_runs) {
    const std::vector<std::tuple<std::int64_t, std::string>> too_narrow{{1, "a"}};
    EXPECT_STRATA_ERROR(db().execute_many(insert, too_narrow), "RUNTIME.INVALID_ARGUMENT");
    transaction_options retried;
    retried.retry.max_attempts = 3;
    EXPECT_STRATA_ERROR(db().execute_many(insert, items(1), retried), "RUNTIME.INVALID_ARGUMENT");
    const std::vector<item> none;
    EXPECT_EQ(db().execute_many(insert, none).executions, 0u);
    EXPECT_EQ(count("items"), 0);
}

TEST_P(execute_many_rows, middleware_sees_one_execution_of_the_statement) {
    auto t = std::make_shared<telemetry>();
    runtime& rt = connect({t});
    rt.execute(sql("CREATE TABLE IF NOT EXISTS items(id " + types().integer + " PRIMARY KEY, name " + types().text +
                   " NOT NULL, score " + types().real + " NOT NULL, note " + types().text + ", flag " +
                   types().boolean + " NOT NULL)"))
        .drain();  // an in-memory database is this runtime's own
    (void)rt.execute_many(insert, items(50));
    std::uint64_t inserts = 0;
    for (const auto& [fingerprint, c] : t->by_fingerprint()) {
        std::string lower = fingerprint;
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower.rfind("insert", 0) == 0) inserts += c.executions;
    }
    EXPECT_EQ(inserts, 1u);
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM items")).one_as<std::int64_t>(), 50);
}

// A param_rows of its own: values through codecs (times here), rows made on the fly.
class generated_rows final : public param_rows {
public:
    explicit generated_rows(int n) : n_(n) {}
    [[nodiscard]] std::size_t width() const noexcept override { return 2; }
    bool next(param_sink& out) override {
        if (i_ == n_) return false;
        ++i_;
        out.integer(1, i_);
        out.any(2, codec<timestamp>::encode(timestamp{std::chrono::milliseconds(1'700'000'000'000 + i_)}));
        return true;
    }

private:
    int n_;
    int i_ = 0;
};

TEST_P(execute_many_rows, a_custom_row_source_binds_any_value) {
    exec("CREATE TABLE stamps(id " + types().integer + " PRIMARY KEY, at " + types().timestamp + " NOT NULL)");
    generated_rows rows(20);
    EXPECT_EQ(db().execute_many(sql_template("INSERT INTO stamps(id, at) VALUES (?, ?)"), rows).executions, 20u);
    EXPECT_EQ(db().execute(sql("SELECT at FROM stamps WHERE id = 7")).one_as<timestamp>(),
              timestamp{std::chrono::milliseconds(1'700'000'000'007)});
}

STRATA_CONFORMANCE_SUITE(execute_many_rows);

}  // namespace
}  // namespace strata::test
