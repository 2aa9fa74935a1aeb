// One WebSocket connection of an authenticated agent: accepts the upgrade, greets with
// {"type":"connected","seq":0,...} once registered in the hub (so a client that saw the
// greeting misses no later event), then writes queued events in order. Messages from
// the client are read and ignored, except {"type":"ping"} (answered with "pong").
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "engine/types.hpp"
#include "http/beast.hpp"

namespace relay {

class hub;

class ws_session : public std::enable_shared_from_this<ws_session> {
public:
    ws_session(boost::beast::tcp_stream&& stream, hub& h, principal who);
    ~ws_session();
    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    // Thread-safe.
    void send(std::shared_ptr<const std::string> text);
    void close();
    [[nodiscard]] std::int64_t agent_id() const noexcept { return who_.agent_id; }

private:
    void on_accept(boost::beast::error_code ec);
    void read();
    void write_next();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    hub& hub_;
    principal who_;
    bool registered_ = false;
    bool closing_ = false;
};

}  // namespace relay
