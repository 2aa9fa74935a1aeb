// A WebSocket client for the tests: connects to /v1/ws?token=..., waits for the
// server's greeting (so it is registered before the test goes on), then collects
// events on a reader thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

namespace relay::test {

class ws_client {
public:
    // after_seq: resume after that delivery seq (?after_seq=).
    ws_client(std::uint16_t port, const std::string& token, std::optional<std::int64_t> after_seq = std::nullopt);
    ~ws_client();
    ws_client(const ws_client&) = delete;
    ws_client& operator=(const ws_client&) = delete;

    // The next event (greeting excluded), or nullopt after `timeout`.
    [[nodiscard]] std::optional<json> next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Every event that arrives until none came for `quiet`.
    [[nodiscard]] std::vector<json> drain(std::chrono::milliseconds quiet = std::chrono::milliseconds(300));
    // The next event of `type`, skipping others (nullopt after `timeout`).
    [[nodiscard]] std::optional<json> next_of(const std::string& type,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(5));
    [[nodiscard]] const json& greeting() const noexcept { return greeting_; }
    [[nodiscard]] bool closed();

    // The HTTP status the server answers an upgrade request with (101: upgraded).
    [[nodiscard]] static unsigned upgrade_status(std::uint16_t port, const std::string& target);

private:
    struct state;
    std::shared_ptr<state> s_;
    std::thread reader_;
    json greeting_;
};

}  // namespace relay::test
