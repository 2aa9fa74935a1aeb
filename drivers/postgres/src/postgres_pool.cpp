#include "postgres_pool.hpp"

#include "postgres_bindings.hpp"
#include "postgres_errors.hpp"
#include "postgres_session.hpp"

namespace strata::postgres {
namespace {

using detail::raw_connection;

[[noreturn]] void pool_timeout(const pool_options& o, std::chrono::milliseconds waited) {
    throw error(std::string(codes::driver_pool_timeout),
                "No PostgreSQL connection became free within " + std::to_string(waited.count()) + " ms: all " +
                    std::to_string(o.max_size) +
                    " are leased. Read streams to the end, keep transactions short, or raise max_size / "
                    "acquire_timeout.",
                {{"max_size", std::to_string(o.max_size)}, {"waited_ms", std::to_string(waited.count())}})
        .with_transient(true);
}

[[noreturn]] void borrowed_held_by_this_thread() {
    throw error(std::string(codes::driver_pool_timeout),
                "This thread already holds the caller-owned PostgreSQL connection (an unread stream or an open "
                "transaction), so waiting for it would never end. Finish that stream or run the statement "
                "through the transaction.",
                {{"max_size", "1"}, {"waited_ms", "0"}});
}

[[noreturn]] void borrowed_broken() {
    throw error(std::string(detail::connection_lost_code),
                "The caller-owned PostgreSQL connection is broken and strata never reconnects it. Reconnect it "
                "(PQreset) or bind a new one.")
        .with_sql(sql_error_info{.sqlstate = "08006"})
        .with_transient(true);
}

}  // namespace

std::shared_ptr<pool::core> pool::core::open(const url& u) {
    auto c = std::make_shared<core>();
    detail::checked_url checked = detail::check_url(u);
    c->password_ = std::move(checked.password);
    c->session_options_ = std::move(checked.options);
    c->conninfo_ = u.value;
    c->options_ = u.options;
    c->description = describe_binding(u);
    const std::size_t first = std::max<std::size_t>(1, u.options.min_size);
    for (std::size_t i = 0; i < first; ++i) {
        c->idle_.push_back(c->open_connection());
        ++c->open_;
        ++c->opened_;
    }
    // UTC unless the URL (or PGTZ) chose another zone; every connection of the pool the same.
    if (const char* zone = PQparameterStatus(c->idle_.front()->raw(), "TimeZone"); zone != nullptr) c->timezone_ = zone;
    return c;
}

std::shared_ptr<pool::core> pool::core::borrow(const client& cl) {
    detail::check_client(cl);
    auto c = std::make_shared<core>();
    c->borrowed_ = true;
    c->description = describe_binding(cl);
    c->options_.max_size = 1;
    c->options_.min_size = 1;
    c->options_.acquire_timeout = cl.acquire_timeout;
    c->options_.statements = cl.statements;
    c->options_.cancel_grace = cl.cancel_grace;
    c->idle_.push_back(std::make_unique<raw_connection>(cl.conn, false, cl.statements, cl.cancel_grace));
    c->open_ = 1;
    return c;
}

pool::core::~core() = default;

std::unique_ptr<raw_connection> pool::core::open_connection() const {
    const std::string timeout = std::to_string(options_.connect_timeout.count());
    // strata's defaults first: anything the URL says overrides them. Then what the
    // decoders need, which the URL has been checked not to contradict (check_url): later
    // keys win over the ones the expanded dbname brings.
    const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", "options",
                          nullptr};
    const char* values[] = {timeout.c_str(), "strata", conninfo_.c_str(), "UTF8", session_options_.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, 1);
    if (conn == nullptr) throw detail::connect_failed("out of memory", description, password_);
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        throw detail::connect_failed(message, description, password_);
    }
    if (!detail::settle_session(conn)) {
        const std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        throw detail::connect_failed(message, description, password_);
    }
    return std::make_unique<raw_connection>(conn, true, options_.statements, options_.cancel_grace);
}

