// A failed connect is transient exactly when the server is unavailable for a moment
// (starting, stopping, recovering, out of slots, gone mid-handshake) — what a client sees
// while a cluster restarts — and not when a retry cannot help (password, database). A
// stand-in server on a local socket answers the startup packet the way PostgreSQL does,
// so no cluster is needed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>

#include "../support/expect_error.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"

namespace strata::test {
namespace {

// Accepts one connection, reads the startup packet, then answers with `reply` (nothing:
// closes the socket) and closes.
class stand_in_server {
public:
    explicit stand_in_server(std::string reply) : reply_(std::move(reply)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 4) != 0)
            throw std::runtime_error("stand-in server: cannot listen");
        socklen_t n = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~stand_in_server() {
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
    }
    [[nodiscard]] std::string url() const {
        return "postgresql://app:Stand-In-Passw0rd@127.0.0.1:" + std::to_string(port_) +
               "/app?sslmode=disable&gssencmode=disable&connect_timeout=5";
    }

private:
    void serve() {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::uint8_t length[4];
        if (read_all(c, length, 4)) {
            const std::uint32_t n = (std::uint32_t{length[0]} << 24) | (length[1] << 16) | (length[2] << 8) | length[3];
            std::string rest(n >= 4 ? n - 4 : 0, '\0');
            if (read_all(c, rest.data(), rest.size()) && !reply_.empty())
                (void)!::write(c, reply_.data(), reply_.size());
        }
        ::close(c);
    }
    static bool read_all(int fd, void* out, std::size_t n) {
        auto* p = static_cast<char*>(out);
        while (n > 0) {
            const ssize_t got = ::read(fd, p, n);
            if (got <= 0) return false;
            p += got;
            n -= static_cast<std::size_t>(got);
        }
        return true;
    }

    std::string reply_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// An ErrorResponse message: FATAL, the SQLSTATE and the server's message.
std::string fatal(const std::string& sqlstate, const std::string& message) {
    std::string fields;
    for (const auto& [type, value] : {std::pair{'S', std::string("FATAL")}, std::pair{'V', std::string("FATAL")},
                                      std::pair{'C', sqlstate}, std::pair{'M', message}}) {
        fields += type;
        fields += value;
        fields += '\0';
    }
    fields += '\0';
    const std::uint32_t n = static_cast<std::uint32_t>(fields.size() + 4);
    std::string out = "E";
    for (int shift : {24, 16, 8, 0}) out += static_cast<char>((n >> shift) & 0xFF);
    return out + fields;
}

error connect_error(const std::string& reply) {
    stand_in_server server(reply);
    auto rt = instantiate(postgres::make_stack());
    auto e = catch_error([&] { rt.connect(postgres::url{server.url()}); });
    if (!e) throw std::runtime_error("connect unexpectedly succeeded");
    EXPECT_EQ(e->code(), "DRIVER.CONNECT_FAILED") << e->describe();
    EXPECT_EQ(e->describe().find("Stand-In-Passw0rd"), std::string::npos) << e->describe();
    return *e;
}

TEST(pg_connect_errors, a_server_that_is_not_there_for_a_moment_is_transient) {
    for (const char* message :
         {"the database system is starting up", "the database system is shutting down",
          "the database system is not yet accepting connections", "the database system is in recovery mode"}) {
        const error e = connect_error(fatal("57P03", message));
        EXPECT_TRUE(e.transient()) << e.describe();
    }
    EXPECT_TRUE(connect_error(fatal("53300", "sorry, too many clients already")).transient());
    const error closed = connect_error("");  // the socket closed during the handshake
    EXPECT_TRUE(closed.transient()) << closed.describe();
}

TEST(pg_connect_errors, what_a_retry_cannot_mend_is_not_transient) {
    const error auth = connect_error(fatal("28P01", "password authentication failed for user \"app\""));
    EXPECT_FALSE(auth.transient()) << auth.describe();
    EXPECT_EQ(auth.sql()->sqlstate, "28P01");
    const error missing = connect_error(fatal("3D000", "database \"app\" does not exist"));
    EXPECT_FALSE(missing.transient()) << missing.describe();
}

}  // namespace
}  // namespace strata::test
