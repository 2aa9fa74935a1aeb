// Split stores, part 1: which store owns an id (see docs/decisions/0013-split-stores.md).
//
// classify() is total: every input has an answer. One optional `<prefix>_` is stripped
// (`msg_…` routes like the bare id); only a well-formed version-1 body belongs to the new
// store (residency::fresh); legacy shapes, garbage and the empty string are legacy.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace strata::split {

enum class residency { legacy, fresh };
[[nodiscard]] std::string_view to_string(residency r) noexcept;

// Codes of the SPLIT category.
namespace codes {
inline constexpr std::string_view cross_store_write = "SPLIT.CROSS_STORE_WRITE";
inline constexpr std::string_view replica_write = "SPLIT.REPLICA_WRITE";
inline constexpr std::string_view cursor_invalid = "SPLIT.CURSOR_INVALID";
inline constexpr std::string_view order_mismatch = "SPLIT.ORDER_MISMATCH";
inline constexpr std::string_view invalid_argument = "SPLIT.INVALID_ARGUMENT";
inline constexpr std::string_view store_missing = "SPLIT.STORE_MISSING";
}  // namespace codes

// "msg_123" -> "123". A prefix is 1–16 characters of [a-z0-9] followed by '_'; only the
// first one is stripped. Anything else comes back unchanged.
[[nodiscard]] std::string_view strip_prefix(std::string_view id) noexcept;

// Integer ids. Version 1: a positive int64 with bit 62 set (the version marker), then 42
// bits of milliseconds since 2025-01-01T00:00:00Z, 10 bits of generator number and 10
// bits of sequence. Legacy snowflakes (milliseconds << 22 since 2025) stay below 2^62
// until 2059. Ids from one generator increase strictly; ids of different generators
// order by millisecond.
class int64_ids {
public:
    static constexpr std::int64_t version_bit = std::int64_t{1} << 62;
    static constexpr std::int64_t epoch_ms = 1735689600000;  // 2025-01-01T00:00:00Z

    // A random generator number (1 in 1024 chance that two processes share one).
    int64_ids();
    explicit int64_ids(unsigned generator);

    [[nodiscard]] static residency classify(std::int64_t id) noexcept;
    // Decimal text, optionally prefixed; anything that is not a positive decimal int64
    // is legacy.
    [[nodiscard]] static residency classify(std::string_view text) noexcept;
    // Unix milliseconds a version-1 id was minted at; -1 for any other id.
    [[nodiscard]] static std::int64_t minted_at_ms(std::int64_t id) noexcept;
    // Unix milliseconds a legacy snowflake (a positive id below version_bit) was minted
    // at; -1 for any other id.
    [[nodiscard]] static std::int64_t legacy_minted_at_ms(std::int64_t id) noexcept;
    // The id in decimal text, optionally prefixed ("msg_123"); nullopt for anything that
    // is not a positive decimal int64.
    [[nodiscard]] static std::optional<std::int64_t> parse(std::string_view text) noexcept;

    // A new version-1 id (thread-safe). now_ms: Unix milliseconds (tests pass their own).
    [[nodiscard]] std::int64_t mint();
    [[nodiscard]] std::int64_t mint(std::int64_t now_unix_ms);

private:
    std::mutex mutex_;
    std::int64_t generator_;
    std::int64_t last_ms_ = -1;
    std::int64_t sequence_ = 0;
};

// Text ids. Version 1: 26 characters of lowercase base32hex (0-9, a-v): 10 of
// milliseconds since the Unix epoch, 4 of sequence, 10 random, a region character and
// the version character '1' at index 25. Lexical order is mint order within one
// generator and millisecond order across generators.
class text_ids {
public:
    static constexpr std::size_t length = 26;

    text_ids();

    [[nodiscard]] static residency classify(std::string_view id) noexcept;
    // Unix milliseconds a version-1 id was minted at; -1 for any other id.
    [[nodiscard]] static std::int64_t minted_at_ms(std::string_view id) noexcept;

    // A new version-1 id, as "<prefix>_<body>" when a prefix is given (validated:
    // SPLIT.INVALID_ARGUMENT unless 1–16 characters of [a-z0-9]).
    [[nodiscard]] std::string mint(std::string_view prefix = {});
    [[nodiscard]] std::string mint(std::string_view prefix, std::int64_t now_unix_ms);

private:
    std::mutex mutex_;
    std::uint64_t random_state_;
    std::int64_t last_ms_ = -1;
    std::uint32_t sequence_ = 0;
};

}  // namespace strata::split
