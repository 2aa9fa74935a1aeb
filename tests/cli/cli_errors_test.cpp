// Failures print "error: CODE: message" on stderr, nothing on stdout (but rows that
// streamed out before the failure), exit 1 for database and statement errors and 2 for
// usage errors, and never print a secret.
#include <gtest/gtest.h>

#include "../support/secret_shapes.hpp"
#include "process.hpp"

namespace strata::cli_test {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

void expect_failure(const process_result& r, int exit_code, const std::string& code) {
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_TRUE(starts_with(r.err, "error: " + code + ": ")) << r.err;
    EXPECT_EQ(r.out, "");
    // A coded error, not a crash report.
    EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

TEST(errors, syntax_error_exits_1_with_its_code) {
    const auto r = run_cli({"query", "--url", "sqlite::memory:", "SELEC 1"});
    expect_failure(r, 1, "QUERY.SYNTAX_ERROR");
    EXPECT_NE(r.err.find("SELEC"), std::string::npos) << "the message should point at the mistake: " << r.err;
}

TEST(errors, constraint_violation_exits_1_with_its_code_and_sqlstate) {
    temp_dir dir;
    const std::string url = dir.sqlite_url("c.db");
    const auto created = run_cli({"query", "--url", url, "CREATE TABLE t(id INTEGER PRIMARY KEY, email TEXT UNIQUE)"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::vector<std::string> insert{"query", "--url", url, "INSERT INTO t(email) VALUES (?)", "--param", "a@x"};
    ASSERT_EQ(run_cli(insert).exit_code, 0);
    const auto r = run_cli(insert);
    expect_failure(r, 1, "QUERY.CONSTRAINT_VIOLATION");
    EXPECT_NE(r.err.find("23505"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("t.email"), std::string::npos) << r.err;
}

TEST(errors, multiple_statements_are_refused_and_none_runs) {
    temp_dir dir;
    const std::string url = dir.sqlite_url("m.db");
    const auto r = run_cli({"query", "--url", url, "CREATE TABLE a(x); CREATE TABLE b(x)"});
    expect_failure(r, 1, "PLAN.MULTIPLE_STATEMENTS");
    const auto tables = run_cli({"query", "--url", url, "SELECT count(*) AS n FROM sqlite_master"});
    EXPECT_EQ(tables.out, "n\n-\n0\n(1 row)\n");
}

TEST(errors, missing_table_exits_1) {
    expect_failure(run_cli({"query", "--url", "sqlite::memory:", "SELECT * FROM nowhere"}), 1, "QUERY.FAILED");
}

// Rows stream out as they arrive, so a failure after some were printed leaves them: the
// table holds its first 1,000 rows to size the columns (so here prints nothing), and a
// JSON array stays unclosed, so no consumer can take it for a whole result.
TEST(errors, a_failure_after_rows_exits_1_and_leaves_no_complete_output) {
    // abs() of the smallest integer overflows while the second row is computed.
    const std::string sql = "SELECT 1 AS v UNION ALL SELECT abs(-9223372036854775807 - 1)";
    expect_failure(run_cli({"query", "--url", "sqlite::memory:", sql}), 1, "QUERY.FAILED");
    const auto json = run_cli({"query", "--json", "--url", "sqlite::memory:", sql});
    EXPECT_EQ(json.exit_code, 1);
    EXPECT_TRUE(starts_with(json.err, "error: QUERY.FAILED: ")) << json.err;
    EXPECT_EQ(json.out, "[\n  {\"v\":1}");
}

TEST(errors, bad_urls_are_usage_errors) {
    for (const std::string url : {"mysql://h/db", "", "app.db", "sqlite:", "sqlite:app.db?mode=ro"}) {
        const auto r = run_cli({"query", "--url", url, "SELECT 1"});
        expect_failure(r, 2, "DRIVER.BINDING_INVALID");
    }
}

TEST(errors, unopenable_database_file_exits_1) {
    temp_dir dir;
    const std::string url = "sqlite:" + (dir.path() / "no" / "such" / "dir.db").string();
    const auto r = run_cli({"query", "--url", url, "SELECT 1"});
    expect_failure(r, 1, "DRIVER.CONNECT_FAILED");
}

TEST(errors, an_unreachable_postgres_server_fails_without_showing_the_password) {
    const auto r = run_cli({"query", "--url", "postgres://bob:s3cret@127.0.0.1:1/db", "SELECT 1"});
    expect_failure(r, 1, "DRIVER.CONNECT_FAILED");
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

TEST(errors, a_password_in_any_url_is_never_printed) {
    const std::vector<std::string> urls{
        "postgres://bob:s3cret@host/db",
        "postgresql://bob:s3cret@db.example.com:5432/app?sslmode=require",
        "postgres://bob@host/db?password=s3cret",
        "postgresql://bob:s3cret@[::1]:5432/app",
        "postgres://bob:s3cret@host:notaport/db",
        "host=h user=bob password=s3cret dbname=app",
        "mysql://bob:s3cret@host/db",
        "sqlite:app.db?key=s3cret",
    };
    for (const std::string& url : urls) {
        for (const bool json : {false, true}) {
            std::vector<std::string> args{"query", "--url", url, "SELECT 1"};
            if (json) args.push_back("--json");
            const auto r = run_cli(args);
            EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << url << ": " << r.err;  // unusable or unreachable
            EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << url << " leaked on stdout: " << r.out;
            EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << url << " leaked on stderr: " << r.err;
        }
    }
}

// Generated shapes (tests/support/secret_shapes.hpp, raw and escaped), each a real failing
// connect to a closed loopback port: the CLI prints the same redaction as the library.
TEST(errors, no_generated_password_is_printed_by_a_failing_connect) {
    strata::test::secret_shapes shapes(0xC11, {"127.0.0.1", "1"});
    for (int i = 0; i < 40; ++i) {
        const strata::test::secret_case c = shapes.next();
        const auto r = run_cli({"query", "--url", c.text, "SELECT 1"});
        EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << c.text << ": " << r.err;
        EXPECT_EQ(strata::test::leaked_fragment(r.err + r.out, c), "") << c.shape << ": " << c.text << "\n" << r.err;
    }
}

TEST(errors, a_password_in_a_misplaced_argument_is_never_printed) {
    const std::vector<std::vector<std::string>> commands{
        {"query", "SELECT 1", "postgres://bob:s3cret@host/db"},  // forgot --url
        {"query", "--url", "sqlite::memory:", "SELECT 1", "postgresql://bob:s3cret@host/db"},
        {"query", "--url", "sqlite::memory:", "SELECT 1", "host=h password=s3cret"},
        {"query", "--url", "sqlite::memory:", "SELECT 1", "--token=s3cret"},
        {"postgres://bob:s3cret@host/db"},
    };
    for (const auto& args : commands) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_TRUE(starts_with(r.err, "error: CLI.USAGE: ")) << r.err;
        EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << "leaked: " << r.err;
        EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << "leaked: " << r.out;
    }
    const auto r = run_cli(commands[1]);
    EXPECT_NE(r.err.find("postgresql://bob@host/db"), std::string::npos) << "say what was unexpected: " << r.err;
}

TEST(errors, usage_mistakes_exit_2) {
    expect_failure(run_cli({"query", "SELECT 1"}), 2, "CLI.USAGE");                        // no --url
    expect_failure(run_cli({"query", "--url", "sqlite::memory:"}), 2, "CLI.SQL_SOURCE");    // no SQL
    expect_failure(run_cli({}), 2, "CLI.USAGE");                                            // no subcommand
    expect_failure(run_cli({"query", "--url", "sqlite::memory:", "--frobnicate", "SELECT 1"}), 2, "CLI.USAGE");
}

TEST(errors, empty_sql_is_a_statement_error) {
    expect_failure(run_cli({"query", "--url", "sqlite::memory:", "  -- nothing\n"}), 1, "PLAN.EMPTY");
}

}  // namespace
}  // namespace strata::cli_test
