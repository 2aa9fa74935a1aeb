// An independent, strict UTF-8 check with PostgreSQL's rules (pg_utf8_islegal): no NUL,
// no surrogates (U+D800..U+DFFF), no overlong form of any length, nothing above
// U+10FFFF, no 5- or 6-byte forms. It says why a string is refused, so a target can
// tell a known finding from a new one.
#pragma once

#include <cstddef>
#include <string_view>

enum class utf8_verdict {
    valid,
    nul,
    bad_lead,       // a continuation byte, C0/C1 or F5..FF where a character starts
    truncated,      // the string ends inside a character
    bad_continuation,
    overlong_3,     // E0 80..9F
    overlong_4,     // F0 80..8F
    surrogate,      // ED A0..BF
    above_max,      // F4 90..BF, or F5..F7 leading a 4-byte form (above U+10FFFF)
};

inline const char* to_string(utf8_verdict v) {
    switch (v) {
        case utf8_verdict::valid: return "valid";
        case utf8_verdict::nul: return "NUL";
        case utf8_verdict::bad_lead: return "bad lead byte";
        case utf8_verdict::truncated: return "truncated character";
        case utf8_verdict::bad_continuation: return "bad continuation byte";
        case utf8_verdict::overlong_3: return "3-byte overlong";
        case utf8_verdict::overlong_4: return "4-byte overlong";
        case utf8_verdict::surrogate: return "surrogate";
        case utf8_verdict::above_max: return "above U+10FFFF";
    }
    return "?";
}

inline utf8_verdict check_utf8(std::string_view s) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto cont = [](unsigned char c) { return c >= 0x80 && c <= 0xBF; };
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = byte(i);
        if (c == 0) return utf8_verdict::nul;
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        if (c >= 0xC2 && c <= 0xDF) n = 2;
        else if (c >= 0xE0 && c <= 0xEF) n = 3;
        else if (c >= 0xF0 && c <= 0xF4) n = 4;
        else if (c >= 0xF5 && c <= 0xF7) return utf8_verdict::above_max;  // 4-byte form of U+140000 and up
        else return utf8_verdict::bad_lead;
        if (i + n > s.size()) return utf8_verdict::truncated;
        for (std::size_t k = 1; k < n; ++k)
            if (!cont(byte(i + k))) return utf8_verdict::bad_continuation;
        const unsigned char second = byte(i + 1);
        if (c == 0xE0 && second < 0xA0) return utf8_verdict::overlong_3;
        if (c == 0xED && second > 0x9F) return utf8_verdict::surrogate;
        if (c == 0xF0 && second < 0x90) return utf8_verdict::overlong_4;
        if (c == 0xF4 && second > 0x8F) return utf8_verdict::above_max;
        i += n;
    }
    return utf8_verdict::valid;
}
