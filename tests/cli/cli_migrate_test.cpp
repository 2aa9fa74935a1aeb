// `strata migrate plan | status | --dry-run` and `strata contract print`, on a real
// SQLite file and on PostgreSQL (a schema of its own on the scripts/pg cluster): the
// migration workflow of the README, and no password in anything printed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../support/pg_database.hpp"
#include "process.hpp"

namespace strata::cli_test {
namespace {

constexpr const char* column_id =
    R"({"name":"id","type":"integer","nullable":false,"primary_key":true,"unique":false,"default":"","references":null})";
std::string text_column(const std::string& name) {
    return R"({"name":")" + name +
           R"(","type":"text","nullable":true,"primary_key":false,"unique":false,"default":"","references":null})";
}
std::string contract_json(const std::string& columns, const std::string& indexes = "") {
    return R"({"format":"strata.contract/1","tables":[{"name":"notes","columns":[)" + std::string(column_id) + columns +
           R"(],"primary_key":[],"unique":[],"indexes":[)" + indexes + "]}]}";
}

class migrate_workflow {
public:
    migrate_workflow(std::string url, std::string second_url, std::string secret)
        : url_(std::move(url)), second_url_(std::move(second_url)), secret_(std::move(secret)) {
        write("v1.json", contract_json("," + text_column("body")));
        write("v2.json", contract_json("," + text_column("body") + "," + text_column("title"),
                                       R"({"name":"notes_by_title","columns":["title"],"unique":false,"where":""})"));
        write("v3.json", contract_json("," + text_column("title"),
                                       R"({"name":"notes_by_title","columns":["title"],"unique":false,"where":""})"));
    }

    process_result run(std::vector<std::string> args) {
        process_result r = run_cli(args);
        if (!secret_.empty()) {
            EXPECT_EQ(r.out.find(secret_), std::string::npos) << "the password was printed: " << r.out;
            EXPECT_EQ(r.err.find(secret_), std::string::npos) << "the password was printed: " << r.err;
        }
        return r;
    }
    process_result migrate(const std::string& sub, const std::string& file, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"migrate"};
        if (!sub.empty()) args.push_back(sub);
        for (const std::string& a : {std::string("--url"), url_, std::string("--contract"), path(file)}) args.push_back(a);
        for (auto& e : extra) args.push_back(std::move(e));
        return run(args);
    }
    std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path(name)) << text; }
    const std::string& url() const { return url_; }
    const std::string& second_url() const { return second_url_; }

private:
    temp_dir dir_;
    std::string url_, second_url_, secret_;
};

void run_the_workflow(migrate_workflow& w) {
    auto r = w.migrate("status", "v1.json");
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_EQ(r.out, "unknown: the database has no contract marker (run strata migrate)\n");

    r = w.migrate("plan", "v1.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("-- create table notes\nCREATE TABLE \"notes\"", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("plan: 1 steps from an empty database to sha256:"), std::string::npos) << r.out;
    const auto dry = w.migrate("", "v1.json", {"--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_EQ(dry.out, r.out);
    EXPECT_EQ(w.migrate("status", "v1.json").exit_code, 4);  // a dry run applies nothing

    r = w.migrate("", "v1.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("applied: sha256:"), std::string::npos) << r.out;
    r = w.migrate("status", "v1.json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("up to date: sha256:", 0), 0u) << r.out;

    r = w.migrate("status", "v2.json");
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.out.find("behind: 2 steps from sha256:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  - add column notes.title (text null)\n  - create index notes_by_title on notes (title)\n"),
              std::string::npos)
        << r.out;
    ASSERT_EQ(w.migrate("", "v2.json").exit_code, 0);

    // v3 drops notes.body: refused until declared, and a SQL step copies it first.
    r = w.migrate("plan", "v3.json");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err.rfind("error: CONTRACT.DESTRUCTIVE_CHANGE: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("drop column notes.body"), std::string::npos) << r.err;
    w.write("copy.sql", "UPDATE notes SET title = body WHERE title IS NULL");
    r = w.migrate("plan", "v3.json", {"--allow-drop", "notes.body", "--sql-step", "copy bodies=" + w.path("copy.sql")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("-- copy bodies (SQL step)\nUPDATE notes SET title = body WHERE title IS NULL;\n-- drop column "
                         "notes.body\n"),
              std::string::npos)
        << r.out;

    // What the database holds, printed, builds the same schema in an empty database.
    r = w.run({"contract", "print", "--url", w.url()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"name\": \"notes_by_title\""), std::string::npos) << r.out;
    w.write("printed.json", r.out);
    const auto second = w.run({"migrate", "--url", w.second_url(), "--contract", w.path("printed.json")});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    const auto again = w.run({"contract", "print", "--url", w.second_url()});
    EXPECT_EQ(again.out, r.out);

    // Drift: an index made by hand.
    ASSERT_EQ(w.run({"query", "--url", w.url(), "CREATE INDEX by_hand ON notes (body)"}).exit_code, 0);
    r = w.migrate("status", "v2.json");
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.out.find("drifted: the live schema differs from its marker sha256:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  - table notes: indexes differ"), std::string::npos) << r.out;
}

TEST(migrate_cli, the_workflow_on_a_sqlite_file) {
    temp_dir dir;
    migrate_workflow w(dir.sqlite_url("app.db"), dir.sqlite_url("copy.db"), "");
    run_the_workflow(w);
}

TEST(migrate_cli, the_workflow_on_postgres_prints_no_password) {
    const std::string base = test::pg_url_or_skip();
    if (base.empty()) return;
    const auto at = base.find('@'), colon = base.find(':', base.find("://") + 3);
    ASSERT_TRUE(at != std::string::npos && colon < at) << "expected a URL with a password";
    const std::string password = base.substr(colon + 1, at - colon - 1);
    test::pg_schema first(base), second(base);
    migrate_workflow w(first.url(), second.url(), password);
    run_the_workflow(w);
}

TEST(migrate_cli, status_and_plan_need_a_url_and_a_contract) {
    const auto r = run_cli({"migrate", "status", "--url", "sqlite::memory:"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("error: CLI.USAGE: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace strata::cli_test
