// Codecs turn C++ values into strata::value and back.
//
// A codec is a specialization of strata::codec<T> with
//   static constexpr std::string_view name;
//   static strata::value encode(const T&);
//   static T decode(const strata::value&);   // throws strata::codec_failure
// Built-in codecs cover integers, floating point, bool, text, blobs, timestamps
// (std::chrono::sys_time), JSON (strata/codec_json.hpp) and std::optional<T>.
// User codecs are added by specializing strata::codec for the user's type.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "strata/timestamp_text.hpp"
#include "strata/value.hpp"

namespace strata {

// Thrown by codecs; the row turns it into RUNTIME.DECODE_FAILED naming the column.
struct codec_failure {
    std::string reason;
};

template <class T, class Enable = void>
struct codec;  // no codec for T: specialize strata::codec<T> to add one

template <class T>
concept has_codec = requires(const T& t, const value& v) {
    { codec<T>::encode(t) } -> std::convertible_to<value>;
    { codec<T>::decode(v) } -> std::convertible_to<T>;
    { codec<T>::name } -> std::convertible_to<std::string_view>;
};

namespace detail {
[[noreturn]] void throw_codec_failure(std::string_view expected, const value& got);
[[noreturn]] void throw_codec_range(std::string_view type_name, std::int64_t got);
}  // namespace detail

template <>
struct codec<value> {
    static constexpr std::string_view name = "value";
    static value encode(const value& v) { return v; }
    static value decode(const value& v) { return v; }
};

template <>
struct codec<null_t> {
    static constexpr std::string_view name = "null";
    static value encode(null_t) { return value{}; }
    static null_t decode(const value& v) {
        if (!v.is_null()) detail::throw_codec_failure("null", v);
        return null;
    }
};

template <>
struct codec<bool> {
    static constexpr std::string_view name = "bool";
    static value encode(bool b) { return value{b}; }
    static bool decode(const value& v) {
        if (auto b = v.get_if<bool>()) return *b;
        if (auto i = v.get_if<std::int64_t>(); i && (*i == 0 || *i == 1)) return *i == 1;
        detail::throw_codec_failure("bool (or integer 0/1)", v);
    }
};

template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
struct codec<T> {
    static constexpr std::string_view name = std::is_signed_v<T> ? "integer" : "unsigned integer";
    static value encode(T x) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            if (x > static_cast<T>(std::numeric_limits<std::int64_t>::max()))
                throw codec_failure{"unsigned value does not fit a 64-bit signed SQL integer"};
        }
        return value{static_cast<std::int64_t>(x)};
    }
    static T decode(const value& v) {
        const std::int64_t* i = v.get_if<std::int64_t>();
        if (i == nullptr) {
            if (auto b = v.get_if<bool>()) return static_cast<T>(*b ? 1 : 0);
            detail::throw_codec_failure("integer", v);
        }
        if (!std::in_range<T>(*i)) detail::throw_codec_range(name, *i);
        return static_cast<T>(*i);
    }
};

template <std::floating_point T>
struct codec<T> {
    static constexpr std::string_view name = "real";
    static value encode(T x) { return value{static_cast<double>(x)}; }
    static T decode(const value& v) {
        if (auto d = v.get_if<double>()) return static_cast<T>(*d);
        if (auto i = v.get_if<std::int64_t>()) return static_cast<T>(*i);
        detail::throw_codec_failure("real", v);
    }
};

template <>
struct codec<std::string> {
    static constexpr std::string_view name = "text";
    static value encode(const std::string& s) { return value{s}; }
    static value encode(std::string&& s) { return value{std::move(s)}; }
    static std::string decode(const value& v) {
        if (auto s = v.get_if<std::string>()) return *s;
        if (auto j = v.get_if<json_text>()) return j->text;
        detail::throw_codec_failure("text", v);
    }
};

// Encode-only conveniences for string literals and views.
template <>
struct codec<std::string_view> {
    static constexpr std::string_view name = "text";
    static value encode(std::string_view s) { return value{std::string(s)}; }
};
template <>
struct codec<const char*> {
    static constexpr std::string_view name = "text";
    static value encode(const char* s) { return value{std::string(s)}; }
};

template <>
struct codec<blob> {
    static constexpr std::string_view name = "blob";
    static value encode(const blob& b) { return value{b}; }
    static blob decode(const value& v) {
        if (auto b = v.get_if<blob>()) return *b;
        detail::throw_codec_failure("blob", v);
    }
};

template <class Duration>
struct codec<std::chrono::sys_time<Duration>> {
    static constexpr std::string_view name = "timestamp";
    static value encode(std::chrono::sys_time<Duration> t) {
        return value{std::chrono::floor<std::chrono::microseconds>(t)};
    }
    static std::chrono::sys_time<Duration> decode(const value& v) {
        if (auto t = v.get_if<timestamp>()) return std::chrono::time_point_cast<Duration>(*t);
        if (auto s = v.get_if<std::string>()) {
            if (auto t = parse_timestamp(*s)) return std::chrono::time_point_cast<Duration>(*t);
            throw codec_failure{"text is not an ISO-8601 timestamp"};
        }
        detail::throw_codec_failure("timestamp (or ISO-8601 text)", v);
    }
};

template <class T>
struct codec<std::optional<T>> {
    static constexpr std::string_view name = codec<T>::name;
    static value encode(const std::optional<T>& o) { return o ? value{codec<T>::encode(*o)} : value{}; }
    static std::optional<T> decode(const value& v) {
        if (v.is_null()) return std::nullopt;
        return codec<T>::decode(v);
    }
};

// Encodes any argument that has a codec (string literals decay to const char*).
template <class T>
[[nodiscard]] value encode(T&& x) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::is_array_v<U>) {
        return codec<const char*>::encode(x);
    } else {
        return codec<std::decay_t<U>>::encode(std::forward<T>(x));
    }
}

}  // namespace strata
