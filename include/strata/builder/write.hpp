// INSERT, UPDATE, DELETE. Values are checked against the columns' types at compile time
// and always bound as parameters.
#pragma once

#include <tuple>

#include "strata/builder/select.hpp"

namespace strata {

// col = value, for UPDATE SET and ON CONFLICT DO UPDATE SET.
template <class Table, class Tables>
struct assignment_of {
    ast::assignment a;
};
template <column_like C, class V>
    requires sql_comparable<typename C::value_type, typename builder::lifted_t<V>::value_type>
auto set(const C& c, V&& v) {
    auto e = builder::lift(std::forward<V>(v));
    return assignment_of<typename C::table_type, typename decltype(e)::tables>{{c.name, e.node}};
}

namespace builder {
template <class... Items>
std::vector<ast::selected> returning_items(const Items&... items) {
    return {select_item<Items>::make(items)...};
}
template <class V, class C>
constexpr bool assignable_v = sql_comparable<typename C::value_type, typename lifted_t<V>::value_type> ||
                              (is_optional<typename C::value_type>::value &&
                               std::is_same_v<std::remove_cvref_t<V>, std::nullopt_t>);
}  // namespace builder

template <table_like T, class Row, class... Cols>
class insert_query {
public:
    using row_type = Row;
    explicit insert_query(std::shared_ptr<ast::statement> s) : s_(std::move(s)) {}

    // One VALUES row: one value per column, each of the column's SQL type.
    template <class... Vs>
    insert_query values(Vs&&... vs) const {
        static_assert(sizeof...(Vs) == sizeof...(Cols), "values(): give exactly one value per inserted column");
        static_assert((sql_comparable<typename Cols::value_type, typename builder::lifted_t<Vs>::value_type> && ...),
                      "values(): a value does not match its column's type");
        auto s = copy();
        s->insert.rows.push_back({builder::lift(std::forward<Vs>(vs)).node...});
        return insert_query(std::move(s));
    }

    // INSERT ... SELECT: the query's columns must match the inserted columns' types.
    template <class QT, class QN, class... QVs>
    insert_query from_select(const select_query<QT, QN, std::tuple<QVs...>>& q) const {
        static_assert(sizeof...(QVs) == sizeof...(Cols), "from_select(): the query must select one value per column");
        static_assert((sql_comparable<typename Cols::value_type, QVs> && ...),
                      "from_select(): a selected value does not match its column's type");
        auto s = copy();
        s->insert.select = q.statement();
        return insert_query(std::move(s));
    }

    template <column_like... Targets>
    insert_query on_conflict_do_nothing(const Targets&... targets) const {
        auto s = copy();
        s->insert.conflict.action = ast::conflict_action::do_nothing;
        s->insert.conflict.target = {targets.name...};
        return insert_query(std::move(s));
    }

    template <column_like... Targets, class... Sets>
    insert_query on_conflict_do_update(std::tuple<const Targets&...> targets, const Sets&... sets) const {
        static_assert(sizeof...(Sets) > 0, "on_conflict_do_update(): give at least one set(column, value)");
        auto s = copy();
        s->insert.conflict.action = ast::conflict_action::do_update;
        s->insert.conflict.target = std::apply([](const auto&... t) { return std::vector<std::string_view>{t.name...}; },
                                               targets);
        s->insert.conflict.updates = {sets.a...};
        return insert_query(std::move(s));
    }

    template <class... Items>
    auto returning(const Items&... items) const {
        static_assert((builder::is_subset_v<typename builder::select_item<Items>::tables, builder::type_list<T>> && ...),
                      "returning(): only columns of the inserted table");
        auto s = copy();
        s->insert.returning = builder::returning_items(items...);
        return insert_query<T, std::tuple<typename builder::select_item<Items>::value_type...>, Cols...>(std::move(s));
    }

