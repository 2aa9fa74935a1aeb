// Bindings: validation with DRIVER.BINDING_INVALID{field, reason}, URL parsing, and no
// password or full connection string in any error, however the connect fails.
#include "pg_fixture.hpp"

namespace strata::test {
namespace {

class pg_bindings : public pg_test {
protected:
    void SetUp() override {
        pg_test::SetUp();
        if (url().empty()) return;
        char* message = nullptr;
        PQconninfoOption* opts = PQconninfoParse(url().c_str(), &message);
        ASSERT_NE(opts, nullptr);
        for (auto* o = opts; o->keyword != nullptr; ++o) {
            const std::string_view k = o->keyword;
            if (o->val == nullptr) continue;
            if (k == "password") password_ = o->val;
            if (k == "port") port_ = o->val;
            if (k == "host") host_ = o->val;
        }
        PQconninfoFree(opts);
        ASSERT_GE(password_.size(), 8u) << "the test cluster must require a real password";
    }
    // `url()` with its password replaced.
    std::string with_password(const std::string& pw) const {
        std::string u = url();
        u.replace(u.find(":" + password_ + "@"), password_.size() + 2, ":" + pw + "@");
        return u;
    }
    // Nothing secret anywhere in the error: message, details, causes.
    void expect_no_secret(const error& e, const std::vector<std::string>& secrets) {
        const std::string all = e.describe() + " " + std::string(e.what()) + " " + (e.sql() ? e.sql()->detail : "");
        for (const auto& s : secrets) {
            EXPECT_EQ(all.find(s), std::string::npos) << "leaked a secret in: " << all;
        }
        EXPECT_EQ(all.find(url()), std::string::npos) << "leaked the full URL in: " << all;
    }
    error connect_error(strata::binding b) {
        auto rt = instantiate(postgres::make_stack());
        auto e = catch_error([&] { rt.connect(b); });
        if (!e) throw std::runtime_error("connect unexpectedly succeeded");
        EXPECT_EQ(rt.state(), driver_state::unbound);
        return *e;
    }
    std::string password_, port_, host_;
};

void expect_invalid(const strata::binding& b, const std::string& field) {
    auto rt = instantiate(postgres::make_stack());
    auto e = catch_error([&] { rt.connect(b); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.BINDING_INVALID") << e->describe();
    EXPECT_EQ(e->details().at("field"), field) << e->describe();
    EXPECT_FALSE(e->details().at("reason").empty());
}

TEST_F(pg_bindings, invalid_urls_and_options_are_refused_before_connecting) {
    expect_invalid(postgres::url{""}, "url");
    expect_invalid(postgres::url{"mysql://app:secret@db/app"}, "url");
    expect_invalid(postgres::url{"just some words"}, "url");
    expect_invalid(postgres::url{"postgresql://h/db?no_such_option=1"}, "url");
    expect_invalid(postgres::url{"host=h port"}, "url");
    postgres::pool_options o;
    o.max_size = 0;
    expect_invalid(postgres::url{url(), o}, "max_size");
    o = {};
    o.min_size = 20;
    expect_invalid(postgres::url{url(), o}, "min_size");
    o = {};
    o.acquire_timeout = std::chrono::milliseconds(-1);
    expect_invalid(postgres::url{url(), o}, "acquire_timeout");
    expect_invalid(postgres::pool_binding{}, "pool");
    expect_invalid(postgres::client{nullptr}, "conn");
    PGconn* bad = PQconnectdb("host=127.0.0.1 port=1 connect_timeout=1");
    expect_invalid(postgres::client{bad}, "conn");
    PQfinish(bad);
}

TEST_F(pg_bindings, urls_and_conninfo_both_connect) {
    auto& a = connect(postgres::url{url()});
    EXPECT_EQ(a.execute(sql("SELECT 1")).one_as<int>(), 1);
    std::string postgres_scheme = url();
    postgres_scheme.replace(0, postgres_scheme.find("://"), "postgres");
    auto& b = connect(postgres::parse_url(postgres_scheme));
    EXPECT_EQ(b.execute(sql("SELECT 2")).one_as<int>(), 2);
    const std::string conninfo = "host=" + host_ + " port=" + port_ + " dbname=strata user=strata password='" +
                                 password_ + "' options='-csearch_path=" + schema().name() + "'";
    auto& c = connect(postgres::parse_url(conninfo));
    EXPECT_EQ(c.execute(sql("SELECT 3")).one_as<int>(), 3);
    EXPECT_STRATA_ERROR(postgres::parse_url("sqlite:app.db"), "DRIVER.BINDING_INVALID");
}

TEST_F(pg_bindings, descriptions_are_redacted) {
    const auto b = postgres::parse_url(url());
    EXPECT_EQ(b.describe().find(password_), std::string::npos) << b.describe();
    EXPECT_NE(b.describe().find(port_), std::string::npos) << b.describe();
    auto pool = postgres::make_pool(postgres::url{url()});
    EXPECT_EQ(pool->description().find(password_), std::string::npos);
    EXPECT_EQ(strata::binding(postgres::pool_binding{pool}).describe().find(password_), std::string::npos);
    auto& db = connect(postgres::url{url()});
    auto e = catch_error([&] { db.connect(postgres::url{url()}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.ALREADY_CONNECTED");
    expect_no_secret(*e, {password_});
}

TEST_F(pg_bindings, a_wrong_password_never_leaks_either_password) {
    const std::string wrong = "Wr0ng-Secret-Passw0rd-42";
    const auto e = connect_error(postgres::url{with_password(wrong)});
    EXPECT_EQ(e.code(), "DRIVER.CONNECT_FAILED") << e.describe();
    EXPECT_NE(e.message().find("password"), std::string::npos) << e.describe();  // says what to check
    expect_no_secret(e, {wrong, password_});
}

TEST_F(pg_bindings, an_unreachable_port_never_leaks_the_password) {
    std::string u = url();
    u.replace(u.find(":" + port_ + "/"), port_.size() + 1, ":1");
    const auto e = connect_error(postgres::url{u});
    EXPECT_EQ(e.code(), "DRIVER.CONNECT_FAILED") << e.describe();
    EXPECT_TRUE(e.transient());
    expect_no_secret(e, {password_});
}

TEST_F(pg_bindings, a_missing_database_never_leaks_the_password) {
    std::string u = url();
    u.replace(u.find("/strata?"), 8, "/no_such_db?");
    const auto e = connect_error(postgres::url{u});
    EXPECT_EQ(e.code(), "DRIVER.CONNECT_FAILED") << e.describe();
    expect_no_secret(e, {password_});
}

TEST_F(pg_bindings, malformed_urls_with_a_password_never_leak_it) {
    const std::string secret = "S3cret-Url-Passw0rd";
    for (const std::string& u :
         {"postgresql://app:" + secret + "@host:notaport/db", "postgresql://app:" + secret + "@host/db?sslmode=%zz",
          "postgresql://app:" + secret + "@host/db?bogus=1", "mysql://app:" + secret + "@host/db",
          "host=h password=" + secret + " bogus=1"}) {
        const auto e = connect_error(postgres::url{u});
        EXPECT_EQ(e.code(), "DRIVER.BINDING_INVALID") << e.describe();
        expect_no_secret(e, {secret, u});
    }
}

TEST_F(pg_bindings, query_errors_carry_no_connection_string) {
    auto& db = connect(postgres::url{url()});
    auto e = catch_error([&] { db.execute(sql("SELECT * FROM missing_table")).drain(); });
    ASSERT_TRUE(e);
    expect_no_secret(*e, {password_});
    kill_backends();
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    postgres::pool_options o;
    o.validate = postgres::validation::none;
    auto& unchecked = connect(postgres::url{url(), o});
    kill_backends();
    ASSERT_TRUE(eventually([&] { return backends() == 0; }));
    e = catch_error([&] { unchecked.execute(sql("CREATE TABLE lost_t(id BIGINT)")).drain(); });  // a write: not run again
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECTION_LOST");
    expect_no_secret(*e, {password_});
}

}  // namespace
}  // namespace strata::test
