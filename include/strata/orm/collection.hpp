// ORM collections: a declared table read and written as typed rows, on top of the typed
// builder. A collection is an immutable value; refinements return a new collection and
// terminals run statements on its target (the runtime, or a transaction's connection).
//
//   orm::collection<posts> all_posts(db);                      // or (tx) inside db.transaction
//   auto recent = all_posts.where(posts::likes > 10)
//                          .order_by(desc(posts::created_at))
//                          .take(20)
//                          .include<authors>()                  // many-to-one, by foreign key
//                          .all();                              // 2 statements, not 21
//   for (const auto& p : recent) p.row, p.get<authors>() ...
//
// Rows: orm::record_t<T> (T::record if the table names a struct with strata::fields<>,
// else the tuple of its columns' types), or a tuple after select(cols...).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/builder/write.hpp"
#include "strata/orm/data.hpp"
#include "strata/orm/query_state.hpp"
#include "strata/orm/relations.hpp"
#include "strata/orm/target.hpp"
#include "strata/row.hpp"

namespace strata::orm {

// The row type of table T: T::record when declared, else a tuple of its columns' types.
template <class Columns>
struct column_values;
template <class... C>
struct column_values<std::tuple<C...>> {
    using type = std::tuple<typename C::value_type...>;
};
template <table_like T>
struct record_of {
    using type = typename column_values<std::remove_cvref_t<decltype(T::columns)>>::type;
};
template <table_like T>
requires requires {
    typename T::record;
}
struct record_of<T> {
    using type = typename T::record;
};
template <table_like T>
using record_t = typename record_of<T>::type;

// The Key of a collection without keyset pagination.
struct no_key {};

// keyset(orm::descending, cols...): newest first.
struct descending_t {
    explicit descending_t() = default;
};
inline constexpr descending_t descending{};

// One page of a keyset-paginated collection; `next` is the cursor of the following page
// (the last row's key) when the page was full, for after(*next).
template <class Row, class Key>
struct keyset_page {
    std::vector<Row> rows;
    std::optional<Key> next;
};

// A row with its included relations: get<U>() is a std::vector of U's rows (one-to-many)
// or a std::optional of U's row (many-to-one).
template <class Row, class Tables, class... Vs>
struct with_related;
template <class Row, class... Us, class... Vs>
struct with_related<Row, builder::type_list<Us...>, Vs...> {
    Row row;
    std::tuple<Vs...> related;

    template <table_like U>
    [[nodiscard]] const auto& get() const {
        return std::get<index_of<U>()>(related);
    }
    template <table_like U>
    [[nodiscard]] auto& get() {
        return std::get<index_of<U>()>(related);
    }
    friend bool operator==(const with_related&, const with_related&) = default;

private:
    template <class U>
    static consteval std::size_t index_of() {
        static_assert((std::size_t{0} + ... + (std::is_same_v<U, Us> ? 1U : 0U)) == 1,
                      "get<U>(): U is not included, or included twice (use std::get<I>(related))");
        constexpr std::array<bool, sizeof...(Us)> same{std::is_same_v<U, Us>...};
        std::size_t i = 0;
        while (!same[i]) ++i;
        return i;
    }
};

// children<U>(rows) for create_nested; children<U, U::fk>(rows) names the foreign key.
template <table_like U, const auto&... Fk>
struct children_of {
    using table = U;
    template <table_like Parent>
    using path = typename detail::path_for<Parent, U, Fk...>::type;
    std::vector<data<U>> rows;
};
template <table_like U, const auto&... Fk>
[[nodiscard]] children_of<U, Fk...> children(std::vector<data<U>> rows) {
    return {std::move(rows)};
}

template <table_like T, class Row = record_t<T>, class Key = no_key, class... Rels>
class collection;

namespace detail {

// Rows of an include are fetched `IN (...)` this many parent keys at a time: one query
// per relation up to here, and well under both databases' parameter limits.
inline constexpr std::size_t include_chunk = 1000;

struct unchanged {
    template <class C>
    C operator()(C c) const {
        return c;
    }
};

template <class X>
struct is_collection : std::false_type {};
template <class T, class Row, class Key, class... Rels>
struct is_collection<collection<T, Row, Key, Rels...>> : std::true_type {};

template <class X>
struct is_children : std::false_type {};
template <table_like U, const auto&... Fk>
struct is_children<children_of<U, Fk...>> : std::true_type {};

template <class Path, class Child>
struct relation {
    using path = Path;
    using child_table = typename Path::child;
    using value_type =
        std::conditional_t<Path::kind == relation_kind::one_to_many, std::vector<typename Child::result_type>,
                           std::optional<typename Child::result_type>>;
    Child child;
};

template <class Row, class... Rels>
struct result_of {
    using type = with_related<Row, builder::type_list<typename Rels::child_table...>, typename Rels::value_type...>;
};
template <class Row>
struct result_of<Row> {
    using type = Row;
};

// The first columns of r as Row: a tuple by position, a struct by column name.
template <class Row>
Row decode_row(const row& r) {
    if constexpr (is_tuple<Row>::value) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return Row{r.get<std::tuple_element_t<I, Row>>(I)...};
        }
        (std::make_index_sequence<std::tuple_size_v<Row>>{});
    } else {
        return r.as<Row>();
    }
}

