// Small pieces of relay tested alone: parsing, ids, time, mentions, search text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "engine/clock.hpp"
#include "engine/dialect_queries.hpp"
#include "engine/ids.hpp"
#include "engine/message_writes.hpp"
#include "engine/secrets.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace relay::test {
namespace {

TEST(relay_units, listen_addresses) {
    auto a = parse_listen("127.0.0.1:8787");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 8787);
    EXPECT_EQ(parse_listen("[::1]:0")->host, "::1");
    EXPECT_FALSE(parse_listen("8787"));
    EXPECT_FALSE(parse_listen("host:"));
    EXPECT_FALSE(parse_listen("host:70000"));
    EXPECT_FALSE(parse_listen("host:8x"));
    EXPECT_EQ(parse_listen(":8787")->host, "0.0.0.0");  // every IPv4 interface
    EXPECT_EQ(parse_listen("localhost:0")->host, "localhost");  // a name, resolved at start
}

// argv for parse_command_line, from strings.
struct command_line {
    explicit command_line(std::vector<std::string> a) : args(std::move(a)) {
        args.insert(args.begin(), "relay");
        for (auto& s : args) argv.push_back(s.data());
    }
    config parse() {
        auto parsed = parse_command_line(static_cast<int>(argv.size()), argv.data());
        EXPECT_TRUE(parsed.settings) << "exit code " << parsed.exit_code;
        return parsed.settings.value_or(config{});
    }
    int exit_code() { return parse_command_line(static_cast<int>(argv.size()), argv.data()).exit_code; }
    std::vector<std::string> args;
    std::vector<char*> argv;
};

// Every option from the environment (RELAY_...), a --config file, or a URL file; the
// command line wins over the file, the file over the environment.
TEST(relay_units, options_come_from_the_environment_a_config_file_and_url_files) {
    const auto dir = std::filesystem::temp_directory_path() / ("relay-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    ::setenv("RELAY_DB_POOL_SIZE", "7", 1);
    ::setenv("RELAY_LISTEN", "127.0.0.1:9001", 1);
    EXPECT_EQ(command_line({}).parse().db_pool_size, 7u);
    EXPECT_EQ(command_line({}).parse().listen_port, 9001);
    EXPECT_EQ(command_line({"--db-pool-size", "3"}).parse().db_pool_size, 3u);

    std::ofstream(dir / "relay.ini") << "db-pool-size = 5\nrequest-timeout = 2.5\nlisten = \":9002\"\n";
    const config from_file = command_line({"--config", (dir / "relay.ini").string()}).parse();
    EXPECT_EQ(from_file.db_pool_size, 5u);
    EXPECT_EQ(from_file.request_timeout_seconds, 2.5);
    EXPECT_EQ(from_file.listen_host, "0.0.0.0");
    EXPECT_EQ(from_file.listen_port, 9002);
    ::unsetenv("RELAY_DB_POOL_SIZE");
    ::unsetenv("RELAY_LISTEN");

    std::ofstream(dir / "db-url") << "  postgresql://relay:s3cret@db.internal/relay  \n";
    EXPECT_EQ(command_line({"--db-file", (dir / "db-url").string()}).parse().db_url,
              "postgresql://relay:s3cret@db.internal/relay");
    EXPECT_EQ(command_line({"--db-file", (dir / "absent").string()}).exit_code(), 2);
    EXPECT_EQ(command_line({"--db-file", (dir / "db-url").string(), "--db", "sqlite:x.db"}).exit_code(), 2);
    std::filesystem::remove_all(dir);
}

TEST(relay_units, mentions_are_at_names_after_whitespace) {
    EXPECT_EQ(detail::parse_mentions("@alice hi @bob-2, mail@example.com @alice"),
              (std::vector<std::string>{"alice", "bob-2"}));
    EXPECT_TRUE(detail::parse_mentions("no mentions @ here").empty());
    std::string many;
    for (int i = 0; i < 30; ++i) many += "@a" + std::to_string(i) + " ";
    EXPECT_EQ(detail::parse_mentions(many).size(), 20u);
}

TEST(relay_units, ids_increase_and_round_trip_as_text) {
    id_generator ids(719);
    std::int64_t last = 0;
    for (int i = 0; i < 10000; ++i) {
        const std::int64_t id = ids.next();
        ASSERT_GT(id, last);
        ASSERT_EQ((id >> 12) & 1023, 719);  // the node id, in every id
        last = id;
    }
    EXPECT_EQ(parse_id(id_text(last)), last);
    EXPECT_FALSE(parse_id("0"));
    EXPECT_FALSE(parse_id("-3"));
    EXPECT_FALSE(parse_id("12a"));
    EXPECT_FALSE(parse_id(""));
    EXPECT_THROW(id_generator(1024), std::invalid_argument);
    EXPECT_THROW(id_generator(-1), std::invalid_argument);
    EXPECT_FALSE(parse_id("99999999999999999999"));
}

TEST(relay_units, timestamps_are_iso8601_utc) {
    EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(iso8601(1735689600123), "2025-01-01T00:00:00.123Z");
}

TEST(relay_units, secrets_have_their_prefix_and_hash_to_sha256) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string key = new_workspace_key();
    EXPECT_EQ(key.rfind("rk_live_", 0), 0u);
    EXPECT_EQ(key.size(), 40u);
    EXPECT_NE(new_agent_token(), new_agent_token());
}

