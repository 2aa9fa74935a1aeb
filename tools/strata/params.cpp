#include "params.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "cli_errors.hpp"

namespace strata::cli {
namespace {

constexpr std::string_view help_text =
    "Parameters (--param, once per ? placeholder, in order):\n"
    "  42, -7          a plain value that is entirely an integer binds as INTEGER\n"
    "  4.5, 1e3        a plain value that is entirely a real binds as REAL\n"
    "  anything else   binds as TEXT\n"
    "  int:V           force INTEGER (64-bit)\n"
    "  real:V          force REAL\n"
    "  text:V          force TEXT (e.g. text:007 keeps the zeros, text:null is the word)\n"
    "  null            NULL\n"
    "  blob:HEX        BLOB from hex digits, e.g. blob:00ff10\n"
    "Values are always bound, never spliced into the SQL text.";

// from_chars does not take a leading '+'; people write one.
std::string_view without_plus(std::string_view s) {
    if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    return s;
}

std::optional<std::int64_t> whole_integer(std::string_view s) {
    s = without_plus(s);
    std::int64_t x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return x;
}

std::optional<double> whole_real(std::string_view s) {
    s = without_plus(s);
    double x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || std::isnan(x)) return std::nullopt;
    return x;
}

// Digits, sign, point and exponent only: "inf", "nan" and "0x1p3" stay text when plain.
bool looks_numeric(std::string_view s) {
    bool digit = false;
    for (char c : s) {
        if (c >= '0' && c <= '9') digit = true;
        else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') return false;
    }
    return digit;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<blob> hex_blob(std::string_view s) {
    if (s.size() % 2 != 0) return std::nullopt;
    blob out;
    out.reserve(s.size() / 2);
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = hex_digit(s[i]);
        const int lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::byte>(hi * 16 + lo));
    }
    return out;
}

[[noreturn]] void invalid(std::size_t position, std::string_view what) {
    throw usage_error("CLI.PARAM_INVALID", "--param " + std::to_string(position) + " " + std::string(what) +
                                               ". See `strata query --help` for parameter types.");
}

}  // namespace

value parse_param(std::string_view arg, std::size_t position) {
    if (arg == "null") return value{};
    if (arg.starts_with("text:")) return value{std::string(arg.substr(5))};
    if (arg.starts_with("int:")) {
        if (auto i = whole_integer(arg.substr(4))) return value{*i};
        invalid(position, "has the int: prefix but is not a 64-bit integer");
    }
    if (arg.starts_with("real:")) {
        if (auto d = whole_real(arg.substr(5))) return value{*d};
        invalid(position, "has the real: prefix but is not a number");
    }
    if (arg.starts_with("blob:")) {
        if (auto b = hex_blob(arg.substr(5))) return value{std::move(*b)};
        invalid(position, "has the blob: prefix but is not an even number of hex digits");
    }
    if (looks_numeric(arg)) {
        if (auto i = whole_integer(arg)) return value{*i};
        if (auto d = whole_real(arg)) return value{*d};
    }
    return value{std::string(arg)};
}

std::vector<value> parse_params(const std::vector<std::string>& args) {
    std::vector<value> out;
    out.reserve(args.size());
    for (std::size_t i = 0; i < args.size(); ++i) out.push_back(parse_param(args[i], i + 1));
    return out;
}

std::string_view param_help() noexcept { return help_text; }

}  // namespace strata::cli
