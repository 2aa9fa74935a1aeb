// Fuzzes the split-store list cursor (strata::split::encode_cursor / decode_cursor).
//
// Properties:
// - decode_cursor of any bytes returns a key or throws strata::error with code
//   SPLIT.CURSOR_INVALID; nothing else escapes. A key it returns has the kinds a cursor
//   can hold (created_at: integer, time or text; id: integer or text) and survives
//   encode -> decode unchanged.
// - for a key built from the fuzz bytes, decode_cursor(encode_cursor(k)) == k; a key of
//   another kind is refused by encode_cursor with a strata::error.
//   Finding F7 (fixed): encode_cursor made cursors longer than decode_cursor accepted;
//   now both share one bound and encode refuses a key past it.
#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "strata/error.hpp"
#include "strata/split/ids.hpp"
#include "strata/split/keyset.hpp"

namespace {

using strata::value;
using strata::value_kind;
using strata::split::key;

bool cursor_kinds(const key& k) {
    const auto c = k.created_at.kind(), i = k.id.kind();
    return (c == value_kind::integer || c == value_kind::time || c == value_kind::text) &&
           (i == value_kind::integer || i == value_kind::text);
}

void check_round_trip(const key& k) {
    std::string cursor;
    try {
        cursor = strata::split::encode_cursor(k);
    } catch (const strata::error& e) {  // a key too long for any cursor
        FUZZ_CHECK(e.code() == strata::split::codes::cursor_invalid, "encode_cursor refused a key with another code");
        return;
    }
    FUZZ_CHECK(cursor.starts_with("k1."), "a cursor does not start with k1.");
    try {
        FUZZ_CHECK(strata::split::decode_cursor(cursor) == k, "decode_cursor(encode_cursor(k)) != k");
    } catch (const strata::error&) {
        FUZZ_CHECK(false, "decode_cursor refused a cursor encode_cursor made");
    }
}

void decode_any(std::string_view bytes) {
    key k;
    try {
        k = strata::split::decode_cursor(bytes);
    } catch (const strata::error& e) {
        FUZZ_CHECK(e.code() == strata::split::codes::cursor_invalid, "decode_cursor threw a code other than CURSOR_INVALID");
        return;
    } catch (...) {
        FUZZ_CHECK(false, "decode_cursor threw something other than strata::error");
    }
    FUZZ_CHECK(cursor_kinds(k), "decode_cursor returned a key of kinds a cursor cannot hold");
    check_round_trip(k);
}

value component(FuzzedDataProvider& in, bool allow_time) {
    switch (in.ConsumeIntegralInRange(0, allow_time ? 2 : 1)) {
        case 0: return value(in.ConsumeIntegral<std::int64_t>());
        case 1: return value(in.ConsumeRandomLengthString(700));
        default: return value(strata::timestamp(std::chrono::microseconds(in.ConsumeIntegral<std::int64_t>())));
    }
}

value other_kind(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange(0, 4)) {
        case 0: return value();
        case 1: return value(in.ConsumeBool());
        case 2: return value(in.ConsumeFloatingPoint<double>());
        case 3: return value(strata::blob(4, std::byte{1}));
        default: return value(strata::json_text{in.ConsumeRandomLengthString(8)});
    }
}

void encode_built(FuzzedDataProvider& in) {
    key k;
    const bool valid = in.ConsumeIntegralInRange(0, 7) != 0;
    if (valid) {
        k.created_at = component(in, true);
        k.id = component(in, false);
        check_round_trip(k);
        return;
    }
    // One component of a kind a cursor cannot hold (an id may not be a time either).
    const bool bad_id = in.ConsumeBool();
    k.created_at = bad_id ? component(in, true) : other_kind(in);
    k.id = bad_id ? (in.ConsumeBool() ? other_kind(in) : component(in, true)) : component(in, false);
    if (cursor_kinds(k)) return;
    try {
        (void)strata::split::encode_cursor(k);
        FUZZ_CHECK(false, "encode_cursor accepted a key of kinds a cursor cannot hold");
    } catch (const strata::error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {  // the rest is a cursor as a client sent it
        decode_any(rest);
    } else {  // the rest builds a key
        FuzzedDataProvider in(data + 1, size - 1);
        encode_built(in);
    }
    return 0;
}
