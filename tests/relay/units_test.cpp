// Small pieces of relay tested alone: parsing, ids, time, mentions, search text.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "engine/clock.hpp"
#include "engine/dialect_queries.hpp"
#include "engine/ids.hpp"
#include "engine/message_writes.hpp"
#include "engine/secrets.hpp"
#include "http/request.hpp"

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
    id_generator ids;
    std::int64_t last = 0;
    for (int i = 0; i < 10000; ++i) {
        const std::int64_t id = ids.next();
        ASSERT_GT(id, last);
        last = id;
    }
    EXPECT_EQ(parse_id(id_text(last)), last);
    EXPECT_FALSE(parse_id("0"));
    EXPECT_FALSE(parse_id("-3"));
    EXPECT_FALSE(parse_id("12a"));
    EXPECT_FALSE(parse_id(""));
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

}  // namespace
}  // namespace relay::test
