#include "strata/budgets.hpp"

#include <cstdio>

namespace strata {
namespace {

class budgets_middleware final : public middleware {
public:
    explicit budgets_middleware(budget_options o) : o_(std::move(o)) {
        if (!o_.on_violation) {
            o_.on_violation = [](const error& e) { std::fprintf(stderr, "strata budget: %s\n", e.what()); };
        }
    }
    [[nodiscard]] std::string_view name() const noexcept override { return "budgets"; }

    void before_execute(const execution_context& ctx) override {
        if (!o_.max_rows || ctx.statement == nullptr) return;
        const plan_meta& m = ctx.statement->meta();
        if (m.kind != statement_kind::read || m.has_limit) return;
        std::uint64_t estimate = 0;
        std::string biggest;
        for (const auto& t : m.tables) {
            if (auto it = o_.table_rows.find(t); it != o_.table_rows.end() && it->second > estimate) {
                estimate = it->second;
                biggest = t;
            }
        }
        if (estimate > *o_.max_rows) {
            violation(error(std::string(codes::budget_rows_exceeded),
                            "This SELECT has no LIMIT and may read about " + std::to_string(estimate) +
                                " rows from " + biggest + ", over the budget of " + std::to_string(*o_.max_rows) +
                                ". Add a LIMIT or a narrower condition.",
                            {{"estimated_rows", std::to_string(estimate)},
                             {"max_rows", std::to_string(*o_.max_rows)},
                             {"table", biggest}}));
        }
    }

    void on_row(const execution_context& ctx, const row&) override {
        if (o_.max_rows && ctx.rows == *o_.max_rows + 1) {
            violation(error(std::string(codes::budget_rows_exceeded),
                            "The query returned more than " + std::to_string(*o_.max_rows) +
                                " rows, over its budget. Add a LIMIT or page through the results.",
                            {{"max_rows", std::to_string(*o_.max_rows)}}));
        }
    }

    void after_execute(const execution_context&, const execution_summary& s) override {
        if (!o_.max_latency || s.outcome == execution_outcome::error) return;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s.duration);
        if (s.duration > *o_.max_latency) {
            violation(error(std::string(codes::budget_latency_exceeded),
                            "The query took " + std::to_string(ms.count()) + " ms, over its budget of " +
                                std::to_string(o_.max_latency->count()) +
                                " ms. Add an index, narrow the query, or raise the budget.",
                            {{"duration_ms", std::to_string(ms.count())},
                             {"max_latency_ms", std::to_string(o_.max_latency->count())}}));
        }
    }

private:
    void violation(error e) {
        if (o_.mode == budget_mode::strict) throw std::move(e);
        o_.on_violation(e);
    }
    budget_options o_;
};

}  // namespace

std::shared_ptr<middleware> budgets(budget_options options) {
    return std::make_shared<budgets_middleware>(std::move(options));
}

}  // namespace strata
