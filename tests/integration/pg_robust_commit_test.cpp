// Robust commit on a real cluster (docs/decisions/0024-robust-commit.md): a loopback
// proxy (tests/support/fault_proxy) breaks the connection right after the server
// received COMMIT (or instead of forwarding it), and strata asks the server what became
// of the transaction: committed, rolled back, or — only when the server cannot be
// reached — unknown. Batch mode, which does not resolve, is applied=unknown after its Sync.
#include <optional>

#include "../support/fault_proxy.hpp"
#include "../support/wrapped_driver.hpp"
#include "pg_fixture.hpp"

namespace strata::test {
namespace {

using drop = fault_proxy::drop;
const fault_proxy::message commit_message{'Q', "COMMIT"};

class pg_robust_commit : public pg_test {
protected:
    void SetUp() override {
        pg_test::SetUp();
        if (url().empty()) return;
        direct_ = pg_connect(schema().url());  // behind strata's back, not through the proxy
        pg_exec(direct_, "CREATE TABLE items(id BIGINT PRIMARY KEY, label TEXT NOT NULL)");
        pg_exec(direct_, "CREATE TABLE parents(id BIGINT PRIMARY KEY)");
        pg_exec(direct_,
                "CREATE TABLE children(id BIGINT PRIMARY KEY, parent_id BIGINT REFERENCES parents(id) "
                "DEFERRABLE INITIALLY DEFERRED)");
        proxy_.emplace(url());
    }
    void TearDown() override {
        pg_test::TearDown();  // runtimes first: their connections go through the proxy
        proxy_.reset();
        if (direct_ != nullptr) PQfinish(direct_);
    }

    fault_proxy& proxy() { return *proxy_; }
    runtime& through_proxy() { return connect(postgres::url{proxy_->url_through(url())}); }
    int count(const std::string& table) { return std::stoi(pg_exec(direct_, "SELECT COUNT(*) FROM " + table)); }
    static void insert_item(tx& t, int id) { t.execute(sql("INSERT INTO items VALUES (?, 'x')", id)).drain(); }

