// The session settings strata's decoders read values by are set on every connection, not
// assumed (decision 0029): a database configured with another DateStyle, TimeZone,
// IntervalStyle and extra_float_digits reads the same values as a default one; RESET ALL
// and DISCARD ALL keep them; a caller's SET does not reach the next user of a pooled
// connection; a URL (or PGOPTIONS) asking for a contradicting value is refused.
#include <chrono>
#include <cstdlib>

#include "pg_fixture.hpp"

namespace strata::test {
namespace {

using namespace std::chrono;

const std::string probe =
    "SELECT TIMESTAMPTZ '2026-03-04 05:06:07.123456+00' AS tz, TIMESTAMP '2026-03-04 05:06:07' AS ts, "
    "INTERVAL '1 day 02:03:04' AS iv, 0.1::float8 + 0.2::float8 AS f, TIMESTAMPTZ '1890-01-01 00:00:00+00' AS old";

// What a default session reads for `probe`, whatever the server, database or role says.
void expect_probe_values(runtime& db, const std::string& where) {
    const row r = db.execute(sql(probe)).one();
    const timestamp tz = sys_days{2026y / March / 4} + 5h + 6min + 7s + 123456us;
    ASSERT_NE(r.at("tz").get_if<timestamp>(), nullptr) << where << ": timestamptz came back as " << r.at("tz").to_display();
    EXPECT_EQ(*r.at("tz").get_if<timestamp>(), tz) << where;
    ASSERT_NE(r.at("ts").get_if<timestamp>(), nullptr) << where << ": timestamp came back as " << r.at("ts").to_display();
    EXPECT_EQ(*r.at("ts").get_if<timestamp>(), sys_days{2026y / March / 4} + 5h + 6min + 7s) << where;
    ASSERT_NE(r.at("old").get_if<timestamp>(), nullptr) << where << ": " << r.at("old").to_display();
    EXPECT_EQ(*r.at("old").get_if<timestamp>(), timestamp{sys_days{1890y / January / 1}}) << where;
    EXPECT_EQ(r.at("iv").to_display(), "1 day 02:03:04") << where;
    ASSERT_NE(r.at("f").get_if<double>(), nullptr) << where;
    EXPECT_EQ(*r.at("f").get_if<double>(), 0.1 + 0.2) << where << ": the float lost digits";
}

class pg_session_settings : public pg_test {
protected:
    void TearDown() override {
        pg_test::TearDown();
        if (!database_.empty()) schema().exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    }
    // A database whose defaults are everything strata's decoders do not read.
    std::string contrary_database() {
        database_ = app() + "_contrary";
        schema().exec("CREATE DATABASE " + database_);
        for (const char* setting : {"DateStyle = 'SQL, DMY'", "TimeZone = 'Asia/Kolkata'", "IntervalStyle = 'sql_standard'",
                                    "extra_float_digits = 0"})
            schema().exec("ALTER DATABASE " + database_ + " SET " + setting);
        return pg_url_with(pg_url_with(schema().base_url(), "dbname", database_), "application_name", app());
    }

private:
    std::string database_;
};

TEST_F(pg_session_settings, a_database_configured_otherwise_reads_the_same_values) {
    const std::string contrary = contrary_database();
    {  // The database really is configured otherwise: a plain libpq session sees it.
        PGconn* raw = pg_connect(contrary);
        EXPECT_EQ(pg_exec(raw, "SHOW DateStyle"), "SQL, DMY");
        EXPECT_EQ(pg_exec(raw, "SELECT TIMESTAMPTZ '2026-03-04 05:06:07+00'::text"), "04/03/2026 10:36:07 IST");
        PQfinish(raw);
    }
    postgres::pool_options one;
    one.max_size = 1;
    one.statements.prepared = false;  // DISCARD ALL below also drops prepared statements
    auto& db = connect(postgres::url{contrary, one});
    expect_probe_values(db, "fresh connection");
    db.execute(sql("RESET ALL")).drain();
    expect_probe_values(db, "after RESET ALL");
    db.execute(sql("DISCARD ALL")).drain();
    expect_probe_values(db, "after DISCARD ALL");
}

TEST_F(pg_session_settings, a_session_timezone_inside_a_transaction_changes_no_instant) {
    auto& db = connect();
    db.transaction([&](tx& t) {
        for (const char* zone : {"Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"}) {
            t.execute(sql(std::string("SET LOCAL TimeZone = '") + zone + "'")).drain();
            const row r = t.execute(sql(probe)).one();
            ASSERT_NE(r.at("tz").get_if<timestamp>(), nullptr) << zone;
            EXPECT_EQ(*r.at("tz").get_if<timestamp>(), sys_days{2026y / March / 4} + 5h + 6min + 7s + 123456us) << zone;
            // Before 1900 the zone's offset is local mean time, printed with seconds.
            ASSERT_NE(r.at("old").get_if<timestamp>(), nullptr) << zone << ": " << r.at("old").to_display();
            EXPECT_EQ(*r.at("old").get_if<timestamp>(), timestamp{sys_days{1890y / January / 1}}) << zone;
        }
    });
}

TEST_F(pg_session_settings, a_callers_set_stays_with_the_caller) {
    postgres::pool_options one;
    one.max_size = 1;
    auto pool = postgres::make_pool(postgres::url{url(), one});
    auto& db = connect(postgres::pool_binding{pool});
    expect_probe_values(db, "before");
    const auto before = pool->statistics();
    db.execute(sql("SET DateStyle = 'SQL, DMY'")).drain();
    db.execute(sql("SET TimeZone = 'Asia/Kolkata'")).drain();
    expect_probe_values(db, "after a caller's SET on the same pooled connection");
    EXPECT_EQ(pool->statistics().discarded, before.discarded + 2) << "each drifted connection is closed, not reused";
}

TEST_F(pg_session_settings, a_url_contradicting_the_decoders_is_refused) {
    for (const auto& [key, value, field] :
         {std::tuple{"options", "-c DateStyle=SQL,DMY", "options"}, std::tuple{"options", "-c IntervalStyle=sql_standard", "options"},
          std::tuple{"options", "--extra-float-digits=0", "options"}, std::tuple{"client_encoding", "LATIN1", "client_encoding"}}) {
        auto rt = instantiate(postgres::make_stack());
        const auto e = catch_error([&] { rt.connect(postgres::url{pg_url_with(url(), key, value)}); });
        ASSERT_TRUE(e.has_value()) << key << "=" << value << " connected";
        EXPECT_EQ(e->code(), "DRIVER.BINDING_INVALID") << e->describe();
        EXPECT_EQ(e->details().at("field"), field) << e->describe();
    }
    // What does not change a decoded value is the caller's to choose: a TimeZone, and the
    // URL's own options (search_path) next to strata's.
    auto& db = connect(postgres::url{pg_url_with(schema().base_url(), "options", "-c TimeZone=Asia/Kolkata -c search_path=" + app())});
    expect_probe_values(db, "TimeZone chosen in the URL");
    EXPECT_EQ(db.execute(sql("SHOW TimeZone")).one_as<std::string>(), "Asia/Kolkata");
    EXPECT_EQ(db.execute(sql("SHOW search_path")).one_as<std::string>(), app());
}

TEST_F(pg_session_settings, a_caller_owned_connection_must_already_read_values_as_strata_does) {
    PGconn* raw = pg_connect(pg_url_with(url(), "options", "-c DateStyle=SQL,DMY"));
    auto rt = instantiate(postgres::make_stack());
    const auto e = catch_error([&] { rt.connect(postgres::client{raw}); });
    PQfinish(raw);
    ASSERT_TRUE(e.has_value()) << "a caller-owned connection with DateStyle SQL was bound";
    EXPECT_EQ(e->code(), "DRIVER.BINDING_INVALID") << e->describe();
    EXPECT_EQ(e->details().at("field"), "conn") << e->describe();
}

TEST_F(pg_session_settings, pgoptions_is_read_by_the_same_rule) {
    const std::string base = pg_url_with(schema().base_url(), "application_name", app());  // no options of its own
    ::setenv("PGOPTIONS", "-c IntervalStyle=sql_standard", 1);  // NOLINT(concurrency-mt-unsafe)
    auto rt = instantiate(postgres::make_stack());
    const auto refused = catch_error([&] { rt.connect(postgres::url{base}); });
    ::setenv("PGOPTIONS", ("-c search_path=" + app()).c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    auto& db = connect(postgres::url{base});
    const std::string path = db.execute(sql("SHOW search_path")).one_as<std::string>();
    ::unsetenv("PGOPTIONS");  // NOLINT(concurrency-mt-unsafe)
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->code(), "DRIVER.BINDING_INVALID") << refused->describe();
    EXPECT_EQ(path, app()) << "PGOPTIONS without a conflict is still sent";
    expect_probe_values(db, "with PGOPTIONS");
}

}  // namespace
}  // namespace strata::test
