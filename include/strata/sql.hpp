// The raw SQL lane: a plan from SQL text with `?` placeholders and bound parameters.
//
//   auto p = strata::sql("SELECT name FROM users WHERE id = ?", 42);
//
// Values are always bound, never spliced. Text holding more than one statement is
// rejected (PLAN.MULTIPLE_STATEMENTS); a placeholder/parameter count mismatch is
// rejected (PLAN.PARAM_COUNT_MISMATCH); a value without a codec does not compile.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "strata/codec.hpp"
#include "strata/plan.hpp"

namespace strata {

[[nodiscard]] plan sql_plan(std::string text, std::vector<value> params);

// For adapters: the SQL with each `?` placeholder (outside quotes and comments) replaced
// by `prefix` and its 1-based position, e.g. "$1", "$2" for PostgreSQL.
[[nodiscard]] std::string number_placeholders(std::string_view sql, std::string_view prefix);

namespace detail {
[[noreturn]] void throw_param_encode(std::size_t index, const codec_failure& f);
template <class T>
value encode_param(std::size_t index, T&& x) {
    try {
        return strata::encode(std::forward<T>(x));
    } catch (const codec_failure& f) {
        throw_param_encode(index, f);
    }
}
}  // namespace detail

// SQL text checked once and bound many times: the way to run one statement in a loop.
//   const strata::sql_template insert("INSERT INTO t(a, b) VALUES (?, ?)");
//   for (...) db.execute(insert.bind(a, b)).drain();
class sql_template {
public:
    explicit sql_template(std::string text);  // throws PLAN.* errors

    template <class... Args>
    [[nodiscard]] plan bind(Args&&... args) const {
        std::vector<value> params;
        params.reserve(sizeof...(Args));
        std::size_t i = 0;
        (params.push_back(detail::encode_param(++i, std::forward<Args>(args))), ...);
        return bind_values(std::move(params));
    }
    // Throws PLAN.PARAM_COUNT_MISMATCH unless there is one value per placeholder.
    [[nodiscard]] plan bind_values(std::vector<value> params) const;
    [[nodiscard]] std::size_t placeholders() const noexcept { return placeholders_; }
    [[nodiscard]] const std::string& sql() const noexcept { return text_->sql; }

private:
    std::shared_ptr<const plan_text> text_;
    std::size_t placeholders_ = 0;
    bool checked_count_ = true;  // false when the text could not be fully scanned
};

template <class... Args>
[[nodiscard]] plan sql(std::string text, Args&&... args) {
    return sql_template(std::move(text)).bind(std::forward<Args>(args)...);
}

}  // namespace strata
