// The conformance suite is written once and runs against every driver. A driver joins it
// by adding a driver_under_test to all_drivers() (drivers.cpp): how to build its stack,
// how to make a binding to a fresh empty database, and its SQL type names.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/strata.hpp"

namespace strata::test {

struct sql_types {
    std::string integer = "BIGINT";
    std::string real = "DOUBLE PRECISION";
    std::string text = "TEXT";
    std::string blob = "BLOB";
    std::string boolean = "BOOLEAN";
    std::string timestamp = "TIMESTAMP";
    std::string json = "JSON";
};

// A binding type no driver accepts.
struct foreign {};
inline std::string describe_binding(const foreign&) { return "foreign"; }

// One database a test may use; the fixture releases it at the end of the test.
class fresh_database {
public:
    virtual ~fresh_database() = default;
    [[nodiscard]] virtual strata::binding binding() const = 0;
    // A binding of the wrong kind for this driver (must give DRIVER.BINDING_INVALID).
    [[nodiscard]] virtual strata::binding foreign_binding() const = 0;
    // True when several runtimes connected with binding() see the same data.
    [[nodiscard]] virtual bool shared_between_connections() const = 0;
    // Ends every server session opened with binding() (what its clients see when the
    // server restarts) and returns once they are gone. False, doing nothing, for a
    // database without a server.
    virtual bool end_server_sessions() { return false; }
};

struct driver_under_test {
    std::string name;
    std::function<strata::stack(std::vector<std::shared_ptr<strata::middleware>>)> make_stack;
    std::function<std::unique_ptr<fresh_database>()> fresh;
    sql_types types;
};

const std::vector<driver_under_test>& all_drivers();

// Fixture base: GetParam() is the driver; db() is a connected runtime on a fresh database.
class conformance : public ::testing::TestWithParam<driver_under_test> {
protected:
    void SetUp() override { database_ = GetParam().fresh(); }
    void TearDown() override {
        for (auto& r : runtimes_) r.close();
    }

    strata::runtime& connect(std::vector<std::shared_ptr<strata::middleware>> mw = {}) {
        runtimes_.push_back(strata::instantiate(GetParam().make_stack(std::move(mw))));
        runtimes_.back().connect(database_->binding());
        return runtimes_.back();
    }
    // A runtime on this database whose stack is built by `adapt` from the driver's own.
    strata::runtime& connect_stack(const std::function<strata::stack(strata::stack)>& adapt,
                                   std::vector<std::shared_ptr<strata::middleware>> mw = {}) {
        runtimes_.push_back(strata::instantiate(adapt(GetParam().make_stack(std::move(mw)))));
        runtimes_.back().connect(database_->binding());
        return runtimes_.back();
    }
    strata::runtime& db() {
        if (runtimes_.empty()) connect();
        return runtimes_.front();
    }
    void exec(const std::string& sql) { db().execute(strata::sql(sql)).drain(); }
    std::int64_t count(const std::string& table) {
        return db().execute(strata::sql("SELECT COUNT(*) FROM " + table)).one_as<std::int64_t>();
    }
    [[nodiscard]] const sql_types& types() const { return GetParam().types; }
    [[nodiscard]] fresh_database& database() { return *database_; }

private:
    std::unique_ptr<fresh_database> database_;
    std::vector<strata::runtime> runtimes_;  // runtimes_ after database_: closed first
};

inline std::string driver_name(const ::testing::TestParamInfo<driver_under_test>& info) { return info.param.name; }

}  // namespace strata::test

#define STRATA_CONFORMANCE_SUITE(suite)                                                                   \
    INSTANTIATE_TEST_SUITE_P(drivers, suite, ::testing::ValuesIn(::strata::test::all_drivers()),          \
                             ::strata::test::driver_name)