// Every column of T, in primary-key order (the default order of a collection).
template <table_like T>
const std::shared_ptr<const query_state>& initial_state() {
    static const std::shared_ptr<const query_state> state = [] {
        auto q = std::make_shared<query_state>();
        q->table = T::table_name;
        std::apply(
            [&](const auto&... c) {
                (q->projection.push_back({builder::column_node(c), {}}), ...);
                ((c.options.primary_key ? q->default_order.push_back({builder::column_node(c), false}) : void()), ...);
            },
            T::columns);
        if constexpr (requires { T::constraints; }) {
            for (const unique_declaration& u : T::constraints) {
                if (!u.primary_key || !q->default_order.empty()) continue;
                for (std::string_view name : u.columns)
                    if (!name.empty()) q->default_order.push_back({column_ref(T::table_name, name), false});
            }
        }
        return q;
    }();
    return state;
}

}  // namespace detail

template <table_like T, class Row, class Key, class... Rels>
class collection {
    template <table_like, class, class, class...>
    friend class collection;

public:
    using table_type = T;
    using row_type = Row;
    using key_type = Key;
    // Row, or with_related<Row, ...> once relations are included.
    using result_type = typename detail::result_of<Row, Rels...>::type;

    explicit collection(orm::target t) requires(std::is_same_v<Key, no_key> && sizeof...(Rels) == 0)
        : target_(t), s_(detail::initial_state<T>()) {
        if constexpr (is_tuple<Row>::value) {
            static_assert(std::tuple_size_v<Row> == detail::column_count<T>,
                          "collection<T, std::tuple<...>>: one element per column of T (or project with select())");
        } else {
            static_assert(has_fields<Row>, "collection<T, Row>: Row needs a strata::fields<Row> declaration");
        }
    }

    // The same collection on another target (e.g. the tx inside db.transaction).
    [[nodiscard]] collection on(orm::target t) const {
        return collection(
            t, s_, std::apply([&](const Rels&... r) { return std::tuple<Rels...>{Rels{r.child.on(t)}...}; }, rels_));
    }

    // ---------------------------------------------------------------- refinements

    // Rows matching p (AND-ed with earlier where()s). p may read only T.
    template <class P>
    [[nodiscard]] collection where(const predicate<P>& p) const {
        static_assert(builder::is_subset_v<P, builder::type_list<T>>,
                      "where(): the condition reads a table other than this collection's (filter related rows inside "
                      "include<U>(...))");
        auto s = copy();
        s->where = detail::and_node(s->where, p.node);
        return with(std::move(s));
    }

