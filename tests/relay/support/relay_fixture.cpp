#include "support/relay_fixture.hpp"

#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

#include "../../support/pg_database.hpp"
#include "../../support/temp_dir.hpp"

namespace relay::test {

std::string backend_name(const ::testing::TestParamInfo<backend>& info) {
    switch (info.param) {
        case backend::sqlite:
            return "sqlite";
        case backend::postgres:
            return "postgres";
        case backend::sqlite_split:
            return "sqlite_split";
        case backend::postgres_split:
            return "postgres_split";
    }
    return "?";
}

relay_test::relay_test() = default;
relay_test::~relay_test() = default;

void relay_test::SetUp() {
    dir_ = std::make_unique<strata::test::temp_dir>();
    if (on_postgres()) {
        const std::string url = strata::test::pg_url_or_skip();
        if (url.empty()) return;  // skipped (or failed when STRATA_REQUIRE_PG=1)
        pg_ = std::make_unique<strata::test::pg_schema>(url);
        db_url_ = pg_->url();
        if (split_mode()) {
            const std::string replica = strata::test::pg_env_url_or_skip("STRATA_PG_REPLICA_URL");
            const std::string messages = strata::test::pg_env_url_or_skip("STRATA_PG_URL_2");
            if (replica.empty() || messages.empty()) return;
            pg_messages_ = std::make_unique<strata::test::pg_schema>(messages);
            settings_.messages_db_url = pg_messages_->url();
            settings_.db_replica_url = strata::test::pg_url_with(replica, "options", "-csearch_path=" + pg_->name());
        }
    } else {
        db_url_ = "sqlite:" + dir_->file("relay.db");
        if (split_mode()) settings_.messages_db_url = "sqlite:" + dir_->file("messages.db");
    }
    settings_.db_url = db_url_;
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.files_dir = dir_->file("files");
    settings_.io_threads = 2;
    settings_.worker_threads = 8;
    settings_.db_pool_size = 12;
    // The 5 s default would make every request a wall-time assertion on a busy machine
    // under ASan; tests of the deadline itself set their own.
    settings_.request_timeout_seconds = 120;
    start_relay();
}

void relay_test::TearDown() {
    stop_relay();
    pg_messages_.reset();
    pg_.reset();
    dir_.reset();
}

void relay_test::start_relay() {
    database_options options;
    auto faults = faults_;
    options.wrap_stack = [faults](strata::stack s) { return fault_stack(std::move(s), faults); };
    app_ = std::make_unique<app>(settings_, options);
    app_->start();
    if (!settings_.messages_db_url.empty()) {
        if (!app_->databases().split()) throw std::runtime_error("relay did not start split");
        if (!settings_.db_replica_url.empty()) wait_for_replica();
    }
    client_ = std::make_unique<http_client>(app_->port());
}

// The replica serves old messages: wait until it has replayed everything --db has now
// (the schema relay just migrated, rows written before a restart).
void relay_test::wait_for_replica() const {
    PGconn* primary = strata::test::pg_connect(db_url_);
    PGconn* replica = strata::test::pg_connect(settings_.db_replica_url);
    const std::string lsn = strata::test::pg_exec(primary, "SELECT pg_current_wal_lsn()::text");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool caught_up = false;
    while (!caught_up && std::chrono::steady_clock::now() < until) {
        caught_up = strata::test::pg_exec(replica, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn") == "t";
        if (!caught_up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    PQfinish(primary);
    PQfinish(replica);
    if (!caught_up) throw std::runtime_error("the replica did not catch up within 30 s");
}

void relay_test::stop_relay() {
    client_.reset();
    if (app_) app_->stop();
    app_.reset();
}

workspace_info relay_test::make_workspace(const std::string& name) {
    const response r = http().post("/v1/workspaces", {{"name", name}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return {r.data()["workspace"]["id"].get<std::string>(), r.data()["api_key"].get<std::string>()};
}

agent_info relay_test::make_agent(const workspace_info& ws, const std::string& name) {
    const response r = http().post("/v1/agents", {{"name", name}}, ws.key);
    EXPECT_EQ(r.status, 201u) << r.body;
    return {r.data()["agent"]["id"].get<std::string>(), name, r.data()["token"].get<std::string>()};
}

void relay_test::make_channel(const agent_info& creator, const std::string& name) {
    const response r = http().post("/v1/channels", {{"name", name}}, creator.token);
    EXPECT_EQ(r.status, 201u) << r.body;
}

void relay_test::join(const agent_info& a, const std::string& channel) {
    const response r = http().post("/v1/channels/" + channel + "/join", nullptr, a.token);
    EXPECT_EQ(r.status, 200u) << r.body;
}

json relay_test::send(const agent_info& a, const std::string& channel, const std::string& text) {
    const response r = http().post("/v1/channels/" + channel + "/messages", {{"text", text}}, a.token);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.data();
}

std::int64_t relay_test::scalar(const std::string& sql) const {
    static const std::regex message_side(
        R"(\b(messages|deliveries|message_logs|read_receipts|message_attachments|idempotency_keys|delivery_counters)\b)");
    const bool messages_db = app_->databases().split() && std::regex_search(sql, message_side);
    const strata::runtime& where = messages_db ? app_->databases().messages()->rt() : db();
    return where.execute(strata::sql(sql)).one_as<std::int64_t>();
}

std::string relay_test::delivery_seq_table() const {
    return split_mode() ? "(SELECT agent_id AS id, delivery_seq FROM delivery_counters) a" : "agents a";
}

void relay_test::lock_channels(strata::tx& t) const {
    if (on_postgres())
        t.execute(strata::sql("LOCK TABLE channels IN ACCESS EXCLUSIVE MODE")).drain();
    else
        t.execute(strata::sql("UPDATE channels SET topic = topic WHERE 1 = 0")).drain();
}

std::string relay_test::files_dir() const {
    return settings_.files_dir;
}

}  // namespace relay::test
