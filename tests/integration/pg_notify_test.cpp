// pg_notify as an ordinary plan (docs/decisions/0032): payloads up to PostgreSQL's limit,
// a coded error beyond it, and transactional delivery through atomic write units and
// transactions — after COMMIT only, never after a rollback (a unit's failure, a
// transaction's throw, a grouped unit rolled back to its savepoint).
#include <thread>

#include "pg_listener_fixture.hpp"

namespace strata::test {
namespace {

class pg_notify : public pg_notify_test {
protected:
    void SetUp() override {
        pg_notify_test::SetUp();
        if (url().empty()) return;
        (void)schema().exec("CREATE TABLE " + schema().name() + ".items(id BIGINT PRIMARY KEY)");
        listener_.emplace(postgres::url{url()}, in_.handlers());
        listener_->listen(ch());
    }
    void TearDown() override {
        listener_.reset();
        pg_notify_test::TearDown();
    }
    [[nodiscard]] std::string ch() const { return channel("n"); }
    static plan insert(int id) { return sql("INSERT INTO items VALUES (?)", id); }
    // A notification sent after everything before it committed: once it arrived, anything
    // committed earlier has arrived too (commit order), so what is missing never will.
    void barrier(const runtime& db, const std::string& name) {
        send(db, ch(), name);
        ASSERT_TRUE(arrives(in_, ch(), name));
    }

    inbox in_;
    std::optional<postgres::listener> listener_;
};

TEST_F(pg_notify, a_payload_up_to_the_limit_arrives_whole_and_a_longer_one_is_refused) {
    auto& db = connect();
    std::string longest(postgres::max_payload_bytes, 'p');
    longest.front() = '<';
    longest.back() = '>';
    send(db, ch(), longest);
    send(db, ch(), "ünïcode ✓");
    ASSERT_TRUE(arrives(in_, ch(), "ünïcode ✓"));
    EXPECT_EQ(in_.payloads(ch()).front(), longest);

    const auto e =
        catch_error([&] { (void)postgres::notify(ch(), std::string(postgres::max_payload_bytes + 1, 'p')); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), codes::driver_notification_invalid);
    EXPECT_EQ(e->details().at("field"), "payload");
    EXPECT_STRATA_ERROR(postgres::notify(ch(), std::string("a\0b", 3)), codes::driver_notification_invalid);
    // What the limit guards against: the server refuses 8000 bytes (a unit with it fails whole).
    EXPECT_STRATA_ERROR(db.execute(sql("SELECT pg_notify(?, ?)", ch(), std::string(8000, 'p'))).drain(),
                        codes::query_failed);
}

TEST_F(pg_notify, an_atomic_unit_notifies_when_it_commits_and_never_when_it_fails) {
    auto& db = connect();
    const atomic_options atomic{.require_atomic = true};
    const auto done = run_atomic_writes(db, {insert(1), postgres::notify(ch(), "committed")}, atomic);
    EXPECT_EQ(done.mode, atomic_mode::transaction);
    ASSERT_TRUE(arrives(in_, ch(), "committed"));

    // The notification comes first, the failure second: the whole unit rolls back.
    EXPECT_STRATA_ERROR(run_atomic_writes(db, {postgres::notify(ch(), "rolled back"), insert(1)}, atomic),
                        "ATOMIC.UNIT_FAILED");
    // As a batch (one pipeline, one implicit transaction) too.
    const atomic_options batch{.require_atomic = true, .prefer_batch = true};
    const auto batched = run_atomic_writes(db, {insert(2), postgres::notify(ch(), "batched")}, batch);
    EXPECT_EQ(batched.mode, atomic_mode::batch);
    EXPECT_STRATA_ERROR(run_atomic_writes(db, {postgres::notify(ch(), "batch rolled back"), insert(2)}, batch),
                        "ATOMIC.UNIT_FAILED");
    barrier(db, "barrier");
    EXPECT_EQ(in_.payloads(ch()), (std::vector<std::string>{"committed", "batched", "barrier"}));
    EXPECT_EQ(schema().exec("SELECT COUNT(*) FROM " + schema().name() + ".items"), "2");
}

TEST_F(pg_notify, a_transaction_notifies_at_its_commit_not_before) {
    auto& db = connect();
    db.transaction([&](tx& t) {
        t.execute(postgres::notify(ch(), "inside")).drain();
        t.execute(insert(1)).drain();
        // Sent and committed by another session while this one is open: it arrives, and
        // the notification made earlier in this transaction has not.
        barrier(db, "while open");
        EXPECT_FALSE(in_.has(ch(), "inside"));
    });
    ASSERT_TRUE(arrives(in_, ch(), "inside"));

    EXPECT_THROW(db.transaction([&](tx& t) {
        t.execute(postgres::notify(ch(), "thrown away")).drain();
        throw std::runtime_error("the caller changed its mind");
    }),
                 std::runtime_error);
    barrier(db, "after rollback");
    EXPECT_EQ(in_.payloads(ch()), (std::vector<std::string>{"while open", "inside", "after rollback"}));
}

// Whether the failing unit shared a transaction (rolled back to its savepoint) or ran
// alone, its notification is never delivered and its neighbours' always are.
TEST_F(pg_notify, a_grouped_unit_that_fails_does_not_notify) {
    auto& db = connect(postgres::pool_options{.max_size = 4});
    const atomic_options grouped{.require_atomic = true,
                                 .group = commit_group{.key = "items", .max_wait = std::chrono::milliseconds(20)}};
    std::vector<std::thread> senders;
    for (int i = 1; i <= 6; ++i) {
        senders.emplace_back([&, i] {
            // Unit 4 collides with unit 1's row: whichever runs second fails.
            std::vector<plan> unit{insert(i), postgres::notify(ch(), std::to_string(i))};
            if (i == 4) unit = {postgres::notify(ch(), "dup"), insert(1)};
            const auto failed = catch_error([&] { (void)run_atomic_writes(db, unit, grouped); });
            if (failed && i != 1 && i != 4) ADD_FAILURE() << failed->describe();
        });
    }
    for (auto& s : senders) s.join();
    barrier(db, "barrier");
    // Unit 1 or the duplicate committed, never both; the others always.
    const auto got = in_.payloads(ch());
    const bool one = in_.has(ch(), "1");
    const bool dup = in_.has(ch(), "dup");
    EXPECT_NE(one, dup);
    for (const std::string p : {"2", "3", "5", "6"}) EXPECT_TRUE(in_.has(ch(), p)) << p;
    EXPECT_EQ(got.size(), 6u);
    EXPECT_EQ(schema().exec("SELECT COUNT(*) FROM " + schema().name() + ".items"), "5");
}

}  // namespace
}  // namespace strata::test
