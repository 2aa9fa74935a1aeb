// Split stores: the control-plane resolver caches values and confirmed absences for
// their own TTLs, never caches a failed lookup, and stays within its capacity.
#include <gtest/gtest.h>

#include <stdexcept>
#include <strata/split/resolver.hpp>
#include <string>
#include <thread>

namespace split = strata::split;
using namespace std::chrono_literals;

TEST(SplitResolver, CachesValuesAndAbsences) {
    int calls = 0;
    split::cached_resolver<int, std::string> r(
        [&](const int& k) -> std::optional<std::string> {
            ++calls;
            if (k < 0) return std::nullopt;
            return "v" + std::to_string(k);
        },
        {.capacity = 10, .value_ttl = 60s, .absence_ttl = 60s});
    EXPECT_EQ(r.resolve(1), "v1");
    EXPECT_EQ(r.resolve(1), "v1");
    EXPECT_EQ(r.resolve(-1), std::nullopt);
    EXPECT_EQ(r.resolve(-1), std::nullopt);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(r.stats().hits, 2u);
    r.invalidate(1);
    EXPECT_EQ(r.resolve(1), "v1");
    EXPECT_EQ(calls, 3);
    r.clear();
    EXPECT_EQ(r.stats().size, 0u);
}

TEST(SplitResolver, EntriesExpire) {
    int calls = 0;
    split::cached_resolver<int, int> r(
        [&](const int& k) -> std::optional<int> {
            ++calls;
            return k;
        },
        {.capacity = 10, .value_ttl = 30ms, .absence_ttl = 0ms});
    (void)r.resolve(1);
    (void)r.resolve(1);
    EXPECT_EQ(calls, 1);
    std::this_thread::sleep_for(60ms);
    (void)r.resolve(1);
    EXPECT_EQ(calls, 2);
}

TEST(SplitResolver, AbsencesWithZeroTtlAreNotCached) {
    int calls = 0;
    split::cached_resolver<int, int> r(
        [&](const int&) -> std::optional<int> {
            ++calls;
            return std::nullopt;
        },
        {.capacity = 10, .value_ttl = 60s, .absence_ttl = 0ms});
    (void)r.resolve(1);
    (void)r.resolve(1);
    EXPECT_EQ(calls, 2);
}

TEST(SplitResolver, FailedLookupsAreNotCached) {
    int calls = 0;
    bool fail = true;
    split::cached_resolver<int, int> r([&](const int& k) -> std::optional<int> {
        ++calls;
        if (fail) throw std::runtime_error("replica down");
        return k;
    });
    EXPECT_THROW((void)r.resolve(5), std::runtime_error);
    fail = false;
    EXPECT_EQ(r.resolve(5), 5);
    EXPECT_EQ(calls, 2);
}

TEST(SplitResolver, CapacityEvictsTheLeastRecentlyUsed) {
    int calls = 0;
    split::cached_resolver<int, int> r(
        [&](const int& k) -> std::optional<int> {
            ++calls;
            return k;
        },
        {.capacity = 2, .value_ttl = 60s, .absence_ttl = 60s});
    (void)r.resolve(1);
    (void)r.resolve(2);
    (void)r.resolve(1);  // 1 is now the most recent
    (void)r.resolve(3);  // evicts 2
    EXPECT_EQ(r.stats().size, 2u);
    EXPECT_EQ(r.stats().evictions, 1u);
    (void)r.resolve(1);
    EXPECT_EQ(calls, 3);
    (void)r.resolve(2);
    EXPECT_EQ(calls, 4);
}

TEST(SplitResolver, RejectsBadOptions) {
    auto lookup = [](const int& k) -> std::optional<int> { return k; };
    EXPECT_THROW((split::cached_resolver<int, int>(lookup, {.capacity = 0})), strata::error);
    EXPECT_THROW((split::cached_resolver<int, int>(lookup, {.capacity = 1, .value_ttl = 0ms})), strata::error);
    EXPECT_THROW((split::cached_resolver<int, int>(nullptr)), strata::error);
}
