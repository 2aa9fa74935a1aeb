// The HTTP/1.1 + WebSocket server. Network I/O runs on a few io threads; request
// handlers (which block on the database) run on a separate worker pool, so a slow query
// never stalls other connections' reads and writes. The network library stays inside
// server.cpp and ws/ws_session.cpp: this header is all the rest of relay sees.
//
// Every input is bounded before it costs anything:
// - connections: at most max_connections open (HTTP and WebSocket); beyond, 503 with
//   Retry-After and close; a failing accept (out of descriptors) backs off;
// - the header: max_header_bytes (431), within header_timeout of the connection or of the
//   previous response;
// - the body: read only after admit() has looked at the header — an unknown route or a
//   missing or bad token is answered at once (and `Expect: 100-continue` is granted only
//   after that); admit() sets the route's body limit (413 beyond it), read within
//   body_timeout;
// - WebSocket: messages up to ws_max_message_bytes, at most ws_max_per_agent connections
//   per agent (429), and at most ws_max_queue_bytes queued for a client that does not
//   read (closed with 1008; it resyncs from GET /v1/deliveries).
// A handler that throws closes its own connection (an HTTP 500, or WebSocket close 1011),
// counted in server_counters; the process and the other connections go on.
// stop(): stop accepting, let in-flight requests finish and write their responses (up to
// stop_timeout), close idle keep-alive and WebSocket connections, then join the threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/principal.hpp"
#include "http/request.hpp"
#include "http/server_counters.hpp"

namespace relay {
class hub;
}

namespace relay::http {

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned io_threads = 2;
    unsigned worker_threads = 8;
    std::size_t max_connections = 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;  // when admit() is not set
    std::chrono::milliseconds header_timeout = std::chrono::seconds(30);
    std::chrono::milliseconds body_timeout = std::chrono::seconds(60);
    std::size_t ws_max_message_bytes = 64 * 1024;
    std::size_t ws_max_queue_bytes = 1024 * 1024;
    std::size_t ws_max_per_agent = 16;
    std::chrono::milliseconds stop_timeout = std::chrono::seconds(15);
};

// What a request's header decides before its body is read.
struct admission {
    std::optional<reply> refuse{};          // answered at once; the body is never read
    std::size_t body_limit = 1024 * 1024;   // 413 beyond it
};

struct server_handlers {
    // Runs on a worker. Returns the reply; never throws.
    std::function<reply(request&)> handle;
    // Runs on a worker when a request has a body, with everything but the body: refuses
    // it or sets its body limit; may set request::caller. Never throws.
    std::function<admission(request&)> admit;
    // Runs on a worker: the agent a WebSocket token belongs to, or nullopt.
    std::function<std::optional<principal>(std::string_view token)> authenticate;
};

class server {
public:
    server(server_options options, server_handlers handlers, hub& h, server_counters& counters);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and starts the threads. Throws std::system_error when the address is taken.
    void start();
    [[nodiscard]] std::uint16_t port() const noexcept;
    void stop();

    class state;

private:
    std::unique_ptr<state> state_;
};

}  // namespace relay::http
