// Values round-trip through every driver unchanged, and decode into tuples and structs.
#include <gtest/gtest.h>

#include <limits>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"
#include "strata/codec_json.hpp"

namespace strata::test {
namespace {

struct item {
    std::int64_t id = 0;
    std::string name;
    std::optional<double> score;
};

}  // namespace
}  // namespace strata::test

template <>
struct strata::fields<strata::test::item> {
    static constexpr auto list = std::tuple{strata::field("id", &strata::test::item::id),
                                            strata::field("name", &strata::test::item::name),
                                            strata::field("score", &strata::test::item::score)};
};

namespace strata::test {
namespace {

class value_types : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        const sql_types& t = GetParam().types;
        exec("CREATE TABLE vals(id " + t.integer + " PRIMARY KEY, i " + t.integer + ", r " + t.real + ", s " + t.text +
             ", b " + t.blob + ", f " + t.boolean + ", ts " + t.timestamp + ", j " + t.json + ")");
    }
    template <class T>
    T round_trip(const std::string& column, const T& v) {
        const int id = ++next_id_;
        db().execute(sql("INSERT INTO vals(id, " + column + ") VALUES (?, ?)", id, v)).drain();
        return db().execute(sql("SELECT " + column + " FROM vals WHERE id = ?", id)).one().get<T>(0);
    }

private:
    int next_id_ = 0;
};

TEST_P(value_types, integers) {
    EXPECT_EQ(round_trip<std::int64_t>("i", 0), 0);
    EXPECT_EQ(round_trip<std::int64_t>("i", std::numeric_limits<std::int64_t>::max()),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(round_trip<std::int64_t>("i", std::numeric_limits<std::int64_t>::min()),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(round_trip<int>("i", -42), -42);
    EXPECT_EQ(round_trip<std::uint16_t>("i", 65535), 65535);
}

TEST_P(value_types, floating_point) {
    EXPECT_DOUBLE_EQ(round_trip<double>("r", 3.141592653589793), 3.141592653589793);
    EXPECT_DOUBLE_EQ(round_trip<double>("r", -1e300), -1e300);
    EXPECT_FLOAT_EQ(round_trip<float>("r", 0.5f), 0.5f);
}

TEST_P(value_types, text) {
    EXPECT_EQ(round_trip<std::string>("s", ""), "");
    EXPECT_EQ(round_trip<std::string>("s", "héllo wörld ✓ 日本"), "héllo wörld ✓ 日本");
    EXPECT_EQ(round_trip<std::string>("s", "it's \"quoted\"; -- not a comment"), "it's \"quoted\"; -- not a comment");
    const std::string big(1 << 20, 'x');
    EXPECT_EQ(round_trip<std::string>("s", big), big);
}

TEST_P(value_types, blobs) {
    const strata::blob empty{};
    const strata::blob bytes{std::byte{0}, std::byte{1}, std::byte{0xFF}, std::byte{0}, std::byte{0x7F}};
    EXPECT_EQ(round_trip<strata::blob>("b", bytes), bytes);
    const auto got = db().execute(sql("SELECT ? AS b", empty)).one().at(0);
    EXPECT_TRUE(got.get_if<strata::blob>() && got.get_if<strata::blob>()->empty());
}

TEST_P(value_types, booleans) {
    EXPECT_TRUE(round_trip<bool>("f", true));
    EXPECT_FALSE(round_trip<bool>("f", false));
}

TEST_P(value_types, timestamps_keep_microseconds) {
    using namespace std::chrono;
    const auto t = sys_days{2026y / November / 23} + 17h + 4min + 5s + 123456us;
    EXPECT_EQ(round_trip<sys_time<microseconds>>("ts", t), t);
    const auto epoch = sys_time<microseconds>{};
    EXPECT_EQ(round_trip<sys_time<microseconds>>("ts", epoch), epoch);
    // coarser precision on the way out
    EXPECT_EQ(round_trip<sys_seconds>("ts", floor<seconds>(t)), floor<seconds>(t));
}

TEST_P(value_types, json_documents) {
    const nlohmann::json doc = {{"name", "ann"}, {"tags", {"a", "b"}}, {"n", 3}, {"nested", {{"ok", true}}}};
    EXPECT_EQ(round_trip<nlohmann::json>("j", doc), doc);
}

TEST_P(value_types, nulls_and_optionals) {
    EXPECT_EQ(round_trip<std::optional<std::int64_t>>("i", std::nullopt), std::nullopt);
    EXPECT_EQ(round_trip<std::optional<std::string>>("s", std::optional<std::string>("x")), "x");
    EXPECT_EQ(round_trip<std::optional<nlohmann::json>>("j", std::nullopt), std::nullopt);
    const auto r = db().execute(sql("SELECT ? AS n", strata::null)).one();
    EXPECT_TRUE(r.at("n").is_null());
}

TEST_P(value_types, decode_into_tuples_and_structs) {
    exec("CREATE TABLE items(id " + types().integer + " PRIMARY KEY, name " + types().text + " NOT NULL, score " +
         types().real + ")");
    db().execute(sql("INSERT INTO items(id, name, score) VALUES (?, ?, ?)", 1, "one", 1.5)).drain();
    db().execute(sql("INSERT INTO items(id, name, score) VALUES (?, ?, ?)", 2, "two", std::optional<double>{}))
        .drain();
    const auto tuples =
        db().execute(sql("SELECT id, name, score FROM items ORDER BY id"))
            .all_as<std::tuple<std::int64_t, std::string, std::optional<double>>>();
    ASSERT_EQ(tuples.size(), 2u);
    EXPECT_EQ(tuples[0], std::make_tuple(std::int64_t{1}, std::string("one"), std::optional<double>(1.5)));
    EXPECT_EQ(std::get<2>(tuples[1]), std::nullopt);

    // by column name, whatever the select order
    const auto items = db().execute(sql("SELECT score, name, id FROM items ORDER BY id")).all_as<item>();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].id, 1);
    EXPECT_EQ(items[0].name, "one");
    EXPECT_EQ(items[0].score, 1.5);
    EXPECT_EQ(items[1].score, std::nullopt);
}

