// `strata split status` on real SQLite files: the boot decision and where ids live.
#include <gtest/gtest.h>

#include "process.hpp"

namespace strata::cli_test {
namespace {

class split_status : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* name : {"legacy.db", "messages.db"}) {
            auto r = run_cli({"query", "--url", dir.sqlite_url(name),
                              "CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"});
            ASSERT_EQ(r.exit_code, 0) << r.err;
        }
        // 4611686018427387905 = 2^62 + 1: version-1 shaped. 123: a legacy id.
        ASSERT_EQ(run_cli({"query", "--url", dir.sqlite_url("legacy.db"), "INSERT INTO messages VALUES (123, 'old')"})
                      .exit_code,
                  0);
        ASSERT_EQ(run_cli({"query", "--url", dir.sqlite_url("messages.db"),
                           "INSERT INTO messages VALUES (4611686018427387905, 'new')"})
                      .exit_code,
                  0);
    }
    temp_dir dir;
};

TEST_F(split_status, prints_the_decision_and_where_ids_live) {
    auto r =
        run_cli({"split", "status", "--db", dir.sqlite_url("legacy.db"), "--messages-db", dir.sqlite_url("messages.db"),
                 "--table", "messages", "--id", "4611686018427387905", "--id", "msg_123", "--id", "not-an-id"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("split: on"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("id 4611686018427387905: new shape; writes go to 'messages'; a read asks 'messages'\n"
                         "  'messages': found in messages"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("id msg_123: legacy shape; writes go to 'legacy'; a read asks 'messages', then 'legacy'\n"
                         "  'messages': not in messages\n  'legacy': found in messages"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("id not-an-id: legacy shape"), std::string::npos) << r.out;
}

TEST_F(split_status, the_same_database_twice_keeps_split_off) {
    auto r = run_cli({"split", "status", "--db", dir.sqlite_url("legacy.db"), "--messages-db",
                      dir.sqlite_url("legacy.db"), "--id", "4611686018427387905"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("split: off"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("same database"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("writes go to 'legacy'; a read asks 'legacy'"), std::string::npos) << r.out;
    r = run_cli({"split", "status", "--off", "--db", dir.sqlite_url("legacy.db"), "--messages-db",
                 dir.sqlite_url("messages.db")});
    EXPECT_NE(r.out.find("split: off"), std::string::npos) << r.out;
}

TEST_F(split_status, bad_input_is_a_usage_error_without_secrets) {
    auto r = run_cli({"split", "status", "--db", dir.sqlite_url("legacy.db"), "--table", "messages; DROP"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("CLI.USAGE"), std::string::npos) << r.err;
    r = run_cli({"split", "status", "--db", dir.sqlite_url("legacy.db"), "--ids", "uuid"});
    EXPECT_EQ(r.exit_code, 2);
    r = run_cli({"split", "status", "--db", "postgres://user:s3cret@127.0.0.1:1/x", "--messages-db",
                 dir.sqlite_url("messages.db")});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
    r = run_cli({"split"});
    EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace strata::cli_test
