// `strata query` prints rows as an aligned table for people.
#include <gtest/gtest.h>

#include <filesystem>

#include "process.hpp"

namespace strata::cli_test {
namespace {

process_result query_memory(const std::string& sql) { return run_cli({"query", "--url", "sqlite::memory:", sql}); }

TEST(table, prints_header_separator_aligned_rows_and_count) {
    const auto r = query_memory("SELECT 1 AS id, 'ann' AS name UNION ALL SELECT 22, 'bobby' ORDER BY id");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out,
              "id | name\n"
              "---+------\n"
              " 1 | ann\n"
              "22 | bobby\n"
              "(2 rows)\n");
}

TEST(table, prints_null_as_NULL_and_every_value_kind) {
    const auto r = query_memory("SELECT NULL AS n, 7 AS i, 2.5 AS r, 3.0 AS whole, 'x' AS t, x'00ff' AS b");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "n    | i | r   | whole | t | b\n"
              "-----+---+-----+-------+---+--------\n"
              "NULL | 7 | 2.5 |   3.0 | x | x'00ff'\n"
              "(1 row)\n");
}

TEST(table, says_one_row_in_the_singular) {
    const auto r = query_memory("SELECT 'only' AS v");
    EXPECT_EQ(r.out, "v\n----\nonly\n(1 row)\n");
}

TEST(table, statement_without_result_columns_prints_OK) {
    const auto r = query_memory("CREATE TABLE t(id INTEGER PRIMARY KEY)");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "OK\n");
    EXPECT_EQ(r.err, "");
}

TEST(table, read_without_rows_prints_zero_rows) {
    const auto r = query_memory("SELECT 1 AS a WHERE 0");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "(0 rows)\n");
}

TEST(table, escapes_control_characters_so_a_row_stays_on_one_line) {
    const auto r = query_memory("SELECT 'a' || char(10) || 'b' || char(27) || '[31m' AS v");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "v\n------------\na\\nb\\x1b[31m\n(1 row)\n");
}

TEST(table, aligns_by_characters_not_bytes) {
    const auto r = query_memory("SELECT 'héllo' AS word, 1 AS n UNION ALL SELECT 'hi', 2 ORDER BY n");
    EXPECT_EQ(r.out,
              "word  | n\n"
              "------+--\n"
              "héllo | 1\n"
              "hi    | 2\n"
              "(2 rows)\n");
}

TEST(table, a_real_sqlite_file_keeps_rows_between_invocations) {
    temp_dir dir;
    const std::string url = dir.sqlite_url("app.db");
    auto r = run_cli({"query", "--url", url, "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT)"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "OK\n");
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "app.db"));

    for (const char* name : {"ann", "bob", "cho"}) {
        r = run_cli({"query", "--url", url, "INSERT INTO people(name) VALUES (?)", "--param", name});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.out, "OK\n");
    }
    r = run_cli({"query", "--url", url, "SELECT id, name FROM people ORDER BY id"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "id | name\n"
              "---+-----\n"
              " 1 | ann\n"
              " 2 | bob\n"
              " 3 | cho\n"
              "(3 rows)\n");
}

TEST(table, insert_returning_prints_the_returned_rows) {
    temp_dir dir;
    const std::string url = dir.sqlite_url("ret.db");
    ASSERT_EQ(run_cli({"query", "--url", url, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"}).exit_code, 0);
    const auto r = run_cli({"query", "--url", url, "INSERT INTO t(v) VALUES (?) RETURNING id, v", "--param", "x"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "id | v\n---+--\n 1 | x\n(1 row)\n");
}

TEST(table, update_touching_nothing_prints_OK) {
    temp_dir dir;
    const std::string url = dir.sqlite_url("upd.db");
    ASSERT_EQ(run_cli({"query", "--url", url, "CREATE TABLE t(id INTEGER PRIMARY KEY)"}).exit_code, 0);
    const auto r = run_cli({"query", "--url", url, "UPDATE t SET id = id + 1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "OK\n");
}

TEST(help, version_and_help_exit_zero) {
    const auto v = run_cli({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find('.'), std::string::npos) << v.out;

    const auto h = run_cli({"--help"});
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("query"), std::string::npos) << h.out;
}

}  // namespace
}  // namespace strata::cli_test
