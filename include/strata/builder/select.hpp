// SELECT: from<T>() then join / select / where / group_by / having / order_by / limit.
// Every column and predicate must read only tables the query has: from<T>(), joins, and
// correlate<U>() for a subquery's outer tables. Anything else fails to compile.
#pragma once

#include <memory>
#include <tuple>

#include "strata/builder/expr.hpp"
#include "strata/builder/typed_plan.hpp"

namespace strata {

// A select item with an explicit name (for decoding into structs by name).
template <class Tables, class T>
struct named_expr {
    expr<Tables, T> e;
    std::string alias;
};
template <class X>
    requires(builder::expression_like<X> || sql_typed<std::remove_cvref_t<X>>)
auto named(X&& x, std::string alias) {
    auto e = builder::lift(std::forward<X>(x));
    return named_expr<typename decltype(e)::tables, typename decltype(e)::value_type>{std::move(e), std::move(alias)};
}

namespace builder {

template <class X>
struct select_item {
    using lifted = lifted_t<X>;
    using tables = typename lifted::tables;
    using value_type = typename lifted::value_type;
    static ast::selected make(const X& x) { return {lift(x).node, {}}; }
};
template <class Tables, class T>
struct select_item<named_expr<Tables, T>> {
    using tables = Tables;
    using value_type = T;
    static ast::selected make(const named_expr<Tables, T>& x) { return {x.e.node, x.alias}; }
};

// A column of a LEFT JOINed table decodes as optional: the join may find no row.
template <class Item, class Nullable>
struct decoded_type {
    using T = typename select_item<std::remove_cvref_t<Item>>::value_type;
    using tables = typename select_item<std::remove_cvref_t<Item>>::tables;
    static constexpr bool may_be_null = !std::is_same_v<tables, type_list<>> && is_subset_v<tables, Nullable>;
    using type = std::conditional_t<may_be_null && !is_optional<T>::value, std::optional<T>, T>;
};

template <class Q>
struct is_select_query : std::false_type {};

// The value a literal or arg node stands for (helper for limit/offset).
template <class N>
ast::node_ptr count_node(N n) {
    if constexpr (is_arg<N>::value) {
        return arg_node(n.index);
    } else {
        static_assert(std::is_integral_v<N>, "limit/offset take an integer or strata::arg<std::int64_t>(i)");
        return value_node(value{static_cast<std::int64_t>(n)});
    }
}

}  // namespace builder

template <class Tables, class Nullable, class Row>
class select_query {
public:
    using tables = Tables;
    using row_type = Row;

    explicit select_query(std::shared_ptr<ast::statement> s) : s_(std::move(s)) {}

    template <table_like U, class P>
    auto join(const predicate<P>& on) const {
        return add_join<U, Nullable>(ast::join_kind::inner, on);
    }
    template <table_like U, class P>
    auto left_join(const predicate<P>& on) const {
        return add_join<U, builder::merge_t<Nullable, builder::type_list<U>>>(ast::join_kind::left, on);
    }
    // Makes outer tables visible to a correlated subquery (no FROM entry).
    template <table_like... U>
    auto correlate() const {
        return select_query<builder::merge_t<Tables, builder::type_list<U...>>, Nullable, Row>(copy());
    }

    template <class... Items>
    auto select(const Items&... items) const {
        static_assert(sizeof...(Items) > 0, "select() needs at least one column or expression");
        static_assert((builder::is_subset_v<typename builder::select_item<Items>::tables, Tables> && ...),
                      "select(): a column belongs to a table that is not in this query (add a join)");
        auto s = copy();
        s->select.columns = {builder::select_item<Items>::make(items)...};
        return select_query<Tables, Nullable, std::tuple<typename builder::decoded_type<Items, Nullable>::type...>>(
            std::move(s));
    }

    template <class P>
    select_query where(const predicate<P>& p) const {
        static_assert(builder::is_subset_v<P, Tables>,
                      "where(): the condition reads a table that is not in this query (add a join)");
        auto s = copy();
        s->select.where = s->select.where ? and_node(s->select.where, p.node) : p.node;
        return select_query(std::move(s));
    }

