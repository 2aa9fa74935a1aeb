#include "sql_scan.hpp"

#include <algorithm>

namespace strata::detail {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

namespace {
std::string unquote_identifier(const token& t) {
    if (t.kind == token_kind::word) return lower(t.text);
    std::string_view body = t.text.substr(1, t.text.size() - 2);
    std::string out;
    const char q = t.text.front();
    for (std::size_t i = 0; i < body.size(); ++i) {
        out += body[i];
        if (body[i] == q && i + 1 < body.size() && body[i + 1] == q) ++i;
    }
    return out;
}
}  // namespace

sql_facts scan_sql(std::string_view sql) {
    sql_facts f;
    bool ended = false;          // a ';' was seen
    bool want_table = false;     // previous word was FROM/JOIN/INTO/UPDATE
    bool after_dot = false;      // schema.table: keep the part after the dot
    bool last_was_table = false; // the previous token was a table name
    f.terminated = for_each_token(sql, [&](const token& t) {
        const bool follows_table = last_was_table;
        last_was_table = false;
        if (t.kind == token_kind::semicolon) {
            ended = true;
            want_table = false;
            return;
        }
        if (ended) f.multiple_statements = true;
        f.empty = false;
        if (t.kind == token_kind::placeholder) {
            ++f.placeholders;
            if (t.text.size() > 1) f.numbered_placeholders = true;
        }
        if (t.kind == token_kind::word) {
            const std::string w = lower(t.text);
            if (f.first_keyword.empty()) f.first_keyword = w;
            if (want_table) {
                if (after_dot && !f.tables.empty()) f.tables.back() = w;
                else f.tables.push_back(w);
                want_table = false;
                after_dot = false;
                last_was_table = true;
                return;
            }
            if (w == "from" || w == "join" || w == "into" || w == "update") want_table = true;
            if (w == "limit") f.has_limit = true;
            if (w == "returning") f.has_returning = true;
            return;
        }
        if (t.kind == token_kind::quoted_identifier && want_table) {
            if (after_dot && !f.tables.empty()) f.tables.back() = unquote_identifier(t);
            else f.tables.push_back(unquote_identifier(t));
            want_table = false;
            after_dot = false;
            last_was_table = true;
            return;
        }
        if (t.kind == token_kind::punct && t.text == "." && follows_table) {
            want_table = true;
            after_dot = true;
            return;
        }
        want_table = false;
        after_dot = false;
    });
    std::sort(f.tables.begin(), f.tables.end());
    f.tables.erase(std::unique(f.tables.begin(), f.tables.end()), f.tables.end());
    return f;
}

std::string normalize_sql_text(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    auto add = [&](std::string_view piece) {
        if (!out.empty()) {
            const char prev = out.back();
            const bool tight = piece == "," || piece == ")" || piece == "." || prev == '(' || prev == '.';
            if (!tight) out += ' ';
        }
        out += piece;
    };
    for_each_token(sql, [&](const token& t) {
        switch (t.kind) {
            case token_kind::string_literal:
            case token_kind::number:
            case token_kind::placeholder: add("?"); break;
            case token_kind::word: add(lower(t.text)); break;
            case token_kind::semicolon: break;
            default: add(t.text); break;
        }
    });
    return out;
}

}  // namespace strata::detail