    // asc(col) / desc(col) terms, appended; without any, rows come in primary-key order.
    template <class... Terms>
    [[nodiscard]] collection order_by(const Terms&... terms) const {
        static_assert(std::is_same_v<Key, no_key>, "order_by(): a keyset collection is ordered by its key");
        static_assert(sizeof...(Terms) > 0, "order_by(): give asc(column) or desc(column) terms");
        static_assert((builder::is_subset_v<typename Terms::second_type, builder::type_list<T>> && ...),
                      "order_by(): a column of another table");
        auto s = copy();
        (s->order_by.push_back(terms.first.ordering), ...);
        return with(std::move(s));
    }

    // At most n rows (n >= 0, else RUNTIME.INVALID_ARGUMENT).
    [[nodiscard]] collection take(std::int64_t n) const {
        if (n < 0) detail::throw_invalid("take", "the row count must not be negative (got " + std::to_string(n) + ")");
        auto s = copy();
        s->take = n;
        return with(std::move(s));
    }
    // Skips the first n rows (n >= 0). Prefer keyset() for deep pages.
    [[nodiscard]] collection skip(std::int64_t n) const {
        if (n < 0) detail::throw_invalid("skip", "the row count must not be negative (got " + std::to_string(n) + ")");
        auto s = copy();
        s->skip = n;
        return with(std::move(s));
    }

    // Projects rows to a tuple of these columns of T.
    template <column_like... C>
    [[nodiscard]] auto select(const C&... cols) const {
        static_assert(sizeof...(C) > 0, "select(): name at least one column");
        static_assert((std::is_same_v<typename C::table_type, T> && ...),
                      "select(): a column of another table (read related rows with include<U>())");
        auto s = copy();
        s->projection = {ast::selected{builder::column_node(cols), {}}...};
        return collection<T, std::tuple<typename C::value_type...>, Key, Rels...>(target_, std::move(s), rels_);
    }

    // Keyset pagination over a composite key of NOT NULL columns, e.g. (created_at, id):
    // orders by the key (ascending, or keyset(orm::descending, ...)); after(key) and page().
    template <column_like... C>
    [[nodiscard]] auto keyset(const C&... cols) const {
        return make_keyset(false, cols...);
    }
    template <column_like... C>
    [[nodiscard]] auto keyset(descending_t, const C&... cols) const {
        return make_keyset(true, cols...);
    }

    // Rows strictly after this key, in the keyset's order.
    [[nodiscard]] collection after(const Key& key) const requires(!std::is_same_v<Key, no_key>) {
        auto s = copy();
        s->after = std::apply([](const auto&... v) { return std::vector<value>{strata::encode(v)...}; }, key);
        return with(std::move(s));
    }

    // Includes the rows of U related by the foreign key between T and U, optionally
    // refined: include<posts>([](auto c) { return c.where(posts::likes > 0); }).
    // include<U, U::fk>() (or T::fk) names the foreign key when there are several.
    // Inside a generic refine lambda, nest with c.template include<V>().
    template <table_like U, const auto&... Fk, class Fn = detail::unchanged>
    [[nodiscard]] auto include(Fn refine = {}) const {
        using path = typename detail::path_for<T, U, Fk...>::type;
        auto child = refine(collection<U>(target_));
        using child_t = decltype(child);
        static_assert(detail::is_collection<child_t>::value && std::is_same_v<typename child_t::table_type, U>,
                      "include<U>(refine): refine must return the collection of U it was given");
        static_assert(std::is_same_v<typename child_t::key_type, no_key>,
                      "include<U>(refine): keyset pagination of related rows is not supported");
        if (child.s_->take || child.s_->skip || !child.s_->after.empty())
            detail::throw_invalid("include",
                                  "take()/skip() on related rows would limit all parents together, not "
                                  "each parent; filter them with where()");
        using rel = detail::relation<path, child_t>;
        return collection<T, Row, Key, Rels..., rel>(target_, s_,
                                                     std::tuple_cat(rels_, std::tuple<rel>{rel{std::move(child)}}));
    }

    // ---------------------------------------------------------------- reads

