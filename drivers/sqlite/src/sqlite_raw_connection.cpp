#include "sqlite_raw_connection.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <thread>

#include "sqlite_errors.hpp"
#include "strata/deadline_scope.hpp"

namespace strata::sqlite::detail {
namespace {

// True when nothing but whitespace, comments and semicolons follows a statement.
bool only_trivia(const char* tail) {
    std::string_view s(tail);
    while (!s.empty()) {
        if (std::isspace(static_cast<unsigned char>(s.front())) || s.front() == ';') {
            s.remove_prefix(1);
        } else if (s.starts_with("--")) {
            const auto nl = s.find('\n');
            s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
        } else if (s.starts_with("/*")) {
            const auto end = s.find("*/");
            s.remove_prefix(end == std::string_view::npos ? s.size() : end + 2);
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

raw_connection::raw_connection(sqlite3* db, bool owned, std::size_t cache_capacity)
    : db_(db), db_mutex_(sqlite3_db_mutex(db)), owned_(owned), capacity_(cache_capacity) {}

clock::time_point raw_connection::wait_limit(const execution_control& c) const {
    const auto limit = clock::now() + busy_timeout_;
    return c.deadline && *c.deadline < limit ? *c.deadline : limit;
}

// SQLite calls this while another connection holds the lock it needs; returning 0 ends
// the wait with SQLITE_BUSY (DRIVER.BUSY, transient). The delays are SQLite's own.
int raw_connection::on_busy(void* self_ptr, int count) noexcept {
    auto* self = static_cast<raw_connection*>(self_ptr);
    const auto now = clock::now();
    if (count == 0) self->busy_since_ = now;
    clock::time_point limit = self->busy_since_ + self->busy_timeout_;
    std::optional<clock::time_point> deadline;
    if (const execution_control* c = self->wait_control_) {
        if (c->cancel.cancelled()) return 0;
        deadline = c->deadline;
    } else {
        deadline = deadline_scope::current();
    }
    if (deadline) limit = std::min(limit, *deadline);
    if (now >= limit) return 0;
    static constexpr int delays_ms[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    constexpr int last = static_cast<int>(std::size(delays_ms)) - 1;
    const clock::duration delay = std::chrono::milliseconds(delays_ms[std::min(count, last)]);
    std::this_thread::sleep_for(std::min(delay, limit - now));
    return 1;
}

namespace {
[[noreturn]] void gate_busy() {
    throw error(std::string(codes::driver_busy),
                "Another thread's transaction holds the SQLite write gate and did not finish within the busy "
                "timeout. Retry, keep transactions short, or raise busy_timeout.",
                {{"waited_for", "write gate"}})
        .with_sql(sql_error_info{.sqlstate = "55P03"})
        .with_transient(true);
}
[[noreturn]] void gate_held_by_this_thread() {
    throw error(std::string(codes::runtime_transaction_active_on_thread),
                "This thread has a transaction open on this SQLite database, so a statement run outside it would "
                "wait for the thread itself. Run the statement through the transaction (tx.execute) instead.");
}
}  // namespace

std::unique_lock<std::mutex> raw_connection::lock(const execution_control& c) {
    std::unique_lock lock(mutex_);
    if (scope_held_) {
        if (scope_owner_ == std::this_thread::get_id()) gate_held_by_this_thread();
        if (!gate_free_.wait_until(lock, wait_limit(c), [&] { return !scope_held_; })) gate_busy();
    }
    return lock;
}

void raw_connection::enter_scope(const execution_control& c) {
    std::unique_lock lock(mutex_);
    if (scope_held_ && scope_owner_ == std::this_thread::get_id()) gate_held_by_this_thread();
    if (!gate_free_.wait_until(lock, wait_limit(c), [&] { return !scope_held_; })) gate_busy();
    scope_held_ = true;
    scope_owner_ = std::this_thread::get_id();
}

void raw_connection::leave_scope() noexcept {
    {
        std::lock_guard lock(mutex_);
        scope_held_ = false;
        scope_owner_ = {};
    }
    gate_free_.notify_all();
}

raw_connection::~raw_connection() {
    for (auto& e : lru_) sqlite3_finalize(e.p.stmt);
    if (owned_) sqlite3_close_v2(db_);
}

prepared raw_connection::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, &tail);
    if (rc != SQLITE_OK) throw make_error(db_, rc, "prepare");
    if (stmt == nullptr) {
        throw error(std::string(codes::plan_empty), "The SQL text holds no statement. Pass one SQL statement.");
    }
    if (tail != nullptr && !only_trivia(tail)) {
        sqlite3_finalize(stmt);
        throw error(std::string(codes::plan_multiple_statements),
                    "The SQL text holds more than one statement. Pass one statement per plan.");
    }
    return prepared{stmt, nullptr, sqlite3_bind_parameter_count(stmt)};
}

bool raw_connection::make_room() noexcept {
    auto it = lru_.end();
    while (lru_.size() >= capacity_ && it != lru_.begin()) {
        --it;
        if (it->busy) continue;
        sqlite3_finalize(it->p.stmt);
        index_.erase(it->sql);
        it = lru_.erase(it);
    }
    return lru_.size() < capacity_;
}

void raw_connection::take(std::string_view sql, statement_loan& loan, const std::shared_ptr<const plan_text>* text) {
    const auto remember = [text](entry& e) {
        if (text != nullptr && e.text != *text) e.text = *text;
    };
    // A statement run in a loop is the most recently used entry: found without hashing,
    // and by the identity of its plan text when it has one.
    if (!lru_.empty()) {
        entry& e = lru_.front();
        if (!e.busy && ((text != nullptr && e.text && e.text == *text) || e.sql == sql)) {
            remember(e);
            e.busy = true;
            loan.slot = &e.p;
            loan.entry = &e;
            return;
        }
    }
    if (auto it = index_.find(sql); it != index_.end()) {
        entry& e = *it->second;
        if (!e.busy) {
            remember(e);
            e.busy = true;
            lru_.splice(lru_.begin(), lru_, it->second);  // relinks the node; no allocation
            loan.slot = &e.p;
            loan.entry = &e;
            return;
        }
        loan.own = prepare(sql);  // the cached copy is in use by another stream
        return;
    }
    prepared p = prepare(sql);
    if (capacity_ == 0 || !make_room()) {
        loan.own = std::move(p);
        return;
    }
    try {
        lru_.push_front(entry{std::string(sql), prepared{}, true});
    } catch (...) {
        loan.own = std::move(p);  // out of memory: use it once, uncached
        return;
    }
    lru_.front().p = std::move(p);
    try {
        index_.emplace(lru_.front().sql, lru_.begin());
    } catch (...) {
        loan.own = std::move(lru_.front().p);
        lru_.pop_front();
        return;
    }
    remember(lru_.front());
    loan.slot = &lru_.front().p;
    loan.entry = &lru_.front();
}

void raw_connection::give_back(statement_loan& loan) noexcept {
    prepared& p = loan.get();
    if (p.stmt == nullptr) return;
    sqlite3_reset(p.stmt);  // parameters are all rebound on the next use
    if (loan.entry != nullptr) {
        static_cast<entry*>(loan.entry)->busy = false;
    } else {
        sqlite3_finalize(p.stmt);
        p.stmt = nullptr;
    }
    loan.entry = nullptr;
    loan.slot = nullptr;
}

void raw_connection::exec(const char* sql, std::string_view during) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw make_error(db_, rc, during);
}

std::string raw_connection::apply(const settings& s, bool set_journal) {
    busy_timeout_ = s.busy_timeout;
    sqlite3_busy_handler(db_, &raw_connection::on_busy, this);
    exec(s.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys");
    if (s.max_page_count > 0) {
        const std::string cap = "PRAGMA max_page_count=" + std::to_string(s.max_page_count);
        exec(cap.c_str(), "PRAGMA max_page_count");
    }
    switch (s.sync) {
        case synchronous::off: exec("PRAGMA synchronous=OFF", "PRAGMA synchronous"); break;
        case synchronous::normal: exec("PRAGMA synchronous=NORMAL", "PRAGMA synchronous"); break;
        case synchronous::full: exec("PRAGMA synchronous=FULL", "PRAGMA synchronous"); break;
        case synchronous::keep: break;
    }
    const char* journal = nullptr;
    if (set_journal) {
        switch (s.journal) {
            case journal_mode::wal: journal = "PRAGMA journal_mode=WAL"; break;
            case journal_mode::delete_: journal = "PRAGMA journal_mode=DELETE"; break;
            case journal_mode::truncate: journal = "PRAGMA journal_mode=TRUNCATE"; break;
            case journal_mode::memory: journal = "PRAGMA journal_mode=MEMORY"; break;
            case journal_mode::keep: break;
        }
    }
    std::string mode;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, journal ? journal : "PRAGMA journal_mode", -1, &stmt, nullptr);
    if (rc != SQLITE_OK) throw make_error(db_, rc, "PRAGMA journal_mode");
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        if (auto* t = sqlite3_column_text(stmt, 0)) mode = reinterpret_cast<const char*>(t);
        rc = sqlite3_step(stmt);
    }
    if (rc != SQLITE_DONE) {
        error e = make_error(db_, rc, "PRAGMA journal_mode");
        sqlite3_finalize(stmt);
        throw e;
    }
    sqlite3_finalize(stmt);
    for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return mode;
}

}  // namespace strata::sqlite::detail
