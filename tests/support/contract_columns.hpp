// Contract columns for tests that declare contracts by hand (the migration tests).
#pragma once

#include <string>
#include <utility>

#include "strata/contract.hpp"

namespace strata::test {

inline contract_column col(std::string name, sql_type type = sql_type::text, bool nullable = true) {
    contract_column c;
    c.name = std::move(name);
    c.type = type;
    c.nullable = nullable;
    return c;
}
inline contract_column key(std::string name) {
    contract_column c = col(std::move(name), sql_type::integer, false);
    c.primary_key = true;
    return c;
}

}  // namespace strata::test