    // Every row: one statement, plus one per included relation (per 1000 parents).
    [[nodiscard]] std::vector<result_type> all() const {
        std::vector<result_type> out;
        for (fetched& f : fetch({}, nullptr)) out.push_back(std::move(f.item));
        return out;
    }
    [[nodiscard]] std::optional<result_type> first() const {
        const collection one = s_->take && *s_->take <= 1 ? *this : take(1);
        auto rows = one.all();
        if (rows.empty()) return std::nullopt;
        return std::move(rows.front());
    }
    // The number of rows matching where() (and after()); take/skip do not apply.
    [[nodiscard]] std::int64_t count() const {
        return target_.execute(detail::count_plan(*s_)).template one_as<std::int64_t>();
    }
    // A page of a keyset collection and the cursor of the next one.
    [[nodiscard]] keyset_page<result_type, Key> page() const requires(!std::is_same_v<Key, no_key>) {
        keyset_page<result_type, Key> out;
        std::vector<fetched> rows = fetch({}, nullptr);
        if (!rows.empty() && s_->take && static_cast<std::int64_t>(rows.size()) == *s_->take)
            out.next = key_of(rows.back().raw);
        for (fetched& f : rows) out.rows.push_back(std::move(f.item));
        return out;
    }

    // ---------------------------------------------------------------- writes
    // Each returns the written rows as Row (RETURNING the collection's columns).

    [[nodiscard]] Row create(const data<T>& d) const {
        return detail::decode_row<Row>(
            target_.execute(detail::insert_plan("create", *s_, {&d.assignments()}, {})).one());
    }
    // One INSERT for every row; every row must set the same columns.
    [[nodiscard]] std::vector<Row> create_many(const std::vector<data<T>>& rows) const {
        std::vector<const std::vector<ast::assignment>*> sets;
        sets.reserve(rows.size());
        for (const data<T>& d : rows) sets.push_back(&d.assignments());
        return decode_all(target_.execute(detail::insert_plan("create_many", *s_, sets, {})));
    }
    // Updates the rows matching where(); without a where() it refuses (see update_all).
    [[nodiscard]] std::vector<Row> update(const data<T>& d) const {
        return decode_all(target_.execute(detail::update_plan("update", *s_, d.assignments(), false)));
    }
    [[nodiscard]] std::vector<Row> update_all(const data<T>& d) const {
        return decode_all(target_.execute(detail::update_plan("update_all", *s_, d.assignments(), true)));
    }
    // INSERT create, or on a conflict over these columns UPDATE with `update`:
    //   upsert(std::tie(users::email), {set(users::email, e), ...}, {set(users::name, excluded(users::name))})
    template <column_like... C>
    [[nodiscard]] Row upsert(std::tuple<const C&...> conflict, const data<T>& create, const data<T>& update) const {
        static_assert(sizeof...(C) > 0, "upsert(): name the conflict columns, e.g. std::tie(T::id)");
        static_assert((std::is_same_v<typename C::table_type, T> && ...), "upsert(): the conflict columns belong to T");
        const detail::upsert_spec spec{
            std::apply([](const auto&... c) { return std::vector<std::string_view>{c.name...}; }, conflict),
            &update.assignments()};
        return detail::decode_row<Row>(
            target_.execute(detail::insert_plan("upsert", *s_, {&create.assignments()}, {}, &spec)).one());
    }
    // Deletes the rows matching where(); without a where() it refuses (see remove_all).
    [[nodiscard]] std::vector<Row> remove() const {
        return decode_all(target_.execute(detail::delete_plan("remove", *s_, false)));
    }
    [[nodiscard]] std::vector<Row> remove_all() const {
        return decode_all(target_.execute(detail::delete_plan("remove_all", *s_, true)));
    }

    // A parent and its children, all or nothing (a transaction on the runtime, a
    // savepoint inside a tx). Each child's foreign key is set from the parent's returned
    // key, so database-generated keys work. Returns (parent, children of each relation).
    template <class... Children>
    [[nodiscard]] auto create_nested(const data<T>& parent, const Children&... children) const {
        static_assert(sizeof...(Children) > 0, "create_nested(): give children<U>(rows) for a related table");
        static_assert((detail::is_children<Children>::value && ...), "create_nested(): pass orm::children<U>(rows)");
        (check_children(children), ...);
        return target_.atomically([&](orm::target t) {
            return on(t).create_nested_in(parent, std::index_sequence_for<Children...>{}, children...);
        });
    }

private:
    struct fetched {
        result_type item;
        row raw;  // the statement's row: hidden columns from hidden_offset()
    };

