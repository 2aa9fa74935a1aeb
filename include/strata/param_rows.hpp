// Parameter rows for tx::execute_many / runtime::execute_many: one statement run once
// per row of parameters on one connection (docs/decisions/0015-execute-many.md).
//
//   const strata::sql_template insert("INSERT INTO items(id, name, score) VALUES (?, ?, ?)");
//   std::vector<std::tuple<std::int64_t, std::string, double>> rows = ...;
//   db.execute_many(insert, rows);   // one transaction: every row or none
//
// A driver binds each row straight into its prepared statement: no plan, no result
// stream and no value vector per row. Strings are bound without a copy (they must stay
// alive until execute_many returns); any other type goes through its codec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "strata/codec.hpp"
#include "strata/value.hpp"

namespace strata {

// Where a row's parameters go (implemented by drivers). index is 1-based, as in SQL.
class param_sink {
public:
    virtual ~param_sink() = default;
    virtual void null(int index) = 0;
    virtual void integer(int index, std::int64_t v) = 0;
    virtual void real(int index, double v) = 0;
    // The text must stay valid until the row has run.
    virtual void text(int index, std::string_view v) = 0;
    // Any other value (booleans, bytes, times, JSON, user codecs).
    virtual void any(int index, const value& v) = 0;
};

// The rows: next() writes the next row's parameters into the sink and returns true, or
// returns false at the end. width() is the number of parameters of every row.
class param_rows {
public:
    virtual ~param_rows() = default;
    [[nodiscard]] virtual std::size_t width() const noexcept = 0;
    virtual bool next(param_sink& out) = 0;
};

// What execute_many did: parameter rows run and rows the statement changed.
struct many_result {
    std::uint64_t executions = 0;
    std::uint64_t affected_rows = 0;
};

namespace detail {

template <class T>
struct is_optional_param : std::false_type {};
template <class T>
struct is_optional_param<std::optional<T>> : std::true_type {};

template <class T>
void put_param(param_sink& out, int index, const T& v) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<U, bool>) {
        out.any(index, value{v});
    } else if constexpr (std::is_integral_v<U>) {
        out.integer(index, static_cast<std::int64_t>(v));
    } else if constexpr (std::is_floating_point_v<U>) {
        out.real(index, static_cast<double>(v));
    } else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view>) {
        out.text(index, std::string_view(v));
    } else if constexpr (std::is_same_v<U, const char*> || std::is_same_v<U, char*>) {
        if (v == nullptr)
            out.null(index);
        else
            out.text(index, std::string_view(v));
    } else if constexpr (is_optional_param<U>::value) {
        if (v)
            put_param(out, index, *v);
        else
            out.null(index);
    } else {
        out.any(index, codec<U>::encode(v));
    }
}

template <class Tuple>
inline constexpr std::size_t tuple_width = std::tuple_size_v<std::remove_cvref_t<Tuple>>;

}  // namespace detail

// A range of tuples (or pairs) as parameter rows, read once, in order.
template <std::ranges::input_range R>
requires requires {
    std::tuple_size<std::remove_cvref_t<std::ranges::range_reference_t<R>>>::value;
}
class tuple_rows final : public param_rows {
public:
    explicit tuple_rows(R& rows) : it_(std::ranges::begin(rows)), end_(std::ranges::end(rows)) {}
    [[nodiscard]] std::size_t width() const noexcept override {
        return detail::tuple_width<std::ranges::range_reference_t<R>>;
    }
    bool next(param_sink& out) override {
        if (it_ == end_) return false;
        decltype(auto) row = *it_;
        std::apply(
            [&](const auto&... v) {
                int index = 0;
                (detail::put_param(out, ++index, v), ...);
            },
            row);
        ++it_;
        return true;
    }

private:
    std::ranges::iterator_t<R> it_;
    std::ranges::sentinel_t<R> end_;
};

}  // namespace strata