TEST(relay_units, targets_split_and_decode) {
    std::string path;
    std::map<std::string, std::string> query;
    ASSERT_TRUE(http::split_target("/v1/files?filename=a%20b.txt&content_type=text/plain&x", path, query));
    EXPECT_EQ(path, "/v1/files");
    EXPECT_EQ(query["filename"], "a b.txt");
    EXPECT_EQ(query["content_type"], "text/plain");
    EXPECT_EQ(query["x"], "");
    std::map<std::string, std::string> q2;
    EXPECT_FALSE(http::split_target("/a?b=%zz", path, q2));
    EXPECT_FALSE(http::split_target("/a%00", path, q2));
    EXPECT_FALSE(http::split_target("/a%ff", path, q2));
    EXPECT_TRUE(http::split_target("/caf%C3%A9", path, q2));
}

TEST(relay_units, search_text_is_plain_words) {
    EXPECT_EQ(dialect_queries(dialect::sqlite).match_text("disk \"full\" OR (x*)"), R"("disk" "full" "OR" "x")");
    EXPECT_EQ(dialect_queries(dialect::postgres).match_text("disk -full!"), "disk full");
    EXPECT_EQ(dialect_queries(dialect::sqlite).match_text("!! --"), "");
}

// The database error a request ended with, as the client sees it: what it can do about it.
TEST(relay_units, database_errors_become_answers_a_client_can_act_on) {
    auto reply_for = [](const strata::error& e) {
        try {
            throw e;
        } catch (...) {
            return http::reply_for_current_exception("POST", "/v1/test");
        }
    };
    auto code_of = [](const http::reply& r) { return json::parse(r.body)["error"]["code"].get<std::string>(); };
    auto retry_after = [](const http::reply& r) {
        for (const auto& [k, v] : r.headers)
            if (k == "Retry-After") return v;
        return std::string();
    };
    // A COMMIT whose connection broke, inside a unit: retry with the same key, never a 500.
    const auto lost = std::make_exception_ptr(
        strata::error("DRIVER.CONNECTION_LOST", "lost").with_sql({.sqlstate = "08006"}).with_transient(true));
    const auto commit = std::make_exception_ptr(
        strata::error("RUNTIME.TRANSACTION_COMMIT_FAILED", "unknown", {{"outcome", "unknown"}}).with_cause(lost));
    const http::reply unknown =
        reply_for(strata::error("ATOMIC.UNIT_FAILED", "failed", {{"applied", "none"}}).with_cause(commit));
    EXPECT_EQ(unknown.status, 503u);
    EXPECT_EQ(code_of(unknown), "outcome_unknown");
    EXPECT_EQ(retry_after(unknown), "1");
    EXPECT_EQ(reply_for(strata::error("ATOMIC.UNIT_FAILED", "failed", {{"applied", "unknown"}})).status, 503u);
    // A COMMIT that failed and rolled back is what its cause is.
    EXPECT_EQ(reply_for(strata::error("RUNTIME.TRANSACTION_COMMIT_FAILED", "rolled back", {{"outcome", "rolled_back"}}))
                  .status,
              500u);
    // Full: SQLite's max_page_count and PostgreSQL's disk_full share SQLSTATE 53100.
    const http::reply full =
        reply_for(strata::error("ATOMIC.UNIT_FAILED", "failed", {{"applied", "none"}}).with_sql({.sqlstate = "53100"}));
    EXPECT_EQ(full.status, 507u);
    EXPECT_EQ(code_of(full), "storage_full");
    EXPECT_EQ(retry_after(full), "");
    // Busy, lost before commit, server restarting, no pool connection in time: retry shortly.
    const http::reply busy = reply_for(
        strata::error("DRIVER.CONNECT_FAILED", "starting up").with_sql({.sqlstate = "57P03"}).with_transient(true));
    EXPECT_EQ(busy.status, 503u);
    EXPECT_EQ(code_of(busy), "unavailable");
    EXPECT_EQ(retry_after(busy), "1");
    EXPECT_EQ(reply_for(strata::error("DRIVER.POOL_TIMEOUT", "waited")).status, 503u);
    // Anything else is the server's fault.
    const http::reply other = reply_for(strata::error("QUERY.FAILED", "no such table").with_sql({.sqlstate = "42P01"}));
    EXPECT_EQ(other.status, 500u);
    EXPECT_EQ(code_of(other), "internal_error");
}

}  // namespace
}  // namespace relay::test
