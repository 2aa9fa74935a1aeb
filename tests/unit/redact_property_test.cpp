// Redaction as a property: for every generated URL or conninfo string that holds a
// password (tests/support/secret_shapes.hpp: thousands of shapes, awkward characters in
// passwords and user names, raw and escaped), no fragment of the password as its writer
// meant it appears in the redacted text; and a well-formed string still names its host.
#include <gtest/gtest.h>

#include "../support/secret_shapes.hpp"
#include "strata/redact.hpp"

namespace strata::test {
namespace {

TEST(redact_property, no_generated_password_survives_redaction) {
    secret_shapes shapes(0x5eed'15);
    int leaks = 0, well_formed = 0, unhelpful = 0;
    std::string first_leak, first_unhelpful;
    for (int i = 0; i < 20000; ++i) {
        const secret_case c = shapes.next();
        const std::string out = redact_to_string(c.text);
        const std::string where = "case " + std::to_string(i) + " (" + c.shape + "): " + c.text + "\n  -> " + out;
        if (!leaked_fragment(out, c).empty() && leaks++ == 0) first_leak = where;
        if (c.well_formed) {
            ++well_formed;
            // Redaction stays useful: what was written as the format asks is still
            // described, host included.
            const bool named = out != "<unparseable url>" && (c.host.empty() || out.find(c.host) != std::string::npos);
            if (!named && unhelpful++ == 0) first_unhelpful = where;
        }
    }
    EXPECT_EQ(leaks, 0) << "first: " << first_leak;
    EXPECT_EQ(unhelpful, 0) << "first: " << first_unhelpful;
    EXPECT_GT(well_formed, 5000);
}

// The two strings issue 15 names: a raw '/' or '#' in the password.
TEST(redact_property, a_raw_slash_or_hash_in_the_password_is_not_printed) {
    const std::pair<const char*, const char*> cases[] = {
        {"postgresql://u:1234/x@h/db", "1234"}, {"postgresql://u:99#x@h/db", "99"},
        {"postgres://u:12/34@h:5432/db", "34"},  {"postgresql://u:a@b@h/db", "b@"},
        {"postgresql://u:pw/qz?r@h/db", "qz"},   {"sqlite://u:1234/x@h/db", "1234"}};
    for (const auto& [url, secret] : cases) {
        const std::string out = redact_to_string(url);
        EXPECT_EQ(out.find(secret), std::string::npos) << url << " -> " << out;
    }
    EXPECT_EQ(redact_to_string("postgresql://u:99#x@h/db"), "postgresql://u@h/db");
}

TEST(redact_property, conninfo_reads_values_as_libpq_does) {
    // SQL-style doubled quotes are no conninfo quoting: libpq refuses the string.
    EXPECT_EQ(redact_to_string("host=h password='it''s' user=bob"), "<unparseable url>");
    // A key ends at whitespace and must be followed by '='.
    EXPECT_EQ(redact_to_string("host h password=x"), "<unparseable url>");
    // A conninfo value may hold "://" (libpq reads key=value unless the string starts
    // with postgres(ql)://).
    EXPECT_EQ(redact_to_string("host=h password=a://b user=bob"), "host=h user=bob");
    // A value that is itself a connection string is not printed.
    EXPECT_EQ(redact_to_string("host=h dbname=postgresql://u:pw@x/db"), "host=h");
    // Several hosts and IPv6 hosts keep their shape.
    EXPECT_EQ(redact_to_string("postgresql://bob:pw@h1:5433,[::1]:5434/app"), "postgresql://bob@h1:5433,[::1]:5434/app");
    EXPECT_EQ(redact_to_string("postgresql://bob:pw@[::1]:5433/app"), "postgresql://bob@[::1]:5433/app");
}

}  // namespace
}  // namespace strata::test
