// Raw-socket helpers for tests that send what no well-behaved client would: bytes as
// they are, connections held open and never read, WebSocket frames of any kind.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace relay::test {

// Writes `bytes` and reads until the server closes or `timeout` passes; returns what
// came back.
[[nodiscard]] std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A TCP connection that stays open until destroyed (and reads nothing unless asked).
class raw_connection {
public:
    explicit raw_connection(std::uint16_t port, int receive_buffer_bytes = 0);
    ~raw_connection();
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    void write(const std::string& bytes);
    // Reads until the server closes or `timeout`.
    [[nodiscard]] std::string read_all(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Reads until `needle` is seen, the server closes or `timeout`.
    [[nodiscard]] std::string read_until(const std::string& needle,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    int fd_ = -1;
};

// A WebSocket client for hostile frames: send any frame, read the next message or the
// close the server answers with.
class raw_ws {
public:
    raw_ws(std::uint16_t port, const std::string& token);
    ~raw_ws();
    raw_ws(const raw_ws&) = delete;
    raw_ws& operator=(const raw_ws&) = delete;
    void send_text(const std::string& text);
    void send_binary(const std::string& bytes);
    // The next text message; empty when the connection closed (see close_code()).
    [[nodiscard]] std::string read();
    // The close code the server sent (0 when none).
    [[nodiscard]] int close_code() const;

private:
    struct state;
    std::unique_ptr<state> s_;
};

// One sample of a counter or gauge from GET /metrics (-1 when absent).
[[nodiscard]] double metric_value(std::uint16_t port, const std::string& name);

}  // namespace relay::test
