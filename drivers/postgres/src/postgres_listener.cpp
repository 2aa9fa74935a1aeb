// strata::postgres::listener: the thread that keeps a LISTEN connection, and what its
// callers see (docs/decisions/0032-postgres-notifications.md).
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "postgres_bindings.hpp"
#include "postgres_errors.hpp"
#include "postgres_listener_connection.hpp"
#include "postgres_pool.hpp"
#include "strata/postgres/listener.hpp"

namespace strata::postgres {

std::string_view to_string(listener_state s) noexcept {
    switch (s) {
        case listener_state::connected:
            return "connected";
        case listener_state::reconnecting:
            return "reconnecting";
        case listener_state::stopped:
            return "stopped";
    }
    return "stopped";
}

namespace {
using detail::step;
using detail::step_result;

// A LISTEN or UNLISTEN a caller waits for (queued only while connected).
struct command {
    bool listen = true;
    std::string channel;
    bool done = false;
    std::string error{};  // the server refused it
};

std::string listen_sql(bool listen, const std::string& channel) {
    return (listen ? "LISTEN " : "UNLISTEN ") + quoted_channel(channel);
}

[[noreturn]] void invalid(std::string_view field, std::string_view reason) {
    driver_errors::binding_invalid(detail::driver_name, field, reason);
}
}  // namespace

struct listener::core {
    detail::listener_target target;
    listener_handlers handlers;
    listener_options options;
    detail::wakeup wake;
    std::atomic<bool> stopping{false};
    std::atomic<std::thread::id> thread_id{};
    std::unique_ptr<detail::listener_connection> conn;  // the thread's once it runs
    std::minstd_rand random{std::random_device{}()};

    mutable std::mutex mutex;
    std::condition_variable done;
    std::set<std::string, std::less<>> channels;  // what the consumer asked for
    std::deque<std::shared_ptr<command>> pending;
    listener_state state = listener_state::connected;
    int backend_pid = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t delivered = 0;
    std::uint64_t handler_failures = 0;
    std::string last_error;
    std::thread thread;
    std::mutex stop_mutex;  // one stop() joins

    [[nodiscard]] detail::interrupt signal() const { return {wake, stopping}; }
    [[nodiscard]] bool on_thread() const { return thread_id.load() == std::this_thread::get_id(); }

    void run();
    step_result serve();
    bool reconnect(const std::string& reason);
    [[nodiscard]] bool sleep(std::chrono::milliseconds d) const;
    [[nodiscard]] std::chrono::milliseconds jittered(std::chrono::milliseconds d);
    void deliver(const std::vector<notification>& batch);
    void deliver(const gap& g);
    void leave_connected(listener_state next, const std::string& error);
    void change(bool listen, std::string_view channel);
};

// --- the thread -----------------------------------------------------------------

void listener::core::run() {
    thread_id.store(std::this_thread::get_id());
    auto backoff = options.backoff_initial;
    while (!stopping.load()) {
        const step_result ended = serve();
        conn.reset();
        if (ended.outcome == step::stopped) break;
        leave_connected(listener_state::reconnecting, ended.error);
        // Reconnect until it works or stop() is called.
        for (;;) {
            if (!sleep(jittered(backoff))) break;
            backoff = std::min(backoff * 2, options.backoff_max);
            if (reconnect(ended.error)) {
                backoff = options.backoff_initial;
                break;
            }
        }
    }
    conn.reset();
    leave_connected(listener_state::stopped, {});
}

step_result listener::core::serve() {
    for (;;) {
        if (stopping.load()) return {step::stopped};
        for (;;) {
            std::shared_ptr<command> c;
            {
                std::lock_guard lock(mutex);
                if (pending.empty()) break;
                c = pending.front();
            }
            step_result r = conn->exec(listen_sql(c->listen, c->channel), signal());
            if (r.outcome == step::lost || r.outcome == step::stopped) return r;
            {
                std::lock_guard lock(mutex);
                pending.pop_front();
                c->done = true;
                c->error = std::move(r.error);
            }
            done.notify_all();
        }
        deliver(conn->take_notifications());
        step_result r = conn->wait_input(signal());
        if (r.outcome != step::ok) return r;
        deliver(conn->take_notifications());
    }
}

bool listener::core::reconnect(const std::string& reason) {
    try {
        conn = detail::listener_connection::open(target, signal());
    } catch (const error& e) {
        std::lock_guard lock(mutex);
        last_error = e.message();
        return false;
    }
    if (!conn) return true;  // stopped: the caller's loop ends
    std::set<std::string, std::less<>> listened;
    {
        std::lock_guard lock(mutex);
        listened = channels;
    }
    std::string sql;
    for (const auto& ch : listened) sql += listen_sql(true, ch) + ";";
    if (!sql.empty()) {
        const step_result r = conn->exec(sql, signal());
        if (r.outcome == step::stopped) return true;
        if (r.outcome != step::ok) {
            conn.reset();
            std::lock_guard lock(mutex);
            last_error = r.error;
            return false;
        }
    }
    gap g{.reconnects = 0, .reason = reason};
    {
        std::lock_guard lock(mutex);
        // Channels asked for or dropped while this connection was being made.
        for (const auto& ch : channels)
            if (!listened.contains(ch)) pending.push_back(std::make_shared<command>(command{true, ch}));
        for (const auto& ch : listened)
            if (!channels.contains(ch)) pending.push_back(std::make_shared<command>(command{false, ch}));
        state = listener_state::connected;
        backend_pid = conn->backend_pid();
        g.reconnects = ++reconnects;
    }
    // After LISTEN ran: whatever commits from here on is delivered, so a resync that
    // starts in the handler misses nothing.
    deliver(g);
    return true;
}

bool listener::core::sleep(std::chrono::milliseconds d) const {
    const auto until = std::chrono::steady_clock::now() + d;
    for (;;) {
        const auto w = detail::wait_for(-1, 0, wake, until);
        if (stopping.load()) return false;
        if (w == detail::wait_result::timed_out) return true;
    }
}

std::chrono::milliseconds listener::core::jittered(std::chrono::milliseconds d) {
    const auto half = std::max<std::int64_t>(1, d.count() / 2);
    std::uniform_int_distribution<std::int64_t> pick(half, std::max<std::int64_t>(half, d.count()));
    return std::chrono::milliseconds(pick(random));
}

void listener::core::deliver(const std::vector<notification>& batch) {
    for (const auto& n : batch) {
        {
            std::lock_guard lock(mutex);
            if (!channels.contains(n.channel)) continue;  // unlistened since it was sent
        }
        bool ok = true;
        try {
            handlers.on_notification(n);
        } catch (...) {
            ok = false;
        }
        std::lock_guard lock(mutex);
        ++(ok ? delivered : handler_failures);
    }
}

void listener::core::deliver(const gap& g) {
    try {
        handlers.on_gap(g);
    } catch (...) {
        std::lock_guard lock(mutex);
        ++handler_failures;
    }
}

void listener::core::leave_connected(listener_state next, const std::string& error) {
    {
        std::lock_guard lock(mutex);
        state = next;
        backend_pid = 0;
        if (!error.empty()) last_error = error;
        for (auto& c : pending) c->done = true;
        pending.clear();
    }
    done.notify_all();
}

// --- what callers see ----------------------------------------------------------------

void listener::core::change(bool listen, std::string_view channel) {
    check_channel(channel);
    std::shared_ptr<command> c;
    {
        std::lock_guard lock(mutex);
        if (state == listener_state::stopped || stopping.load())
            driver_errors::closed(detail::driver_name, listen ? "listener::listen()" : "listener::unlisten()");
        if (channels.contains(channel) == listen) {
            // Nothing to change, but the same change may still be on its way (asked for
            // from a handler): wait for it like its caller would have.
            const auto same = std::find_if(pending.begin(), pending.end(),
                                           [&](const auto& p) { return p->listen == listen && p->channel == channel; });
            if (same == pending.end()) return;
            c = *same;
        } else {
            if (listen) {
                channels.emplace(channel);
            } else {
                channels.erase(channels.find(channel));
            }
            // While reconnecting, the next connection listens to the set as it is then.
            if (state != listener_state::connected) return;
            c = std::make_shared<command>(command{listen, std::string(channel)});
            pending.push_back(c);
        }
    }
    wake.signal();
    if (on_thread()) return;  // from a handler: runs when the handler returns
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return c->done; });
    if (!c->error.empty()) {
        throw error(std::string(codes::query_failed),
                    "PostgreSQL refused " + listen_sql(listen, c->channel) + ": " + c->error + ".");
    }
}

