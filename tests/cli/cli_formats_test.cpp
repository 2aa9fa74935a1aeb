// `strata query`'s other outputs and inputs: --csv, --jsonl, --integers-as-strings; SQL
// from -f FILE and stdin; the URL from $STRATA_URL; rows streamed in constant memory.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace strata::cli_test {
namespace {

using nlohmann::json;

process_result query(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"query", "--url", "sqlite::memory:"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
}

TEST(formats, csv_quotes_what_it_must_and_tells_null_from_empty) {
    const auto r = query({"--csv", "SELECT 1 AS id, 'a,b' AS t, NULL AS n, '' AS e, 'say \"hi\"' AS q, "
                                   "x'0aff' AS b, 'two\nlines' AS l, 1.5 AS r UNION ALL "
                                   "SELECT 2, 'plain', 3, 'x', 'y', x'', 'z', 2.0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "id,t,n,e,q,b,l,r\r\n"
              "1,\"a,b\",,\"\",\"say \"\"hi\"\"\",0aff,\"two\nlines\",1.5\r\n"
              "2,plain,3,x,y,\"\",z,2\r\n");
}

TEST(formats, jsonl_prints_one_object_per_line) {
    const auto r = query({"--jsonl", "SELECT 1 AS id, 'ann' AS name UNION ALL SELECT 2, NULL ORDER BY id"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    std::vector<json> rows;
    while (std::getline(lines, line)) rows.push_back(json::parse(line));
    ASSERT_EQ(rows.size(), 2u) << r.out;
    EXPECT_EQ(rows[0], (json{{"id", 1}, {"name", "ann"}}));
    EXPECT_TRUE(rows[1]["name"].is_null());
    EXPECT_EQ(query({"--jsonl", "SELECT 1 WHERE 0"}).out, "");  // no rows: nothing
}

TEST(formats, integers_as_strings_keep_every_digit_of_a_64_bit_id) {
    const std::string sql = "SELECT 9007199254740993 AS id, 1.5 AS r";  // 2^53 + 1: a double cannot hold it
    const json plain = json::parse(query({"--json", sql}).out);
    EXPECT_TRUE(plain[0]["id"].is_number_integer());
    const json strings = json::parse(query({"--json", "--integers-as-strings", sql}).out);
    EXPECT_EQ(strings[0]["id"], "9007199254740993");
    EXPECT_TRUE(strings[0]["r"].is_number_float());
    EXPECT_EQ(query({"--jsonl", "--integers-as-strings", sql}).out, "{\"id\":\"9007199254740993\",\"r\":1.5}\n");
    EXPECT_EQ(query({"--csv", "--integers-as-strings", sql}).out, "id,r\r\n\"9007199254740993\",1.5\r\n");
}

TEST(formats, conflicting_output_options_are_usage_errors) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--json", "--csv", "SELECT 1"}, {"--jsonl", "--json", "SELECT 1"}, {"--integers-as-strings", "SELECT 1"}}) {
        const auto r = query(args);
        EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1];
        EXPECT_NE(r.err.find("CLI.USAGE"), std::string::npos) << r.err;
        EXPECT_EQ(r.out, "");
    }
}

TEST(sql_sources, a_file_stdin_or_the_argument_and_exactly_one) {
    const temp_dir dir;
    const auto file = (dir.path() / "q.sql").string();
    std::ofstream(file) << "-- a report\nSELECT 7 AS x;\n";
    EXPECT_EQ(query({"--jsonl", "-f", file}).out, "{\"x\":7}\n");
    EXPECT_EQ(run_cli_script("echo 'SELECT 8 AS x' | \"$STRATA\" query --url sqlite::memory: --jsonl").out,
              "{\"x\":8}\n");
    EXPECT_EQ(run_cli_script("\"$STRATA\" query --url sqlite::memory: --jsonl -f - < '" + file + "'").out,
              "{\"x\":7}\n");

    const auto both = query({"-f", file, "SELECT 1"});
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_NE(both.err.find("CLI.SQL_SOURCE"), std::string::npos) << both.err;
    const auto missing = query({"-f", (dir.path() / "absent.sql").string()});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("CLI.SQL_SOURCE"), std::string::npos) << missing.err;
    const auto none = query({});  // stdin is empty
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.err.find("No SQL"), std::string::npos) << none.err;
}

TEST(sql_sources, the_url_comes_from_STRATA_URL_and_its_password_never_shows) {
    const auto r = run_cli_script("STRATA_URL=sqlite::memory: \"$STRATA\" query --jsonl 'SELECT 1 AS one'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "{\"one\":1}\n");
    // Port 1 on loopback: nothing listens, the connection fails.
    const auto failed = run_cli_script(
        "STRATA_URL='postgresql://app:Sup3rSecretPw@127.0.0.1:1/db?connect_timeout=2' \"$STRATA\" query 'SELECT 1'");
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_EQ(failed.err.find("Sup3rSecretPw"), std::string::npos) << failed.err;
    EXPECT_EQ(failed.out.find("Sup3rSecretPw"), std::string::npos);
    const auto help = run_cli({"query", "--help"});
    EXPECT_NE(help.out.find("STRATA_URL"), std::string::npos);
    EXPECT_NE(help.out.find("postgresql://"), std::string::npos);
}

// The peak resident memory (VmHWM, kB) of `strata query` printing `rows` rows as CSV to
// /dev/null, sampled until it exits. ASan's quarantine of freed memory is kept small,
// or it alone would grow with the rows printed.
long peak_kb_printing(long rows) {
    const std::string sql = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < " +
                            std::to_string(rows) + ") SELECT i, 'row number ' || i AS label FROM c";
    const auto r = run_cli_script(
        "ASAN_OPTIONS=\"$ASAN_OPTIONS:quarantine_size_mb=4\" \"$STRATA\" query --url sqlite::memory: --csv \"$0\" "
        ">/dev/null & pid=$!; peak=0; "
        "while hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null) && [ -n \"$hwm\" ]; do "
        "peak=$hwm; sleep 0.05; done; wait $pid || exit 9; echo $peak",
        sql);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::stol(r.out);
}

TEST(streaming, a_million_rows_print_in_the_memory_of_ten_thousand) {
    const long small = peak_kb_printing(10'000);
    const long large = peak_kb_printing(1'000'000);
    // Held in memory, a million rows of this shape take well over 100 MB under ASan.
    EXPECT_LT(large - small, 32 * 1024) << "10k rows: " << small << " kB, 1M rows: " << large << " kB";
}

}  // namespace
}  // namespace strata::cli_test
