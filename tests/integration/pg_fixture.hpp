// Shared set-up of the PostgreSQL integration tests: a schema of their own on the cluster
// of STRATA_PG_URL, an application_name to find their backends by, and helpers to open
// runtimes and to kill backends behind strata's back.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "../support/expect_error.hpp"
#include "../support/pg_database.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"

namespace strata::test {

class pg_test : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string base = pg_url_or_skip();
        if (base.empty()) return;
        schema_.emplace(base);
        app_ = schema_->name();
        url_ = pg_url_with(schema_->url(), "application_name", app_);
    }
    void TearDown() override {
        for (auto& r : runtimes_) r.close();
    }

    // The test's URL: its own schema, application_name = the schema name.
    [[nodiscard]] const std::string& url() const { return url_; }
    [[nodiscard]] pg_schema& schema() { return *schema_; }
    [[nodiscard]] const std::string& app() const { return app_; }

    runtime& connect(strata::binding b) {
        runtimes_.push_back(instantiate(postgres::make_stack()));
        runtimes_.back().connect(b);
        return runtimes_.back();
    }
    runtime& connect(postgres::pool_options o = {}) { return connect(postgres::url{url_, o}); }

    // Terminates this test's backends (the ones strata opened with its application_name).
    int kill_backends() {
        return std::stoi(
            schema_->exec("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                          "application_name = '" +
                          app_ + "'"));
    }
    // The number of this test's backends, or those running `state`.
    int backends(const std::string& state = "") {
        std::string q = "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" + app_ + "'";
        if (!state.empty()) q += " AND state = '" + state + "'";
        return std::stoi(schema_->exec(q));
    }
    // Waits until `pred` holds (the server reports backends asynchronously).
    template <class Pred>
    bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return pred();
    }

    static std::string counter_sql(long n) {
        // generate_series in the select list streams; in FROM it is materialized first
        return "SELECT x, 'row number ' || x AS label FROM (SELECT generate_series(1, " + std::to_string(n) +
               ") AS x) AS s";
    }

private:
    std::optional<pg_schema> schema_;
    std::string url_;
    std::string app_;
    std::deque<runtime> runtimes_;  // references stay valid; after schema_: closed and destroyed first
};

}  // namespace strata::test
