#include "ws/ws_session.hpp"

#include <spdlog/spdlog.h>

#include "engine/ids.hpp"
#include "ws/hub.hpp"

namespace relay {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {
constexpr std::size_t max_queued = 4096;  // a client this far behind is dropped
}

ws_session::ws_session(beast::tcp_stream&& stream, hub& h, principal who)
    : ws_(std::move(stream)), hub_(h), who_(std::move(who)) {}

ws_session::~ws_session() {
    if (registered_) hub_.remove(this);
}

void ws_session::run(beast::http::request<beast::http::string_body> upgrade) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    auto self = shared_from_this();
    auto req = std::make_shared<beast::http::request<beast::http::string_body>>(std::move(upgrade));
    ws_.async_accept(*req, [self, req](beast::error_code ec) { self->on_accept(ec); });
}

void ws_session::on_accept(beast::error_code ec) {
    if (ec) return;
    hub_.add(shared_from_this());
    registered_ = true;
    spdlog::debug("ws: agent {} connected", who_.agent_id);
    send(std::make_shared<const std::string>(
        json{{"type", "connected"},
             {"seq", 0},
             {"data", {{"agent_id", id_text(who_.agent_id)}, {"agent_name", who_.agent_name}}}}
            .dump()));
    read();
}

void ws_session::read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
            if (self->registered_) self->hub_.remove(self.get());
            self->registered_ = false;
            return;
        }
        const auto text = beast::buffers_to_string(self->buffer_.data());
        self->buffer_.consume(self->buffer_.size());
        const json msg = json::parse(text, nullptr, false);
        if (!msg.is_discarded() && msg.is_object() && msg.value("type", "") == "ping")
            self->send(std::make_shared<const std::string>(R"({"type":"pong","seq":0,"data":{}})"));
        self->read();
    });
}

void ws_session::send(std::shared_ptr<const std::string> text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
        if (self->closing_) return;
        if (self->queue_.size() >= max_queued) {
            spdlog::warn("ws: agent {} is not reading; closing its connection", self->who_.agent_id);
            self->closing_ = true;
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().close(ignored);
            return;
        }
        self->queue_.push_back(std::move(text));
        if (self->queue_.size() == 1) self->write_next();
    });
}

void ws_session::write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
            self->queue_.clear();
            return;
        }
        self->queue_.pop_front();
        if (!self->queue_.empty()) self->write_next();
    });
}

void ws_session::close() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->closing_) return;
        self->closing_ = true;
        self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().close(ignored);
        });
    });
}

}  // namespace relay
