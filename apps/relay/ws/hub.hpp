// The WebSocket hub: which connections belong to which agent, and fan-out of committed
// events as {"type","seq","data"} — each event only to its recipients. seq counts the
// events sent to one agent (from 1; the greeting on connect is seq 0).
//
// The hub knows connections only through `ws_connection`, so neither it nor the routes
// that publish through it compile the network library (ws/ws_session.cpp does).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/types.hpp"

namespace relay {

// One agent's realtime connection, as the hub sees it.
class ws_connection {
public:
    virtual ~ws_connection() = default;
    [[nodiscard]] virtual std::int64_t agent_id() const noexcept = 0;
    // Queue a text frame; thread-safe, never blocks on the network.
    virtual void send(std::shared_ptr<const std::string> text) = 0;
    // Close with 1001 (going away); thread-safe.
    virtual void close() = 0;
};

class hub {
public:
    // Registers a connection unless its agent already has `max_per_agent` (0: no cap).
    [[nodiscard]] bool add(const std::shared_ptr<ws_connection>& c, std::size_t max_per_agent = 0);
    void remove(const ws_connection* c);
    // Call only after the write that produced the events has committed. Each event's data
    // is serialized once, outside the lock; only the per-agent seq is added per recipient.
    void publish(const std::vector<event>& events);
    void close_all();
    [[nodiscard]] std::size_t connections() const;
    [[nodiscard]] std::uint64_t events_sent() const noexcept { return sent_.load(); }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<ws_connection>>> sessions_;
    std::unordered_map<std::int64_t, std::int64_t> seq_;
    std::atomic<std::uint64_t> sent_{0};
};

}  // namespace relay
