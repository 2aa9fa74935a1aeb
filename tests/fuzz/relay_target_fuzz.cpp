// Fuzzes relay's request-target decoding (relay::http::split_target: path and query,
// percent-decoding, '+' as space, UTF-8 and NUL checks).
//
// Properties:
// - whatever split_target accepts decodes to text that is valid UTF-8 without NUL by
//   PostgreSQL's rules (utf8_strict.hpp, written independently of relay's check): the
//   path, every query key and every value;
// - what it accepts it accepts again, with the same result, when every byte of the
//   decoded path is percent-encoded;
// - a path made by percent-encoding any bytes is accepted exactly when those bytes are
//   valid UTF-8 without NUL (no valid text refused, no invalid text let through).
// Finding F6 (fixed: text/utf8.hpp): the decoder accepted surrogates, 3- and 4-byte
// overlongs and code points above U+10FFFF. Inputs: tests/fuzz/crashes/relay_target/.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/request.hpp"
#include "utf8_strict.hpp"

namespace {

// Valid UTF-8 without NUL by PostgreSQL's rules.
bool acceptable(std::string_view decoded) {
    const utf8_verdict v = check_utf8(decoded);
    if (v == utf8_verdict::valid) return true;
    std::fprintf(stderr, "split_target accepted text that is not clean UTF-8: %s\n", to_string(v));
    return false;
}

std::string encode_all(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        out += '%';
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);

    std::string path;
    std::map<std::string, std::string> query;
    if (relay::http::split_target(target, path, query)) {
        FUZZ_CHECK(acceptable(path), "an accepted path is not valid UTF-8 without NUL");
        for (const auto& [k, v] : query) {
            FUZZ_CHECK(acceptable(k), "an accepted query key is not valid UTF-8 without NUL");
            FUZZ_CHECK(acceptable(v), "an accepted query value is not valid UTF-8 without NUL");
        }
        std::string again;
        std::map<std::string, std::string> ignored;
        FUZZ_CHECK(relay::http::split_target(encode_all(path), again, ignored) && again == path,
                   "an accepted path, fully percent-encoded, decodes differently");
    }

    // The raw bytes as a percent-encoded path: accepted exactly when they are clean.
    std::string decoded;
    std::map<std::string, std::string> none;
    const bool accepted = relay::http::split_target(encode_all(target), decoded, none);
    const utf8_verdict v = check_utf8(target);
    if (v == utf8_verdict::valid) {
        FUZZ_CHECK(accepted && decoded == target, "split_target refused or changed valid UTF-8");
    } else if (accepted) {
        FUZZ_CHECK(acceptable(target), "split_target accepted invalid UTF-8");
    }
    return 0;
}
