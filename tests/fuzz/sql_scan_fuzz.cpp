// Fuzzes strata's SQL scanner (src/core/sql_scan.hpp: for_each_token, scan_sql,
// normalize_sql_text) and the placeholder renumbering adapters use
// (strata::number_placeholders, `?` -> `$n` for PostgreSQL).
//
// Properties, for any bytes:
// - tokens are non-empty slices of the input, in order, not overlapping; what lies
//   between them is only whitespace and comments (it scans to no token); each token
//   scanned alone is that one token, of the same kind;
// - scan_sql agrees with the tokens: terminated, empty, multiple_statements, and the
//   placeholder count is the number of placeholder tokens;
// - normalize_sql_text is idempotent;
// - a `?` inside a string, a quoted identifier, a comment or a dollar quote appended
//   to the text is not counted; a bare `?` appended is;
// - number_placeholders(sql, "$") keeps the text's lexical structure: its tokens are the
//   input's, each placeholder replaced by `$` and the number 1, 2, ... in order (so the
//   count of `$n` equals the count scan_sql reported), and nothing else changes.
//   Finding F1 (fixed): a `?` glued to a word or to a `.digit`/word character after it
//   merged with it once renumbered (`LIMIT?` -> `LIMIT$1`, an identifier in PostgreSQL).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql_scan.hpp"
#include "fuzz_check.hpp"
#include "strata/sql.hpp"

