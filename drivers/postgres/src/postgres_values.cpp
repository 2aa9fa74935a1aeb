#include "postgres_values.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "strata/error.hpp"
#include "strata/timestamp_text.hpp"

namespace strata::postgres::detail {
namespace {

std::string real_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back exactly (<= 24)
    return std::string(buf, r.ptr);
}

[[noreturn]] void nul_in_text(std::size_t index) {
    throw error(std::string(codes::runtime_invalid_argument),
                "Parameter " + std::to_string(index + 1) +
                    " is text holding a NUL byte, which PostgreSQL text cannot store. Pass it as a blob (bytea).",
                {{"parameter", std::to_string(index + 1)}})
        .with_sql(sql_error_info{.sqlstate = "22021"});
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// bytea in text form: hex ("\x00ff", the default) or the old escape format.
value decode_bytea(std::string_view s) {
    blob out;
    if (s.starts_with("\\x")) {
        s.remove_prefix(2);
        out.reserve(s.size() / 2);
        for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
            const int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
            if (hi < 0 || lo < 0) return value{std::string(s)};
            out.push_back(static_cast<std::byte>(hi * 16 + lo));
        }
        return value{std::move(out)};
    }
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out.push_back(static_cast<std::byte>(s[i]));
        } else if (i + 1 < s.size() && s[i + 1] == '\\') {
            out.push_back(std::byte{'\\'});
            ++i;
        } else if (i + 3 < s.size()) {  // \ooo: three octal digits
            const int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
            out.push_back(static_cast<std::byte>(v));
            i += 3;
        } else {
            return value{std::string(s)};
        }
    }
    return value{std::move(out)};
}

value decode_integer(std::string_view s) {
    std::int64_t x = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return value{x};
    return value{std::string(s)};
}

value decode_real(std::string_view s) {
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return value{d};
    return value{std::string(s)};
}

// numeric: integral values that fit 64 bits come back as integers (SUM(bigint), COUNT
// over numeric), everything else as a double — the same as SQLite's NUMERIC affinity.
// Cast to text in SQL (amount::text) to keep every digit of an exact decimal.
value decode_numeric(std::string_view s) {
    if (s.find_first_of(".eEaNI") == std::string_view::npos) {
        std::int64_t x = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return value{x};
    }
    if (s == "NaN") return value{std::numeric_limits<double>::quiet_NaN()};
    return decode_real(s);
}

}  // namespace

encoded_params::encoded_params(const std::vector<value>& params) : n_(params.size()) {
    std::byte* base = inline_;
    if (n_ > inline_count) {
        heap_ = std::make_unique<std::byte[]>(n_ * bytes_per_param);
        base = heap_.get();
    }
    values_ = reinterpret_cast<const char**>(base);
    types_ = reinterpret_cast<Oid*>(base + n_ * sizeof(const char*));
    lengths_ = reinterpret_cast<int*>(base + n_ * (sizeof(const char*) + sizeof(Oid)));
    formats_ = lengths_ + n_;
    slots_ = reinterpret_cast<char*>(formats_ + n_);
    for (std::size_t i = 0; i < n_; ++i) {
        values_[i] = nullptr;
        types_[i] = oid::unknown;
        lengths_[i] = 0;
        formats_[i] = 0;
        char* slot = slots_ + i * slot_size;
        auto keep = [&](std::string_view text, Oid type) {
            if (text.size() >= slot_size) {  // cannot happen for the types printed here
                throw error(std::string(codes::runtime_invalid_argument),
                            "Parameter " + std::to_string(i + 1) + " does not print in " + std::to_string(slot_size) +
                                " characters.");
            }
            std::memcpy(slot, text.data(), text.size());
            slot[text.size()] = '\0';
            values_[i] = slot;
            lengths_[i] = static_cast<int>(text.size());
            types_[i] = type;
        };
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, null_t>) {
                    // NULL: unknown type, values_[i] stays nullptr
                } else if constexpr (std::is_same_v<T, bool>) {
                    keep(x ? "t" : "f", oid::boolean);
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    char buf[24];
                    const auto r = std::to_chars(buf, buf + sizeof buf, x);
                    keep(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)), oid::int8);
                } else if constexpr (std::is_same_v<T, double>) {
                    keep(real_text(x), oid::float8);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    if (std::memchr(x.data(), '\0', x.size()) != nullptr) nul_in_text(i);
                    values_[i] = x.c_str();
                    lengths_[i] = static_cast<int>(x.size());
                } else if constexpr (std::is_same_v<T, blob>) {
                    values_[i] = x.empty() ? "" : reinterpret_cast<const char*>(x.data());
                    lengths_[i] = static_cast<int>(x.size());
                    formats_[i] = 1;
                    types_[i] = oid::bytea;
                } else if constexpr (std::is_same_v<T, timestamp>) {
                    keep(format_timestamp(x) + "+00", oid::unknown);
                } else if constexpr (std::is_same_v<T, json_text>) {
                    if (std::memchr(x.text.data(), '\0', x.text.size()) != nullptr) nul_in_text(i);
                    values_[i] = x.text.c_str();
                    lengths_[i] = static_cast<int>(x.text.size());
                    types_[i] = oid::jsonb;
                }
            },
            params[i].get());
    }
}

std::string statement_key(std::string_view sql, const encoded_params& params) {
    std::string key;
    key.reserve(sql.size() + 1 + static_cast<std::size_t>(params.count()) * 3);
    key.append(sql);
    key += '\0';
    for (int i = 0; i < params.count(); ++i) {
        char buf[12];
        const auto r = std::to_chars(buf, buf + sizeof buf, params.types()[i]);
        key.append(buf, r.ptr);
        key += ',';
    }
    return key;
}

value decode(Oid type, const char* data, std::size_t length) {
    const std::string_view s(data, length);
    switch (type) {
        case oid::boolean:
            return value{s == "t"};
        case oid::int2:
        case oid::int4:
        case oid::int8:
        case oid::object_id:
            return decode_integer(s);
        case oid::float4:
        case oid::float8:
            return decode_real(s);
        case oid::numeric:
            return decode_numeric(s);
        case oid::bytea:
            return decode_bytea(s);
        case oid::timestamp:
        case oid::timestamptz:
            if (auto t = parse_timestamp(s)) return value{*t};
            return value{std::string(s)};  // infinity, BC dates: kept as text
        case oid::json:
        case oid::jsonb:
            return value{json_text{std::string(s)}};
        default:
            return value{std::string(s)};
    }
}

}  // namespace strata::postgres::detail