    [[nodiscard]] const std::shared_ptr<ast::statement>& statement() const noexcept { return s_; }
    [[nodiscard]] prepared_query<Row> prepare() const {
        return prepared_query<Row>(s_, {statement_kind::write, !s_->insert.returning.empty()});
    }
    [[nodiscard]] typed_plan<Row> plan() const { return prepare().bind(); }

private:
    std::shared_ptr<ast::statement> copy() const { return std::make_shared<ast::statement>(*s_); }
    std::shared_ptr<ast::statement> s_;
};

template <table_like T, column_like... Cols>
[[nodiscard]] auto insert_into(const Cols&... cols) {
    static_assert((std::is_same_v<typename Cols::table_type, T> && ...), "insert_into<T>(): columns must belong to T");
    static_assert(sizeof...(Cols) > 0, "insert_into<T>(): name the inserted columns");
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::insert;
    s->insert.table = T::table_name;
    s->insert.columns = {cols.name...};
    return insert_query<T, std::tuple<>, Cols...>(std::move(s));
}

template <table_like T, class Row = std::tuple<>>
class update_query {
public:
    using row_type = Row;
    explicit update_query(std::shared_ptr<ast::statement> s) : s_(std::move(s)) {}

    template <class Table, class Tables>
    update_query set(const assignment_of<Table, Tables>& a) const {
        static_assert(std::is_same_v<Table, T>, "set(): the column belongs to another table");
        static_assert(builder::is_subset_v<Tables, builder::type_list<T>>, "set(): the value reads another table");
        auto s = copy();
        s->update.sets.push_back(a.a);
        return update_query(std::move(s));
    }
    template <column_like C, class V>
    update_query set(const C& c, V&& v) const {
        return set(strata::set(c, std::forward<V>(v)));
    }

    template <class P>
    update_query where(const predicate<P>& p) const {
        static_assert(builder::is_subset_v<P, builder::type_list<T>>, "where(): the condition reads another table");
        auto s = copy();
        s->update.where = p.node;
        return update_query(std::move(s));
    }

    template <class... Items>
    auto returning(const Items&... items) const {
        static_assert((builder::is_subset_v<typename builder::select_item<Items>::tables, builder::type_list<T>> && ...),
                      "returning(): only columns of the updated table");
        auto s = copy();
        s->update.returning = builder::returning_items(items...);
        return update_query<T, std::tuple<typename builder::select_item<Items>::value_type...>>(std::move(s));
    }

    [[nodiscard]] const std::shared_ptr<ast::statement>& statement() const noexcept { return s_; }
    [[nodiscard]] prepared_query<Row> prepare() const {
        return prepared_query<Row>(s_, {statement_kind::write, !s_->update.returning.empty()});
    }
    [[nodiscard]] typed_plan<Row> plan() const { return prepare().bind(); }

private:
    std::shared_ptr<ast::statement> copy() const { return std::make_shared<ast::statement>(*s_); }
    std::shared_ptr<ast::statement> s_;
};

template <table_like T>
[[nodiscard]] update_query<T> update() {
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::update;
    s->update.table = T::table_name;
    return update_query<T>(std::move(s));
}

template <table_like T, class Row = std::tuple<>>
class delete_query {
public:
    using row_type = Row;
    explicit delete_query(std::shared_ptr<ast::statement> s) : s_(std::move(s)) {}

    template <class P>
    delete_query where(const predicate<P>& p) const {
        static_assert(builder::is_subset_v<P, builder::type_list<T>>, "where(): the condition reads another table");
        auto s = copy();
        s->remove.where = p.node;
        return delete_query(std::move(s));
    }
    template <class... Items>
    auto returning(const Items&... items) const {
        static_assert((builder::is_subset_v<typename builder::select_item<Items>::tables, builder::type_list<T>> && ...),
                      "returning(): only columns of the deleted table");
        auto s = copy();
        s->remove.returning = builder::returning_items(items...);
        return delete_query<T, std::tuple<typename builder::select_item<Items>::value_type...>>(std::move(s));
    }

    [[nodiscard]] const std::shared_ptr<ast::statement>& statement() const noexcept { return s_; }
    [[nodiscard]] prepared_query<Row> prepare() const {
        return prepared_query<Row>(s_, {statement_kind::write, !s_->remove.returning.empty()});
    }
    [[nodiscard]] typed_plan<Row> plan() const { return prepare().bind(); }

private:
    std::shared_ptr<ast::statement> copy() const { return std::make_shared<ast::statement>(*s_); }
    std::shared_ptr<ast::statement> s_;
};

template <table_like T>
[[nodiscard]] delete_query<T> delete_from() {
    auto s = std::make_shared<ast::statement>();
    s->what = ast::statement::kind::remove;
    s->remove.table = T::table_name;
    return delete_query<T>(std::move(s));
}

}  // namespace strata
