#include "ws/ws_session.hpp"

#include <spdlog/spdlog.h>

#include "engine/ids.hpp"
#include "http/envelope.hpp"
#include "ws/client_message.hpp"

namespace relay {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using namespace std::chrono_literals;

ws_session::ws_session(beast::tcp_stream&& stream, http::connection_slot slot, hub& h, principal who,
                       ws_limits limits, http::server_counters& counters, net::thread_pool& workers,
                       std::optional<std::int64_t> after_seq)
    : ws_(std::move(stream)),
      slot_(std::move(slot)),
      close_timer_(ws_.get_executor()),
      hub_(h),
      who_(std::move(who)),
      limits_(limits),
      counters_(counters),
      workers_(workers),
      after_seq_(after_seq) {}

ws_session::~ws_session() {
    unregister();
}

// Every completion handler runs inside this: whatever it throws ends this connection
// (close 1011), is counted and logged, and never reaches the io thread.
template <class F>
void ws_session::guarded(F&& f) noexcept {
    try {
        f();
        return;
    } catch (const std::exception& e) {
        try {
            spdlog::error("ws: agent {}: a handler failed ({}); closing its connection", who_.agent_id, e.what());
        } catch (...) {
        }
    } catch (...) {
    }
    ++counters_.handler_failures;
    try {
        begin_close({websocket::close_code::internal_error, "internal error"});
    } catch (...) {
        hard_close();
    }
}

void ws_session::unregister() noexcept {
    if (!registered_) return;
    registered_ = false;
    try {
        hub_.remove(this);
    } catch (...) {  // a failed mutex lock: the hub's weak reference expires with us anyway
    }
}

void ws_session::run(beast::http::request<beast::http::string_body> upgrade) {
    auto req = std::make_shared<beast::http::request<beast::http::string_body>>(std::move(upgrade));
    if (!hub_.add(shared_from_this(), limits_.max_per_agent)) return refuse_upgrade(req->version());
    registered_ = true;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(limits_.max_message_bytes);
    ws_.async_accept(*req, [self = shared_from_this(), req](beast::error_code ec) {
        self->guarded([&] { self->on_accept(ec); });
    });
}

void ws_session::refuse_upgrade(unsigned version) {
    ++counters_.ws_sessions_refused;
    const http::reply rep = http::error_reply(429, "too_many_connections",
                                              "This agent has " + std::to_string(limits_.max_per_agent) +
                                                  " WebSocket connections open; close one first.");
    auto res = std::make_shared<beast::http::response<beast::http::string_body>>(beast::http::status::too_many_requests,
                                                                                  version);
    res->set(beast::http::field::server, "relay");
    res->set(beast::http::field::content_type, rep.content_type);
    res->body() = rep.body;
    res->keep_alive(false);
    res->prepare_payload();
    auto& stream = beast::get_lowest_layer(ws_);
    stream.expires_after(10s);
    beast::http::async_write(stream, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
        self->hard_close();
    });
}

void ws_session::on_accept(beast::error_code ec) {
    if (ec) {
        unregister();
        return;
    }
    accepted_ = true;
    spdlog::debug("ws: agent {} connected", who_.agent_id);
    // The greeting and any replay read the database: not on this network thread.
    net::post(workers_, [self = shared_from_this()] {
        try {
            self->hub_.start(self, self->after_seq_,
                             {{"agent_id", id_text(self->who_.agent_id)}, {"agent_name", self->who_.agent_name}});
        } catch (const std::exception& e) {
            spdlog::warn("ws: agent {}: could not start its event stream ({}); closing it", self->who_.agent_id,
                         e.what());
            net::post(self->ws_.get_executor(), [self] {
                self->guarded([&] { self->begin_close({websocket::close_code::try_again_later, "try again"}); });
            });
        }
    });
    write_next();
    read();
}

void ws_session::read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->guarded([&] { self->on_read(ec); });
    });
}

void ws_session::on_read(beast::error_code ec) {
    if (ec) {
        // Closed, timed out, or a protocol violation the stream has already answered
        // with its close code (1009 too big, 1007 invalid UTF-8, 1002 protocol error).
        if (ec == websocket::error::message_too_big || ec == websocket::error::bad_frame_payload)
            ++counters_.ws_bad_messages;
        unregister();
        return;
    }
    if (!ws_.got_text()) {
        ++counters_.ws_bad_messages;
        buffer_.consume(buffer_.size());
        return begin_close({websocket::close_code::unknown_data, "binary messages are not accepted"});
    }
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    std::string answer = answer_client_message(text);
    if (answer.rfind(R"({"type":"error")", 0) == 0) ++counters_.ws_bad_messages;
    enqueue(std::make_shared<const std::string>(std::move(answer)));
    read();
}

void ws_session::send(std::shared_ptr<const std::string> text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
        self->guarded([&] { self->enqueue(std::move(text)); });
    });
}

void ws_session::enqueue(std::shared_ptr<const std::string> text) {
    if (closing_) return;
    // Bytes waiting behind the frame being written; one event larger than the bound is
    // still sent to a client that keeps up.
    const bool in_flight = writing_ && !queue_.empty();
    const std::size_t waiting = queued_bytes_ - (in_flight ? queue_.front()->size() : 0);
    if (waiting > 0 && waiting + text->size() > limits_.max_queue_bytes) {
        // Not reading: what is queued is dropped (the deliveries are stored) and the
        // client is told why once the frame being written, if any, is out.
        spdlog::warn("ws: agent {} is not reading; closing its connection", who_.agent_id);
        ++counters_.ws_slow_consumers_closed;
        auto front = in_flight ? queue_.front() : nullptr;
        queue_.clear();
        queued_bytes_ = 0;
        if (front) {
            queued_bytes_ = front->size();
            queue_.push_back(std::move(front));
        }
        return begin_close({websocket::close_code::policy_error, "too slow: resync from GET /v1/deliveries"});
    }
    queued_bytes_ += text->size();
    queue_.push_back(std::move(text));
    if (accepted_ && !writing_) write_next();
}

void ws_session::write_next() {
    if (queue_.empty() || writing_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->guarded([&] {
            self->writing_ = false;
            if (ec) {
                self->queue_.clear();
                self->queued_bytes_ = 0;
                return self->hard_close();
            }
            self->queued_bytes_ -= self->queue_.front()->size();
            self->queue_.pop_front();
            if (self->closing_) return self->begin_close({});
            self->write_next();
        });
    });
}

// Sends a close frame once no write is in flight (one write at a time); a peer that
// does not take it within the timer's few seconds loses the connection anyway.
void ws_session::begin_close(websocket::close_reason reason) {
    const bool first = !closing_;
    closing_ = true;
    if (first) {
        close_timer_.expires_after(5s);
        close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->hard_close();
        });
        pending_close_ = std::move(reason);
    }
    if (writing_ || !accepted_) {
        if (!accepted_) hard_close();
        return;
    }
    if (close_sent_) return;
    close_sent_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    ws_.async_close(pending_close_, [self = shared_from_this()](beast::error_code) { self->hard_close(); });
}

void ws_session::hard_close() noexcept {
    unregister();
    beast::error_code ignored;
    try {
        close_timer_.cancel();
    } catch (...) {  // the timer then fires and closes an already closed socket
    }
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

void ws_session::close() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->guarded([&] { self->begin_close({websocket::close_code::going_away}); });
    });
}

}  // namespace relay
