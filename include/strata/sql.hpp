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

template <class... Args>
[[nodiscard]] plan sql(std::string text, Args&&... args) {
    std::vector<value> params;
    params.reserve(sizeof...(Args));
    std::size_t i = 0;
    (params.push_back(detail::encode_param(++i, std::forward<Args>(args))), ...);
    return sql_plan(std::move(text), std::move(params));
}

}  // namespace strata
