// The WebSocket hub: which connections belong to which agent, and fan-out of committed
// events as {"type","seq","data"}, each event only to its recipients.
//
// seq is the agent's stored delivery seq (decision 0032), the same on every relay
// instance: a frame for a delivery carries that delivery's seq (a message event and its
// delivery.accepted carry the same one); a frame that gives this agent no delivery
// carries the connection's position, the last delivery seq it sent. A connection never
// sends a delivery seq twice and never skips one: when a write's events arrive out of
// order, or were missed, the deliveries in between are read from the database and sent
// first as delivery.replay frames. A client that reconnects with ?after_seq=N gets every
// delivery after N the same way, then live events.
//
// The hub knows connections only through `ws_connection`, so neither it nor the routes
// that publish through it compile the network library (ws/ws_session.cpp does).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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

// What the hub reads from the database (the engine's delivery_position and
// deliveries_after); both may throw.
struct delivery_reader {
    std::function<std::int64_t(std::int64_t agent)> position;
    std::function<std::vector<json>(std::int64_t agent, std::int64_t after, std::size_t limit)> after;
};

class hub {
public:
    // Deliveries one catch-up replays at most; past it, a resync frame sends the client
    // to GET /v1/deliveries?after_seq=.
    static constexpr std::size_t replay_limit = 500;

    hub() = default;
    explicit hub(delivery_reader reader) : reader_(std::move(reader)) {}
    void set_reader(delivery_reader reader) { reader_ = std::move(reader); }

    // Registers a connection unless its agent already has `max_per_agent` (0: no cap).
    // It gets no event until start().
    [[nodiscard]] bool add(const std::shared_ptr<ws_connection>& c, std::size_t max_per_agent = 0);
    // Greets a registered connection ({"type":"connected","seq":P,"data":greeting}): with
    // after_seq, P is it and the deliveries after it are replayed; without, P is the
    // agent's newest delivery seq. Events published before are not its: their deliveries
    // are at or below P (published after their commit, read before this), and the rest
    // happened before the greeting. Reads the database: call it off the network threads.
    // Throws when the database cannot be read.
    void start(const std::shared_ptr<ws_connection>& c, std::optional<std::int64_t> after_seq, const json& greeting);
    // How a connection is started: start() at once, or — events coming through the
    // database (ws/event_bus) — once every event committed before now has been published
    // here, so that none of them reaches it after the greeting.
    using starter = std::function<void(const std::shared_ptr<ws_connection>&, std::optional<std::int64_t>, const json&)>;
    void set_starter(starter s) { starter_ = std::move(s); }
    void begin(const std::shared_ptr<ws_connection>& c, std::optional<std::int64_t> after_seq, const json& greeting) {
        if (starter_) return starter_(c, after_seq, greeting);
        start(c, after_seq, greeting);
    }
    void remove(const ws_connection* c);
    // One committed write's events. Each event's data is serialized once; a connection
    // that missed deliveries before these reads them first (on the calling thread).
    void publish(const std::vector<event>& events);
    // Notifications were lost (a listener reconnected): every started connection gets
    // {"type":"resync","seq":P,"data":{"after_seq":P,"reason":reason}} and the deliveries
    // after P.
    void resync_all(const std::string& reason);
    void close_all();
    [[nodiscard]] std::size_t connections() const;
    // Whether any of `agents` has a connection here.
    [[nodiscard]] bool any_connected(const std::vector<std::int64_t>& agents) const;
    [[nodiscard]] std::uint64_t events_sent() const noexcept { return sent_.load(); }
    [[nodiscard]] std::uint64_t deliveries_replayed() const noexcept { return replayed_.load(); }
    [[nodiscard]] std::uint64_t resyncs_sent() const noexcept { return resyncs_.load(); }

    struct prepared;  // a write's events, serialized (ws/hub.cpp)
    struct position;  // one connection's delivery seq

private:
    struct member {
        std::weak_ptr<ws_connection> conn;
        std::shared_ptr<position> pos;
    };
    struct target {
        std::shared_ptr<ws_connection> conn;
        std::shared_ptr<position> pos;
    };
    [[nodiscard]] std::shared_ptr<position> position_of(const ws_connection* c) const;
    void deliver(ws_connection& c, position& pos, const prepared& p);
    // Replays the deliveries after pos.last (up to `upto` when set); a resync frame
    // when more are missing than replay_limit.
    void catch_up(ws_connection& c, position& pos, std::optional<std::int64_t> upto);
    void send_frame(ws_connection& c, const std::string& type, std::int64_t seq, const json& data);

    delivery_reader reader_;
    starter starter_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<member>> sessions_;
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> replayed_{0};
    std::atomic<std::uint64_t> resyncs_{0};
};

}  // namespace relay
