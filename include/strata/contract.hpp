// The contract: the schema the application's C++ table declarations describe, in a
// canonical JSON form with a stable SHA-256 hash. `strata::migrate` applies it to an
// empty database and records it in a marker table; `strata::verify` compares a
// database's marker with it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strata/schema.hpp"

namespace strata {

struct contract_column {
    std::string name;
    sql_type type = sql_type::text;
    bool nullable = false;
    bool primary_key = false;
    bool unique = false;
    std::string default_sql{};
    std::string ref_table{};
    std::string ref_column{};
    std::string on_delete{};
};

struct contract_index {
    std::string name;
    std::vector<std::string> columns;
    bool unique = false;
    std::string where_sql{};
};

struct contract_table {
    std::string name;
    std::vector<contract_column> columns;
    std::vector<std::string> primary_key{};            // composite primary key, if any
    std::vector<std::vector<std::string>> unique{};    // composite unique constraints
    std::vector<contract_index> indexes{};
};

class contract {
public:
    // Validates names (plain lower-case identifiers) and references; CONTRACT.INVALID.
    explicit contract(std::vector<contract_table> tables);
    // Parses the canonical JSON form (as written by canonical_json()); CONTRACT.INVALID.
    [[nodiscard]] static contract from_json(std::string_view json);

    [[nodiscard]] const std::vector<contract_table>& tables() const noexcept { return tables_; }
    [[nodiscard]] const std::string& canonical_json() const noexcept { return json_; }
    // The same JSON indented, one key per line, for reading and diffing (from_json reads it).
    [[nodiscard]] std::string pretty_json() const;
    [[nodiscard]] const std::string& hash() const noexcept { return hash_; }
    // What differs between this (declared) contract and `database` (the one recorded in a
    // database), one human-readable line per difference (empty: the same).
    [[nodiscard]] std::vector<std::string> differences(const contract& database) const;

private:
    std::vector<contract_table> tables_;
    std::string json_;
    std::string hash_;
};

namespace detail {
template <table_like T>
contract_table describe_table() {
    contract_table t;
    t.name = std::string(T::table_name);
    for (const column_description& c : describe_columns<T>()) {
        t.columns.push_back({std::string(c.name), c.type, c.nullable, c.options.primary_key, c.options.unique,
                             std::string(c.options.default_sql), std::string(c.options.references.table),
                             std::string(c.options.references.column), std::string(c.options.references.on_delete)});
    }
    auto names = [](const auto& arr) {
        std::vector<std::string> out;
        for (std::string_view c : arr)
            if (!c.empty()) out.emplace_back(c);
        return out;
    };
    if constexpr (requires { T::constraints; }) {
        for (const unique_declaration& u : T::constraints) {
            if (u.primary_key) t.primary_key = names(u.columns);
            else t.unique.push_back(names(u.columns));
        }
    }
    if constexpr (requires { T::indexes; }) {
        for (const index_declaration& i : T::indexes)
            t.indexes.push_back({std::string(i.name), names(i.columns), i.unique, std::string(i.where_sql)});
    }
    return t;
}
}  // namespace detail

// The contract of the given table declarations.
template <table_like... Ts>
[[nodiscard]] contract make_contract() {
    return contract({detail::describe_table<Ts>()...});
}

}  // namespace strata
