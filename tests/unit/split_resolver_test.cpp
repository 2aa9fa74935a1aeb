// Split stores: the control-plane resolver caches values and confirmed absences for
// their own TTLs, never caches a failed lookup, and stays within its capacity.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
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

// A lookup that read the old row, then lost the race to a writer that changed the row and
// invalidated it: its answer goes to its caller, but never into the cache, so the next
// resolve reads the new row (issue 15 item 6).
TEST(SplitResolver, AnInvalidateDuringALookupKeepsItsStaleAnswerOutOfTheCache) {
    std::mutex m;
    std::condition_variable changed;
    bool read_done = false, may_return = false;
    std::atomic<int> version{1};
    split::cached_resolver<int, int> r(
        [&](const int&) -> std::optional<int> {
            const int seen = version.load();  // the row as the lookup read it
            std::unique_lock lock(m);
            read_done = true;
            changed.notify_all();
            changed.wait(lock, [&] { return may_return; });
            return seen;
        },
        {.capacity = 10, .value_ttl = 60s, .absence_ttl = 60s});
    std::optional<int> first;
    std::thread reader([&] { first = r.resolve(7); });
    {
        std::unique_lock lock(m);
        changed.wait(lock, [&] { return read_done; });
    }
    version = 2;       // the writer commits the change...
    r.invalidate(7);   // ...and invalidates, while the lookup is still on its way back
    {
        std::lock_guard lock(m);
        may_return = true;
        changed.notify_all();
    }
    reader.join();
    EXPECT_EQ(first, 1);         // what that lookup read
    EXPECT_EQ(r.resolve(7), 2);  // not cached: the next resolve reads again
    EXPECT_EQ(r.resolve(7), 2);
    EXPECT_EQ(r.stats().misses, 2u);
}

TEST(SplitResolver, InvalidateGroupDropsEveryEntryOfTheGroupAndOnlyThose) {
    int calls = 0;
    split::cached_resolver<int, int> r(
        [&](const int& k) -> std::optional<int> {
            ++calls;
            if (k >= 100) return std::nullopt;
            return k;
        },
        {.capacity = 10, .value_ttl = 60s, .absence_ttl = 60s},
        // The group of an entry, e.g. an agent's workspace: here the tens digit; an absence
        // (no value) is grouped by its key alone.
        [](const int& k, const std::optional<int>&) { return std::to_string(k / 10 % 10); });
    for (int k : {11, 12, 21, 113}) (void)r.resolve(k);
    EXPECT_EQ(calls, 4);
    r.invalidate_group("1");  // 11, 12 and the absence 113
    EXPECT_EQ(r.stats().size, 1u);
    for (int k : {11, 12, 21, 113}) (void)r.resolve(k);
    EXPECT_EQ(calls, 7);  // 21 was still cached
    r.invalidate_group("none of them");
    EXPECT_EQ(r.stats().size, 4u);
}

TEST(SplitResolver, InvalidateGroupWithoutAGroupFunctionIsRefused) {
    split::cached_resolver<int, int> r([](const int& k) -> std::optional<int> { return k; });
    EXPECT_THROW(r.invalidate_group("1"), strata::error);
}
