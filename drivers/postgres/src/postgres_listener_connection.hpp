// Internal: the listener's own libpq connection, driven without blocking so that every
// wait (connecting, a LISTEN, the next notification) ends when the listener is stopped.
// Used only by the listener's thread (after the first connect, made by its constructor).
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/postgres/listener.hpp"

namespace strata::postgres::detail {

// Interrupts a wait of the listener's thread (an eventfd it polls with its socket).
class wakeup {
public:
    wakeup();
    ~wakeup();
    wakeup(const wakeup&) = delete;
    wakeup& operator=(const wakeup&) = delete;
    void signal() noexcept;
    void clear() const noexcept;
    [[nodiscard]] int fd() const noexcept { return fd_; }

private:
    int fd_ = -1;
};

// What the thread waits with: the wakeup and the flag stop() sets before signalling it.
struct interrupt {
    const wakeup& wake;
    const std::atomic<bool>& stopping;
};

enum class wait_result { ready, woken, timed_out };
// Waits for `events` on `socket` (-1: none) or the wakeup (cleared when it fired) until
// `until` (nullopt: no limit).
wait_result wait_for(int socket, short events, const wakeup& wake,
                     std::optional<std::chrono::steady_clock::time_point> until);

// Where to connect: the URL and what masks it in messages.
struct listener_target {
    std::string conninfo;
    std::string password;     // only to mask it
    std::string description;  // redacted
    std::chrono::seconds connect_timeout{10};
};

enum class step { ok, failed, lost, stopped };
struct step_result {
    step outcome = step::ok;
    std::string error{};  // failed or lost: why (no password)
};

class listener_connection {
public:
    // Connects without blocking longer than connect_timeout or past stop(). Throws
    // DRIVER.CONNECT_FAILED; returns nullptr when stopped meanwhile.
    [[nodiscard]] static std::unique_ptr<listener_connection> open(const listener_target& t, interrupt i);
    ~listener_connection();
    listener_connection(const listener_connection&) = delete;
    listener_connection& operator=(const listener_connection&) = delete;

    // Runs `sql` (simple query protocol, possibly several statements). Notifications
    // that arrive meanwhile are kept for take_notifications().
    [[nodiscard]] step_result exec(const std::string& sql, interrupt i);
    // Waits until the server sent something (read into libpq's buffers) or the wakeup
    // fired: ok, lost or stopped.
    [[nodiscard]] step_result wait_input(interrupt i);
    [[nodiscard]] std::vector<notification> take_notifications();
    [[nodiscard]] int backend_pid() const noexcept { return PQbackendPID(conn_); }

private:
    listener_connection(PGconn* conn, std::string password) : conn_(conn), password_(std::move(password)) {}
    [[nodiscard]] step_result lost();
    PGconn* conn_;
    std::string password_;
    std::string last_notice_;  // the server's last message outside a query (why it ended us)
};

}  // namespace strata::postgres::detail
