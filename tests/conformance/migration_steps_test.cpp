// Versioned migrations on every driver: a database with rows goes from one contract to
// the next in place; drops need a declaration; a failing step changes nothing; the
// record, the status and the introspected schema agree (docs/decisions/0033).
#include <gtest/gtest.h>

#include "../support/contract_columns.hpp"
#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"

namespace strata::test {
namespace {


// authors <- notes (author_id, ON DELETE CASCADE).
contract_table authors_v1() { return {"authors", {key("id"), col("name", sql_type::text, false)}}; }
contract_table notes_v1() {
    contract_column author = col("author_id", sql_type::integer, false);
    author.ref_table = "authors";
    author.ref_column = "id";
    author.on_delete = "CASCADE";
    return {"notes", {key("id"), author, col("body", sql_type::text, false)}};
}
contract v1() { return contract({authors_v1(), notes_v1()}); }

// One day later: a unique author name (SQLite rebuilds authors, which notes references),
// a new column with a default, a composite unique constraint and a partial index.
contract v2() {
    contract_table authors = authors_v1();
    authors.columns[1].unique = true;
    contract_table notes = notes_v1();
    contract_column pinned = col("pinned", sql_type::boolean, false);
    pinned.default_sql = "FALSE";
    notes.columns.push_back(pinned);
    notes.unique.push_back({"author_id", "body"});
    notes.indexes.push_back({"notes_pinned", {"author_id"}, false, "pinned"});
    return contract({authors, notes});
}

class migration_steps : public conformance {
protected:
    void seed() {
        exec("INSERT INTO authors (id, name) VALUES (1, 'ann'), (2, 'bob')");
        exec("INSERT INTO notes (id, author_id, body) VALUES (10, 1, 'a'), (11, 1, 'b'), (12, 2, 'c')");
    }
    std::string live_json() { return introspect(db()).described.canonical_json(); }
    std::string marker_hash() { return verify(db(), v1()).database_hash; }
    std::int64_t recorded_migrations() { return count(std::string(migrations_table)); }
};

TEST_P(migration_steps, a_database_with_rows_moves_to_the_next_contract_in_place) {
    migrate(db(), v1());
    seed();
    const migration_plan plan = plan_migration(db(), v2());
    EXPECT_EQ(plan.from_hash, v1().hash());
    ASSERT_EQ(plan.steps.size(), 4u) << plan.describe();
    const migrate_result r = apply_migration(db(), plan);
    EXPECT_EQ(r.outcome, migrate_outcome::applied);

    EXPECT_EQ(verify(db(), v2()).status, verify_status::match);
    EXPECT_EQ(count("notes"), 3);  // the rows survived, and the cascade did not fire
    EXPECT_EQ(db().execute(sql("SELECT COUNT(*) FROM notes WHERE pinned = FALSE")).one_as<std::int64_t>(), 3);
    auto e = catch_error([&] { exec("INSERT INTO authors (id, name) VALUES (3, 'ann')"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "23505");  // the new unique name
    e = catch_error([&] { exec("INSERT INTO notes (id, author_id, body) VALUES (13, 9, 'x')"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "23503");  // references are enforced again
    exec("DELETE FROM authors WHERE id = 2");
    EXPECT_EQ(count("notes"), 2);  // and cascade again

    const auto rows = db().execute(sql("SELECT from_hash, to_hash, checksum FROM " + std::string(migrations_table) +
                                       " ORDER BY id"))
                          .all();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].get<std::string>(0), "");  // the first: from an empty database
    EXPECT_EQ(rows[1].get<std::string>(0), v1().hash());
    EXPECT_EQ(rows[1].get<std::string>(1), v2().hash());
    EXPECT_EQ(rows[1].get<std::string>(2), plan.checksum());
    EXPECT_EQ(check_migrations(db(), v2()).state, migration_state::up_to_date);
    EXPECT_TRUE(migrate(db(), v2()).statements.empty());  // up to date: nothing runs
    EXPECT_EQ(recorded_migrations(), 2);
}

TEST_P(migration_steps, drops_need_a_declaration_and_renames_keep_the_data) {
    migrate(db(), v1());
    seed();
    contract_table notes = notes_v1();
    notes.columns[2].name = "text";  // body renamed
    notes.columns[1].ref_table.clear();  // authors goes, and the reference to it
    notes.columns[1].ref_column.clear();
    notes.columns[1].on_delete.clear();
    const contract renamed({notes});
    auto e = catch_error([&] { (void)plan_migration(db(), renamed); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "CONTRACT.DESTRUCTIVE_CHANGE");
    EXPECT_NE(e->message().find("drop column notes.body"), std::string::npos) << e->message();
    EXPECT_NE(e->message().find("drop table authors"), std::string::npos) << e->message();
    EXPECT_EQ(marker_hash(), v1().hash());

    migrate(db(), renamed, {.drops = {"authors"}, .renames = {{"notes.body", "notes.text"}}});
    EXPECT_EQ(db().execute(sql("SELECT text FROM notes WHERE id = 11")).one_as<std::string>(), "b");
    EXPECT_STRATA_ERROR(db().execute(sql("SELECT 1 FROM authors")).drain(), "QUERY.FAILED");
    EXPECT_EQ(check_migrations(db(), renamed).state, migration_state::up_to_date);
}

TEST_P(migration_steps, a_step_failing_mid_plan_leaves_schema_marker_and_record_as_they_were) {
    migrate(db(), v1());
    seed();
    const std::string before = live_json();
    migration_plan plan = plan_migration(db(), v2());
    plan.add_sql_step("fill a table that does not exist", "INSERT INTO nowhere (id) VALUES (1)");
    EXPECT_STRATA_ERROR(apply_migration(db(), plan), "QUERY.FAILED");
    EXPECT_EQ(live_json(), before);
    EXPECT_EQ(marker_hash(), v1().hash());
    EXPECT_EQ(recorded_migrations(), 1);
    EXPECT_EQ(count("notes"), 3);

    // A constraint the rows break: PostgreSQL refuses the ALTER, SQLite the rebuild's copy.
    exec("INSERT INTO notes (id, author_id, body) VALUES (13, 1, 'a2')");
    contract_table notes = notes_v1();
    notes.unique.push_back({"author_id"});
    contract_table dup = authors_v1();
    const contract unique_author({dup, notes});
    auto e_ = catch_error([&] { (void)migrate(db(), unique_author); });
    ASSERT_TRUE(e_);
    EXPECT_EQ(e_->code(), "QUERY.CONSTRAINT_VIOLATION") << e_->message();
    EXPECT_EQ(live_json(), before);
    EXPECT_EQ(marker_hash(), v1().hash());
    EXPECT_EQ(count("notes"), 4);
}

TEST_P(migration_steps, a_new_reference_the_rows_break_changes_nothing) {
    contract_table loose = notes_v1();
    loose.columns[1].ref_table.clear();
    loose.columns[1].ref_column.clear();
    loose.columns[1].on_delete.clear();
    migrate(db(), contract({authors_v1(), loose}));
    seed();
    exec("INSERT INTO notes (id, author_id, body) VALUES (13, 9, 'orphan')");
    const std::string before = live_json();
    // PostgreSQL checks the new constraint at once; SQLite's rebuild runs with references
    // suspended and its check finds the orphan.
    auto e = catch_error([&] { (void)migrate(db(), v1()); });
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->code() == "QUERY.CONSTRAINT_VIOLATION" || e->code() == "CONTRACT.STEP_CHECK_FAILED") << e->code();
    EXPECT_EQ(live_json(), before);
    EXPECT_EQ(count("notes"), 4);
    EXPECT_EQ(recorded_migrations(), 1);
}

TEST_P(migration_steps, a_plan_made_before_another_migration_is_stale) {
    migrate(db(), v1());
    const migration_plan plan = plan_migration(db(), v2());
    migrate(db(), v2());
    EXPECT_STRATA_ERROR(apply_migration(db(), plan), "CONTRACT.PLAN_STALE");
    EXPECT_EQ(recorded_migrations(), 2);
}

TEST_P(migration_steps, status_says_unknown_behind_drifted_or_up_to_date) {
    EXPECT_EQ(check_migrations(db(), v1()).state, migration_state::unknown);
    migrate(db(), v1());
    EXPECT_EQ(check_migrations(db(), v1()).state, migration_state::up_to_date);
    const migration_status behind = check_migrations(db(), v2());
    EXPECT_EQ(behind.state, migration_state::behind);
    EXPECT_EQ(behind.database_hash, v1().hash());
    EXPECT_EQ(behind.pending.size(), 4u);
    exec("CREATE INDEX by_hand ON notes (body)");
    const migration_status drifted = check_migrations(db(), v1());
    EXPECT_EQ(drifted.state, migration_state::drifted);
    ASSERT_EQ(drifted.drift.size(), 1u);
    EXPECT_EQ(drifted.drift[0], "table notes: indexes differ");
}

TEST_P(migration_steps, an_introspected_contract_round_trips_through_an_empty_database) {
    migrate(db(), v2());
    const live_schema printed = introspect(db());
    EXPECT_TRUE(printed.left_out.empty());
    EXPECT_EQ(printed.described.canonical_json(), comparable_form(v2()).canonical_json());

    auto other = GetParam().fresh();
    runtime second = instantiate(GetParam().make_stack({}));
    second.connect(other->binding());
    migrate(second, contract::from_json(printed.described.pretty_json()));
    EXPECT_EQ(introspect(second).described.canonical_json(), printed.described.canonical_json());
    second.close();
}

TEST_P(migration_steps, suspended_foreign_keys_come_back_when_a_transaction_ends) {
    migrate(db(), v1());
    seed();
    transaction_options options;
    options.driver_options = db().stack().adapter.migration_options;  // SQLite: foreign keys suspended
    EXPECT_STRATA_ERROR(db().transaction([](tx& t) { t.execute(sql("SELECT * FROM nowhere")).drain(); }, options),
                        "QUERY.FAILED");
    db().transaction([](tx& t) { t.execute(sql("SELECT 1")).drain(); }, options);
    auto e = catch_error([&] { exec("INSERT INTO notes (id, author_id, body) VALUES (20, 9, 'x')"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "23503");
}

STRATA_CONFORMANCE_SUITE(migration_steps);

}  // namespace
}  // namespace strata::test
