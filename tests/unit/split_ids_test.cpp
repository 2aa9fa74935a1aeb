// Split stores: the classifier is total and the minted ids carry their version and order.
#include <gtest/gtest.h>

#include <set>
#include <strata/error.hpp>
#include <strata/split/ids.hpp>
#include <thread>
#include <vector>

namespace split = strata::split;
using split::residency;

TEST(SplitIds, StripPrefixTakesOnlyOneWellFormedPrefix) {
    EXPECT_EQ(split::strip_prefix("msg_123"), "123");
    EXPECT_EQ(split::strip_prefix("123"), "123");
    EXPECT_EQ(split::strip_prefix("msg_run_1"), "run_1");                          // only the first
    EXPECT_EQ(split::strip_prefix("_123"), "_123");                                // empty prefix
    EXPECT_EQ(split::strip_prefix("MSG_123"), "MSG_123");                          // upper case is not a prefix
    EXPECT_EQ(split::strip_prefix("abcdefghijklmnopq_1"), "abcdefghijklmnopq_1");  // 17 characters
    EXPECT_EQ(split::strip_prefix(""), "");
}

TEST(SplitIds, Int64ClassifierIsTotal) {
    split::int64_ids gen(7);
    const std::int64_t fresh = gen.mint();
    EXPECT_EQ(split::int64_ids::classify(fresh), residency::fresh);
    EXPECT_EQ(split::int64_ids::classify(std::to_string(fresh)), residency::fresh);
    EXPECT_EQ(split::int64_ids::classify("msg_" + std::to_string(fresh)), residency::fresh);
    // A legacy snowflake (ms since 2025 << 22) and everything that is not an id at all.
    const std::int64_t legacy = (std::int64_t{60'000'000'000} << 22) | 5;  // ~2026-11
    EXPECT_EQ(split::int64_ids::classify(legacy), residency::legacy);
    for (std::string_view odd : {"", "0", "-4611686018427387905", "+4611686018427387905", "abc", "12x",
                                 "99999999999999999999999", "msg_", "4611686018427387905 ", " 4611686018427387905"})
        EXPECT_EQ(split::int64_ids::classify(odd), residency::legacy) << odd;
    EXPECT_EQ(split::int64_ids::classify(std::int64_t{0}), residency::legacy);
    EXPECT_EQ(split::int64_ids::classify(std::int64_t{-1}), residency::legacy);
    EXPECT_EQ(split::int64_ids::classify(std::numeric_limits<std::int64_t>::min()), residency::legacy);
}

TEST(SplitIds, Int64IdsAreTimeOrderedAndCarryTheirTime) {
    split::int64_ids gen(1);
    const std::int64_t t0 = 1'790'000'000'000;  // 2026-09
    const auto a = gen.mint(t0);
    const auto b = gen.mint(t0);  // same millisecond: the sequence
    const auto c = gen.mint(t0 + 1);
    const auto d = gen.mint(t0 - 50);  // the clock stepped back: still increasing
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_LT(c, d);
    EXPECT_EQ(split::int64_ids::minted_at_ms(a), t0);
    EXPECT_EQ(split::int64_ids::minted_at_ms(c), t0 + 1);
    EXPECT_EQ(split::int64_ids::minted_at_ms(12345), -1);
    // 1024 ids in one millisecond borrow the next one rather than repeat.
    std::set<std::int64_t> seen;
    for (int i = 0; i < 3000; ++i) EXPECT_TRUE(seen.insert(gen.mint(t0 + 10)).second);
    EXPECT_THROW(split::int64_ids(1024), strata::error);
}

TEST(SplitIds, Int64MintIsThreadSafe) {
    split::int64_ids gen;
    std::vector<std::vector<std::int64_t>> per(8);
    std::vector<std::thread> threads;
    for (auto& v : per)
        threads.emplace_back([&gen, &v] {
            for (int i = 0; i < 2000; ++i) v.push_back(gen.mint());
        });
    for (auto& t : threads) t.join();
    std::set<std::int64_t> all;
    for (const auto& v : per) {
        for (std::size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);
        all.insert(v.begin(), v.end());
    }
    EXPECT_EQ(all.size(), 16000u);
}

TEST(SplitIds, TextClassifierIsTotal) {
    split::text_ids gen;
    const std::string id = gen.mint();
    ASSERT_EQ(id.size(), split::text_ids::length);
    EXPECT_EQ(id.back(), '1');
    EXPECT_EQ(split::text_ids::classify(id), residency::fresh);
    const std::string prefixed = gen.mint("msg");
    EXPECT_EQ(prefixed.substr(0, 4), "msg_");
    EXPECT_EQ(split::text_ids::classify(prefixed), residency::fresh);

    std::string wrong_version = id;
    wrong_version.back() = '2';
    std::string upper = id;
    upper[0] = 'A';
    std::string out_of_alphabet = id;
    out_of_alphabet[3] = 'w';
    for (const std::string& odd : {std::string(), std::string("clx4k2h3w0000abcdefghijkl"),  // a 25-char cuid
                                   id.substr(1), id + "1", wrong_version, upper, out_of_alphabet,
                                   std::string("msg_") + wrong_version, std::string(26, '\0')})
        EXPECT_EQ(split::text_ids::classify(odd), residency::legacy) << odd;
}

TEST(SplitIds, TextIdsAreLexicallyTimeOrdered) {
    split::text_ids gen;
    const std::int64_t t0 = 1'790'000'000'000;
    std::vector<std::string> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(gen.mint({}, t0 + i / 10));
    for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);
    EXPECT_EQ(split::text_ids::minted_at_ms(ids.front()), t0);
    EXPECT_EQ(split::text_ids::minted_at_ms("nope"), -1);
    EXPECT_THROW((void)gen.mint("Bad"), strata::error);
    EXPECT_THROW((void)gen.mint("waytoolongprefix17"), strata::error);
    try {
        (void)gen.mint("a-b");
        FAIL();
    } catch (const strata::error& e) {
        EXPECT_EQ(e.code(), split::codes::invalid_argument);
    }
}
