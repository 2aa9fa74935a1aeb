// Relations between declared tables, found at compile time from their foreign keys
// (column_options.references). A relation is followed from a parent table to a child
// table:
//   many-to-one — the parent's column references the child (posts.author_id -> authors)
//   one-to-many — the child's column references the parent (authors <- posts.author_id)
// include<U>() and children<U>() take the one foreign key between the two tables; none,
// or several, does not compile, and include<U, Table::column>() names the one to follow.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "strata/schema.hpp"

namespace strata::orm {

enum class relation_kind { many_to_one, one_to_many };

namespace detail {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

template <table_like T>
inline constexpr std::size_t column_count = std::tuple_size_v<std::remove_cvref_t<decltype(T::columns)>>;

template <table_like T>
consteval std::array<std::string_view, column_count<T>> column_names() {
    return std::apply([](const auto&... c) { return std::array<std::string_view, sizeof...(c)>{c.name...}; },
                      T::columns);
}

template <table_like T>
consteval std::array<foreign_key, column_count<T>> column_references() {
    return std::apply([](const auto&... c) { return std::array<foreign_key, sizeof...(c)>{c.options.references...}; },
                      T::columns);
}

// Index in T::columns of the column named `name`, or npos.
template <table_like T>
consteval std::size_t column_index(std::string_view name) {
    const auto names = column_names<T>();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
    return npos;
}

// How many columns of From reference To, and the first of them.
template <table_like From, table_like To>
consteval std::size_t references_count() {
    std::size_t n = 0;
    for (const foreign_key& fk : column_references<From>()) n += fk.table == To::table_name ? 1 : 0;
    return n;
}
template <table_like From, table_like To>
consteval std::size_t first_reference() {
    const auto refs = column_references<From>();
    for (std::size_t i = 0; i < refs.size(); ++i)
        if (refs[i].table == To::table_name) return i;
    return 0;  // only used once references_count() said there is one
}

// A relation from Parent to Child: the key column on each side (indexes into the tables'
// `columns`) and its direction.
template <table_like Parent, table_like Child, std::size_t ParentKey, std::size_t ChildKey, relation_kind Kind>
struct relation_path {
    using parent = Parent;
    using child = Child;
    static constexpr std::size_t parent_key = ParentKey;
    static constexpr std::size_t child_key = ChildKey;
    static constexpr relation_kind kind = Kind;
    using parent_column = std::remove_cvref_t<decltype(std::get<ParentKey>(Parent::columns))>;
    using child_column = std::remove_cvref_t<decltype(std::get<ChildKey>(Child::columns))>;
    static const parent_column& parent_key_column() { return std::get<ParentKey>(Parent::columns); }
    static const child_column& child_key_column() { return std::get<ChildKey>(Child::columns); }
};

// The relation that follows foreign-key column FkIndex of FkTable (Parent or Child).
template <table_like Parent, table_like Child, table_like FkTable, std::size_t FkIndex>
struct path_via {
    static_assert(!std::is_same_v<Parent, Child>, "a table's foreign key to itself is not supported as a relation yet");
    static constexpr foreign_key ref = column_references<FkTable>()[FkIndex];
    static constexpr bool down = std::is_same_v<FkTable, Child>;  // child references parent: one-to-many
    using referenced = std::conditional_t<down, Parent, Child>;
    static_assert(ref.table == referenced::table_name, "the foreign key column does not reference the other table");
    static constexpr std::size_t referenced_index = column_index<referenced>(ref.column);
    static_assert(referenced_index != npos, "the foreign key names a column its table does not declare");
    using type =
        std::conditional_t<down, relation_path<Parent, Child, referenced_index, FkIndex, relation_kind::one_to_many>,
                           relation_path<Parent, Child, FkIndex, referenced_index, relation_kind::many_to_one>>;
};

struct no_path {};

// The one foreign key between Parent and Child, in either direction.
template <table_like Parent, table_like Child>
struct default_path {
    static constexpr std::size_t up = references_count<Parent, Child>();    // Parent -> Child
    static constexpr std::size_t down = references_count<Child, Parent>();  // Child -> Parent
    static_assert(!std::is_same_v<Parent, Child>, "a table's foreign key to itself is not supported as a relation yet");
    static_assert(up + down > 0, "no foreign key between the two tables: declare one with column_options.references");
    static_assert(up + down < 2,
                  "more than one foreign key between the two tables: name the one to follow, e.g. include<U, U::fk>()");
    using type = typename std::conditional_t<
        up + down != 1, std::type_identity<no_path>,
        std::conditional_t<up == 1, path_via<Parent, Child, Parent, first_reference<Parent, Child>()>,
                           path_via<Parent, Child, Child, first_reference<Child, Parent>()>>>::type;
};

// The relation through a named foreign-key column Fk (a column of Parent or of Child).
template <table_like Parent, table_like Child, const auto& Fk>
struct explicit_path {
    using fk_table = typename std::remove_cvref_t<decltype(Fk)>::table_type;
    static_assert(std::is_same_v<fk_table, Parent> || std::is_same_v<fk_table, Child>,
                  "the named foreign key must be a column of one of the two tables");
    static_assert(Fk.options.references.present(),
                  "the named column declares no foreign key (column_options.references)");
    using type = typename path_via<Parent, Child, fk_table, column_index<fk_table>(Fk.name)>::type;
};

template <table_like Parent, table_like Child, const auto&... Fk>
struct path_for {
    static_assert(sizeof...(Fk) <= 1, "name at most one foreign key column");
};
template <table_like Parent, table_like Child>
struct path_for<Parent, Child> {
    using type = typename default_path<Parent, Child>::type;
};
template <table_like Parent, table_like Child, const auto& Fk>
struct path_for<Parent, Child, Fk> {
    using type = typename explicit_path<Parent, Child, Fk>::type;
};

}  // namespace detail
}  // namespace strata::orm
