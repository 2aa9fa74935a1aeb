// SQLite's own transaction options (strata::sqlite::transaction_settings, given as
// transaction_options::driver_options; decision 0035): how BEGIN takes its locks, on a real
// file shared by two runtimes.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"
#include "../support/temp_dir.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace strata::test {
namespace {

class sqlite_transaction_options : public ::testing::Test {
protected:
    void SetUp() override {
        sqlite::settings quick;
        quick.busy_timeout = std::chrono::milliseconds(50);
        for (runtime* rt : {&ours, &theirs}) rt->connect(sqlite::file{dir.file("shared.db"), {}, quick});
        ours.execute(sql("CREATE TABLE t(id INTEGER PRIMARY KEY)")).drain();
    }
    // While `ours` is inside a transaction that has only read: can `theirs` write?
    bool they_can_write_while_we_only_read(const transaction_options& o) {
        bool wrote = false;
        ours.transaction(
            [&](tx& t) {
                (void)t.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>();
                wrote = !catch_error([&] { theirs.execute(sql("INSERT INTO t(id) VALUES (1)")).drain(); });
            },
            o);
        return wrote;
    }
    static transaction_options begin(sqlite::begin_mode mode) {
        auto own = std::make_shared<sqlite::transaction_settings>();
        own->begin = mode;
        transaction_options o;
        o.driver_options = own;
        return o;
    }

    temp_dir dir;
    runtime ours = instantiate(sqlite::make_stack());
    runtime theirs = instantiate(sqlite::make_stack());
};

TEST_F(sqlite_transaction_options, by_default_begin_takes_the_write_lock_at_once) {
    EXPECT_FALSE(they_can_write_while_we_only_read({}));
    EXPECT_FALSE(they_can_write_while_we_only_read(begin(sqlite::begin_mode::immediate)));
}

TEST_F(sqlite_transaction_options, a_deferred_begin_takes_it_at_the_first_write) {
    EXPECT_TRUE(they_can_write_while_we_only_read(begin(sqlite::begin_mode::deferred)));
    EXPECT_EQ(ours.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 1);
}

TEST_F(sqlite_transaction_options, options_of_another_driver_are_ignored_and_keys_tell_them_apart) {
    struct other final : driver_transaction_options {
        [[nodiscard]] std::string key() const override { return "other"; }
    };
    transaction_options o;
    o.driver_options = std::make_shared<other>();
    EXPECT_FALSE(they_can_write_while_we_only_read(o));  // SQLite's defaults: immediate
    EXPECT_NE(begin(sqlite::begin_mode::deferred).driver_options->key(),
              begin(sqlite::begin_mode::immediate).driver_options->key());
}

}  // namespace
}  // namespace strata::test
