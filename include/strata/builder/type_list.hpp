// Type-level sets of tables, used by the builder to refuse at compile time a column of a
// table that is not part of the query.
#pragma once

#include <type_traits>

namespace strata::builder {

template <class... Ts>
struct type_list {};

template <class T, class List>
struct contains;
template <class T, class... Ts>
struct contains<T, type_list<Ts...>> : std::bool_constant<(std::is_same_v<T, Ts> || ...)> {};
template <class T, class List>
inline constexpr bool contains_v = contains<T, List>::value;

template <class A, class B>
struct is_subset;
template <class... As, class B>
struct is_subset<type_list<As...>, B> : std::bool_constant<(contains_v<As, B> && ...)> {};
template <class A, class B>
inline constexpr bool is_subset_v = is_subset<A, B>::value;

template <class A, class T>
struct add_unique;
template <class... As, class T>
struct add_unique<type_list<As...>, T> {
    using type = std::conditional_t<contains_v<T, type_list<As...>>, type_list<As...>, type_list<As..., T>>;
};

template <class A, class B>
struct merge;
template <class A>
struct merge<A, type_list<>> {
    using type = A;
};
template <class A, class B0, class... Bs>
struct merge<A, type_list<B0, Bs...>> {
    using type = typename merge<typename add_unique<A, B0>::type, type_list<Bs...>>::type;
};
template <class A, class B>
using merge_t = typename merge<A, B>::type;

}  // namespace strata::builder
