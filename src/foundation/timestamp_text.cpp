#include "strata/timestamp_text.hpp"

#include <cctype>
#include <cstdio>

namespace strata {

using namespace std::chrono;

std::string format_timestamp(timestamp t) {
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<microseconds> hms{t - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d.%06lld", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
    return buf;
}

namespace {
struct cursor {
    std::string_view s;
    bool digits(std::size_t n, int& out) {
        if (s.size() < n) return false;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
            v = v * 10 + (s[i] - '0');
        }
        s.remove_prefix(n);
        out = v;
        return true;
    }
    bool eat(char c) {
        if (s.empty() || s.front() != c) return false;
        s.remove_prefix(1);
        return true;
    }
};
}  // namespace

std::optional<timestamp> parse_timestamp(std::string_view text) noexcept {
    cursor c{text};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    microseconds frac{0};
    seconds offset{0};
    if (!c.s.empty()) {
        if (!c.eat(' ') && !c.eat('T')) return std::nullopt;
        if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return std::nullopt;
        if (c.eat(':')) {
            if (!c.digits(2, sec)) return std::nullopt;
            if (c.eat('.')) {
                long long f = 0;
                int n = 0;
                while (!c.s.empty() && std::isdigit(static_cast<unsigned char>(c.s.front()))) {
                    if (n < 6) f = f * 10 + (c.s.front() - '0');
                    ++n;
                    c.s.remove_prefix(1);
                }
                if (n == 0) return std::nullopt;
                for (int i = n; i < 6; ++i) f *= 10;
                frac = microseconds{f};
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
        if (c.eat('Z')) {
        } else if (!c.s.empty() && (c.s.front() == '+' || c.s.front() == '-')) {
            const int sign = c.s.front() == '-' ? -1 : 1;
            c.s.remove_prefix(1);
            int oh = 0, om = 0, os = 0;
            if (!c.digits(2, oh)) return std::nullopt;
            if (c.eat(':')) {
                if (!c.digits(2, om)) return std::nullopt;
                // Seconds: PostgreSQL prints local mean time offsets in full (a date before
                // 1900 in a session TimeZone like Asia/Kolkata is "+05:53:28").
                if (c.eat(':') && !c.digits(2, os)) return std::nullopt;
            } else {
                c.digits(2, om);
            }
            offset = seconds{sign * (oh * 3600 + om * 60 + os)};
        }
        if (!c.s.empty()) return std::nullopt;
    }
    return timestamp{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec} + frac - offset;
}

}  // namespace strata
