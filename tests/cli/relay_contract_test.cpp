// `relay --print-contract`: relay's declared schema as the JSON `strata migrate --contract`
// takes, so a relay database can be planned, migrated and checked without C++.
#include <gtest/gtest.h>

#include <fstream>

#include "process.hpp"

namespace strata::cli_test {
namespace {

TEST(relay_contract, relay_prints_the_contract_strata_migrates_and_verifies) {
    const auto printed = run_process(from_test_dir(STRATA_RELAY_PATH), {"--print-contract"});
    ASSERT_EQ(printed.exit_code, 0) << printed.err;
    EXPECT_NE(printed.out.find("\"format\": \"strata.contract/1\""), std::string::npos) << printed.out;
    EXPECT_NE(printed.out.find("\"name\": \"messages\""), std::string::npos);
    temp_dir dir;
    const std::string file = (dir.path() / "relay.json").string();
    std::ofstream(file) << printed.out;
    const std::string url = dir.sqlite_url("relay.db");
    auto r = run_cli({"migrate", "--url", url, "--contract", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli({"verify", "--url", url, "--contract", file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    r = run_cli({"migrate", "status", "--url", url, "--contract", file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace strata::cli_test