namespace {

using strata::detail::token;
using strata::detail::token_kind;

struct scanned {
    std::vector<token> tokens;
    bool terminated = true;
};

scanned scan(std::string_view sql) {
    scanned out;
    out.terminated = strata::detail::for_each_token(sql, [&](const token& t) { out.tokens.push_back(t); });
    return out;
}

std::size_t offset(std::string_view whole, std::string_view part) {
    return static_cast<std::size_t>(part.data() - whole.data());
}

void check_tokens(std::string_view sql, const scanned& s) {
    std::size_t at = 0;  // end of the previous token
    for (std::size_t i = 0; i < s.tokens.size(); ++i) {
        const token& t = s.tokens[i];
        FUZZ_CHECK(!t.text.empty(), "a token is empty");
        FUZZ_CHECK(t.text.data() >= sql.data() && offset(sql, t.text) + t.text.size() <= sql.size(),
                   "a token is not a slice of the input");
        const std::size_t start = offset(sql, t.text);
        FUZZ_CHECK(start >= at, "tokens overlap or are out of order");
        const scanned gap = scan(sql.substr(at, start - at));
        FUZZ_CHECK(gap.tokens.empty() && gap.terminated, "text between two tokens scans to a token");
        const scanned alone = scan(t.text);
        FUZZ_CHECK(alone.terminated && alone.tokens.size() == 1, "a token scanned alone is not one token");
        FUZZ_CHECK(alone.tokens[0].kind == t.kind && alone.tokens[0].text == t.text,
                   "a token scanned alone changes kind or text");
        at = start + t.text.size();
    }
    const scanned tail = scan(sql.substr(at));
    FUZZ_CHECK(tail.tokens.empty(), "text after the last token scans to a token");
    FUZZ_CHECK(tail.terminated == s.terminated, "the text after the last token decides termination");
}

void check_facts(std::string_view sql, const scanned& s) {
    const auto f = strata::detail::scan_sql(sql);
    FUZZ_CHECK(f.terminated == s.terminated, "scan_sql and for_each_token disagree on termination");
    std::size_t placeholders = 0;
    bool seen_semicolon = false, multiple = false, empty = true;
    for (const token& t : s.tokens) {
        if (t.kind == token_kind::semicolon) {
            seen_semicolon = true;
            continue;
        }
        empty = false;
        if (seen_semicolon) multiple = true;
        if (t.kind == token_kind::placeholder) ++placeholders;
    }
    FUZZ_CHECK(f.placeholders == placeholders, "scan_sql's placeholder count is not the number of `?` tokens");
    FUZZ_CHECK(f.multiple_statements == multiple, "scan_sql's multiple_statements is wrong");
    FUZZ_CHECK(f.empty == empty, "scan_sql's empty is wrong");
}

void check_normalize(std::string_view sql) {
    const std::string once = strata::detail::normalize_sql_text(sql);
    const std::string twice = strata::detail::normalize_sql_text(once);
    FUZZ_CHECK(once == twice, "normalize_sql_text is not idempotent");
}

// A `?` hidden in a construct appended after the (terminated) text is not counted.
void check_hidden_placeholders(std::string_view sql, const scanned& s) {
    if (!s.terminated) return;
    const std::size_t base = strata::detail::scan_sql(sql).placeholders;
    // Some of the input itself plus a `?`, made safe for each construct.
    std::string payload(sql.substr(0, 24));
    payload += "?x?";
    auto doubled = [&](char q) {
        std::string out;
        for (char c : payload) {
            out += c;
            if (c == q) out += q;
        }
        return out;
    };
    auto without = [&](std::string_view closing) {
        std::string out = payload;
        for (auto p = out.find(closing); p != std::string::npos; p = out.find(closing)) out.erase(p, 1);
        return out;
    };
    std::string no_newline = payload;
    for (char& c : no_newline)
        if (c == '\n') c = ' ';
    const std::string hidden[] = {
        "'" + doubled('\'') + "'",
        "\"" + doubled('"') + "\"",
        "`" + doubled('`') + "`",
        "/*" + without("*/") + "*/",
        "--" + no_newline + "\n",
        "$q$" + without("$q$") + "$q$",
        "E'" + doubled('\'') + "'",
    };
    const std::string text(sql);
    for (const auto& h : hidden) {
        const auto f = strata::detail::scan_sql(text + "\n" + h);
        FUZZ_CHECK(f.terminated, "appending a closed quote or comment left the text unterminated");
        FUZZ_CHECK(f.placeholders == base, "a `?` inside a quote or comment was counted");
    }
    FUZZ_CHECK(strata::detail::scan_sql(text + "\n?").placeholders == base + 1, "a bare `?` was not counted");
}

void check_renumbering(std::string_view sql, const scanned& s) {
    const std::string lowered = strata::number_placeholders(sql, "$");
    std::size_t placeholders = 0;
    for (const token& t : s.tokens) {
        if (t.kind != token_kind::placeholder) continue;
        ++placeholders;
    }
    if (placeholders == 0) {
        FUZZ_CHECK(lowered == sql, "renumbering changed a text without placeholders");
        return;
    }
    if (!s.terminated) return;  // the database reports the syntax error
    const scanned after = scan(lowered);
    FUZZ_CHECK(after.terminated, "renumbering made the text unterminated");
    std::size_t j = 0, n = 0;
    for (const token& t : s.tokens) {
        if (t.kind == token_kind::placeholder) {
            ++n;
            FUZZ_CHECK(j + 1 < after.tokens.size() && after.tokens[j].kind == token_kind::punct &&
                           after.tokens[j].text == "$",
                       "a placeholder did not become `$`");
            FUZZ_CHECK(after.tokens[j + 1].kind == token_kind::number &&
                           after.tokens[j + 1].text == std::to_string(n),
                       "placeholders are not numbered 1, 2, ... in order");
            j += 2;
            continue;
        }
        FUZZ_CHECK(j < after.tokens.size() && after.tokens[j].kind == t.kind && after.tokens[j].text == t.text,
                   "renumbering changed a token that is not a placeholder");
        ++j;
    }
    FUZZ_CHECK(j == after.tokens.size(), "renumbering added tokens");
    FUZZ_CHECK(strata::detail::scan_sql(lowered).placeholders == 0, "a `?` survived renumbering");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    const scanned s = scan(sql);
    check_tokens(sql, s);
    check_facts(sql, s);
    check_normalize(sql);
    check_hidden_placeholders(sql, s);
    check_renumbering(sql, s);
    return 0;
}
