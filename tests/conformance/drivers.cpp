// Every driver the conformance suite runs against.
//
// PostgreSQL always has its instances: without STRATA_PG_URL they are skipped, or fail
// when STRATA_REQUIRE_PG=1 (scripts/test sets it), so CI cannot skip it silently.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "../support/pg_database.hpp"
#include "../support/temp_dir.hpp"
#include "driver_under_test.hpp"
#include "strata/postgres.hpp"
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

// A schema of its own on the cluster of STRATA_PG_URL (search_path set in the URL): as
// empty as a new database, at a fraction of the cost of CREATE DATABASE. Its sessions
// carry the schema's name as application_name, so a test can find and end them.
class postgres_database final : public fresh_database {
public:
    explicit postgres_database(const std::string& base_url)
        : schema_(base_url), url_(pg_url_with(schema_.url(), "application_name", schema_.name())) {}
    [[nodiscard]] strata::binding binding() const override { return postgres::url{url_}; }
    [[nodiscard]] strata::binding foreign_binding() const override { return foreign{}; }
    [[nodiscard]] bool shared_between_connections() const override { return true; }
    bool end_server_sessions() override {
        const std::string mine = " FROM pg_stat_activity WHERE application_name = '" + schema_.name() + "'";
        schema_.exec("SELECT COUNT(pg_terminate_backend(pid))" + mine);
        const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (schema_.exec("SELECT COUNT(*)" + mine) != "0") {
            if (std::chrono::steady_clock::now() > limit) throw std::runtime_error("sessions did not end in 5 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }

private:
    pg_schema schema_;
    std::string url_;
};

// Stands in when no cluster is available; the test was already marked skipped or failed.
class missing_database final : public fresh_database {
public:
    [[nodiscard]] strata::binding binding() const override { return foreign{}; }
    [[nodiscard]] strata::binding foreign_binding() const override { return foreign{}; }
    [[nodiscard]] bool shared_between_connections() const override { return false; }
};

sql_types sqlite_types() {
    sql_types t;
    t.integer = "INTEGER";
    t.real = "REAL";
    return t;
}

sql_types postgres_types() {
    sql_types t;
    t.integer = "BIGINT";
    t.real = "DOUBLE PRECISION";
    t.text = "TEXT";
    t.blob = "BYTEA";
    t.boolean = "BOOLEAN";
    t.timestamp = "TIMESTAMPTZ";
    t.json = "JSONB";
    return t;
}

std::unique_ptr<fresh_database> fresh_postgres() {
    const std::string url = pg_url_or_skip();
    if (url.empty()) return std::make_unique<missing_database>();
    return std::make_unique<postgres_database>(url);
}

}  // namespace

const std::vector<driver_under_test>& all_drivers() {
    static const std::vector<driver_under_test> drivers = {
        {"sqlite_file", [](auto mw) { return sqlite::make_stack(std::move(mw)); },
         [] { return std::unique_ptr<fresh_database>(new sqlite_file_database()); }, sqlite_types()},
        {"sqlite_memory", [](auto mw) { return sqlite::make_stack(std::move(mw)); },
         [] { return std::unique_ptr<fresh_database>(new sqlite_memory_database()); }, sqlite_types()},
        {"postgres", [](auto mw) { return postgres::make_stack(std::move(mw)); }, fresh_postgres, postgres_types()},
    };
    return drivers;
}

}  // namespace strata::test
