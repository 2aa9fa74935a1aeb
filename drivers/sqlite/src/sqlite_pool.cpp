#include "sqlite_pool.hpp"

#include <climits>

#include "sqlite_connection.hpp"
#include "sqlite_errors.hpp"

namespace strata::sqlite::detail {
namespace {

constexpr std::string_view driver_name = "sqlite";

void validate(const settings& s) {
    if (s.busy_timeout.count() < 0 || s.busy_timeout.count() > INT_MAX)
        driver_errors::binding_invalid(driver_name, "busy_timeout", "must be between 0 and 2147483647 ms");
    if (s.statement_cache_size > 100000)
        driver_errors::binding_invalid(driver_name, "statement_cache_size", "must be at most 100000");
    if (s.max_readers > 64) driver_errors::binding_invalid(driver_name, "max_readers", "must be at most 64");
    if (s.max_page_count > 4294967294u)
        driver_errors::binding_invalid(driver_name, "max_page_count", "must be at most 4294967294 (0: no cap)");
}

sqlite3* open_db(const std::string& path, int flags, const std::string& description) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        error e = make_error(db, rc, "open");
        sqlite3_close_v2(db);
        throw std::move(e.with_detail("binding", description));
    }
    sqlite3_extended_result_codes(db, 1);
    return db;
}

}  // namespace

lease::~lease() {
    if (!reader_ || !owner_) return;
    if (exclusive_) {
        owner_->give_back(std::move(reader_));
    } else {
        owner_->forget_reader(std::move(reader_));  // discarded: closed here
    }
}

pool::~pool() {
    delete spare_.exchange(nullptr);
}

std::shared_ptr<pool> pool::open(const binding& b) {
    std::shared_ptr<pool> p(new pool());
    p->description_ = b.describe();
    if (const file* f = b.get_if<file>()) {
        if (f->path.empty()) driver_errors::binding_invalid(driver_name, "path", "must not be empty");
        if (f->path.find('\0') != std::string::npos)
            driver_errors::binding_invalid(driver_name, "path", "must not contain a NUL character");
        validate(f->options);
        p->settings_ = f->options;
        p->path_ = f->path;
        const bool in_memory = f->path == ":memory:";
        int flags = 0;
        switch (f->mode) {
            case open_mode::read_write_create: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
            case open_mode::read_write: flags = SQLITE_OPEN_READWRITE; break;
            case open_mode::read_only: flags = SQLITE_OPEN_READONLY; break;
        }
        auto conn = std::make_shared<raw_connection>(open_db(f->path, flags, p->description_), true,
                                                     f->options.statement_cache_size);
        try {
            const std::string mode = conn->apply(f->options, f->mode != open_mode::read_only && !in_memory);
            p->readers_enabled_ = !in_memory && mode == "wal" && f->options.max_readers > 0;
        } catch (error& e) {
            throw std::move(e.with_detail("binding", p->description_));
        }
        p->primary_ = std::move(conn);
    } else if (const memory* m = b.get_if<memory>()) {
        validate(m->options);
        p->settings_ = m->options;
        auto conn = std::make_shared<raw_connection>(
            open_db(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, p->description_), true,
            m->options.statement_cache_size);
        conn->apply(m->options, false);
        p->primary_ = std::move(conn);
    } else if (const handle* h = b.get_if<handle>()) {
        if (h->db == nullptr) driver_errors::binding_invalid(driver_name, "db", "must not be null");
        validate(h->options);
        p->settings_ = h->options;
        auto conn = std::make_shared<raw_connection>(h->db, false, h->options.statement_cache_size);
        conn->set_busy_timeout(h->options.busy_timeout);
        if (h->apply_settings) conn->apply(h->options, true);
        p->primary_ = std::move(conn);
    } else {
        driver_errors::binding_invalid(driver_name, "binding",
                                       "must be strata::sqlite::file, strata::sqlite::memory or "
                                       "strata::sqlite::handle");
    }
    p->limits_ = statement_limits_of(p->primary_->db());
    return p;
}

std::unique_ptr<raw_connection> pool::open_reader() {
    auto conn = std::make_unique<raw_connection>(open_db(path_, SQLITE_OPEN_READONLY, description_), true,
                                                 settings_.statement_cache_size);
    settings s = settings_;
    s.sync = synchronous::keep;  // a property of writers
    conn->apply(s, false);
    return conn;
}

namespace {
[[noreturn]] void broken_error() {
    throw error(std::string(codes::driver_connection_broken),
                "The SQLite writer connection is in an unknown state after a failed rollback. Call close() and "
                "connect() again.");
}
}  // namespace

lease pool::acquire_scope(connection_intent intent, const execution_control& c, bool& gated) {
    if (intent == connection_intent::read_only && readers_enabled_) {
        gated = false;
        return acquire(shared_from_this(), statement_kind::read);
    }
    if (broken()) broken_error();
    primary_->enter_scope(c);
    gated = true;
    return lease(shared_from_this(), *primary_);
}

lease pool::acquire(std::shared_ptr<pool> self, statement_kind kind) {
    pool& p = *self;
    if (p.broken() && !(kind == statement_kind::read && p.readers_enabled_)) broken_error();
    if (kind == statement_kind::read && p.readers_enabled_) {
        if (raw_connection* spare = p.spare_.exchange(nullptr))
            return lease(std::move(self), std::unique_ptr<raw_connection>(spare));
        std::unique_lock lock(p.mutex_);
        if (!p.idle_.empty()) {
            auto conn = std::move(p.idle_.back());
            p.idle_.pop_back();
            return lease(std::move(self), std::move(conn));
        }
        if (p.readers_ < p.settings_.max_readers) {
            ++p.readers_;
            lock.unlock();
            try {
                return lease(std::move(self), p.open_reader());
            } catch (...) {
                lock.lock();
                --p.readers_;
                throw;
            }
        }
        // every reader is busy: share the writer instead of waiting
    }
    raw_connection& writer = *p.primary_;
    return lease(std::move(self), writer);
}

void pool::give_back(std::unique_ptr<raw_connection> reader) noexcept {
    if (!closed()) {
        raw_connection* expected = nullptr;
        if (spare_.compare_exchange_strong(expected, reader.get())) {
            reader.release();
            // close() may have run since the check and missed the spare: take it back.
            if (closed()) forget_reader(std::unique_ptr<raw_connection>(spare_.exchange(nullptr)));
            return;
        }
    }
    std::unique_lock lock(mutex_);
    if (!closed()) {
        try {
            idle_.push_back(std::move(reader));
            return;
        } catch (...) {
        }
    }
    --readers_;
    lock.unlock();  // dropped: the connection closes as `reader` goes, outside the lock
}

void pool::forget_reader(std::unique_ptr<raw_connection> reader) noexcept {
    if (!reader) return;
    {
        std::lock_guard lock(mutex_);
        --readers_;
    }
    reader.reset();
}

void pool::close() noexcept {
    std::vector<std::unique_ptr<raw_connection>> drop;
    {
        std::lock_guard lock(mutex_);
        closed_.store(true, std::memory_order_seq_cst);
        drop.swap(idle_);
        if (raw_connection* spare = spare_.exchange(nullptr)) {
            try {
                drop.emplace_back(spare);
            } catch (...) {
                delete spare;
                --readers_;
            }
        }
        readers_ -= drop.size();
    }
    // primary_ stays referenced until the pool itself goes (streams still hold the pool),
    // but no new work reaches it: every pull checks closed().
}

std::size_t pool::readers_open() const {
    std::lock_guard lock(mutex_);
    return readers_;
}

}  // namespace strata::sqlite::detail
