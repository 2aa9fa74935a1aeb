// EXPECT_STRATA_ERROR(statement, "CODE"): the statement throws strata::error with that code.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "strata/error.hpp"

namespace strata::test {

template <class Fn>
std::optional<strata::error> catch_error(Fn&& fn) {
    try {
        fn();
    } catch (const strata::error& e) {
        return e;
    }
    return std::nullopt;
}

}  // namespace strata::test

#define EXPECT_STRATA_ERROR(statement, expected_code)                                              \
    do {                                                                                           \
        auto strata_caught_ = ::strata::test::catch_error([&] { (void)(statement); });             \
        if (!strata_caught_) {                                                                     \
            ADD_FAILURE() << "expected strata::error " << (expected_code) << ", nothing thrown";   \
        } else {                                                                                   \
            EXPECT_EQ(strata_caught_->code(), (expected_code)) << strata_caught_->describe();     \
        }                                                                                          \
    } while (0)
