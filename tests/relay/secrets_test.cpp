// Keys, tokens and database passwords are never logged or echoed: only the response
// that creates a key or token carries it, and only hashes are stored.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "support/relay_fixture.hpp"
#include "support/ws_client.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(secrets);

// Everything relay logs while the object lives, at the most verbose level.
class log_capture {
public:
    log_capture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~log_capture() { spdlog::set_default_logger(previous_); }
    [[nodiscard]] std::string text() {
        spdlog::default_logger()->flush();
        return out_.str();
    }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream out_;
};

std::string password_of(const std::string& url) {
    const auto scheme = url.find("://");
    const auto at = url.find('@');
    if (scheme == std::string::npos || at == std::string::npos) return "";
    const auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return "";
    return url.substr(colon + 1, at - colon - 1);
}

TEST_P(secrets, no_key_token_or_password_reaches_a_log_line_or_another_response) {
    log_capture logs;
    stop_relay();  // start again so the start-up lines are captured too
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const agent_info bob = make_agent(ws, "bob");
    const std::string rotated = http().post("/v1/agents/bob/rotate-token", nullptr, ws.key).data()["token"];
    {
        ws_client socket(port(), alice.token);
        (void)send(alice, "general", "hello");
        (void)socket.next();
    }
    std::vector<response> seen;
    seen.push_back(http().get("/v1/agents", ws.key));
    seen.push_back(http().get("/v1/channels", alice.token));
    seen.push_back(http().get("/v1/channels/general/messages", alice.token));
    seen.push_back(http().get("/v1/console/logs", ws.key));
    seen.push_back(http().get("/v1/inbox", bob.token));
    seen.push_back(http().get("/v1/deliveries", rotated));
    seen.push_back(http().get("/metrics"));
    seen.push_back(http().get("/healthz"));
    seen.push_back(http().get("/v1/agents", "rk_live_" + std::string(32, 'f')));  // a wrong key is not echoed
    seen.push_back(http().post("/v1/agents", {{"name", "alice"}}, ws.key));       // an error response
    EXPECT_EQ(ws_client::upgrade_status(port(), "/v1/ws?token=" + alice.token.substr(0, 20)), 401u);

    const std::string log = logs.text();
    EXPECT_NE(log.find("relay listening"), std::string::npos) << "the capture works";
    std::vector<std::string> known{ws.key, alice.token, bob.token, rotated, "rk_live_" + std::string(32, 'f')};
    if (on_postgres()) {
        for (const std::string& url : {settings_.db_url, settings_.messages_db_url, settings_.db_replica_url}) {
            const std::string password = url.empty() ? "" : password_of(url);
            if (password.size() >= 4) known.push_back(password);
        }
    }
    for (const auto& secret : known) {
        EXPECT_EQ(log.find(secret), std::string::npos) << "logged: a secret";
        for (const auto& r : seen) EXPECT_EQ(r.body.find(secret), std::string::npos) << "echoed in: " << r.body;
    }
    for (const std::string table : {"workspaces", "agents"}) {
        for (const auto& secret : known) {
            const std::string found =
                "SELECT COUNT(*) FROM " + table + " WHERE " +
                (table == "agents" ? "token_hash = '" + secret + "' OR previous_token_hash = '" + secret + "'"
                                   : "api_key_hash = '" + secret + "'");
            EXPECT_EQ(scalar(found), 0);
        }
    }
}

}  // namespace
}  // namespace relay::test
