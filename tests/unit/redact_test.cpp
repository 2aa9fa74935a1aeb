#include <gtest/gtest.h>

#include "strata/redact.hpp"

namespace strata {
namespace {

TEST(redact, url_keeps_host_port_database_user_only) {
    const auto r = redact("postgres://bob:s3cret@db.example.com:5433/app?sslmode=require&password=x");
    EXPECT_EQ(r.scheme, "postgres");
    EXPECT_EQ(r.user, "bob");
    EXPECT_EQ(r.host, "db.example.com");
    EXPECT_EQ(r.port, "5433");
    EXPECT_EQ(r.database, "app");
    EXPECT_EQ(r.to_string(), "postgres://bob@db.example.com:5433/app");
}

TEST(redact, secrets_never_survive_any_form) {
    for (const char* url : {"postgresql://bob:s3cret@host/db", "postgresql://:s3cret@host/db",
                            "host=h port=5432 dbname=d user=bob password=s3cret",
                            "host=h password='s3 cret' user=bob", "postgresql://bob:s3cret@[::1]:5432/db",
                            "sqlite:/tmp/x.db?key=s3cret", "sqlite://bob:s3cret@host/db", "postgresql://bob:s3cret@host", "s3cret",
                            "postgresql://bob:s3cret@host:notaport/db", "password=s3cret"}) {
        const std::string out = redact_to_string(url);
        EXPECT_EQ(out.find("s3cret"), std::string::npos) << url << " -> " << out;
    }
}

TEST(redact, conninfo_form) {
    const auto r = redact("host=localhost port=5432 dbname='my db' user=bob password=x");
    EXPECT_EQ(r.scheme, "conninfo");
    EXPECT_EQ(r.database, "my db");
    EXPECT_EQ(r.to_string(), "host=localhost port=5432 dbname=my db user=bob");
}

TEST(redact, ipv6_and_sqlite) {
    EXPECT_EQ(redact("postgresql://u@[::1]:5432/d").host, "[::1]");
    EXPECT_EQ(redact_to_string("sqlite:./data/app.db"), "sqlite:./data/app.db");
    EXPECT_EQ(redact_to_string("sqlite::memory:"), "sqlite::memory:");
}

TEST(redact, unparseable_input_prints_nothing_of_it) {
    EXPECT_TRUE(redact("").empty());
    EXPECT_EQ(redact_to_string("just some words"), "<unparseable url>");
    EXPECT_EQ(redact_to_string("host='unterminated password=x"), "<unparseable url>");
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// Found by the redact fuzz target (tests/fuzz): forms libpq reads differently from a
// naive split, where the password's first characters came out as host, port or user.
TEST(redact, passwords_libpq_reads_past_a_naive_split_never_survive) {
    // (Old output of the first: "postgresql://bob:9876", the password's digits as a port.)
    for (const char* url : {"postgresql://bob:9876#s3cret@host/db", "postgresql://bob:9876?s3cret@host:5432/db",
                            "postgresql://bob#s3cret:x@host/db", "postgresql://b?s3cret@host/db",
                            "password=a\\ s3cret host=h", "password=a\\ host=s3cret user=bob",
                            "host=h password=s3\\'cret user=bob"}) {
        const std::string out = redact_to_string(url);
        EXPECT_EQ(out.find("s3cret"), std::string::npos) << url << " -> " << out;
        EXPECT_EQ(out.find("9876"), std::string::npos) << url << " -> " << out;
    }
    // What is not secret still comes through.
    EXPECT_EQ(redact_to_string("postgresql://bob:pa#ss@db:5433/app"), "postgresql://bob@db:5433/app");
    EXPECT_EQ(redact_to_string("password=a\\ b host=h user=bob"), "host=h user=bob");
}

}  // namespace
}  // namespace strata
