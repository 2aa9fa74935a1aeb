// `strata migrate` and `strata verify` on a real SQLite file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "process.hpp"

namespace strata::cli_test {
namespace {

constexpr const char* v1 =
    R"({"format":"strata.contract/1","tables":[{"name":"notes","columns":[)"
    R"({"name":"id","type":"integer","nullable":false,"primary_key":true,"unique":false,"default":"","references":null},)"
    R"({"name":"body","type":"text","nullable":false,"primary_key":false,"unique":false,"default":"","references":null}],)"
    R"("primary_key":[],"unique":[],"indexes":[]}]})";
constexpr const char* v2 =
    R"({"format":"strata.contract/1","tables":[{"name":"notes","columns":[)"
    R"({"name":"id","type":"integer","nullable":false,"primary_key":true,"unique":false,"default":"","references":null},)"
    R"({"name":"body","type":"text","nullable":true,"primary_key":false,"unique":false,"default":"","references":null}],)"
    R"("primary_key":[],"unique":[],"indexes":[]}]})";

class contract_commands : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("strata-cli-contract-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        write("v1.json", v1);
        write("v2.json", v2);
        url_ = "sqlite:" + (dir_ / "app.db").string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }
    process_result run(const std::string& command, const std::string& contract_file) {
        return run_cli({command, "--url", url_, "--contract", file(contract_file)});
    }
    std::filesystem::path dir_;
    std::string url_;
};

TEST_F(contract_commands, migrate_then_verify) {
    auto r = run("verify", "v1.json");
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.out.find("missing"), std::string::npos);

    r = run("migrate", "v1.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("CREATE TABLE \"notes\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("applied: sha256:"), std::string::npos) << r.out;

    r = run("migrate", "v1.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("up to date: sha256:", 0), 0u) << r.out;

    r = run("verify", "v1.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("match: sha256:", 0), 0u) << r.out;
}

TEST_F(contract_commands, a_changed_contract_is_reported_then_migrated) {
    ASSERT_EQ(run("migrate", "v1.json").exit_code, 0);
    auto r = run("verify", "v2.json");
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.out.find("column notes.body: text not null -> text null"), std::string::npos) << r.out;
    // migrate takes the database there: one step, in place.
    r = run("migrate", "v2.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("-- alter column notes.body: text not null -> text null"), std::string::npos) << r.out;
    EXPECT_EQ(run("verify", "v2.json").exit_code, 0);
}

TEST_F(contract_commands, bad_contract_files_are_usage_errors) {
    auto r = run("migrate", "absent.json");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("CLI.CONTRACT_UNREADABLE"), std::string::npos) << r.err;
    write("junk.json", "{\"format\": 42");
    r = run("verify", "junk.json");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("CONTRACT.INVALID"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strata::cli_test
