#include "text/utf8.hpp"

#include <cstddef>

namespace relay {

bool valid_utf8(std::string_view s) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto continuation = [&](std::size_t i) { return (byte(i) & 0xc0u) == 0x80u; };
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = byte(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        // The lead byte fixes the length and the range of the first continuation byte
        // (Unicode table 3-7); that one check excludes overlongs, surrogates and > U+10FFFF.
        std::size_t n = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0) lo = 0xa0;  // overlong below U+0800
            if (c == 0xed) hi = 0x9f;  // surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0) lo = 0x90;  // overlong below U+10000
            if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
        } else {
            return false;  // continuation byte as lead, C0/C1 (overlong), F5..FF
        }
        if (s.size() - i < n) return false;
        if (byte(i + 1) < lo || byte(i + 1) > hi) return false;
        for (std::size_t k = 2; k < n; ++k)
            if (!continuation(i + k)) return false;
        i += n;
    }
    return true;
}

bool storable_text(std::string_view s) noexcept {
    return s.find('\0') == std::string_view::npos && valid_utf8(s);
}

}  // namespace relay
