// strata::value — one SQL value as it crosses the driver boundary.
//
// Drivers bind and read values; codecs (codec.hpp) turn C++ types into values and back.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace strata {

struct null_t {
    friend bool operator==(null_t, null_t) = default;
};
inline constexpr null_t null{};

using blob = std::vector<std::byte>;
// Timestamps travel as UTC microseconds since the Unix epoch.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// JSON travels as its text; the JSON codec parses and prints it.
struct json_text {
    std::string text;
    friend bool operator==(const json_text&, const json_text&) = default;
};

enum class value_kind : std::uint8_t { nil, boolean, integer, real, text, bytes, time, json };
[[nodiscard]] std::string_view to_string(value_kind k) noexcept;

namespace detail {
struct value_access;
}

class value {
public:
    using storage = std::variant<null_t, bool, std::int64_t, double, std::string, blob, timestamp, json_text>;

    value() noexcept = default;
    value(null_t) noexcept {}
    value(bool b) noexcept : v_(b) {}
    value(std::int64_t i) noexcept : v_(i) {}
    value(double d) noexcept : v_(d) {}
    value(std::string s) noexcept : v_(std::move(s)) {}
    value(blob b) noexcept : v_(std::move(b)) {}
    value(timestamp t) noexcept : v_(t) {}
    value(json_text j) noexcept : v_(std::move(j)) {}

    [[nodiscard]] value_kind kind() const noexcept { return static_cast<value_kind>(v_.index()); }
    [[nodiscard]] bool is_null() const noexcept { return v_.index() == 0; }
    [[nodiscard]] const storage& get() const noexcept { return v_; }
    template <class T>
    [[nodiscard]] const T* get_if() const noexcept { return std::get_if<T>(&v_); }

    // A short, human-readable rendering (used by the CLI; blobs as x'..' hex).
    [[nodiscard]] std::string to_display() const;

    friend bool operator==(const value&, const value&) = default;

private:
    friend struct detail::value_access;
    storage v_;
};

namespace detail {
// Library internals: a value's text, in place (a recycled parameter buffer reuses its
// capacity when the next plan binds text at the same position). Null unless text.
struct value_access {
    [[nodiscard]] static std::string* text(value& v) noexcept { return std::get_if<std::string>(&v.v_); }
    // Sets a value in place; cheap when it already holds a T (a recycled row's buffer).
    template <class T>
    static void set(value& v, T&& x) {
        using U = std::remove_cvref_t<T>;
        if (U* held = std::get_if<U>(&v.v_))
            *held = std::forward<T>(x);
        else
            v.v_.template emplace<U>(std::forward<T>(x));
    }
};
}  // namespace detail

}  // namespace strata
