// The raw SQL lane: a plan from SQL text with `?` placeholders and bound parameters.
//
//   auto p = strata::sql("SELECT name FROM users WHERE id = ?", 42);
//
// Values are always bound, never spliced. Text holding more than one statement is
// rejected (PLAN.MULTIPLE_STATEMENTS); a placeholder/parameter count mismatch is
// rejected (PLAN.PARAM_COUNT_MISMATCH); a value without a codec does not compile.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
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
[[noreturn]] void throw_param_count(std::size_t placeholders, std::size_t given);
template <class T>
value encode_param(std::size_t index, T&& x) {
    try {
        return strata::encode(std::forward<T>(x));
    } catch (const codec_failure& f) {
        throw_param_encode(index, f);
    }
}

// Text the caller keeps (a const std::string&, a view, a C string): copied into the plan.
template <class T>
inline constexpr bool is_borrowed_text =
    (std::is_same_v<std::remove_cvref_t<T>, std::string> && std::is_lvalue_reference_v<T>) ||
    std::is_same_v<std::remove_cvref_t<T>, std::string_view> || std::is_same_v<std::decay_t<T>, const char*> ||
    std::is_same_v<std::decay_t<T>, char*>;

// Stores parameter `index` (1-based) into `slot`, a position of a recycled buffer: text
// is copied into the text already there, reusing its capacity (no allocation).
template <class T>
void assign_param(value& slot, std::size_t index, T&& x) {
    if constexpr (is_borrowed_text<T&&>) {
        if (std::string* text = value_access::text(slot)) {
            text->assign(std::string_view(x));
            return;
        }
    }
    slot = encode_param(index, std::forward<T>(x));
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
        std::vector<value> params = detail::take_param_buffer();  // this thread's last one, if any
        params.resize(sizeof...(Args));
        if constexpr (sizeof...(Args) > 0) {
            std::size_t i = 0;
            ((detail::assign_param(params[i], i + 1, std::forward<Args>(args)), ++i), ...);
        }
        if (checked_count_ && placeholders_ != sizeof...(Args))
            detail::throw_param_count(placeholders_, sizeof...(Args));
        return plan{text_, std::move(params)};
    }
    // Throws PLAN.PARAM_COUNT_MISMATCH unless there is one value per placeholder.
    [[nodiscard]] plan bind_values(std::vector<value> params) const;
    [[nodiscard]] std::size_t placeholders() const noexcept { return placeholders_; }
    [[nodiscard]] const std::string& sql() const noexcept { return text_->sql; }
    // The checked text every plan bound from this template shares.
    [[nodiscard]] const std::shared_ptr<const plan_text>& text() const noexcept { return text_; }

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
