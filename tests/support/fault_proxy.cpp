#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>

namespace strata::test {
namespace {

constexpr int poll_ms = 50;  // how soon a session notices the proxy stopping

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

std::uint32_t be32(const std::string& b, std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// The authority of a postgresql:// URL: [user[:password]@]host[:port]
void split_url(const std::string& url, std::size_t& authority_begin, std::size_t& authority_end) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) throw std::invalid_argument("fault_proxy needs a postgresql:// URL");
    authority_begin = scheme + 3;
    authority_end = url.find_first_of("/?", authority_begin);
    if (authority_end == std::string::npos) authority_end = url.size();
}

int connect_to(const std::string& host, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (fd < 0 || ::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    return fd;
}

// Reads the server's last replies, if any, and throws them away until it closes:
// within 5 s after telling it the client is gone (end of input), or, when the server's
// side stays open (half-open), until the server ends the connection or `stopping`.
void drain_and_close(int server, bool half_open, const std::atomic<bool>& stopping) {
    if (!half_open) ::shutdown(server, SHUT_WR);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    char buf[8192];
    while (half_open ? !stopping.load() : std::chrono::steady_clock::now() < end) {
        pollfd p{server, POLLIN, 0};
        if (::poll(&p, 1, poll_ms) < 0) break;
        if (p.revents == 0) continue;
        if (::recv(server, buf, sizeof buf, 0) <= 0) break;
    }
    ::close(server);
}

}  // namespace

fault_proxy::fault_proxy(const std::string& url) {
    std::size_t b = 0;
    std::size_t e = 0;
    split_url(url, b, e);
    std::string authority = url.substr(b, e - b);
    if (const auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
    const auto colon = authority.rfind(':');
    host_ = colon == std::string::npos ? authority : authority.substr(0, colon);
    target_port_ = colon == std::string::npos ? 5432 : std::stoi(authority.substr(colon + 1));
    if (host_ == "localhost") host_ = "127.0.0.1";

    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 64) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (listener_ >= 0) ::close(listener_);
        throw std::runtime_error("fault_proxy could not listen on 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

fault_proxy::~fault_proxy() {
    stopping_.store(true);
    acceptor_.join();
    ::close(listener_);
    std::vector<std::thread> sessions;
    {
        std::lock_guard lock(mutex_);  // sessions take it too (take_match): join outside
        sessions.swap(sessions_);
    }
    for (auto& t : sessions) t.join();
}

std::string fault_proxy::url_through(const std::string& url) const {
    std::size_t b = 0;
    std::size_t e = 0;
    split_url(url, b, e);
    std::string authority = url.substr(b, e - b);
    const auto at = authority.rfind('@');
    const std::string user = at == std::string::npos ? std::string() : authority.substr(0, at + 1);
    std::string out = url.substr(0, b) + user + "127.0.0.1:" + std::to_string(port_) + url.substr(e);
    out += out.find('?') == std::string::npos ? "?" : "&";
    return out + "sslmode=disable&gssencmode=disable";
}

void fault_proxy::arm(message m, drop how) {
    std::lock_guard lock(mutex_);
    armed_.push_back({std::move(m), how});
}

bool fault_proxy::take_match(char type, const std::string& body, drop& how) {
    std::lock_guard lock(mutex_);
    for (auto it = armed_.begin(); it != armed_.end(); ++it) {
        if (it->m.type != type) continue;
        if (type == 'Q' && !it->m.query.empty()) {
            // A simple query's body is its text and a NUL.
            const std::string text = body.empty() ? body : body.substr(0, body.size() - 1);
            if (text != it->m.query) continue;
        }
        how = it->how;
        armed_.erase(it);
        return true;
    }
    return false;
}

void fault_proxy::accept_loop() {
    while (!stopping_.load()) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, poll_ms) <= 0) continue;
        const int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0) continue;
        if (refuse_.load()) {
            ::close(client);
            continue;
        }
        const int server = connect_to(host_, target_port_);
        if (server < 0) {
            ::close(client);
            continue;
        }
        std::lock_guard lock(mutex_);
        sessions_.emplace_back([this, client, server] { serve(client, server); });
    }
}

void fault_proxy::serve(int client, int server) {
    std::string pending;  // client bytes not yet forwarded (an incomplete message)
    bool startup = true;  // untyped packets (SSLRequest, GSSENCRequest, StartupMessage)
    char buf[16384];
    bool open = true;
    while (open && !stopping_.load()) {
        pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (::poll(p, 2, poll_ms) < 0) break;
        if (p[1].revents != 0) {
            const ssize_t n = ::recv(server, buf, sizeof buf, 0);
            if (n <= 0 || !write_all(client, buf, static_cast<std::size_t>(n))) break;
        }
        if (p[0].revents == 0) continue;
        const ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        // Forward every complete message; an armed one ends the session.
        while (open) {
            const std::size_t header = startup ? 8 : 5;
            if (pending.size() < header) break;
            const std::size_t size = startup ? be32(pending, 0) : 1 + be32(pending, 1);
            if (pending.size() < size) break;
            drop how{};
            if (!startup && take_match(pending[0], pending.substr(5, size - 5), how)) {
                if (how == drop::after_forwarding) (void)write_all(server, pending.data(), size);
                ++drops_;
                ::close(client);
                drain_and_close(server, how == drop::swallow, stopping_);
                return;
            }
            if (startup) {
                const std::uint32_t code = be32(pending, 4);
                startup = code == 80877103 || code == 80877104;  // SSL / GSS encryption requests
            }
            open = write_all(server, pending.data(), size);
            pending.erase(0, size);
        }
    }
    ::close(client);
    ::close(server);
}

}  // namespace strata::test
