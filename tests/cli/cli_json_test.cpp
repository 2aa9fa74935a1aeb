// `strata query --json` prints exactly one JSON array of objects, parsed back here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace strata::cli_test {
namespace {

using nlohmann::json;

// Runs the query with --json, checks it succeeded, and parses the whole of stdout: a
// parse of the complete text fails if anything but one JSON value was printed.
json query_json(const std::string& url, const std::string& sql, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"query", "--json", "--url", url, sql};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    json parsed = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not one JSON document:\n" << r.out;
    EXPECT_TRUE(parsed.is_array()) << r.out;
    return parsed;
}

TEST(json, rows_become_objects_keyed_by_column_name) {
    const json rows =
        query_json("sqlite::memory:", "SELECT 1 AS id, 'ann' AS name UNION ALL SELECT 2, 'bob' ORDER BY id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], (json{{"id", 1}, {"name", "ann"}}));
    EXPECT_EQ(rows[1], (json{{"id", 2}, {"name", "bob"}}));
}

TEST(json, values_keep_their_types) {
    const json rows = query_json("sqlite::memory:",
                                 "SELECT 42 AS i, -1.25 AS r, 'txt' AS t, NULL AS n, x'00ff10' AS b, 3.0 AS whole");
    ASSERT_EQ(rows.size(), 1u);
    const json& row = rows[0];
    EXPECT_TRUE(row["i"].is_number_integer());
    EXPECT_EQ(row["i"].get<std::int64_t>(), 42);
    EXPECT_TRUE(row["r"].is_number_float());
    EXPECT_DOUBLE_EQ(row["r"].get<double>(), -1.25);
    EXPECT_TRUE(row["whole"].is_number_float());
    EXPECT_EQ(row["t"], "txt");
    EXPECT_TRUE(row["n"].is_null());
    EXPECT_EQ(row["b"], "00ff10");  // blobs as hex strings
}

TEST(json, keys_follow_column_order) {
    const auto r = run_cli({"query", "--json", "--url", "sqlite::memory:", "SELECT 1 AS zeta, 2 AS alpha, 3 AS mid"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto z = r.out.find("\"zeta\"");
    const auto a = r.out.find("\"alpha\"");
    const auto m = r.out.find("\"mid\"");
    ASSERT_NE(m, std::string::npos) << r.out;
    EXPECT_LT(z, a);
    EXPECT_LT(a, m);
}

TEST(json, repeated_column_names_do_not_lose_values) {
    const json rows = query_json("sqlite::memory:", "SELECT 1 AS a, 2 AS a");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].size(), 2u) << rows.dump();
    EXPECT_EQ(rows[0]["a"], 1);
}

TEST(json, booleans_from_a_boolean_column_are_true_and_false) {
    temp_dir dir;
    const std::string url = dir.sqlite_url("flags.db");
    ASSERT_EQ(run_cli({"query", "--url", url, "CREATE TABLE flags(id INTEGER PRIMARY KEY, on_ BOOLEAN)"}).exit_code, 0);
    ASSERT_EQ(run_cli({"query", "--url", url, "INSERT INTO flags(on_) VALUES (1), (0), (NULL)"}).exit_code, 0);
    const json rows = query_json(url, "SELECT on_ FROM flags ORDER BY id");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0]["on_"], true);
    EXPECT_EQ(rows[1]["on_"], false);
    EXPECT_TRUE(rows[2]["on_"].is_null());
}

TEST(json, no_rows_and_statements_without_rows_print_an_empty_array) {
    EXPECT_EQ(query_json("sqlite::memory:", "SELECT 1 WHERE 0"), json::array());
    EXPECT_EQ(query_json("sqlite::memory:", "CREATE TABLE t(x)"), json::array());
}

TEST(json, text_with_quotes_newlines_and_unicode_round_trips) {
    const std::string text = "say \"hi\"\n\ttab \\ é 🙂";
    const json rows = query_json("sqlite::memory:", "SELECT ? AS v", {"--param", "text:" + text});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["v"], text);
}

TEST(json, invalid_utf8_in_text_is_replaced_not_fatal) {
    const json rows = query_json("sqlite::memory:", "SELECT CAST(x'41ff42' AS TEXT) AS v");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(rows[0]["v"].is_string());
}

TEST(json, many_rows_all_arrive) {
    const json rows = query_json("sqlite::memory:",
                                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                                 "SELECT i FROM n");
    ASSERT_EQ(rows.size(), 500u);
    EXPECT_EQ(rows[499]["i"], 500);
}

}  // namespace
}  // namespace strata::cli_test
