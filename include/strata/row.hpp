// strata::row — one result row: values plus the shape (column names and origin tables)
// shared by every row of a result. Decoding goes through codecs; a failure raises
// RUNTIME.DECODE_FAILED naming the table, column and codec.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/codec.hpp"
#include "strata/error.hpp"
#include "strata/value.hpp"

namespace strata {

struct column_info {
    std::string name{};
    std::string table{};  // origin table when the database knows it, else empty
};

class row_shape {
public:
    explicit row_shape(std::vector<column_info> columns) : columns_(std::move(columns)) {}
    [[nodiscard]] std::size_t size() const noexcept { return columns_.size(); }
    [[nodiscard]] const column_info& operator[](std::size_t i) const noexcept { return columns_[i]; }
    [[nodiscard]] const std::vector<column_info>& columns() const noexcept { return columns_; }
    // Index of the column named `name`, or npos.
    [[nodiscard]] std::size_t find(std::string_view name) const noexcept;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    std::vector<column_info> columns_;
};

// A struct's field list, declared by the user to decode rows into it by column name:
//   template <> struct strata::fields<user> {
//       static constexpr auto list = std::tuple{strata::field("id", &user::id),
//                                               strata::field("name", &user::name)};
//   };
template <class T>
struct fields;

template <class Struct, class Member>
struct field_ref {
    std::string_view name{};
    Member Struct::*member;
};
template <class Struct, class Member>
constexpr field_ref<Struct, Member> field(std::string_view name, Member Struct::*member) {
    return {name, member};
}

template <class T>
concept has_fields = requires { fields<T>::list; };

template <class T>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};

namespace detail {
[[noreturn]] void throw_decode_failed(const row_shape& shape, std::size_t index, std::string_view codec_name,
                                      std::string_view reason);
[[noreturn]] void throw_column_not_found(const row_shape& shape, std::string_view name);
[[noreturn]] void throw_column_index(const row_shape& shape, std::size_t index);
[[noreturn]] void throw_tuple_arity(const row_shape& shape, std::size_t wanted);
}  // namespace detail

class row {
public:
    row() = default;
    row(std::shared_ptr<const row_shape> shape, std::vector<value> values)
        : shape_(std::move(shape)), values_(std::move(values)) {}
    row(const row&) = default;
    row(row&&) noexcept = default;
    row& operator=(const row&) = default;
    row& operator=(row&&) noexcept = default;
    // Gives the value vector back to this thread's buffers, where the driver reading the
    // next row on this thread takes it (text capacity included) instead of allocating.
    ~row() {
        if (values_.capacity() != 0) give_back_values();
    }

    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
    [[nodiscard]] const row_shape& shape() const noexcept { return *shape_; }
    [[nodiscard]] const std::shared_ptr<const row_shape>& shape_ptr() const noexcept { return shape_; }
    [[nodiscard]] const std::vector<value>& values() const noexcept { return values_; }
    [[nodiscard]] std::vector<value>& mutable_values() noexcept { return values_; }

    // Raw value access; throws RUNTIME.COLUMN_NOT_FOUND for a bad index or name.
    [[nodiscard]] const value& at(std::size_t i) const;
    [[nodiscard]] const value& at(std::string_view name) const;
    [[nodiscard]] const value& operator[](std::size_t i) const { return at(i); }
    [[nodiscard]] const value& operator[](std::string_view name) const { return at(name); }

    // Decoded access.
    template <class T>
    [[nodiscard]] T get(std::size_t i) const {
        return decode_column<T>(i);
    }
    template <class T>
    [[nodiscard]] T get(std::string_view name) const {
        std::size_t i = shape_->find(name);
        if (i == row_shape::npos) detail::throw_column_not_found(*shape_, name);
        return decode_column<T>(i);
    }

    // Whole-row decoding: into a std::tuple (by position, arity must match) or into a
    // struct with a strata::fields<T> declaration (by column name).
    template <class T>
    [[nodiscard]] T as() const {
        if constexpr (is_tuple<T>::value) {
            if (std::tuple_size_v<T> != values_.size()) detail::throw_tuple_arity(*shape_, std::tuple_size_v<T>);
            return as_tuple<T>(std::make_index_sequence<std::tuple_size_v<T>>{});
        } else if constexpr (has_fields<T>) {
            T out{};
            std::apply([&](const auto&... f) { (assign_field(out, f), ...); }, fields<T>::list);
            return out;
        } else {
            static_assert(has_codec<T>, "row::as<T>: T needs a std::tuple, strata::fields<T> or a codec");
            if (values_.size() != 1) detail::throw_tuple_arity(*shape_, 1);
            return decode_column<T>(0);
        }
    }

private:
    template <class T>
    T decode_column(std::size_t i) const {
        if (i >= values_.size()) detail::throw_column_index(*shape_, i);
        try {
            return codec<T>::decode(values_[i]);
        } catch (const codec_failure& f) {
            detail::throw_decode_failed(*shape_, i, codec<T>::name, f.reason);
        }
    }
    template <class Tuple, std::size_t... I>
    Tuple as_tuple(std::index_sequence<I...>) const {
        return Tuple{decode_column<std::tuple_element_t<I, Tuple>>(I)...};
    }
    template <class T, class Member>
    void assign_field(T& out, const field_ref<T, Member>& f) const {
        out.*(f.member) = get<Member>(f.name);
    }

    void give_back_values() noexcept;

    std::shared_ptr<const row_shape> shape_;
    std::vector<value> values_;
};

}  // namespace strata
