// How a committed write's events reach the WebSocket clients (decision 0032).
//
// SQLite (one process): straight to this process's hub. PostgreSQL: through the
// database, so every relay instance on it hears every event — a send's own unit
// announces it (engine/notices.hpp); other events are announced right after their
// commit; each instance's listener hands the notifications to one thread that rebuilds
// the events and publishes them to its hub, the writer's instance included. After the
// listener lost its connection (notifications missed), every connection is resynced
// from the stored deliveries. A new connection starts at a sync point: the bus notifies
// a token and starts it when the token comes back, so every event committed before has
// been published already and none reaches it after its greeting.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <unordered_map>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <strata/postgres/listener.hpp>
#include <thread>
#include <vector>

#include "db/database.hpp"
#include "engine/engine.hpp"
#include "ws/hub.hpp"

namespace relay {

class event_bus {
public:
    explicit event_bus(hub& h) : hub_(h) {}
    ~event_bus();
    event_bus(const event_bus&) = delete;
    event_bus& operator=(const event_bus&) = delete;

    // Fans out through PostgreSQL: listens on `channel` on each database (one listener
    // each; they must be PostgreSQL) and announces events on `announce_on`. Throws
    // strata::error when a listener cannot connect.
    void listen(const engine& eng, const std::vector<const database*>& sources, const database& announce_on,
                std::string channel);
    // After the write committed: its events to the clients, unless its unit announced
    // them already.
    void publish(const write_result& r);
    // Stops the listeners and the fan-out thread: nothing is fanned out here any more (a
    // write still announces its events to the other instances). Idempotent.
    void stop();

    // The notification channel of relay on `db`: "relay." and its schema (NOTIFY is per
    // database, and deployments or tests may share one in different schemas).
    [[nodiscard]] static std::string channel_for(const database& db);

    struct status {
        bool through_database = false;
        strata::postgres::listener_state listener = strata::postgres::listener_state::stopped;  // the worst
        std::uint64_t gaps = 0;
        std::uint64_t notifications = 0;
        std::uint64_t bad_notifications = 0;
        std::uint64_t skipped = 0;  // none of their agents connected here
        std::uint64_t announce_failures = 0;  // announced locally instead
    };
    [[nodiscard]] status current() const;

    // Lag from a write's announcement to its fan-out here, in seconds (by the writers'
    // clocks): the buckets' counts, the count and the sum.
    static constexpr std::array<double, 10> lag_buckets{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                        0.025,  0.05,  0.1,   0.25,  1.0};
    struct lag_histogram {
        std::array<std::uint64_t, lag_buckets.size()> counts{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    [[nodiscard]] lag_histogram lag() const;

private:
    struct item {
        bool gap = false;
        std::string payload;
    };
    struct pending_start {
        std::weak_ptr<ws_connection> conn;
        std::optional<std::int64_t> after_seq;
        json greeting;
        std::chrono::steady_clock::time_point asked;
    };
    void run();
    void handle(const std::string& payload);
    void announce(const event& e);
    // hub::starter: a sync token notified now, the connection started when it is back.
    void start_after_sync(const std::shared_ptr<ws_connection>& c, std::optional<std::int64_t> after_seq,
                          const json& greeting);
    // Starts the pending connections that `pick` selects (on the fan-out thread).
    void start_pending(const std::function<bool(const std::string& token, const pending_start&)>& pick);

    hub& hub_;
    const engine* engine_ = nullptr;
    const database* announce_on_ = nullptr;
    std::string channel_;
    std::vector<std::unique_ptr<strata::postgres::listener>> listeners_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<item> queue_;
    bool stopping_ = false;
    std::string sync_prefix_;  // this bus's tokens: other instances ignore them
    std::uint64_t next_sync_ = 0;
    std::unordered_map<std::string, pending_start> pending_;  // under mutex_
    lag_histogram lag_;
    std::atomic<std::uint64_t> gaps_{0};
    std::atomic<std::uint64_t> notifications_{0};
    std::atomic<std::uint64_t> bad_{0};
    std::atomic<std::uint64_t> skipped_{0};
    std::atomic<std::uint64_t> announce_failures_{0};
};

}  // namespace relay
