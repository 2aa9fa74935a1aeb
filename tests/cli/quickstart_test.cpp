// The quickstart that ./scripts/run starts: it must run on a fresh path (creating the
// folder), leave its rows in a real SQLite file, and be safe to run twice.
#include <gtest/gtest.h>

#include <filesystem>

#include "process.hpp"

namespace strata::cli_test {
namespace {

TEST(quickstart, runs_on_a_fresh_path_and_leaves_readable_rows) {
    temp_dir dir;
    const std::filesystem::path db = dir.path() / "nested" / "folder" / "quickstart.db";
    for (int run = 1; run <= 2; ++run) {
        const auto r = run_process(from_test_dir(STRATA_QUICKSTART_PATH), {db.string()});
        ASSERT_EQ(r.exit_code, 0) << "run " << run << ":\n" << r.out << r.err;
        EXPECT_EQ(r.err, "");
        EXPECT_NE(r.out.find("QUERY.CONSTRAINT_VIOLATION"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("1. "), std::string::npos) << r.out;
    }
    ASSERT_TRUE(std::filesystem::exists(db));
    const auto count = run_cli({"query", "--url", "sqlite:" + db.string(), "SELECT count(*) AS people FROM people"});
    EXPECT_EQ(count.exit_code, 0) << count.err;
    EXPECT_EQ(count.out, "people\n------\n     3\n(1 row)\n");
}

}  // namespace
}  // namespace strata::cli_test
