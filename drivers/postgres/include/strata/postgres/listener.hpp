// PostgreSQL notifications, the receiving side: LISTEN on a connection of its own, with a
// thread that waits on its socket and hands each notification to the consumer.
//
//   strata::postgres::listener l(strata::postgres::url{url}, {
//       .on_notification = [](const strata::postgres::notification& n) { ... },
//       .on_gap = [](const strata::postgres::gap&) { ... resync from stored rows ... }});
//   l.listen("events");
//
// A lost connection is reopened with backoff and every channel listened again; then the
// consumer gets a gap: whatever was notified while the listener was away is lost, so it
// must read what it missed from the database. Notifications committed after the gap is
// delivered always arrive; some committed just before it may arrive too (read by id and
// deduplicate). PostgreSQL only (docs/decisions/0032-postgres-notifications.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/postgres.hpp"
#include "strata/postgres/notify.hpp"

namespace strata::postgres {

// What pg_notify(channel, payload) sent, after its transaction committed.
struct notification {
    std::string channel{};
    std::string payload{};
    int sender_pid = 0;  // the backend that sent it
};

// The listener was reconnected: notifications sent while it was away are lost.
struct gap {
    std::uint64_t reconnects = 0;  // reconnections so far, this one included
    std::string reason{};          // why the connection was lost (no password, no URL)
};

// Both run on the listener's thread, one at a time, in the order PostgreSQL delivered
// (commit order). While one runs, later notifications wait in memory: hand long work to
// another thread. An exception escaping one is counted (status::handler_failures) and
// the listener goes on. They may call listen()/unlisten() (which then return at once and
// take effect after the handler returns), but must not destroy the listener.
struct listener_handlers {
    std::function<void(const notification&)> on_notification{};
    std::function<void(const gap&)> on_gap{};  // required: a consumer that ignores gaps misses events
};

struct listener_options {
    // Waits between attempts to reconnect: doubling from initial to max, each drawn at
    // random from its upper half, so instances that lost the server together do not
    // come back together.
    std::chrono::milliseconds backoff_initial{100};
    std::chrono::milliseconds backoff_max{std::chrono::seconds(5)};
};

enum class listener_state {
    connected,     // listening on every channel
    reconnecting,  // the connection was lost; notifications sent meanwhile will be missed
    stopped,
};
[[nodiscard]] std::string_view to_string(listener_state s) noexcept;

class listener {
public:
    struct status {
        listener_state state = listener_state::stopped;
        int backend_pid = 0;  // the server process of the current connection (0 when none)
        std::uint64_t reconnects = 0;
        std::uint64_t delivered = 0;  // notifications handed to on_notification
        std::uint64_t handler_failures = 0;
        std::vector<std::string> channels{};  // listened to (or to be, after a reconnect)
        std::string last_error{};             // why the last connection or attempt failed
    };

    // Opens the listener's connection (the URL's pool options give connect_timeout) and
    // starts its thread. Throws DRIVER.BINDING_INVALID (a bad URL, options or a missing
    // on_gap / on_notification) or DRIVER.CONNECT_FAILED: a listener that cannot connect
    // at first is a configuration error, not something to retry in the background.
    listener(const url& binding, listener_handlers handlers, listener_options options = {});
    // The same URL as a pool (its connections are not used: a listener holds its own).
    listener(const pool& shared, listener_handlers handlers, listener_options options = {});
    ~listener();  // stop()
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    // Starts listening to `channel` (DRIVER.NOTIFICATION_INVALID for a bad name). When it
    // returns on a connected listener, LISTEN has run: every notification committed from
    // then on is delivered. While reconnecting it returns at once; the channel is
    // listened to on reconnection, which is followed by a gap. Listening twice is one
    // (the second call waits for the first's LISTEN if a handler asked for it).
    // DRIVER.CLOSED after stop().
    void listen(std::string_view channel);
    // Stops listening; notifications of the channel already on their way are dropped.
    void unlisten(std::string_view channel);

    [[nodiscard]] status current() const;
    [[nodiscard]] listener_state state() const;

    // Ends the thread and closes the connection. Bounded: it interrupts a connection
    // attempt, a backoff or a LISTEN waiting on the server; it waits only for a handler
    // that is running. Idempotent.
    void stop() noexcept;

    struct core;  // internals

private:
    std::shared_ptr<core> core_;
};

}  // namespace strata::postgres