    collection(orm::target t, std::shared_ptr<const detail::query_state> s, std::tuple<Rels...> rels)
        : target_(t), s_(std::move(s)), rels_(std::move(rels)) {}

    [[nodiscard]] std::shared_ptr<detail::query_state> copy() const {
        return std::make_shared<detail::query_state>(*s_);
    }
    [[nodiscard]] collection with(std::shared_ptr<detail::query_state> s) const {
        return collection(target_, std::move(s), rels_);
    }

    template <column_like... C>
    auto make_keyset(bool descending_order, const C&... cols) const {
        static_assert(std::is_same_v<Key, no_key>, "keyset(): the collection already has a key");
        static_assert(sizeof...(C) > 0, "keyset(): name the key columns, e.g. keyset(T::created_at, T::id)");
        static_assert((std::is_same_v<typename C::table_type, T> && ...), "keyset(): the key columns belong to T");
        static_assert((!C::nullable && ...), "keyset(): key columns must be NOT NULL (NULL breaks keyset comparisons)");
        auto s = copy();
        s->keyset = {builder::column_node(cols)...};
        s->keyset_descending = descending_order;
        s->order_by.clear();
        for (const ast::node_ptr& k : s->keyset) s->order_by.push_back({k, descending_order});
        s->after.clear();
        return collection<T, Row, std::tuple<typename C::value_type...>, Rels...>(target_, std::move(s), rels_);
    }

    [[nodiscard]] std::size_t hidden_offset() const noexcept {
        return s_->projection.size() + s_->keyset.size() + sizeof...(Rels);
    }

    // The rows, with relations loaded; `extra` columns are selected after the hidden ones.
    [[nodiscard]] std::vector<fetched> fetch(const std::vector<ast::node_ptr>& extra,
                                             const ast::node_ptr& extra_where) const {
        std::vector<ast::node_ptr> hidden = s_->keyset;
        (hidden.push_back(builder::column_node(Rels::path::parent_key_column())), ...);
        hidden.insert(hidden.end(), extra.begin(), extra.end());
        std::vector<row> rows = target_.execute(detail::select_plan(*s_, hidden, extra_where)).all();
        return assemble(std::move(rows), std::index_sequence_for<Rels...>{});
    }

    template <std::size_t... I>
    [[nodiscard]] std::vector<fetched> assemble(std::vector<row> rows, std::index_sequence<I...>) const {
        const std::size_t keys_at = s_->projection.size() + s_->keyset.size();
        // Braced: the relations load in declaration order.
        std::tuple<std::vector<typename Rels::value_type>...> related{load<I>(rows, keys_at + I)...};
        (void)related;
        std::vector<fetched> out;
        out.reserve(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            Row r = detail::decode_row<Row>(rows[i]);
            if constexpr (sizeof...(Rels) == 0) {
                out.push_back({std::move(r), std::move(rows[i])});
            } else {
                out.push_back({result_type{std::move(r), {std::move(std::get<I>(related)[i])...}}, std::move(rows[i])});
            }
        }
        return out;
    }

