// One WebSocket connection of an authenticated agent: registers in the hub (or is
// refused 429 when the agent has too many), accepts the upgrade, and has the hub greet
// it with {"type":"connected","seq":P,...} (and replay the deliveries after ?after_seq)
// on a worker thread, since that reads the database; events wait in the hub until then,
// so a client that saw the greeting misses no later event. Then writes events in order. Client messages are
// answered by ws/client_message.hpp; a binary frame closes with 1003; oversized (1009)
// and invalid UTF-8 (1007) messages are closed by the protocol layer. A client that lets
// more than max_queue_bytes pile up is closed with 1008 and resyncs from
// GET /v1/deliveries. A handler that throws closes this connection with 1011.
// Included only by the server's and the session's own translation units.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "engine/principal.hpp"
#include "http/beast.hpp"
#include "http/connection_slot.hpp"
#include "http/server_counters.hpp"
#include "ws/hub.hpp"

namespace relay {

struct ws_limits {
    std::size_t max_message_bytes = 64 * 1024;
    std::size_t max_queue_bytes = 1024 * 1024;
    std::size_t max_per_agent = 16;
};

class ws_session : public ws_connection, public std::enable_shared_from_this<ws_session> {
public:
    ws_session(boost::beast::tcp_stream&& stream, http::connection_slot slot, hub& h, principal who, ws_limits limits,
               http::server_counters& counters, boost::asio::thread_pool& workers,
               std::optional<std::int64_t> after_seq);
    ~ws_session() override;
    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void send(std::shared_ptr<const std::string> text) override;
    void close() override;
    [[nodiscard]] std::int64_t agent_id() const noexcept override { return who_.agent_id; }

private:
    template <class F>
    void guarded(F&& f) noexcept;
    void refuse_upgrade(unsigned version);
    void on_accept(boost::beast::error_code ec);
    void read();
    void on_read(boost::beast::error_code ec);
    void enqueue(std::shared_ptr<const std::string> text);
    void write_next();
    void begin_close(boost::beast::websocket::close_reason reason);
    void hard_close() noexcept;
    void unregister() noexcept;

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    http::connection_slot slot_;
    boost::beast::flat_buffer buffer_;
    boost::asio::steady_timer close_timer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    hub& hub_;
    principal who_;
    ws_limits limits_;
    http::server_counters& counters_;
    boost::asio::thread_pool& workers_;
    std::optional<std::int64_t> after_seq_;
    bool registered_ = false;
    bool accepted_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool close_sent_ = false;
    boost::beast::websocket::close_reason pending_close_{};
};

}  // namespace relay
