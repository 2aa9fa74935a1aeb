// The fixture every relay test uses: relay started in-process on an ephemeral port
// against a fresh database — a temp SQLite file, or (when STRATA_PG_URL is set) a schema
// of its own on the test PostgreSQL cluster — with a real HTTP client and helpers to set
// up workspaces, agents and channels. Tests are instantiated once per database.
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

enum class backend { sqlite, postgres };
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

    [[nodiscard]] http_client& http() { return *client_; }
    [[nodiscard]] std::uint16_t port() const { return app_->port(); }
    [[nodiscard]] const strata::runtime& db() const { return app_->db().rt(); }
    [[nodiscard]] bool on_postgres() const { return GetParam() == backend::postgres; }

    // Setup through the API (each asserts success).
    workspace_info make_workspace(const std::string& name = "acme");
    agent_info make_agent(const workspace_info& ws, const std::string& name);
    void make_channel(const agent_info& creator, const std::string& name);
    void join(const agent_info& a, const std::string& channel);
    json send(const agent_info& a, const std::string& channel, const std::string& text);

    // One integer from the database (COUNT(*), ...).
    [[nodiscard]] std::int64_t scalar(const std::string& sql) const;
    [[nodiscard]] std::string files_dir() const;

    config settings_;
    std::shared_ptr<fault_controls> faults_ = std::make_shared<fault_controls>();
    std::unique_ptr<app> app_;

private:
    std::unique_ptr<strata::test::temp_dir> dir_;
    std::unique_ptr<strata::test::pg_schema> pg_;
    std::string db_url_;
    std::unique_ptr<http_client> client_;
};

}  // namespace relay::test

// Declares a test suite of relay tests, run on SQLite and on PostgreSQL.
#define RELAY_TEST_SUITE(suite)                                                                                   \
    class suite : public ::relay::test::relay_test {};                                                            \
    INSTANTIATE_TEST_SUITE_P(db, suite,                                                                           \
                             ::testing::Values(::relay::test::backend::sqlite, ::relay::test::backend::postgres), \
                             ::relay::test::backend_name)
