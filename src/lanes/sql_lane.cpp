#include "../core/sql_scan.hpp"
#include "strata/error.hpp"
#include "strata/sql.hpp"

namespace strata {
namespace {

statement_kind kind_of(const detail::sql_facts& f) {
    static constexpr std::string_view reads[] = {"select", "values", "explain"};
    static constexpr std::string_view writes[] = {"insert", "update", "delete", "replace", "create",
                                                  "drop",   "alter",  "upsert", "merge",   "truncate"};
    for (auto r : reads)
        if (f.first_keyword == r) return statement_kind::read;
    for (auto w : writes)
        if (f.first_keyword == w) return statement_kind::write;
    return statement_kind::unknown;  // WITH, PRAGMA, BEGIN...: the driver decides
}

}  // namespace

sql_template::sql_template(std::string text) {
    const detail::sql_facts f = detail::scan_sql(text);
    if (f.empty) {
        throw error(std::string(codes::plan_empty), "The SQL text holds no statement. Pass one SQL statement.");
    }
    if (f.multiple_statements) {
        throw error(std::string(codes::plan_multiple_statements),
                    "The SQL text holds more than one statement. Pass one statement per plan; to run several "
                    "together, use a transaction or an atomic write unit.");
    }
    if (f.numbered_placeholders) {
        throw error(std::string(codes::plan_unsupported_placeholder),
                    "Numbered placeholders (?1, ?2...) are not portable across databases. Use plain `?`, one per "
                    "value, in order (repeat the value to use it twice).");
    }
    plan_meta meta;
    meta.source = lane::raw_sql;
    meta.kind = kind_of(f);
    meta.tables = f.tables;
    meta.has_limit = f.has_limit;
    meta.returning = f.has_returning;
    placeholders_ = f.placeholders;
    // An unterminated quote hides placeholders; the database reports the syntax error.
    checked_count_ = f.terminated;
    text_ = std::make_shared<const plan_text>(plan_text{std::move(text), std::move(meta)});
}

namespace detail {
void throw_param_count(std::size_t placeholders, std::size_t given) {
    throw error(std::string(codes::plan_param_count),
                "The SQL text has " + std::to_string(placeholders) + " `?` placeholders but " + std::to_string(given) +
                    " parameters were given. Pass one value per `?`.",
                {{"placeholders", std::to_string(placeholders)}, {"parameters", std::to_string(given)}});
}
}  // namespace detail

plan sql_template::bind_values(std::vector<value> params) const {
    if (checked_count_ && placeholders_ != params.size()) detail::throw_param_count(placeholders_, params.size());
    return plan{text_, std::move(params)};
}

std::string number_placeholders(std::string_view sql, std::string_view prefix) {
    std::string out;
    out.reserve(sql.size() + 8);
    std::size_t copied = 0;  // sql[0, copied) is already in out
    std::size_t n = 0;
    detail::for_each_token(sql, [&](const detail::token& t) {
        if (t.kind != detail::token_kind::placeholder) return;
        const auto at = static_cast<std::size_t>(t.text.data() - sql.data());
        const std::size_t end = at + t.text.size();
        // `LIMIT?` must not become the identifier `LIMIT$1`, nor `?e` the number `$1e`:
        // a space keeps the number apart from a word character or '.' it would touch.
        const auto word = [](char c) { return detail::is_word_char(c) || static_cast<unsigned char>(c) >= 0x80; };
        out.append(sql.substr(copied, at - copied));
        if (at > 0 && word(sql[at - 1])) out += ' ';
        out.append(prefix);
        out.append(std::to_string(++n));
        if (end < sql.size() && (word(sql[end]) || sql[end] == '.')) out += ' ';
        copied = end;
    });
    out.append(sql.substr(copied));
    return out;
}

plan sql_plan(std::string text, std::vector<value> params) {
    return sql_template(std::move(text)).bind_values(std::move(params));
}

}  // namespace strata
