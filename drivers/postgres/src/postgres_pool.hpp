// Internal: the connections behind a PostgreSQL binding.
//
// An owned pool (url or make_pool) opens connections on demand up to max_size, hands
// out idle ones most-recently-used first after validating them, closes expired and idle
// ones as it goes (no background thread), and drops broken ones so the next acquire
// opens a fresh connection. Once a connection is found lost, every idle connection is
// checked before it is handed out again. A borrowed pool (client) holds the caller's
// single PGconn: one lease at a time, never closed, never replaced.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "postgres_raw_connection.hpp"
#include "strata/postgres.hpp"

namespace strata::postgres::detail {

class lease;

}  // namespace strata::postgres::detail

namespace strata::postgres {

struct pool::core : std::enable_shared_from_this<pool::core> {
    // Validates the url and its options, opens min_size connections (at least one).
    static std::shared_ptr<core> open(const url& u);
    // Wraps the caller's connection. Validates the binding.
    static std::shared_ptr<core> borrow(const client& c);

    // Waits for a connection (acquire_timeout, the deadline, the cancel token).
    [[nodiscard]] detail::lease acquire(const execution_control& c);
    void give_back(std::unique_ptr<detail::raw_connection> conn, bool reusable) noexcept;
    void close() noexcept;
    [[nodiscard]] bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    // The caller's single connection (client binding): no second one can be opened.
    [[nodiscard]] bool borrowed() const noexcept { return borrowed_; }
    [[nodiscard]] pool::stats statistics() const;
    // The URL the pool connects with, for a listener of its own (postgres/listener.hpp).
    // DRIVER.BINDING_INVALID for a caller-owned connection: there is no URL to open another.
    [[nodiscard]] url listener_url() const;

    std::string description;
    detail::table_names names;

    core() = default;
    core(const core&) = delete;
    core& operator=(const core&) = delete;
    ~core();

private:
    [[nodiscard]] std::unique_ptr<detail::raw_connection> open_connection() const;
    [[nodiscard]] bool expired(const detail::raw_connection& c, clock::time_point now) const;
    // Still the session settings it was opened with (postgres_session.hpp).
    [[nodiscard]] bool session_intact(const detail::raw_connection& c) const noexcept;
    // `after_loss`: the connection sat idle while another was found lost.
    [[nodiscard]] bool validate(detail::raw_connection& c, bool after_loss) const;
    // Drops expired idle connections beyond min_size (under the lock); returns them.
    std::vector<std::unique_ptr<detail::raw_connection>> sweep_locked(clock::time_point now);
    [[nodiscard]] detail::lease acquire_borrowed(const execution_control& c);

    bool borrowed_ = false;
    std::string conninfo_;
    std::string password_;  // only to mask it in error messages
    std::string session_options_;  // libpq `options`: the URL's, then strata's settings
    std::string timezone_;         // the session TimeZone of the pool's connections (fixed at open)
    pool_options options_;

    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<detail::raw_connection>> idle_;  // back = most recently used
    std::size_t open_ = 0;                                   // idle + leased + being opened
    std::size_t waiting_ = 0;
    std::uint64_t opened_ = 0;
    std::uint64_t discarded_ = 0;
    // When a connection was last found lost. An idle connection given back before then
    // is checked before its next use, however recently it was used: a restarted server
    // or a purge of backends leaves every one of them dead.
    clock::time_point lost_at_{};
    std::thread::id borrowed_holder_{};  // the thread holding the borrowed connection
    std::atomic<bool> closed_{false};
};

}  // namespace strata::postgres

namespace strata::postgres::detail {

// A raw connection on loan. Goes back to its pool when given back or destroyed; discard()
// means its state is unknown and it must not be reused.
class lease {
public:
    lease(std::shared_ptr<pool::core> owner, std::unique_ptr<raw_connection> conn) noexcept
        : owner_(std::move(owner)), conn_(std::move(conn)) {}
    lease(lease&&) noexcept = default;
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    ~lease() { give_back(); }

    [[nodiscard]] bool held() const noexcept { return conn_ != nullptr; }
    [[nodiscard]] raw_connection& conn() const noexcept { return *conn_; }
    [[nodiscard]] pool::core& owner() const noexcept { return *owner_; }
    void discard() noexcept { reusable_ = false; }
    void give_back() noexcept {
        if (conn_ && owner_) owner_->give_back(std::move(conn_), reusable_);
        conn_.reset();
    }

    // Set by the driver: true once the runtime that leased it was closed.
    std::shared_ptr<const std::atomic<bool>> driver_closed;

private:
    std::shared_ptr<pool::core> owner_;
    std::unique_ptr<raw_connection> conn_;
    bool reusable_ = true;
};

}  // namespace strata::postgres::detail
