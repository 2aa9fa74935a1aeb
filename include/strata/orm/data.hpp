// The values a write gives a table's columns: a list of the builder's set(column, value),
// each checked against its column's type at compile time.
//
//   orm::data<posts>{set(posts::id, 7), set(posts::title, "hello")}
//   orm::data<posts>{}.set(posts::title, "hello").set(posts::likes, 0)
//
// A column of another table does not compile. Empty data, or a column set twice, is
// refused when the write runs (RUNTIME.INVALID_ARGUMENT).
#pragma once

#include <type_traits>
#include <utility>
#include <vector>

#include "strata/builder/write.hpp"

namespace strata::orm {

namespace detail {
template <class A>
struct assignment_traits : std::false_type {};
template <class Table, class Tables>
struct assignment_traits<assignment_of<Table, Tables>> : std::true_type {
    using table = Table;
    using tables = Tables;
};
}  // namespace detail

template <table_like T>
class data {
public:
    data() = default;

    // Implicit, so that create({set(a, 1), set(b, 2)}) reads as the values it writes.
    template <class... A>
    requires(sizeof...(A) > 0 && (detail::assignment_traits<A>::value && ...))
        data(const A&... sets) {  // NOLINT(google-explicit-constructor)
        static_assert((std::is_same_v<typename detail::assignment_traits<A>::table, T> && ...),
                      "orm::data<T>: set() names a column of another table");
        static_assert(
            (builder::is_subset_v<typename detail::assignment_traits<A>::tables, builder::type_list<T>> && ...),
            "orm::data<T>: a value reads a column of another table");
        sets_.reserve(sizeof...(A));
        (sets_.push_back(sets.a), ...);
    }

    template <column_like C, class V>
    data& set(const C& c, V&& v) & {
        add(strata::set(c, std::forward<V>(v)));
        return *this;
    }
    template <column_like C, class V>
    data&& set(const C& c, V&& v) && {
        add(strata::set(c, std::forward<V>(v)));
        return std::move(*this);
    }

    [[nodiscard]] const std::vector<ast::assignment>& assignments() const noexcept { return sets_; }
    [[nodiscard]] bool empty() const noexcept { return sets_.empty(); }

private:
    template <class Table, class Tables>
    void add(const assignment_of<Table, Tables>& a) {
        static_assert(std::is_same_v<Table, T>, "orm::data<T>::set(): the column belongs to another table");
        static_assert(builder::is_subset_v<Tables, builder::type_list<T>>,
                      "orm::data<T>::set(): the value reads a column of another table");
        sets_.push_back(a.a);
    }

    std::vector<ast::assignment> sets_;
};

}  // namespace strata::orm
