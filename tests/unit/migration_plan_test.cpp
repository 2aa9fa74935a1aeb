// The migration planner without a database: which steps, in which order, what it
// refuses, and how a plan's checksum and SQL steps behave.
#include <gtest/gtest.h>

#include "../support/contract_columns.hpp"
#include "../support/expect_error.hpp"
#include "strata/migrate.hpp"

namespace strata {
namespace {

using test::col;
using test::key;

contract_column ref(std::string name, std::string table) {
    contract_column c = col(std::move(name), sql_type::integer, false);
    c.ref_table = std::move(table);
    c.ref_column = "id";
    return c;
}

contract_table notes_v1() { return {"notes", {key("id"), col("body", sql_type::text, false)}}; }
contract_table authors_t() { return {"authors", {key("id"), col("name")}}; }

std::vector<std::string> descriptions(const std::vector<schema_change>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(c.description);
    return out;
}

TEST(migration_planner, an_empty_database_gets_referenced_tables_first) {
    contract_table notes = notes_v1();
    notes.columns.push_back(ref("author_id", "authors"));
    const auto changes = diff_contracts(nullptr, contract({notes, authors_t()}));
    EXPECT_EQ(descriptions(changes), (std::vector<std::string>{"create table authors", "create table notes"}));
}

TEST(migration_planner, additions_are_steps_of_their_own_and_not_destructive) {
    const contract from({notes_v1()});
    contract_table v2 = notes_v1();
    v2.columns.push_back(col("title"));
    v2.columns[1].nullable = true;
    v2.unique.push_back({"body", "title"});
    v2.indexes.push_back({"notes_by_title", {"title"}, false, ""});
    const auto changes = diff_contracts(&from, contract({v2}));
    EXPECT_EQ(descriptions(changes), (std::vector<std::string>{
                                         "alter column notes.body: text not null -> text null",
                                         "add column notes.title (text null)",
                                         "add unique (body, title) on notes",
                                         "create index notes_by_title on notes (title)",
                                     }));
    for (const auto& c : changes) EXPECT_FALSE(c.destructive) << c.description;
    // Each change carries its table just before and just after it.
    EXPECT_EQ(changes[1].before.columns.size(), 2u);
    EXPECT_EQ(changes[1].after.columns.size(), 3u);
    EXPECT_EQ(changes[3].after.indexes.size(), 1u);
}

TEST(migration_planner, drops_come_last_and_are_marked_destructive) {
    contract_table v1 = notes_v1();
    v1.columns.push_back(col("legacy"));
    const contract from({v1, authors_t()});
    contract_table v2 = notes_v1();
    v2.columns.push_back(col("title"));
    const auto changes = diff_contracts(&from, contract({v2}));
    EXPECT_EQ(descriptions(changes), (std::vector<std::string>{"add column notes.title (text null)",
                                                               "drop column notes.legacy", "drop table authors"}));
    EXPECT_FALSE(changes[0].destructive);
    EXPECT_TRUE(changes[1].destructive);
    EXPECT_TRUE(changes[2].destructive);
}

TEST(migration_planner, a_declared_rename_is_a_rename_not_a_drop_and_an_add) {
    const contract from({notes_v1()});
    contract_table v2 = notes_v1();
    v2.columns[1].name = "text";
    v2.indexes.push_back({"notes_text", {"text"}, false, ""});
    const contract to({v2});
    EXPECT_EQ(descriptions(diff_contracts(&from, to)),
              (std::vector<std::string>{"add column notes.text (text not null)", "create index notes_text on notes (text)",
                                        "drop column notes.body"}));
    const auto renamed = diff_contracts(&from, to, {.renames = {{"notes.body", "notes.text"}}});
    EXPECT_EQ(descriptions(renamed), (std::vector<std::string>{"rename column notes.body to text",
                                                               "create index notes_text on notes (text)"}));

    contract_table moved = notes_v1();
    moved.name = "memos";
    EXPECT_EQ(descriptions(diff_contracts(&from, contract({moved}), {.renames = {{"notes", "memos"}}})),
              std::vector<std::string>{"rename table notes to memos"});
}

TEST(migration_planner, a_changed_type_or_primary_key_is_refused_with_its_code) {
    const contract from({notes_v1()});
    contract_table typed = notes_v1();
    typed.columns[1].type = sql_type::json;
    EXPECT_STRATA_ERROR((void)diff_contracts(&from, contract({typed})), "CONTRACT.UNSUPPORTED_CHANGE");
    contract_table keyed = notes_v1();
    keyed.columns[0].primary_key = false;
    keyed.primary_key = {"id", "body"};
    EXPECT_STRATA_ERROR((void)diff_contracts(&from, contract({keyed})), "CONTRACT.UNSUPPORTED_CHANGE");
}

TEST(migration_plan, sql_steps_go_before_the_drops_and_change_the_checksum) {
    migration_plan plan;
    plan.steps.push_back({.name = "add column notes.title (text null)", .kind = change_kind::add_column,
                          .statements = {"ALTER TABLE notes ADD COLUMN title TEXT"}});
    plan.steps.push_back({.name = "drop column notes.legacy", .kind = change_kind::drop_column, .destructive = true,
                          .statements = {"ALTER TABLE notes DROP COLUMN legacy"}});
    const std::string before = plan.checksum();
    plan.add_sql_step("copy titles", "UPDATE notes SET title = legacy");
    plan.add_sql_step("trim titles", "UPDATE notes SET title = trim(title)");
    ASSERT_EQ(plan.steps.size(), 4u);
    EXPECT_EQ(plan.steps[1].name, "copy titles");
    EXPECT_EQ(plan.steps[2].name, "trim titles");
    EXPECT_EQ(plan.steps[3].name, "drop column notes.legacy");
    EXPECT_NE(plan.checksum(), before);
    EXPECT_EQ(plan.checksum().rfind("sha256:", 0), 0u);
    EXPECT_NE(plan.describe().find("-- copy titles (SQL step)\nUPDATE notes SET title = legacy;\n"), std::string::npos)
        << plan.describe();
    EXPECT_STRATA_ERROR(plan.add_sql_step("", "SELECT 1"), "RUNTIME.INVALID_ARGUMENT");
    EXPECT_STRATA_ERROR(plan.add_sql_step("empty", " ; "), "RUNTIME.INVALID_ARGUMENT");
}

TEST(migration_plan, the_comparable_form_reads_like_a_database_reports_it) {
    contract_table t{"t", {col("id", sql_type::integer, false), col("flag", sql_type::boolean, false), col("at")}};
    t.columns[1].default_sql = "FALSE";
    t.columns[2].default_sql = "'x'::text";
    t.primary_key = {"id"};
    t.unique = {{"at"}};
    t.indexes = {{"z_index", {"at"}, false, "(at IS NOT NULL)"}, {"a_index", {"flag"}, false, ""}};
    const contract c = comparable_form(contract({t}));
    const contract_table& n = c.tables().front();
    EXPECT_TRUE(n.primary_key.empty());
    EXPECT_TRUE(n.columns[0].primary_key);
    EXPECT_TRUE(n.columns[2].unique);
    EXPECT_TRUE(n.unique.empty());
    EXPECT_EQ(n.columns[1].default_sql, "false");
    EXPECT_EQ(n.columns[2].default_sql, "'x'");
    EXPECT_EQ(n.indexes[0].name, "a_index");
    EXPECT_EQ(n.indexes[1].where_sql, "at is not null");
}

}  // namespace
}  // namespace strata
