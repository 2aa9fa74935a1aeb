// The HTTP/1.1 + WebSocket server on Boost.Beast. Network I/O runs on a few io threads;
// request handlers (which block on the database) run on a separate worker pool, so a
// slow query never stalls other connections' reads and writes.
//
// Bodies are limited (JSON: max_body_bytes; POST /v1/files: max_file_bytes): a larger
// Content-Length or chunked body gets 413 payload_too_large and the connection closes
// after the rest of the upload is drained (so the client can read the 413).
// stop(): stop accepting, let in-flight requests finish and write their responses,
// close idle keep-alive and WebSocket connections, then join the threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/types.hpp"
#include "http/beast.hpp"
#include "http/request.hpp"

namespace relay {
class hub;
}

namespace relay::http {

class http_session;

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned io_threads = 2;
    unsigned worker_threads = 8;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_file_bytes = 10 * 1024 * 1024;
};

struct server_handlers {
    // Runs on a worker. Returns the reply; never throws.
    std::function<reply(request&)> handle;
    // Runs on a worker: the agent a WebSocket token belongs to, or nullopt.
    std::function<std::optional<principal>(std::string_view token)> authenticate;
};

class server {
public:
    server(server_options options, server_handlers handlers, hub& h);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and starts the threads. Throws std::system_error when the address is taken.
    void start();
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    void stop();

private:
    friend class http_session;
    void accept();
    void track(const std::shared_ptr<http_session>& s);

    server_options options_;
    server_handlers handlers_;
    hub& hub_;
    // Destroyed explicitly at the end of stop(), while the rest of the server is alive:
    // destroying the io_context destroys the sessions its pending handlers hold.
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    boost::asio::thread_pool workers_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> in_flight_{0};
    std::atomic<int> sessions_open_{0};
    std::mutex sessions_mutex_;
    std::vector<std::weak_ptr<http_session>> sessions_;
    bool stopped_ = false;
};

}  // namespace relay::http
