#include <gtest/gtest.h>

#include "strata/error.hpp"

namespace strata {
namespace {

TEST(error, category_comes_from_the_code_prefix) {
    EXPECT_EQ(error("DRIVER.CLOSED", "m").category(), error_category::driver);
    EXPECT_EQ(error("BUDGET.ROWS_EXCEEDED", "m").category(), error_category::budget);
    EXPECT_EQ(error("SPLIT.CROSS_STORE_WRITE", "m").category(), error_category::split);
    EXPECT_EQ(error("WHATEVER", "m").category(), error_category::unknown);
}

TEST(error, what_carries_code_message_sqlstate_and_details) {
    const error e = error("QUERY.CONSTRAINT_VIOLATION", "Duplicate.", {{"table", "t"}})
                        .with_sql(sql_error_info{.sqlstate = "23505", .table = "t"})
                        .with_transient(false);
    EXPECT_STREQ(e.what(), "QUERY.CONSTRAINT_VIOLATION: Duplicate. [SQLSTATE 23505] (table=t)");
    EXPECT_EQ(e.sql()->sqlstate, "23505");
    EXPECT_NE(std::string(e.where().function_name()), "");
}

TEST(error, cause_chain_is_walkable_and_described) {
    std::exception_ptr root;
    try {
        throw std::runtime_error("disk on fire");
    } catch (...) {
        root = std::current_exception();
    }
    const error middle = error("QUERY.FAILED", "Write failed.").with_cause(root);
    const error top = error("RUNTIME.TRANSACTION_ROLLBACK_FAILED", "Rollback failed.")
                          .with_cause(std::make_exception_ptr(middle));
    ASSERT_NE(top.strata_cause(), nullptr);
    EXPECT_EQ(top.strata_cause()->code(), "QUERY.FAILED");
    EXPECT_EQ(top.strata_cause()->strata_cause(), nullptr);  // a std::runtime_error, not strata
    EXPECT_EQ(top.describe(),
              "RUNTIME.TRANSACTION_ROLLBACK_FAILED: Rollback failed.\n  caused by: QUERY.FAILED: Write failed.\n"
              "  caused by: disk on fire");
}

TEST(error, is_a_std_exception) {
    try {
        throw error("PLAN.EMPTY", "Nothing.");
    } catch (const std::exception& e) {
        EXPECT_STREQ(e.what(), "PLAN.EMPTY: Nothing.");
    }
}

}  // namespace
}  // namespace strata
