// Typed expressions of the builder. An expr<Tables, T> is a piece of SQL producing values
// of C++ type T and reading the tables in Tables. Operators exist only between
// comparable types: comparing a text column with an integer does not compile.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "strata/ast.hpp"
#include "strata/builder/type_list.hpp"
#include "strata/codec.hpp"
#include "strata/schema.hpp"

namespace strata {

template <class Tables, class T>
struct expr {
    using tables = Tables;
    using value_type = T;
    ast::node_ptr node;
};

// A predicate is a boolean expression.
template <class Tables>
using predicate = expr<Tables, bool>;

// A value supplied when a prepared query is bound: arg<T>(0) is the first bind argument.
template <class T>
struct arg_t {
    using value_type = T;
    std::size_t index;
};
template <class T>
[[nodiscard]] constexpr arg_t<T> arg(std::size_t index) {
    return {index};
}

namespace builder {

template <class X>
struct is_expr : std::false_type {};
template <class Tables, class T>
struct is_expr<expr<Tables, T>> : std::true_type {};

template <class X>
struct is_arg : std::false_type {};
template <class T>
struct is_arg<arg_t<T>> : std::true_type {};

template <class X>
concept expression_like =
    is_expr<std::remove_cvref_t<X>>::value || column_like<std::remove_cvref_t<X>> || is_arg<std::remove_cvref_t<X>>::value;

inline ast::node_ptr make_node(ast::node n) { return std::make_shared<const ast::node>(std::move(n)); }

template <class C>
ast::node_ptr column_node(const C& c) {
    ast::node n;
    n.kind = ast::node_kind::column;
    n.table = C::table_type::table_name;
    n.name = c.name;
    return make_node(std::move(n));
}

ast::node_ptr value_node(value v);
ast::node_ptr arg_node(std::size_t index);

// lift(x): any operand as an expr — columns, exprs, args, or a C++ value bound as a param.
template <class X>
auto lift(X&& x) {
    using D = std::remove_cvref_t<X>;
    if constexpr (is_expr<D>::value) {
        return x;
    } else if constexpr (column_like<D>) {
        return expr<type_list<typename D::table_type>, typename D::value_type>{column_node(x)};
    } else if constexpr (is_arg<D>::value) {
        return expr<type_list<>, typename D::value_type>{arg_node(x.index)};
    } else {
        static_assert(sql_typed<D>, "this C++ type has no SQL type the builder can compare or assign");
        using V = std::conditional_t<std::is_array_v<D> || std::is_pointer_v<D>, std::string, D>;
        return expr<type_list<>, V>{value_node(strata::encode(std::forward<X>(x)))};
    }
}

template <class X>
using lifted_t = decltype(lift(std::declval<X>()));

template <class A, class B>
concept comparable_operands =
    (expression_like<A> || expression_like<B>) &&
    sql_comparable<typename lifted_t<A>::value_type, typename lifted_t<B>::value_type>;

template <class A, class B>
using tables_of_t = merge_t<typename lifted_t<A>::tables, typename lifted_t<B>::tables>;

template <class A, class B>
predicate<tables_of_t<A, B>> compare(std::string op, A&& a, B&& b) {
    ast::node n;
    n.kind = ast::node_kind::binary;
    n.op = std::move(op);
    n.args = {lift(std::forward<A>(a)).node, lift(std::forward<B>(b)).node};
    return {make_node(std::move(n))};
}

}  // namespace builder

// Comparisons: both sides must be of one SQL family (integer/real mix allowed).
template <class A, class B>
    requires builder::comparable_operands<A, B>
auto operator==(A&& a, B&& b) {
    return builder::compare("=", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::comparable_operands<A, B>
auto operator!=(A&& a, B&& b) {
    return builder::compare("<>", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::comparable_operands<A, B>
auto operator<(A&& a, B&& b) {
    return builder::compare("<", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::comparable_operands<A, B>
auto operator<=(A&& a, B&& b) {
    return builder::compare("<=", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::comparable_operands<A, B>
auto operator>(A&& a, B&& b) {
    return builder::compare(">", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::comparable_operands<A, B>
auto operator>=(A&& a, B&& b) {
    return builder::compare(">=", std::forward<A>(a), std::forward<B>(b));
}

// Boolean logic over predicates.
template <class TA, class TB>
predicate<builder::merge_t<TA, TB>> operator&&(const predicate<TA>& a, const predicate<TB>& b) {
    ast::node n;
    n.kind = ast::node_kind::binary;
    n.op = "AND";
    n.args = {a.node, b.node};
    return {builder::make_node(std::move(n))};
}
template <class TA, class TB>
predicate<builder::merge_t<TA, TB>> operator||(const predicate<TA>& a, const predicate<TB>& b) {
    ast::node n;
    n.kind = ast::node_kind::binary;
    n.op = "OR";
    n.args = {a.node, b.node};
    return {builder::make_node(std::move(n))};
}
template <class T>
predicate<T> operator!(const predicate<T>& a) {
    ast::node n;
    n.kind = ast::node_kind::unary;
    n.op = "NOT";
    n.args = {a.node};
    return {builder::make_node(std::move(n))};
}

// NULL tests (only on nullable operands would be stricter; SQL allows them on any).
template <builder::expression_like X>
auto is_null(X&& x) {
    auto e = builder::lift(std::forward<X>(x));
    ast::node n;
    n.kind = ast::node_kind::unary;
    n.op = "IS NULL";
    n.args = {e.node};
    return predicate<typename decltype(e)::tables>{builder::make_node(std::move(n))};
}
template <builder::expression_like X>
auto is_not_null(X&& x) {
    auto e = builder::lift(std::forward<X>(x));
    ast::node n;
    n.kind = ast::node_kind::unary;
    n.op = "IS NOT NULL";
    n.args = {e.node};
    return predicate<typename decltype(e)::tables>{builder::make_node(std::move(n))};
}

// x LIKE pattern (text only).
template <builder::expression_like X, class P>
    requires(sql_type_of<typename builder::lifted_t<X>::value_type>::value == sql_type::text &&
             sql_comparable<typename builder::lifted_t<X>::value_type, typename builder::lifted_t<P>::value_type>)
auto like(X&& x, P&& pattern) {
    return builder::compare("LIKE", std::forward<X>(x), std::forward<P>(pattern));
}

// x IN (v1, v2, ...) over values of a comparable type.
template <builder::expression_like X, class V>
    requires sql_comparable<typename builder::lifted_t<X>::value_type, V>
auto in(X&& x, const std::vector<V>& values) {
    auto e = builder::lift(std::forward<X>(x));
    ast::node n;
    n.kind = ast::node_kind::in_list;
    n.args.push_back(e.node);
    for (const V& v : values) n.args.push_back(builder::value_node(strata::encode(v)));
    return predicate<typename decltype(e)::tables>{builder::make_node(std::move(n))};
}

// Aggregates.
namespace builder {
template <class R, class X>
auto aggregate(std::string fn, X&& x) {
    auto e = lift(std::forward<X>(x));
    ast::node n;
    n.kind = ast::node_kind::function;
    n.op = std::move(fn);
    n.args = {e.node};
    return expr<typename decltype(e)::tables, R>{make_node(std::move(n))};
}
}  // namespace builder

inline expr<builder::type_list<>, std::int64_t> count_all() {
    ast::node n;
    n.kind = ast::node_kind::function;
    n.op = "COUNT";
    ast::node star;
    star.kind = ast::node_kind::star;
    n.args = {builder::make_node(std::move(star))};
    return {builder::make_node(std::move(n))};
}
template <builder::expression_like X>
auto count(X&& x) {
    return builder::aggregate<std::int64_t>("COUNT", std::forward<X>(x));
}
template <builder::expression_like X>
auto sum(X&& x) {
    using T = unwrap_optional_t<typename builder::lifted_t<X>::value_type>;
    static_assert(sql_type_of<T>::value == sql_type::integer || sql_type_of<T>::value == sql_type::real,
                  "sum() needs a numeric operand");
    auto e = builder::aggregate<std::optional<T>>("SUM", std::forward<X>(x));
    ast::node n = *e.node;
    n.result = sql_type_of<T>::value == sql_type::integer ? ast::sql_type_hint::integer : ast::sql_type_hint::real;
    e.node = builder::make_node(std::move(n));
    return e;
}

// Arithmetic on numeric operands: integer with integer stays integer, else real.
namespace builder {
template <class A, class B>
concept numeric_operands =
    (expression_like<A> || expression_like<B>) && sql_typed<typename lifted_t<A>::value_type> &&
    sql_typed<typename lifted_t<B>::value_type> &&
    (sql_type_of<typename lifted_t<A>::value_type>::value == sql_type::integer ||
     sql_type_of<typename lifted_t<A>::value_type>::value == sql_type::real) &&
    (sql_type_of<typename lifted_t<B>::value_type>::value == sql_type::integer ||
     sql_type_of<typename lifted_t<B>::value_type>::value == sql_type::real);

template <class A, class B>
auto arithmetic(std::string op, A&& a, B&& b) {
    using TA = typename lifted_t<A>::value_type;
    using TB = typename lifted_t<B>::value_type;
    constexpr bool integral = sql_type_of<TA>::value == sql_type::integer && sql_type_of<TB>::value == sql_type::integer;
    using base = std::conditional_t<integral, std::int64_t, double>;
    using R = std::conditional_t<is_optional<TA>::value || is_optional<TB>::value, std::optional<base>, base>;
    ast::node n;
    n.kind = ast::node_kind::binary;
    n.op = std::move(op);
    n.args = {lift(std::forward<A>(a)).node, lift(std::forward<B>(b)).node};
    return expr<tables_of_t<A, B>, R>{make_node(std::move(n))};
}
}  // namespace builder

template <class A, class B>
    requires builder::numeric_operands<A, B>
auto operator+(A&& a, B&& b) {
    return builder::arithmetic("+", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::numeric_operands<A, B>
auto operator-(A&& a, B&& b) {
    return builder::arithmetic("-", std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
    requires builder::numeric_operands<A, B>
auto operator*(A&& a, B&& b) {
    return builder::arithmetic("*", std::forward<A>(a), std::forward<B>(b));
}
template <builder::expression_like X>
auto min(X&& x) {
    return builder::aggregate<std::optional<unwrap_optional_t<typename builder::lifted_t<X>::value_type>>>(
        "MIN", std::forward<X>(x));
}
template <builder::expression_like X>
auto max(X&& x) {
    return builder::aggregate<std::optional<unwrap_optional_t<typename builder::lifted_t<X>::value_type>>>(
        "MAX", std::forward<X>(x));
}

// The value a conflicting INSERT proposed (ON CONFLICT ... DO UPDATE SET c = excluded(c)).
template <column_like C>
expr<builder::type_list<typename C::table_type>, typename C::value_type> excluded(const C& c) {
    ast::node n;
    n.kind = ast::node_kind::column;
    n.table = C::table_type::table_name;
    n.name = c.name;
    n.excluded = true;
    return {builder::make_node(std::move(n))};
}

// Ordering terms.
struct order_term {
    ast::ordering ordering;
};
template <builder::expression_like X>
auto asc(X&& x) {
    auto e = builder::lift(std::forward<X>(x));
    return std::pair<order_term, typename decltype(e)::tables>{order_term{{e.node, false}}, {}};
}
template <builder::expression_like X>
auto desc(X&& x) {
    auto e = builder::lift(std::forward<X>(x));
    return std::pair<order_term, typename decltype(e)::tables>{order_term{{e.node, true}}, {}};
}

// Keyset pagination: (a, b) > (va, vb) written portably as a > va OR (a = va AND b > vb).
template <class A, class B, class VA, class VB>
    requires builder::comparable_operands<A, VA> && builder::comparable_operands<B, VB>
auto keyset_after(A&& a, B&& b, VA&& va, VB&& vb) {
    return (a > va) || ((a == va) && (b > vb));
}
template <class A, class B, class VA, class VB>
    requires builder::comparable_operands<A, VA> && builder::comparable_operands<B, VB>
auto keyset_before(A&& a, B&& b, VA&& va, VB&& vb) {
    return (a < va) || ((a == va) && (b < vb));
}

}  // namespace strata
