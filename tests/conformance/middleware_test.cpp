// Middleware hooks, budgets and telemetry behave the same on every driver.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {

class middleware_suite : public conformance {
protected:
    void seed(runtime& rt, int rows) {
        rt.execute(sql("CREATE TABLE events(id " + types().integer + " PRIMARY KEY, kind " + types().text + ")"))
            .drain();
        const sql_template insert("INSERT INTO events(id, kind) VALUES (?, ?)");
        for (int i = 1; i <= rows; ++i) rt.execute(insert.bind(i, i % 2 ? "odd" : "even")).drain();
    }
};

// Records every hook call so tests can check order and contents.
class recorder final : public middleware {
public:
    std::string_view name() const noexcept override { return "recorder"; }
    void before_execute(const execution_context& ctx) override {
        log.push_back("before:" + std::string(to_string(ctx.scope)));
        ids.push_back(ctx.id);
    }
    void on_row(const execution_context& ctx, const row&) override { log.push_back("row:" + std::to_string(ctx.rows)); }
    void after_execute(const execution_context&, const execution_summary& s) override {
        log.push_back("after:" + std::string(to_string(s.outcome)) + ":" + std::to_string(s.rows) +
                      (s.abandoned ? ":abandoned" : ""));
    }
    std::vector<std::string> log;
    std::vector<std::uint64_t> ids;
};

TEST_P(middleware_suite, hooks_run_in_order_around_each_execution) {
    auto rec = std::make_shared<recorder>();
    auto& rt = connect({rec});
    (void)rt.execute(sql("SELECT 1 UNION ALL SELECT 2")).all();
    EXPECT_EQ(rec->log, (std::vector<std::string>{"before:runtime", "row:1", "row:2", "after:success:2"}));
    rec->log.clear();
    EXPECT_ANY_THROW(rt.execute(sql("SELECT * FROM missing")).drain());
    EXPECT_EQ(rec->log, (std::vector<std::string>{"before:runtime", "after:error:0"}));
    rec->log.clear();
    {
        auto s = rt.execute(sql("SELECT 1 UNION ALL SELECT 2"));
        (void)s.begin();
    }
    EXPECT_EQ(rec->log, (std::vector<std::string>{"before:runtime", "row:1", "after:success:1:abandoned"}));
    (void)rt.execute(sql("SELECT 1")).all();
    ASSERT_GE(rec->ids.size(), 2u);
    EXPECT_NE(rec->ids[0], rec->ids[1]);
}

class canned final : public middleware {
public:
    std::string_view name() const noexcept override { return "canned"; }
    std::optional<std::vector<row>> intercept(const execution_context& ctx) override {
        if (ctx.statement->sql().find("cached_answer") == std::string::npos) return std::nullopt;
        auto shape = std::make_shared<const row_shape>(std::vector<column_info>{{"answer", ""}});
        return std::vector<row>{row(shape, {value{std::int64_t{42}}})};
    }
};

TEST_P(middleware_suite, intercept_answers_without_the_database) {
    auto rec = std::make_shared<recorder>();
    auto& rt = connect({std::make_shared<canned>(), rec});
    // the table does not exist: only an intercepted execution can succeed
    EXPECT_EQ(rt.execute(sql("SELECT cached_answer FROM nowhere")).one_as<int>(), 42);
    EXPECT_EQ(rec->log.back(), "after:intercepted:1");
}

TEST_P(middleware_suite, strict_row_estimate_blocks_an_unbounded_select_before_it_runs) {
    budget_options o;
    o.max_rows = 100;
    o.table_rows = {{"events", 1'000'000}};
    auto& rt = connect({budgets(o)});
    // the table does not even exist: a budget error (not 42P01) proves nothing ran
    auto e = catch_error([&] { rt.execute(sql("SELECT * FROM events WHERE kind = ?", "odd")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "BUDGET.ROWS_EXCEEDED");
    EXPECT_EQ(e->category(), error_category::budget);
    EXPECT_EQ(e->details().at("table"), "events");
    // with a LIMIT the estimate does not apply
    seed(rt, 10);
    EXPECT_EQ(rt.execute(sql("SELECT * FROM events LIMIT 5")).all().size(), 5u);
}

TEST_P(middleware_suite, strict_row_budget_stops_a_stream_that_returns_too_many) {
    budget_options o;
    o.max_rows = 5;
    auto& rt = connect({budgets(o)});
    seed(rt, 20);
    EXPECT_EQ(rt.execute(sql("SELECT * FROM events WHERE id <= 5")).all().size(), 5u);
    EXPECT_STRATA_ERROR(rt.execute(sql("SELECT * FROM events")).drain(), "BUDGET.ROWS_EXCEEDED");
}

TEST_P(middleware_suite, permissive_budgets_report_and_go_on) {
    std::vector<std::string> reported;
    budget_options o;
    o.max_rows = 5;
    o.table_rows = {{"events", 500}};
    o.max_latency = std::chrono::milliseconds(0);
    o.mode = budget_mode::permissive;
    o.on_violation = [&](const error& e) { reported.push_back(e.code()); };
    auto& rt = connect({budgets(o)});
    seed(rt, 20);
    reported.clear();
    EXPECT_EQ(rt.execute(sql("SELECT * FROM events")).all().size(), 20u);
    // estimate, actual rows, and latency (any execution takes more than 0 ms)
    EXPECT_EQ(reported, (std::vector<std::string>{"BUDGET.ROWS_EXCEEDED", "BUDGET.ROWS_EXCEEDED",
                                                  "BUDGET.LATENCY_EXCEEDED"}));
}

TEST_P(middleware_suite, strict_latency_budget_fails_the_execution) {
    budget_options o;
    o.max_latency = std::chrono::milliseconds(0);
    auto& rt = connect({budgets(o)});
    EXPECT_STRATA_ERROR(rt.execute(sql("SELECT 1")).drain(), "BUDGET.LATENCY_EXCEEDED");
}

TEST_P(middleware_suite, telemetry_counts_by_normalized_fingerprint) {
    std::vector<telemetry_event> events;
    auto t = std::make_shared<telemetry>([&](const telemetry_event& ev) { events.push_back(ev); });
    auto& rt = connect({t});
    seed(rt, 3);
    (void)rt.execute(sql("SELECT kind FROM events WHERE id = 1")).all();
    (void)rt.execute(sql("select  kind from events where id = 2")).all();
    EXPECT_ANY_THROW(rt.execute(sql("SELECT kind FROM events WHERE nope = 3")).drain());
    const auto by = t->by_fingerprint();
    const auto it = by.find("select kind from events where id = ?");
    ASSERT_NE(it, by.end());
    EXPECT_EQ(it->second.executions, 2u);
    EXPECT_EQ(it->second.rows, 2u);
    EXPECT_EQ(it->second.failures, 0u);
    EXPECT_EQ(t->totals().failures, 1u);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().outcome, execution_outcome::error);
    EXPECT_EQ(events.back().error_code.substr(0, 6), "QUERY.");
    EXPECT_EQ(events.back().hash.size(), 16u);
}

STRATA_CONFORMANCE_SUITE(middleware_suite);

}  // namespace
}  // namespace strata::test
