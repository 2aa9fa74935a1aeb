// The WebSocket hub: which connections belong to which agent, and fan-out of committed
// events as {"type","seq","data"} — each event only to its recipients. seq counts the
// events sent to one agent (from 1; the greeting on connect is seq 0).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine/types.hpp"

namespace relay {

class ws_session;

class hub {
public:
    void add(const std::shared_ptr<ws_session>& s);
    void remove(const ws_session* s);
    // Call only after the write that produced the events has committed.
    void publish(const std::vector<event>& events);
    void close_all();
    [[nodiscard]] std::size_t connections() const;
    [[nodiscard]] std::uint64_t events_sent() const noexcept { return sent_.load(); }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<ws_session>>> sessions_;
    std::unordered_map<std::int64_t, std::int64_t> seq_;
    std::atomic<std::uint64_t> sent_{0};
};

}  // namespace relay
