#pragma once

#include <cctype>

namespace strata::detail {

inline bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
inline bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

template <class Fn>
bool for_each_token(std::string_view s, Fn&& fn) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    auto closing = [&](char quote, std::size_t start) -> std::size_t {
        // returns index one past the closing quote, or npos
        std::size_t j = start + 1;
        while (j < n) {
            if (s[j] == quote) {
                if (j + 1 < n && s[j + 1] == quote) {  // doubled quote escapes itself
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            ++j;
        }
        return std::string_view::npos;
    };
    while (i < n) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            const auto nl = s.find('\n', i);
            i = nl == std::string_view::npos ? n : nl + 1;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            const auto end = s.find("*/", i + 2);
            if (end == std::string_view::npos) return false;
            i = end + 2;
        } else if (c == '\'' || c == '"' || c == '`') {
            const auto end = closing(c, i);
            if (end == std::string_view::npos) return false;
            fn(token{c == '\'' ? token_kind::string_literal : token_kind::quoted_identifier, s.substr(i, end - i)});
            i = end;
        } else if (c == '[') {
            const auto end = s.find(']', i);
            if (end == std::string_view::npos) return false;
            fn(token{token_kind::quoted_identifier, s.substr(i, end + 1 - i)});
            i = end + 1;
        } else if (c == '$' && i + 1 < n && (s[i + 1] == '$' || is_word_start(s[i + 1]))) {
            // PostgreSQL dollar quote $tag$...$tag$ (or a $name parameter if no closing $).
            std::size_t j = i + 1;
            while (j < n && s[j] != '$' && is_word_char(s[j])) ++j;
            if (j < n && s[j] == '$') {
                const std::string_view tag = s.substr(i, j + 1 - i);
                const auto end = s.find(tag, j + 1);
                if (end == std::string_view::npos) return false;
                fn(token{token_kind::string_literal, s.substr(i, end + tag.size() - i)});
                i = end + tag.size();
            } else {
                fn(token{token_kind::punct, s.substr(i, j - i)});
                i = j;
            }
        } else if (is_word_start(c)) {
            std::size_t j = i + 1;
            while (j < n && is_word_char(s[j])) ++j;
            if (j < n && s[j] == '\'' && j - i == 1 && (c == 'x' || c == 'X' || c == 'e' || c == 'E')) {
                const auto end = closing('\'', j);  // x'..' blob / E'..' string
                if (end == std::string_view::npos) return false;
                fn(token{token_kind::string_literal, s.substr(i, end - i)});
                i = end;
            } else {
                fn(token{token_kind::word, s.substr(i, j - i)});
                i = j;
            }
        } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                   (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            std::size_t j = i + 1;
            while (j < n && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' ||
                             ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                ++j;
            fn(token{token_kind::number, s.substr(i, j - i)});
            i = j;
        } else if (c == '?') {
            std::size_t j = i + 1;
            while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
            fn(token{token_kind::placeholder, s.substr(i, j - i)});
            i = j;
        } else if (c == ';') {
            fn(token{token_kind::semicolon, s.substr(i, 1)});
            ++i;
        } else {
            fn(token{token_kind::punct, s.substr(i, 1)});
            ++i;
        }
    }
    return true;
}

}  // namespace strata::detail
