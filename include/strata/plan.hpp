// strata::plan — an immutable description of one statement: SQL text with `?`
// placeholders, bound parameters (never spliced into the text) and metadata. Building a
// plan executes nothing; a plan is a value, safe to share between threads.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/value.hpp"

namespace strata {

enum class lane { raw_sql, builder, orm };
enum class statement_kind { read, write, unknown };

struct plan_meta {
    lane source = lane::raw_sql;
    statement_kind kind = statement_kind::unknown;
    std::vector<std::string> tables{};  // tables the statement reads or writes (lower case)
    bool has_limit = false;           // a SELECT with a LIMIT clause
    bool returning = false;           // a write with RETURNING
};

namespace ast {
struct statement;
}

// SQL lowered from a statement tree, per dialect, computed once by the adapter.
class lowered_sql_cache {
public:
    std::string get(std::string_view dialect, const std::function<std::string()>& lower) {
        std::lock_guard lock(mutex_);
        for (const auto& [d, sql] : entries_)
            if (d == dialect) return sql;
        entries_.emplace_back(std::string(dialect), lower());
        return entries_.back().second;
    }

private:
    std::mutex mutex_;
    std::vector<std::pair<std::string, std::string>> entries_;
};

// The parameter-independent part of a plan, shared by every plan bound from it.
// Raw-lane plans carry SQL text; builder plans carry a statement tree (sql is empty)
// that the adapter lowers to its dialect.
struct plan_text {
    std::string sql{};
    plan_meta meta;
    std::shared_ptr<const ast::statement> tree{};
    std::shared_ptr<lowered_sql_cache> lowered{};
};

namespace detail {
struct plan_access;
// Parameter vectors are recycled per thread: when a stream ends, its plan's vector (with
// the capacity of the text values in it) goes back to the thread that ran it, and the
// next sql_template::bind() on that thread fills it instead of allocating. A loop of
// executions then allocates nothing for its parameters.
[[nodiscard]] std::vector<value> take_param_buffer() noexcept;
void recycle_param_buffer(std::vector<value>&& params) noexcept;
}  // namespace detail

class plan {
public:
    plan(std::string sql, std::vector<value> params, plan_meta meta);
    plan(std::shared_ptr<const plan_text> text, std::vector<value> params) noexcept
        : text_(std::move(text)), params_(std::move(params)) {}

    [[nodiscard]] const std::string& sql() const noexcept { return text_->sql; }
    [[nodiscard]] const std::vector<value>& params() const noexcept { return params_; }
    [[nodiscard]] const plan_meta& meta() const noexcept { return text_->meta; }
    [[nodiscard]] const std::shared_ptr<const plan_text>& text() const noexcept { return text_; }
    // Copies with amended metadata (the original plan is unchanged).
    [[nodiscard]] plan with_tables(std::vector<std::string> tables) const;
    [[nodiscard]] plan with_kind(statement_kind kind) const;

private:
    friend struct detail::plan_access;
    // The text is shared; the parameters are the plan's own (moved, not copied, when a
    // freshly bound plan is executed).
    std::shared_ptr<const plan_text> text_;
    std::vector<value> params_;
};

}  // namespace strata