bool pool::core::session_intact(const raw_connection& c) const noexcept {
    return detail::session_intact(c.raw(), timezone_);
}

bool pool::core::expired(const raw_connection& c, clock::time_point now) const {
    if (borrowed_) return false;
    return options_.max_lifetime.count() > 0 && now - c.opened_at >= options_.max_lifetime;
}

bool pool::core::validate(raw_connection& c, bool after_loss) const {
    const auto idle_for = clock::now() - c.last_used;
    // After a loss the grace is off, and even validation::none reads the socket (no round
    // trip): otherwise each caller in turn would get another dead connection.
    if (!after_loss && idle_for < options_.validation_grace) return c.usable();
    switch (options_.validate) {
        case validation::none:
            return after_loss ? c.alive() : c.usable();
        case validation::socket:
            return c.alive();
        case validation::ping:
            return c.alive() && (idle_for < options_.ping_after_idle || c.ping());
    }
    return false;
}

std::vector<std::unique_ptr<raw_connection>> pool::core::sweep_locked(clock::time_point now) {
    std::vector<std::unique_ptr<raw_connection>> out;
    if (borrowed_) return out;
    for (auto it = idle_.begin(); it != idle_.end();) {
        const bool too_old = expired(**it, now);
        const bool too_idle = options_.idle_timeout.count() > 0 && now - (*it)->last_used >= options_.idle_timeout &&
                              open_ - out.size() > options_.min_size;
        if (too_old || too_idle) {
            out.push_back(std::move(*it));
            it = idle_.erase(it);
        } else {
            ++it;
        }
    }
    open_ -= out.size();
    discarded_ += out.size();
    return out;
}

detail::lease pool::core::acquire_borrowed(const execution_control& c) {
    const auto start = clock::now();
    auto limit = start + options_.acquire_timeout;
    const bool deadline_first = c.deadline && *c.deadline < limit;
    if (deadline_first) limit = *c.deadline;
    std::unique_lock lock(mutex_);
    if (idle_.empty() && borrowed_holder_ == std::this_thread::get_id()) borrowed_held_by_this_thread();
    ++waiting_;
    for (;;) {
        if (closed()) {
            --waiting_;
            driver_errors::closed(detail::driver_name, "acquire()");
        }
        if (!idle_.empty()) break;
        if (c.cancel.cancelled() || clock::now() >= limit) {
            --waiting_;
            if (c.cancel.cancelled() || deadline_first) throw detail::aborted(c);
            pool_timeout(options_, std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start));
        }
        const auto slice =
            c.cancel.can_be_cancelled() ? std::min(limit, clock::now() + std::chrono::milliseconds(20)) : limit;
        available_.wait_until(lock, slice);
    }
    --waiting_;
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    borrowed_holder_ = std::this_thread::get_id();
    if (!conn->usable()) {
        idle_.push_back(std::move(conn));
        borrowed_holder_ = {};
        lock.unlock();
        available_.notify_one();
        borrowed_broken();
    }
    return detail::lease(shared_from_this(), std::move(conn));
}

