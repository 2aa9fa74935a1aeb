// Tables declared in C++: the source of the typed builder, the contract and migrations.
//
//   struct users {
//       static constexpr std::string_view table_name = "users";
//       static constexpr strata::column<users, std::int64_t> id{"id", {.primary_key = true}};
//       static constexpr strata::column<users, std::string> email{"email", {.unique = true}};
//       static constexpr strata::column<users, std::optional<std::string>> bio{"bio"};
//       static constexpr auto columns = std::tuple{id, email, bio};
//   };
//
// A column's C++ type decides its SQL type and nullability (std::optional<T> = NULL
// allowed). Names must be plain lower-case identifiers.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "strata/value.hpp"

namespace strata {

// The family of SQL types a C++ type maps to; comparisons are allowed within a family
// (and between integer and real).
enum class sql_type { integer, real, text, bytes, boolean, time, json };
[[nodiscard]] std::string_view to_string(sql_type t) noexcept;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct unwrap_optional {
    using type = T;
};
template <class T>
struct unwrap_optional<std::optional<T>> {
    using type = T;
};
template <class T>
using unwrap_optional_t = typename unwrap_optional<T>::type;

template <class T>
struct is_sys_time : std::false_type {};
template <class D>
struct is_sys_time<std::chrono::sys_time<D>> : std::true_type {};

template <class T>
concept json_like = requires(const T& t) {
    typename T::object_t;
    typename T::array_t;
    { t.dump() } -> std::convertible_to<std::string>;
};

// sql_type_of<T>: the SQL family of a C++ value type (optional unwrapped); absent for types
// the builder cannot compare.
template <class T, class U = std::remove_cvref_t<unwrap_optional_t<std::remove_cvref_t<T>>>>
struct sql_type_of {};
template <class T, class U>
    requires(std::is_integral_v<U> && !std::is_same_v<U, bool> && !std::is_same_v<U, char>)
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::integer> {};
template <class T, class U>
    requires std::is_floating_point_v<U>
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::real> {};
template <class T, class U>
    requires(std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view> || std::is_same_v<U, const char*> ||
             std::is_same_v<U, char*> || (std::is_array_v<U> && std::is_same_v<std::remove_extent_t<U>, const char>) ||
             (std::is_array_v<U> && std::is_same_v<std::remove_extent_t<U>, char>))
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::text> {};
template <class T, class U>
    requires std::is_same_v<U, bool>
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::boolean> {};
template <class T, class U>
    requires std::is_same_v<U, blob>
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::bytes> {};
template <class T, class U>
    requires is_sys_time<U>::value
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::time> {};
template <class T, class U>
    requires json_like<U>
struct sql_type_of<T, U> : std::integral_constant<sql_type, sql_type::json> {};

template <class T>
concept sql_typed = requires { sql_type_of<T>::value; };

// True when values of A and B may be compared or assigned to each other.
template <class A, class B>
concept sql_comparable = sql_typed<A> && sql_typed<B> &&
                         (sql_type_of<A>::value == sql_type_of<B>::value ||
                          ((sql_type_of<A>::value == sql_type::integer || sql_type_of<A>::value == sql_type::real) &&
                           (sql_type_of<B>::value == sql_type::integer || sql_type_of<B>::value == sql_type::real)));

struct foreign_key {
    std::string_view table{};
    std::string_view column{};
    std::string_view on_delete{};  // "", "CASCADE", "SET NULL", "RESTRICT"
    [[nodiscard]] constexpr bool present() const noexcept { return !table.empty(); }
};

struct column_options {
    bool primary_key = false;
    bool unique = false;
    std::string_view default_sql{};  // a constant SQL expression valid in both dialects
    foreign_key references{};
};

// A column of table Table holding C++ values of type T.
template <class Table, class T>
struct column {
    using table_type = Table;
    using value_type = T;
    static constexpr sql_type type = sql_type_of<T>::value;
    static constexpr bool nullable = is_optional<T>::value;

    std::string_view name;
    column_options options{};

    constexpr column(std::string_view n, column_options o = {}) : name(n), options(o) {}
};

template <class C>
concept column_like = requires {
    typename C::table_type;
    typename C::value_type;
} && requires(const C& c) { c.name; };

// A runtime description of a declared column (for DDL and the contract).
struct column_description {
    std::string_view name;
    sql_type type;
    bool nullable;
    column_options options;
};

// An index, declared in a table's `indexes` (composite; partial where both dialects allow).
struct index_declaration {
    std::string_view name;
    std::array<std::string_view, 4> columns{};  // unused slots empty
    bool unique = false;
    std::string_view where_sql{};  // partial index predicate, or empty
};

// Composite primary key / unique constraints, declared in a table's `constraints`.
struct unique_declaration {
    std::array<std::string_view, 4> columns{};
    bool primary_key = false;
};

template <class T>
concept table_like = requires {
    { T::table_name } -> std::convertible_to<std::string_view>;
    T::columns;
};

template <table_like T>
[[nodiscard]] std::vector<column_description> describe_columns() {
    std::vector<column_description> out;
    std::apply([&](const auto&... c) { (out.push_back({c.name, c.type, c.nullable, c.options}), ...); }, T::columns);
    return out;
}

}  // namespace strata