TEST_P(value_types, decode_failure_names_table_column_and_codec) {
    exec("CREATE TABLE people(id " + types().integer + " PRIMARY KEY, name " + types().text + ")");
    db().execute(sql("INSERT INTO people(id, name) VALUES (?, ?)", 1, "ann")).drain();
    db().execute(sql("INSERT INTO people(id, name) VALUES (?, ?)", 2, strata::null)).drain();
    auto e = catch_error([&] { (void)db().execute(sql("SELECT name FROM people WHERE id = 1")).one_as<int>(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.DECODE_FAILED");
    EXPECT_EQ(e->details().at("table"), "people");
    EXPECT_EQ(e->details().at("column"), "name");
    EXPECT_EQ(e->details().at("codec"), "integer");
    // NULL into a non-optional type says how to fix it
    e = catch_error([&] { (void)db().execute(sql("SELECT name FROM people WHERE id = 2")).one_as<std::string>(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "RUNTIME.DECODE_FAILED");
    EXPECT_NE(e->message().find("std::optional"), std::string::npos);
    // out of range for the target type
    EXPECT_STRATA_ERROR(db().execute(sql("SELECT ?", 100000)).one_as<std::int8_t>(), "RUNTIME.DECODE_FAILED");
    // tuple arity
    EXPECT_STRATA_ERROR((db().execute(sql("SELECT 1, 2")).one_as<std::tuple<int>>()), "RUNTIME.DECODE_FAILED");
    // unknown column
    EXPECT_STRATA_ERROR(db().execute(sql("SELECT 1 AS a")).one().get<int>("b"), "RUNTIME.COLUMN_NOT_FOUND");
}

STRATA_CONFORMANCE_SUITE(value_types);

}  // namespace
}  // namespace strata::test