detail::lease pool::core::acquire(const execution_control& c) {
    if (borrowed_) return acquire_borrowed(c);
    const auto start = clock::now();
    auto limit = start + options_.acquire_timeout;
    const bool deadline_first = c.deadline && *c.deadline < limit;
    if (deadline_first) limit = *c.deadline;
    std::vector<std::unique_ptr<raw_connection>> drop;  // closed outside the lock
    std::unique_lock lock(mutex_);
    for (;;) {
        if (closed()) driver_errors::closed(detail::driver_name, "acquire()");
        const auto now = clock::now();
        for (auto& d : sweep_locked(now)) drop.push_back(std::move(d));
        if (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            const bool after_loss = conn->last_used <= lost_at_;
            lock.unlock();
            drop.clear();
            if (validate(*conn, after_loss)) {
                conn->last_used = clock::now();
                return detail::lease(shared_from_this(), std::move(conn));
            }
            conn.reset();  // broken while idle: replaced below
            lock.lock();
            lost_at_ = clock::now();  // its neighbours may be dead too
            --open_;
            ++discarded_;
            continue;
        }
        if (open_ < options_.max_size) {
            ++open_;
            lock.unlock();
            drop.clear();
            try {
                auto conn = open_connection();
                lock.lock();
                ++opened_;
                lock.unlock();
                return detail::lease(shared_from_this(), std::move(conn));
            } catch (...) {
                lock.lock();
                --open_;
                lock.unlock();
                available_.notify_one();
                throw;
            }
        }
        if (c.cancel.cancelled() || now >= limit) {
            if (c.cancel.cancelled() || deadline_first) throw detail::aborted(c);
            pool_timeout(options_, std::chrono::duration_cast<std::chrono::milliseconds>(now - start));
        }
        ++waiting_;
        const auto slice = c.cancel.can_be_cancelled() ? std::min(limit, now + std::chrono::milliseconds(20)) : limit;
        available_.wait_until(lock, slice);
        --waiting_;
    }
}

void pool::core::give_back(std::unique_ptr<raw_connection> conn, bool reusable) noexcept {
    conn->last_used = clock::now();
    const bool usable = conn->usable();
    // A caller's SET DateStyle / SET TimeZone (or a RESET ALL back to an environment's
    // values) stays with the caller: a connection whose settings drifted is closed, not
    // handed to the next caller (read from what the server reported, no round trip).
    const bool keep = reusable && !closed() && usable && PQtransactionStatus(conn->raw()) == PQTRANS_IDLE &&
                      !expired(*conn, conn->last_used) && (borrowed_ || session_intact(*conn));
    if (keep) conn->flush_deallocations();
    std::vector<std::unique_ptr<raw_connection>> drop;
    {
        std::lock_guard lock(mutex_);
        if (borrowed_) {
            borrowed_holder_ = {};
            if (closed()) {
                drop.push_back(std::move(conn));
            } else {
                idle_.push_back(std::move(conn));  // never replaced: acquire reports it broken
            }
        } else if (keep) {
            idle_.push_back(std::move(conn));
            drop = sweep_locked(clock::now());
        } else {
            if (!usable) lost_at_ = clock::now();  // found lost while in use
            drop.push_back(std::move(conn));
            --open_;
            ++discarded_;
        }
    }
    available_.notify_one();
}

void pool::core::close() noexcept {
    std::vector<std::unique_ptr<raw_connection>> drop;
    {
        std::lock_guard lock(mutex_);
        closed_.store(true, std::memory_order_release);
        drop.swap(idle_);
        if (!borrowed_) open_ -= drop.size();
    }
    available_.notify_all();
}

url pool::core::listener_url() const {
    if (borrowed_)
        driver_errors::binding_invalid(detail::driver_name, "pool",
                                       "wraps a caller-owned connection; a listener needs a URL to open its own");
    return url{conninfo_, options_};
}

pool::stats pool::core::statistics() const {
    std::lock_guard lock(mutex_);
    return pool::stats{
        .open = open_, .idle = idle_.size(), .waiting = waiting_, .opened = opened_, .discarded = discarded_};
}

// --- the public pool -----------------------------------------------------------

pool::stats pool::statistics() const {
    return core_->statistics();
}
const std::string& pool::description() const noexcept {
    return core_->description;
}
void pool::close() noexcept {
    core_->close();
}

std::shared_ptr<pool> make_pool(const url& u) {
    return std::make_shared<pool>(pool::core::open(u));
}
std::shared_ptr<pool> make_pool(std::string url_or_conninfo, pool_options options) {
    return make_pool(url{std::move(url_or_conninfo), options});
}

}  // namespace strata::postgres
