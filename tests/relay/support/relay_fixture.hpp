// The fixture every relay test uses: relay started in-process on an ephemeral port
// against a fresh database — a temp SQLite file, or (when STRATA_PG_URL is set) a schema
// of its own on the test PostgreSQL cluster — with a real HTTP client and helpers to set
// up workspaces, agents and channels. Tests are instantiated once per database, and once
// more per database in split mode (decision 0014): --db plus a messages database (a
// second SQLite file; on PostgreSQL a schema on a second cluster, with --db-replica the
// streaming replica of the first — scripts/pg run --clusters 3 --replica).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "support/fault_driver.hpp"
#include "support/http_client.hpp"

namespace strata::test {
class temp_dir;
class pg_schema;
}  // namespace strata::test

namespace relay::test {

enum class backend { sqlite, postgres, sqlite_split, postgres_split };
std::string backend_name(const ::testing::TestParamInfo<backend>& info);

struct workspace_info {
    std::string id;
    std::string key;
};

struct agent_info {
    std::string id;
    std::string name;
    std::string token;
};

class relay_test : public ::testing::TestWithParam<backend> {
protected:
    relay_test();
    ~relay_test() override;
    void SetUp() override;
    void TearDown() override;

    // (Re)starts relay on this test's database and files folder with settings_.
    void start_relay();
    void stop_relay();
    void wait_for_replica() const;

    [[nodiscard]] http_client& http() { return *client_; }
    [[nodiscard]] std::uint16_t port() const { return app_->port(); }
    [[nodiscard]] const strata::runtime& db() const { return app_->db().rt(); }
    [[nodiscard]] bool on_postgres() const {
        return GetParam() == backend::postgres || GetParam() == backend::postgres_split;
    }
    [[nodiscard]] bool split_mode() const {
        return GetParam() == backend::sqlite_split || GetParam() == backend::postgres_split;
    }

    // Setup through the API (each asserts success).
    workspace_info make_workspace(const std::string& name = "acme");
    agent_info make_agent(const workspace_info& ws, const std::string& name);
    void make_channel(const agent_info& creator, const std::string& name);
    void join(const agent_info& a, const std::string& channel);
    json send(const agent_info& a, const std::string& channel, const std::string& text);

    // One integer from the database (COUNT(*), ...). When relay runs split, a query that
    // names a message-side table runs on the messages database, any other on --db.
    [[nodiscard]] std::int64_t scalar(const std::string& sql) const;
    // Each agent's delivery sequence as a FROM item `a` with columns id and
    // delivery_seq: agents on one database, delivery_counters in split mode.
    [[nodiscard]] std::string delivery_seq_table() const;
    [[nodiscard]] std::string files_dir() const;
    // Inside `t`, takes the lock a channel write needs (PostgreSQL: the channels table;
    // SQLite: the one writer) and holds it until `t` ends.
    void lock_channels(strata::tx& t) const;

    config settings_;
    std::shared_ptr<fault_controls> faults_ = std::make_shared<fault_controls>();
    std::unique_ptr<app> app_;

private:
    std::unique_ptr<strata::test::temp_dir> dir_;
    std::unique_ptr<strata::test::pg_schema> pg_;
    std::unique_ptr<strata::test::pg_schema> pg_messages_;
    std::string db_url_;
    std::unique_ptr<http_client> client_;
};

}  // namespace relay::test

// Declares a test suite of relay tests, run on SQLite and on PostgreSQL, each on one
// database and split.
#define RELAY_BACKENDS                                                                  \
    ::testing::Values(::relay::test::backend::sqlite, ::relay::test::backend::postgres, \
                      ::relay::test::backend::sqlite_split, ::relay::test::backend::postgres_split)
#define RELAY_TEST_SUITE(suite)                        \
    class suite : public ::relay::test::relay_test {}; \
    INSTANTIATE_TEST_SUITE_P(db, suite, RELAY_BACKENDS, ::relay::test::backend_name)
