#include "strata/split/ids.hpp"

#include <charconv>
#include <chrono>
#include <random>

#include "strata/error.hpp"

namespace strata::split {
namespace {

std::int64_t unix_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool is_prefix_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

constexpr std::string_view base32hex = "0123456789abcdefghijklmnopqrstuv";

int base32hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'v') return c - 'a' + 10;
    return -1;
}

constexpr int int64_generator_bits = 10;
constexpr int int64_sequence_bits = 10;
constexpr std::int64_t int64_sequence_max = (std::int64_t{1} << int64_sequence_bits) - 1;
constexpr int int64_time_shift = int64_generator_bits + int64_sequence_bits;
constexpr std::int64_t int64_time_max = (std::int64_t{1} << 42) - 1;

// The text layout: [0,10) milliseconds, [10,14) sequence, [14,24) random, 24 region, 25 version.
constexpr std::size_t text_time_chars = 10;
constexpr std::size_t text_sequence_chars = 4;
constexpr std::uint32_t text_sequence_max = (1u << (5 * text_sequence_chars)) - 1;
constexpr char text_region = '0';
constexpr char text_version = '1';

void put_base32(std::string& out, std::uint64_t v, std::size_t chars) {
    for (std::size_t i = chars; i-- > 0;) out.push_back(base32hex[(v >> (5 * i)) & 31u]);
}

}  // namespace

std::string_view to_string(residency r) noexcept {
    return r == residency::fresh ? "new" : "legacy";
}

std::string_view strip_prefix(std::string_view id) noexcept {
    const std::size_t underscore = id.find('_');
    if (underscore == std::string_view::npos || underscore == 0 || underscore > 16) return id;
    for (std::size_t i = 0; i < underscore; ++i)
        if (!is_prefix_char(id[i])) return id;
    return id.substr(underscore + 1);
}

// ---- int64_ids ----

int64_ids::int64_ids() : generator_(static_cast<std::int64_t>(std::random_device{}() % (1u << int64_generator_bits))) {}

int64_ids::int64_ids(unsigned generator) : generator_(static_cast<std::int64_t>(generator)) {
    if (generator >= (1u << int64_generator_bits))
        throw error(std::string(codes::invalid_argument), "int64_ids generator numbers are 0..1023.",
                    {{"generator", std::to_string(generator)}});
}

residency int64_ids::classify(std::int64_t id) noexcept {
    return id > 0 && (id & version_bit) != 0 ? residency::fresh : residency::legacy;
}

std::optional<std::int64_t> int64_ids::parse(std::string_view text) noexcept {
    const std::string_view body = strip_prefix(text);
    std::int64_t v = 0;
    const char* first = body.data();
    const char* last = body.data() + body.size();
    if (body.empty() || body.front() == '+' || body.front() == '-') return std::nullopt;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc{} || ptr != last || v <= 0) return std::nullopt;
    return v;
}

residency int64_ids::classify(std::string_view text) noexcept {
    const std::optional<std::int64_t> v = parse(text);
    return v ? classify(*v) : residency::legacy;
}

std::int64_t int64_ids::minted_at_ms(std::int64_t id) noexcept {
    if (classify(id) != residency::fresh) return -1;
    return ((id & ~version_bit) >> int64_time_shift) + epoch_ms;
}

std::int64_t int64_ids::legacy_minted_at_ms(std::int64_t id) noexcept {
    if (id <= 0 || classify(id) != residency::legacy) return -1;
    return (id >> 22) + epoch_ms;  // legacy snowflakes: milliseconds since 2025 << 22
}

std::int64_t int64_ids::mint() {
    return mint(unix_now_ms());
}

std::int64_t int64_ids::mint(std::int64_t now_unix_ms) {
    std::lock_guard lock(mutex_);
    std::int64_t ms = now_unix_ms - epoch_ms;
    if (ms < 0) ms = 0;
    if (ms < last_ms_) ms = last_ms_;  // the clock stepped back: stay monotonic
    if (ms == last_ms_) {
        if (++sequence_ > int64_sequence_max) {
            ++ms;  // borrow the next millisecond rather than wait
            sequence_ = 0;
        }
    } else {
        sequence_ = 0;
    }
    if (ms > int64_time_max)
        throw error(std::string(codes::invalid_argument), "The clock is past the int64_ids time range (year 2164).");
    last_ms_ = ms;
    return version_bit | (ms << int64_time_shift) | (generator_ << int64_sequence_bits) | sequence_;
}

// ---- text_ids ----

text_ids::text_ids() {
    std::random_device rd;
    random_state_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    if (random_state_ == 0) random_state_ = 0x9e3779b97f4a7c15ull;
}

residency text_ids::classify(std::string_view id) noexcept {
    const std::string_view body = strip_prefix(id);
    if (body.size() != length || body[length - 1] != text_version) return residency::legacy;
    for (char c : body)
        if (base32hex_digit(c) < 0) return residency::legacy;
    return residency::fresh;
}

std::int64_t text_ids::minted_at_ms(std::string_view id) noexcept {
    if (classify(id) != residency::fresh) return -1;
    const std::string_view body = strip_prefix(id);
    std::int64_t ms = 0;
    for (std::size_t i = 0; i < text_time_chars; ++i) ms = ms * 32 + base32hex_digit(body[i]);
    return ms;
}

std::string text_ids::mint(std::string_view prefix) {
    return mint(prefix, unix_now_ms());
}

std::string text_ids::mint(std::string_view prefix, std::int64_t now_unix_ms) {
    if (!prefix.empty()) {
        bool ok = prefix.size() <= 16;
        for (char c : prefix) ok = ok && is_prefix_char(c);
        if (!ok)
            throw error(std::string(codes::invalid_argument),
                        "An id prefix is 1-16 characters of a-z and 0-9 (the '_' is added).");
    }
    std::int64_t ms = 0;
    std::uint32_t sequence = 0;
    std::uint64_t random = 0;
    {
        std::lock_guard lock(mutex_);
        ms = now_unix_ms < 0 ? 0 : now_unix_ms;
        if (ms < last_ms_) ms = last_ms_;
        if (ms == last_ms_) {
            if (++sequence_ > text_sequence_max) {
                ++ms;
                sequence_ = 0;
            }
        } else {
            sequence_ = 0;
        }
        last_ms_ = ms;
        sequence = sequence_;
        // xorshift64*: ids need uniqueness across processes, not secrecy.
        random_state_ ^= random_state_ >> 12;
        random_state_ ^= random_state_ << 25;
        random_state_ ^= random_state_ >> 27;
        random = random_state_ * 0x2545f4914f6cdd1dull;
    }
    std::string out;
    out.reserve(prefix.size() + 1 + length);
    if (!prefix.empty()) {
        out.append(prefix);
        out.push_back('_');
    }
    put_base32(out, static_cast<std::uint64_t>(ms), text_time_chars);
    put_base32(out, sequence, text_sequence_chars);
    put_base32(out, random, 10);
    out.push_back(text_region);
    out.push_back(text_version);
    return out;
}

}  // namespace strata::split
