#include "support/ws_client.hpp"

#include <sys/socket.h>

#include <stdexcept>

#include "http/beast.hpp"

namespace relay::test {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct ws_client::state {
    net::io_context ioc;
    websocket::stream<tcp::socket> ws{ioc};
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<json> events;
    bool closed = false;
};

ws_client::ws_client(std::uint16_t port, const std::string& token, std::optional<std::int64_t> after_seq)
    : s_(std::make_shared<state>()) {
    s_->ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    s_->ws.handshake("127.0.0.1",
                     "/v1/ws?token=" + token + (after_seq ? "&after_seq=" + std::to_string(*after_seq) : ""));
    beast::flat_buffer buffer;
    s_->ws.read(buffer);
    greeting_ = json::parse(beast::buffers_to_string(buffer.data()));
    if (greeting_.value("type", "") != "connected") throw std::runtime_error("no greeting from the server");
    reader_ = std::thread([s = s_] {
        for (;;) {
            beast::flat_buffer b;
            beast::error_code ec;
            s->ws.read(b, ec);
            std::lock_guard lock(s->mutex);
            if (ec) {
                s->closed = true;
                s->cv.notify_all();
                return;
            }
            s->events.push_back(json::parse(beast::buffers_to_string(b.data()), nullptr, false));
            s->cv.notify_all();
        }
    });
}

ws_client::~ws_client() {
    // Unblocks the reader's read; the socket itself closes with the state.
    ::shutdown(s_->ws.next_layer().native_handle(), SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
}

std::optional<json> ws_client::next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(s_->mutex);
    if (!s_->cv.wait_for(lock, timeout, [&] { return !s_->events.empty() || s_->closed; })) return std::nullopt;
    if (s_->events.empty()) return std::nullopt;
    json e = std::move(s_->events.front());
    s_->events.pop_front();
    return e;
}

std::vector<json> ws_client::drain(std::chrono::milliseconds quiet) {
    std::vector<json> out;
    while (auto e = next(quiet)) out.push_back(std::move(*e));
    return out;
}

std::optional<json> ws_client::next_of(const std::string& type, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto e = next(left);
        if (!e) return std::nullopt;
        if (e->value("type", "") == type) return e;
    }
}

bool ws_client::closed() {
    std::lock_guard lock(s_->mutex);
    return s_->closed;
}

unsigned ws_client::upgrade_status(std::uint16_t port, const std::string& target) {
    // A plain HTTP client sees the answer whatever it is (101 when the server upgrades).
    const response r = http_client(port).request("GET", target, "",
                                                 {{"Connection", "Upgrade"},
                                                  {"Upgrade", "websocket"},
                                                  {"Sec-WebSocket-Version", "13"},
                                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
    return r.status;
}

}  // namespace relay::test
