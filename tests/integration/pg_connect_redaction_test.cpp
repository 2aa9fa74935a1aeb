// Redaction end to end: a failing connect never prints the password. Thousands of
// generated URL and conninfo shapes (tests/support/secret_shapes.hpp) are connected for
// real — to a closed loopback port, and to a real cluster with a wrong password — and no
// fragment of the password as its writer meant it appears in the binding's description
// or in the strata::error (message, details, describe(), what(), causes).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "../support/expect_error.hpp"
#include "../support/pg_database.hpp"
#include "../support/secret_shapes.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"

namespace strata::test {
namespace {

// A loopback port nothing listens on: bound, read, closed.
std::string closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) != 0)
        throw std::runtime_error("cannot find a free port");
    ::close(fd);
    return std::to_string(ntohs(a.sin_port));
}

std::string everything_printed(const error& e) {
    std::string out = e.message() + "\n" + e.describe() + "\n" + e.what();
    for (const auto& [k, v] : e.details()) out += "\n" + k + "=" + v;
    if (e.sql()) out += "\n" + e.sql()->detail;
    for (const error* c = e.strata_cause(); c != nullptr; c = c->strata_cause()) out += "\n" + c->describe();
    return out;
}

struct outcome {
    int refused_binding = 0;
    int failed_connect = 0;
    int failed_auth = 0;
};

// Connects `count` generated strings pointing at `endpoint`; every connect must fail.
outcome connect_all(std::uint64_t seed, const secret_endpoint& endpoint, int count) {
    outcome out;
    secret_shapes shapes(seed, endpoint);
    for (int i = 0; i < count; ++i) {
        const secret_case c = shapes.next();
        const std::string where = "case " + std::to_string(i) + " (" + c.shape + "): " + c.text;
        postgres::pool_options options;
        options.connect_timeout = std::chrono::seconds(5);
        const strata::binding b = postgres::url{c.text, options};
        EXPECT_EQ(leaked_fragment(b.describe(), c), "") << where << "\n  described as " << b.describe();
        auto rt = instantiate(postgres::make_stack());
        const auto e = catch_error([&] { rt.connect(b); });
        if (!e) {
            ADD_FAILURE() << "connected: " << where;
            continue;
        }
        const std::string printed = everything_printed(*e);
        EXPECT_EQ(leaked_fragment(printed, c), "") << where << "\n  printed " << printed;
        if (e->code() == "DRIVER.BINDING_INVALID") {
            ++out.refused_binding;
        } else {
            EXPECT_EQ(e->code(), "DRIVER.CONNECT_FAILED") << where << "\n  " << printed;
            ++out.failed_connect;
            if (e->sql() && e->sql()->sqlstate == "28P01") ++out.failed_auth;
        }
        if (::testing::Test::HasFailure()) break;  // one case is enough to read
    }
    return out;
}

TEST(pg_connect_redaction, no_password_in_any_error_from_a_closed_port) {
    const outcome o = connect_all(0xC105ED, {"127.0.0.1", closed_port()}, 1500);
    // Both paths ran: strings refused before libpq saw them, and real connects refused.
    EXPECT_GT(o.refused_binding, 100);
    EXPECT_GT(o.failed_connect, 500);
}

TEST(pg_connect_redaction, no_password_in_any_error_from_a_wrong_password) {
    const std::string base = pg_url_or_skip();
    if (base.empty()) return;
    secret_endpoint cluster;
    PQconninfoOption* parsed = PQconninfoParse(base.c_str(), nullptr);
    ASSERT_NE(parsed, nullptr);
    for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        if (std::string_view(o->keyword) == "host") cluster.host = o->val;
        if (std::string_view(o->keyword) == "port") cluster.port = o->val;
    }
    PQconninfoFree(parsed);
    ASSERT_FALSE(cluster.host.empty());
    ASSERT_FALSE(cluster.port.empty());
    const outcome o = connect_all(0xBADC0DE, cluster, 200);
    // The server itself turned most of them away: the password was checked and wrong.
    EXPECT_GT(o.failed_auth, 50);
}

}  // namespace
}  // namespace strata::test