listener::listener(const url& binding, listener_handlers handlers, listener_options options) {
    if (!handlers.on_notification) invalid("on_notification", "must be set");
    if (!handlers.on_gap) invalid("on_gap", "must be set: after a reconnect, what was missed must be read again");
    if (options.backoff_initial.count() <= 0) invalid("backoff_initial", "must be positive");
    if (options.backoff_max < options.backoff_initial) invalid("backoff_max", "must be at least backoff_initial");
    const detail::checked_url checked = detail::check_url(binding);
    core_ = std::make_shared<core>();
    core_->target = detail::listener_target{.conninfo = binding.value,
                                            .password = checked.password,
                                            .description = describe_binding(binding),
                                            .connect_timeout = binding.options.connect_timeout};
    core_->handlers = std::move(handlers);
    core_->options = options;
    core_->conn = detail::listener_connection::open(core_->target, core_->signal());
    core_->backend_pid = core_->conn->backend_pid();
    // The thread shares the core: a handler that stops the listener (its own thread
    // cannot be joined) leaves the core alive until the thread returns.
    core_->thread = std::thread([c = core_] { c->run(); });
}

listener::listener(const pool& shared, listener_handlers handlers, listener_options options)
    : listener(shared.internals()->listener_url(), std::move(handlers), options) {}

listener::~listener() {
    stop();
}

void listener::listen(std::string_view channel) {
    core_->change(true, channel);
}

void listener::unlisten(std::string_view channel) {
    core_->change(false, channel);
}

listener::status listener::current() const {
    std::lock_guard lock(core_->mutex);
    return status{.state = core_->state,
                  .backend_pid = core_->backend_pid,
                  .reconnects = core_->reconnects,
                  .delivered = core_->delivered,
                  .handler_failures = core_->handler_failures,
                  .channels = {core_->channels.begin(), core_->channels.end()},
                  .last_error = core_->last_error};
}

listener_state listener::state() const {
    std::lock_guard lock(core_->mutex);
    return core_->state;
}

void listener::stop() noexcept {
    core_->stopping.store(true);
    core_->wake.signal();
    if (core_->on_thread()) {
        // From a handler: the thread cannot join itself. It ends when the handler returns
        // (the core lives as long as the thread). If another stop() is joining it, that
        // one holds the lock and finishes the job.
        const std::unique_lock guard(core_->stop_mutex, std::try_to_lock);
        if (guard.owns_lock() && core_->thread.joinable()) core_->thread.detach();
        return;
    }
    const std::lock_guard guard(core_->stop_mutex);
    if (core_->thread.joinable()) core_->thread.join();
}

}  // namespace strata::postgres
