// strata::plan — an immutable description of one statement: SQL text with `?`
// placeholders, bound parameters (never spliced into the text) and metadata. Building a
// plan executes nothing; plans are cheap to copy and safe to share between threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "strata/value.hpp"

namespace strata {

enum class lane { raw_sql, builder, orm };
enum class statement_kind { read, write, unknown };

struct plan_meta {
    lane source = lane::raw_sql;
    statement_kind kind = statement_kind::unknown;
    std::vector<std::string> tables;  // tables the statement reads or writes (lower case)
    bool has_limit = false;           // a SELECT with a LIMIT clause
    bool returning = false;           // a write with RETURNING
};

class plan {
public:
    plan(std::string sql, std::vector<value> params, plan_meta meta);

    [[nodiscard]] const std::string& sql() const noexcept { return d_->sql; }
    [[nodiscard]] const std::vector<value>& params() const noexcept { return d_->params; }
    [[nodiscard]] const plan_meta& meta() const noexcept { return d_->meta; }
    // Copies with amended metadata (the original plan is unchanged).
    [[nodiscard]] plan with_tables(std::vector<std::string> tables) const;
    [[nodiscard]] plan with_kind(statement_kind kind) const;

private:
    struct data {
        std::string sql;
        std::vector<value> params;
        plan_meta meta;
    };
    explicit plan(std::shared_ptr<const data> d) : d_(std::move(d)) {}
    std::shared_ptr<const data> d_;
};

}  // namespace strata