    PGconn* direct_ = nullptr;
    std::optional<fault_proxy> proxy_;
};

const transaction_options resolving{.check_commit = commit_check::resolve};

TEST_F(pg_robust_commit, a_lost_reply_of_a_commit_that_committed_is_resolved_committed) {
    auto& db = through_proxy();
    proxy().arm(commit_message, drop::after_forwarding);
    const int value = db.transaction(
        [&](tx& t) {
            insert_item(t, 1);
            return 7;
        },
        resolving);
    EXPECT_EQ(value, 7);  // fn's value: the transaction committed
    EXPECT_EQ(proxy().drops(), 1);
    // pg_xact_status says committed once the commit log does; the old backend leaves the
    // list of running transactions a moment later, and only then do new snapshots see it.
    EXPECT_TRUE(eventually([&] { return count("items") == 1; }));
    db.transaction([&](tx& t) { insert_item(t, 2); }, resolving);  // the runtime goes on
    EXPECT_EQ(count("items"), 2);
}

TEST_F(pg_robust_commit, a_lost_reply_of_a_commit_that_failed_on_the_server_is_resolved_rolled_back) {
    auto& db = through_proxy();
    proxy().arm(commit_message, drop::after_forwarding);
    // The deferred foreign key fails at COMMIT, on the server, after the proxy dropped it.
    auto e = catch_error([&] {
        db.transaction([&](tx& t) { t.execute(sql("INSERT INTO children VALUES (1, 99)")).drain(); }, resolving);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(proxy().drops(), 1);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_EQ(e->details().at("outcome"), "rolled_back") << e->describe();
    EXPECT_EQ(e->details().at("resolution"), "pg_xact_status: aborted");
    EXPECT_FALSE(e->outcome_unknown());
    EXPECT_TRUE(e->transient());  // nothing was applied: running it again is safe
    EXPECT_EQ(count("children"), 0);
}

TEST_F(pg_robust_commit, a_commit_the_server_never_received_is_resolved_rolled_back_and_retried) {
    auto& db = through_proxy();
    proxy().arm(commit_message, drop::instead_of_forwarding);
    auto e = catch_error([&] { db.transaction([&](tx& t) { insert_item(t, 1); }, resolving); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("outcome"), "rolled_back") << e->describe();
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(count("items"), 0);
    // The retry policy retries it like any failure known to have applied nothing.
    proxy().arm(commit_message, drop::instead_of_forwarding);
    int runs = 0;
    transaction_options retrying = resolving;
    retrying.retry.max_attempts = 2;
    db.transaction(
        [&](tx& t) {
            ++runs;
            insert_item(t, 2);
        },
        retrying);
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(proxy().drops(), 2);
    EXPECT_EQ(count("items"), 1);
}

TEST_F(pg_robust_commit, a_backend_left_waiting_for_its_commit_is_ended_and_the_transaction_rolled_back) {
    // Half-open: the client's side broke, the server's stays open, so its backend holds
    // the transaction "in progress" and would wait for COMMIT forever.
    auto& db = through_proxy();
    proxy().arm(commit_message, drop::swallow);
    auto e = catch_error([&] { db.transaction([&](tx& t) { insert_item(t, 1); }, resolving); });
    ASSERT_TRUE(e);
    EXPECT_EQ(proxy().drops(), 1);
    EXPECT_EQ(e->details().at("outcome"), "rolled_back") << e->describe();
    EXPECT_EQ(e->details().at("resolution"), "pg_xact_status: aborted");
    EXPECT_TRUE(e->transient());
    EXPECT_EQ(count("items"), 0);
    EXPECT_TRUE(eventually([&] { return backends("idle in transaction") == 0; }));
}

TEST_F(pg_robust_commit, a_lost_commit_is_unknown_only_when_the_server_cannot_be_reached) {
    auto& db = through_proxy();
    proxy().arm(commit_message, drop::after_forwarding);
    auto e = catch_error([&] {
        db.transaction(
            [&](tx& t) {
                insert_item(t, 1);
                proxy().hang_up_new_connections(true);  // the question cannot be asked
            },
            resolving);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.TRANSACTION_COMMIT_FAILED");
    EXPECT_EQ(e->details().at("outcome"), "unknown");
    EXPECT_TRUE(e->outcome_unknown());
    EXPECT_FALSE(e->transient());
    EXPECT_FALSE(e->details().at("transaction_id").empty());  // to ask later
    EXPECT_NE(e->details().at("resolution").find("could not be asked"), std::string::npos)
        << e->details().at("resolution");
    EXPECT_TRUE(eventually([&] { return count("items") == 1; }));  // it did commit: "unknown" was honest
    proxy().hang_up_new_connections(false);
    const std::string xid = e->details().at("transaction_id");
    EXPECT_EQ(pg_exec(direct_, "SELECT pg_xact_status('" + xid + "'::xid8)"), "committed");
}

TEST_F(pg_robust_commit, a_borrowed_connection_cannot_ask_and_says_why) {
    PGconn* own = pg_connect(proxy().url_through(url()));
    {
        runtime db = instantiate(postgres::make_stack());
        db.connect(postgres::client{own});
        proxy().arm(commit_message, drop::after_forwarding);
        auto e = catch_error([&] { db.transaction([&](tx& t) { insert_item(t, 1); }, resolving); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->details().at("outcome"), "unknown");
        EXPECT_FALSE(e->transient());
        EXPECT_NE(e->details().at("resolution").find("borrowed"), std::string::npos) << e->describe();
        db.close();
    }
    PQfinish(own);
}

TEST_F(pg_robust_commit, a_resolving_transaction_runs_on_a_read_only_standby) {
    // The id is taken at BEGIN; a standby cannot assign one, and must not fail for it.
    const std::string replica = pg_env_url_or_skip("STRATA_PG_REPLICA_URL");
    if (replica.empty()) return;
    auto& db = connect(postgres::url{replica});
    EXPECT_EQ(db.transaction([&](tx& t) { return t.execute(sql("SELECT 1")).one_as<int>(); }, resolving), 1);
}

TEST_F(pg_robust_commit, db_transaction_reports_a_lost_commit_unknown_unless_it_opts_in) {
    auto& db = through_proxy();
    proxy().arm(commit_message, drop::after_forwarding);
    auto e = catch_error([&] { db.transaction([&](tx& t) { insert_item(t, 1); }); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("outcome"), "unknown");
    EXPECT_FALSE(e->transient());
    // The server runs the COMMIT it received after the client saw the connection break.
    EXPECT_TRUE(eventually([&] { return count("items") == 1; }));
}

TEST_F(pg_robust_commit, an_atomic_unit_resolves_a_lost_commit_by_default) {
    auto& db = through_proxy();
    const std::vector<plan> unit{sql("INSERT INTO items VALUES (1, 'a')"), sql("INSERT INTO items VALUES (2, 'b')")};
    proxy().arm(commit_message, drop::after_forwarding);
    const atomic_result done = run_atomic_writes(db, unit);
    EXPECT_EQ(done.mode, atomic_mode::transaction);
    EXPECT_EQ(done.results.size(), 2u);
    EXPECT_TRUE(eventually([&] { return count("items") == 2; }));  // as in the first test

    const std::vector<plan> next{sql("INSERT INTO items VALUES (3, 'c')")};
    proxy().arm(commit_message, drop::instead_of_forwarding);
    auto e = catch_error([&] { (void)run_atomic_writes(db, next); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
    EXPECT_EQ(e->details().at("applied"), "none") << e->describe();
    EXPECT_TRUE(e->transient());
    EXPECT_FALSE(e->outcome_unknown());
    EXPECT_EQ(count("items"), 2);

    // Turned off, the unit reports what 0020 did.
    proxy().arm(commit_message, drop::after_forwarding);
    auto off = catch_error(
        [&] { (void)run_atomic_writes(db, next, {.transaction = {.check_commit = commit_check::report_unknown}}); });
    ASSERT_TRUE(off);
    EXPECT_EQ(off->details().at("applied"), "unknown");
    EXPECT_FALSE(off->transient());
    EXPECT_TRUE(eventually([&] { return count("items") == 3; }));
    EXPECT_EQ(proxy().drops(), 3);
}

TEST_F(pg_robust_commit, a_batch_lost_after_its_sync_is_applied_unknown_and_never_transient) {
    auto controls = std::make_shared<wrapper_controls>();
    controls->hide_interactive_transactions = true;  // -> batch mode: one pipeline, one Sync
    runtime db = instantiate(wrap_stack(postgres::make_stack(), controls));
    db.connect(postgres::url{proxy().url_through(url())});
    const std::vector<plan> unit{sql("INSERT INTO items VALUES (1, 'a')"), sql("INSERT INTO items VALUES (2, 'b')")};
    for (const drop how : {drop::after_forwarding, drop::instead_of_forwarding}) {
        proxy().arm({'S', ""}, how);
        auto e = catch_error([&] { (void)run_atomic_writes(db, unit); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), "ATOMIC.UNIT_FAILED");
        EXPECT_EQ(e->details().at("mode"), "batch");
        EXPECT_EQ(e->details().at("applied"), "unknown") << e->describe();
        EXPECT_TRUE(e->outcome_unknown());
        EXPECT_FALSE(e->transient());  // a blind retry could apply it twice
    }
    EXPECT_EQ(proxy().drops(), 2);
    EXPECT_TRUE(eventually([&] { return count("items") == 2; }));  // the first reached its Sync: committed
    db.close();
}

}  // namespace
}  // namespace strata::test