    // Relation I of every parent: one IN (...) query per include_chunk distinct keys.
    template <std::size_t I>
    [[nodiscard]] auto load(const std::vector<row>& parents, std::size_t column) const {
        using rel = std::tuple_element_t<I, std::tuple<Rels...>>;
        using path = typename rel::path;
        using key = unwrap_optional_t<typename path::parent_column::value_type>;
        std::vector<typename rel::value_type> values(parents.size());
        std::map<key, std::vector<std::size_t>> by_key;
        for (std::size_t i = 0; i < parents.size(); ++i)
            if (auto k = parents[i].template get<std::optional<key>>(column)) by_key[*k].push_back(i);
        std::vector<key> keys;
        keys.reserve(by_key.size());
        for (const auto& entry : by_key) keys.push_back(entry.first);

        const auto& child = std::get<I>(rels_).child;
        const auto& key_column = path::child_key_column();
        for (std::size_t from = 0; from < keys.size(); from += detail::include_chunk) {
            const std::size_t to = std::min(keys.size(), from + detail::include_chunk);
            const std::vector<key> chunk(keys.begin() + static_cast<std::ptrdiff_t>(from),
                                         keys.begin() + static_cast<std::ptrdiff_t>(to));
            auto found = child.fetch({builder::column_node(key_column)}, strata::in(key_column, chunk).node);
            const std::size_t at = child.hidden_offset();
            for (auto& f : found) {
                const auto k = f.raw.template get<std::optional<key>>(at);
                if (!k) continue;
                const auto it = by_key.find(*k);
                if (it == by_key.end()) continue;
                // Usually one parent per key (one-to-many): the row moves to the last one.
                const std::vector<std::size_t>& owners = it->second;
                for (std::size_t n = 0; n < owners.size(); ++n) {
                    auto& slot = values[owners[n]];
                    if constexpr (path::kind == relation_kind::one_to_many) {
                        if (n + 1 == owners.size()) {
                            slot.push_back(std::move(f.item));
                        } else {
                            slot.push_back(f.item);
                        }
                    } else {
                        if (n + 1 == owners.size()) {
                            slot = std::move(f.item);
                        } else {
                            slot = f.item;
                        }
                    }
                }
            }
        }
        return values;
    }

    [[nodiscard]] Key key_of(const row& r) const {
        const std::size_t at = s_->projection.size();
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return Key{r.get<std::tuple_element_t<I, Key>>(at + I)...};
        }
        (std::make_index_sequence<std::tuple_size_v<Key>>{});
    }

    [[nodiscard]] static std::vector<Row> decode_all(result_stream s) {
        std::vector<Row> out;
        for (const row& r : s) out.push_back(detail::decode_row<Row>(r));
        return out;
    }

    // Refuses, before anything runs, children that set the foreign key themselves.
    template <class Children>
    static void check_children(const Children& c) {
        using path = typename Children::template path<T>;
        static_assert(path::kind == relation_kind::one_to_many,
                      "children<U>(): U's rows must reference this table (a one-to-many relation)");
        const std::string_view fk = path::child_key_column().name;
        for (const auto& d : c.rows) {
            for (const ast::assignment& a : d.assignments()) {
                if (a.column == fk)
                    detail::throw_invalid("create_nested", "a child sets " + std::string(fk) +
                                                               ", which create_nested sets from the parent");
            }
        }
    }

    template <std::size_t... I, class... Children>
    auto create_nested_in(const data<T>& parent, std::index_sequence<I...>, const Children&... children) const {
        const std::vector<ast::node_ptr> keys = {
            builder::column_node(Children::template path<T>::parent_key_column())...};
        const row made =
            target_.execute(detail::insert_plan("create_nested", *s_, {&parent.assignments()}, keys)).one();
        const std::size_t at = s_->projection.size();
        return std::tuple<Row, std::vector<record_t<typename Children::table>>...>{
            detail::decode_row<Row>(made), insert_children(children, made.values()[at + I])...};
    }

    template <class Children>
    auto insert_children(const Children& c, const value& parent_key) const {
        using U = typename Children::table;
        using path = typename Children::template path<T>;
        std::vector<std::vector<ast::assignment>> rows;
        rows.reserve(c.rows.size());
        for (const data<U>& d : c.rows) {
            rows.push_back(d.assignments());
            rows.back().push_back({path::child_key_column().name, builder::value_node(parent_key)});
        }
        if (rows.empty()) return std::vector<record_t<U>>{};
        std::vector<const std::vector<ast::assignment>*> sets;
        sets.reserve(rows.size());
        for (const auto& r : rows) sets.push_back(&r);
        const collection<U> kids(target_);
        return collection<U>::decode_all(target_.execute(detail::insert_plan("create_nested", *kids.s_, sets, {})));
    }

    orm::target target_;
    std::shared_ptr<const detail::query_state> s_;
    std::tuple<Rels...> rels_;
};

}  // namespace strata::orm
