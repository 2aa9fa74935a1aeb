#include "support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>

#include "http/beast.hpp"
#include "support/http_client.hpp"

namespace relay::test {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

raw_connection::raw_connection(std::uint16_t port, int receive_buffer_bytes) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    if (receive_buffer_bytes > 0)
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect() failed");
    }
}

raw_connection::~raw_connection() {
    if (fd_ >= 0) ::close(fd_);
}

void raw_connection::write(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the server closed: what it answered is still readable
        sent += static_cast<std::size_t>(n);
    }
}

std::string raw_connection::read_until(const std::string& needle, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[16384];
    for (;;) {
        if (!needle.empty() && out.find(needle) != std::string::npos) return out;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return out;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) return out;
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return out;
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

std::string raw_connection::read_all(std::chrono::milliseconds timeout) {
    return read_until("", timeout);
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
    raw_connection c(port);
    c.write(bytes);
    return c.read_all(timeout);
}

struct raw_ws::state {
    net::io_context ioc;
    websocket::stream<tcp::socket> ws{ioc};
};

raw_ws::raw_ws(std::uint16_t port, const std::string& token) : s_(std::make_unique<state>()) {
    s_->ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    s_->ws.handshake("127.0.0.1", "/v1/ws?token=" + token);
    if (read().find("\"connected\"") == std::string::npos) throw std::runtime_error("no greeting from the server");
}

raw_ws::~raw_ws() = default;

void raw_ws::send_text(const std::string& text) {
    s_->ws.text(true);
    beast::error_code ec;
    s_->ws.write(net::buffer(text), ec);
}

void raw_ws::send_binary(const std::string& bytes) {
    s_->ws.binary(true);
    beast::error_code ec;
    s_->ws.write(net::buffer(bytes), ec);
}

std::string raw_ws::read() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    s_->ws.read(buffer, ec);
    if (ec) return {};
    return beast::buffers_to_string(buffer.data());
}

int raw_ws::close_code() const {
    return static_cast<int>(s_->ws.reason().code);
}

double metric_value(std::uint16_t port, const std::string& name) {
    const response r = http_client(port).get("/metrics");
    std::istringstream lines(r.body);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return -1;
}

}  // namespace relay::test
