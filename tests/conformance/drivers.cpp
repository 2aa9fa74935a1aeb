// Every driver the conformance suite runs against.
#include <gtest/gtest.h>

#include "../support/temp_dir.hpp"
#include "driver_under_test.hpp"
#include "strata/sqlite.hpp"

namespace strata::test {
namespace {

class sqlite_file_database final : public fresh_database {
public:
    [[nodiscard]] strata::binding binding() const override { return sqlite::file{dir_.file("conformance.db")}; }
    [[nodiscard]] strata::binding foreign_binding() const override { return foreign{}; }
    [[nodiscard]] bool shared_between_connections() const override { return true; }

private:
    temp_dir dir_;
};

class sqlite_memory_database final : public fresh_database {
public:
    [[nodiscard]] strata::binding binding() const override { return sqlite::memory{}; }
    [[nodiscard]] strata::binding foreign_binding() const override { return foreign{}; }
    [[nodiscard]] bool shared_between_connections() const override { return false; }
};

sql_types sqlite_types() {
    sql_types t;
    t.integer = "INTEGER";
    t.real = "REAL";
    return t;
}

}  // namespace

const std::vector<driver_under_test>& all_drivers() {
    static const std::vector<driver_under_test> drivers = {
        {"sqlite_file", [](auto mw) { return sqlite::make_stack(std::move(mw)); },
         [] { return std::unique_ptr<fresh_database>(new sqlite_file_database()); }, sqlite_types()},
        {"sqlite_memory", [](auto mw) { return sqlite::make_stack(std::move(mw)); },
         [] { return std::unique_ptr<fresh_database>(new sqlite_memory_database()); }, sqlite_types()},
    };
    return drivers;
}

}  // namespace strata::test
