#include <gtest/gtest.h>

#include "strata/codec_json.hpp"
#include "strata/row.hpp"
#include "strata/timestamp_text.hpp"

namespace demo {
struct money {
    std::int64_t cents = 0;
    friend bool operator==(const money&, const money&) = default;
};
}  // namespace demo

// A user codec: money travels as integer cents.
template <>
struct strata::codec<demo::money> {
    static constexpr std::string_view name = "money";
    static value encode(const demo::money& m) { return value{m.cents}; }
    static demo::money decode(const value& v) {
        if (auto i = v.get_if<std::int64_t>()) return demo::money{*i};
        throw codec_failure{"money is stored as integer cents"};
    }
};

namespace strata {
namespace {

row make_row(std::vector<std::pair<std::string, value>> cols) {
    std::vector<column_info> info;
    std::vector<value> values;
    for (auto& [n, v] : cols) {
        info.push_back({n, "t"});
        values.push_back(std::move(v));
    }
    return row(std::make_shared<const row_shape>(std::move(info)), std::move(values));
}

TEST(codec, integers_check_range_both_ways) {
    EXPECT_EQ(encode(std::uint32_t{7}), value{std::int64_t{7}});
    EXPECT_THROW((void)codec<std::uint64_t>::encode(~std::uint64_t{0}), codec_failure);
    EXPECT_THROW((void)codec<std::uint8_t>::decode(value{std::int64_t{256}}), codec_failure);
    EXPECT_THROW((void)codec<std::uint32_t>::decode(value{std::int64_t{-1}}), codec_failure);
    EXPECT_EQ(codec<int>::decode(value{true}), 1);
}

TEST(codec, strings_literals_and_views_encode_as_text) {
    EXPECT_EQ(encode("abc"), value{std::string("abc")});
    EXPECT_EQ(encode(std::string_view("x")), value{std::string("x")});
    EXPECT_THROW((void)codec<std::string>::decode(value{std::int64_t{1}}), codec_failure);
}

TEST(codec, bool_accepts_zero_and_one_only) {
    EXPECT_TRUE(codec<bool>::decode(value{std::int64_t{1}}));
    EXPECT_FALSE(codec<bool>::decode(value{std::int64_t{0}}));
    EXPECT_THROW((void)codec<bool>::decode(value{std::int64_t{2}}), codec_failure);
}

TEST(codec, optional_maps_null) {
    EXPECT_TRUE(encode(std::optional<int>{}).is_null());
    EXPECT_EQ(codec<std::optional<int>>::decode(value{}), std::nullopt);
    EXPECT_THROW((void)codec<int>::decode(value{}), codec_failure);
}

TEST(codec, json_parses_text_and_rejects_garbage) {
    const nlohmann::json j = {{"a", 1}};
    EXPECT_EQ(codec<nlohmann::json>::decode(encode(j)), j);
    EXPECT_EQ(codec<nlohmann::json>::decode(value{std::string("[1,2]")}), nlohmann::json::parse("[1,2]"));
    EXPECT_THROW((void)codec<nlohmann::json>::decode(value{std::string("{nope")}), codec_failure);
}

TEST(codec, user_codecs_plug_in) {
    const row r = make_row({{"price", encode(demo::money{1250})}, {"label", value{std::string("x")}}});
    EXPECT_EQ(r.get<demo::money>("price"), demo::money{1250});
    try {
        (void)r.get<demo::money>("label");
        FAIL() << "expected a decode failure";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), "RUNTIME.DECODE_FAILED");
        EXPECT_EQ(e.details().at("codec"), "money");
        EXPECT_EQ(e.details().at("table"), "t");
        EXPECT_EQ(e.details().at("column"), "label");
    }
}

TEST(timestamp_text, formats_fixed_width_utc) {
    using namespace std::chrono;
    const timestamp t = sys_days{2024y / February / 29} + 23h + 59min + 58s + 7us;
    EXPECT_EQ(format_timestamp(t), "2024-02-29 23:59:58.000007");
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t);
    EXPECT_EQ(format_timestamp(timestamp{} - 1us), "1969-12-31 23:59:59.999999");
}

TEST(timestamp_text, parses_iso_variants_and_offsets) {
    using namespace std::chrono;
    const timestamp noon = sys_days{2026y / January / 2} + 12h;
    EXPECT_EQ(parse_timestamp("2026-01-02T12:00:00Z"), noon);
    EXPECT_EQ(parse_timestamp("2026-01-02 14:00:00+02:00"), noon);
    EXPECT_EQ(parse_timestamp("2026-01-02 07:30-0430"), noon);
    EXPECT_EQ(parse_timestamp("2026-01-02 12:00:00.5"), noon + 500ms);
    // Local mean time: PostgreSQL prints offsets with seconds for old dates in zones like
    // Asia/Kolkata (issue 15: such a timestamp came back as text).
    EXPECT_EQ(parse_timestamp("1890-01-01 05:53:28+05:53:28"), sys_days{1890y / January / 1});
    EXPECT_EQ(parse_timestamp("1890-01-01 00:00:00-00:25:21"), sys_days{1890y / January / 1} + 25min + 21s);
    EXPECT_FALSE(parse_timestamp("2026-01-02 12:00:00+05:30:").has_value());
    EXPECT_EQ(parse_timestamp("2026-01-02"), sys_days{2026y / January / 2});
    for (const char* bad : {"2026-02-30", "2026-01-02 25:00", "2026-01-02T12:00:00 junk", "yesterday", "", "2026-1-2"})
        EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
}

}  // namespace
}  // namespace strata