    template <class... Xs>
    select_query group_by(const Xs&... xs) const {
        static_assert((builder::is_subset_v<typename builder::lifted_t<Xs>::tables, Tables> && ...),
                      "group_by(): a column belongs to a table that is not in this query");
        auto s = copy();
        (s->select.group_by.push_back(builder::lift(xs).node), ...);
        return select_query(std::move(s));
    }

    template <class P>
    select_query having(const predicate<P>& p) const {
        static_assert(builder::is_subset_v<P, Tables>, "having(): reads a table that is not in this query");
        auto s = copy();
        s->select.having = p.node;
        return select_query(std::move(s));
    }

    template <class... Terms>
    select_query order_by(const Terms&... terms) const {
        static_assert((builder::is_subset_v<typename Terms::second_type, Tables> && ...),
                      "order_by(): a column belongs to a table that is not in this query");
        auto s = copy();
        (s->select.order_by.push_back(terms.first.ordering), ...);
        return select_query(std::move(s));
    }

    template <class N>
    select_query limit(N n) const {
        auto s = copy();
        s->select.limit = builder::count_node(n);
        return select_query(std::move(s));
    }
    template <class N>
    select_query offset(N n) const {
        auto s = copy();
        s->select.offset = builder::count_node(n);
        return select_query(std::move(s));
    }
    select_query distinct() const {
        auto s = copy();
        s->select.distinct = true;
        return select_query(std::move(s));
    }

    [[nodiscard]] const std::shared_ptr<ast::statement>& statement() const noexcept { return s_; }

    // Build once, bind many (see typed_plan.hpp).
    [[nodiscard]] prepared_query<Row> prepare() const { return prepared_query<Row>(s_, plan_kind()); }
    // A one-off plan (no bind arguments allowed).
    [[nodiscard]] typed_plan<Row> plan() const { return prepare().bind(); }

private:
    static builder::statement_info plan_kind() { return {statement_kind::read, false}; }
    std::shared_ptr<ast::statement> copy() const { return std::make_shared<ast::statement>(*s_); }
    static ast::node_ptr and_node(ast::node_ptr a, ast::node_ptr b) {
        ast::node n;
        n.kind = ast::node_kind::binary;
        n.op = "AND";
        n.args = {std::move(a), std::move(b)};
        return builder::make_node(std::move(n));
    }
    template <class U, class NewNullable, class P>
    auto add_join(ast::join_kind kind, const predicate<P>& on) const {
        using joined = builder::merge_t<Tables, builder::type_list<U>>;
        static_assert(builder::is_subset_v<P, joined>, "join(): the ON condition reads a table that is not joined");
        auto s = copy();
        s->select.joins.push_back({kind, U::table_name, on.node});
        return select_query<joined, NewNullable, Row>(std::move(s));
    }

    std::shared_ptr<ast::statement> s_;
};

template <table_like T>
[[nodiscard]] select_query<builder::type_list<T>, builder::type_list<>, std::tuple<>> from() {
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::select;
    s->select.from = T::table_name;
    return select_query<builder::type_list<T>, builder::type_list<>, std::tuple<>>(std::move(s));
}

namespace builder {
template <class T, class N, class R>
struct is_select_query<select_query<T, N, R>> : std::true_type {};

inline ast::node_ptr subquery_node(ast::node_kind kind, std::shared_ptr<const ast::statement> s) {
    ast::node n;
    n.kind = kind;
    n.sub = std::move(s);
    return make_node(std::move(n));
}

// Tables a subquery reads beyond its own: its correlated outer tables. A subquery's
// expression reads whatever of the outer query it correlates with; we carry its whole
// table set minus nothing — the outer query checks what it can.
}  // namespace builder

// EXISTS (subquery). The predicate reads the subquery's correlated tables.
template <class T, class N, class R>
auto exists(const select_query<T, N, R>& q) {
    return predicate<builder::type_list<>>{builder::subquery_node(ast::node_kind::exists, q.statement())};
}

// A scalar subquery: one column, at most one row.
template <class T, class N, class V>
auto scalar(const select_query<T, N, std::tuple<V>>& q) {
    return expr<builder::type_list<>, std::conditional_t<is_optional<V>::value, V, std::optional<V>>>{
        builder::subquery_node(ast::node_kind::subquery, q.statement())};
}

}  // namespace strata
