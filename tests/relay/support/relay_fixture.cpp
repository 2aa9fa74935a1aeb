#include "support/relay_fixture.hpp"

#include "../../support/pg_database.hpp"
#include "../../support/temp_dir.hpp"

namespace relay::test {

std::string backend_name(const ::testing::TestParamInfo<backend>& info) {
    return info.param == backend::sqlite ? "sqlite" : "postgres";
}

relay_test::relay_test() = default;
relay_test::~relay_test() = default;

void relay_test::SetUp() {
    dir_ = std::make_unique<strata::test::temp_dir>();
    if (GetParam() == backend::postgres) {
        const std::string url = strata::test::pg_url_or_skip();
        if (url.empty()) return;  // skipped (or failed when STRATA_REQUIRE_PG=1)
        pg_ = std::make_unique<strata::test::pg_schema>(url);
        db_url_ = pg_->url();
    } else {
        db_url_ = "sqlite:" + dir_->file("relay.db");
    }
    settings_.db_url = db_url_;
    settings_.listen_host = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.files_dir = dir_->file("files");
    settings_.io_threads = 2;
    settings_.worker_threads = 8;
    settings_.db_pool_size = 12;
    start_relay();
}

void relay_test::TearDown() {
    stop_relay();
    pg_.reset();
    dir_.reset();
}

void relay_test::start_relay() {
    database_options options;
    auto faults = faults_;
    options.wrap_stack = [faults](strata::stack s) { return fault_stack(std::move(s), faults); };
    app_ = std::make_unique<app>(settings_, options);
    app_->start();
    client_ = std::make_unique<http_client>(app_->port());
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
    return db().execute(strata::sql(sql)).one_as<std::int64_t>();
}

std::string relay_test::files_dir() const {
    return settings_.files_dir;
}

}  // namespace relay::test
