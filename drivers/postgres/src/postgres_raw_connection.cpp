#include "postgres_raw_connection.hpp"

#include <poll.h>

#include <atomic>
#include <cerrno>

#include "postgres_errors.hpp"

namespace strata::postgres::detail {
namespace {

// Unique in the process, so two caches sharing one caller-owned PGconn never collide.
std::atomic<std::uint64_t> statement_counter{0};

// How often a wait looks at a cancel token (no deadline to wait for).
constexpr auto token_poll_interval = std::chrono::milliseconds(20);
// How long an abandoned stream is read on before its statement is cancelled.
constexpr auto drain_before_cancel = std::chrono::milliseconds(2);

int millis_until(clock::time_point t) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - clock::now()).count();
    if (left <= 0) return 0;
    return left > 60'000 ? 60'000 : static_cast<int>(left) + 1;
}

// Waits until the socket is readable or `timeout_ms` passed. -1: error.
int wait_readable(PGconn* conn, int timeout_ms) {
    pollfd p{PQsocket(conn), POLLIN, 0};
    if (p.fd < 0) return -1;
    return ::poll(&p, 1, timeout_ms);
}

}  // namespace

// --- table names -------------------------------------------------------------------

std::string table_names::find(Oid table) const {
    std::lock_guard lock(mutex_);
    const auto it = names_.find(table);
    return it == names_.end() ? std::string() : it->second;
}

std::vector<Oid> table_names::missing(const PGresult* res) const {
    std::vector<Oid> out;
    std::lock_guard lock(mutex_);
    for (int i = 0, n = PQnfields(res); i < n; ++i) {
        const Oid t = PQftable(res, i);
        if (t != InvalidOid && !names_.contains(t) && std::find(out.begin(), out.end(), t) == out.end())
            out.push_back(t);
    }
    return out;
}

void table_names::resolve(PGconn* conn, const std::vector<Oid>& tables) {
    if (tables.empty()) return;
    std::string list = "{";
    for (Oid t : tables) list += std::to_string(t) + ",";
    list.back() = '}';
    const char* values[] = {list.c_str()};
    PGresult* res = PQexecParams(conn,
                                 "SELECT c.oid::pg_catalog.int8, c.relname FROM pg_catalog.pg_class c "
                                 "WHERE c.oid = ANY($1::pg_catalog.oid[])",
                                 1, nullptr, values, nullptr, nullptr, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        std::lock_guard lock(mutex_);
        for (int r = 0, n = PQntuples(res); r < n; ++r) {
            names_[static_cast<Oid>(std::stoull(PQgetvalue(res, r, 0)))] = PQgetvalue(res, r, 1);
        }
    }
    PQclear(res);
}

std::shared_ptr<const column_layout> make_layout(const PGresult* res, const table_names& names) {
    auto layout = std::make_shared<column_layout>();
    const int n = PQnfields(res);
    std::vector<column_info> cols;
    cols.reserve(static_cast<std::size_t>(n));
    layout->types.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const char* name = PQfname(res, i);
        const Oid table = PQftable(res, i);
        cols.push_back({name ? name : "", table == InvalidOid ? std::string() : names.find(table)});
        layout->types.push_back(PQftype(res, i));
    }
    layout->shape = std::make_shared<const row_shape>(std::move(cols));
    return layout;
}

// --- connection --------------------------------------------------------------------

raw_connection::raw_connection(PGconn* conn, bool owned, statement_options statements,
                               std::chrono::milliseconds cancel_grace)
    : conn_(conn), owned_(owned), statements_(statements), cancel_grace_(cancel_grace), cancel_(PQgetCancel(conn)) {
    // A terminated backend says FATAL before it closes the socket; libpq passes a message
    // that arrives while idle to the notice receiver. Seeing it, the connection is dead
    // even if the close has not arrived yet. (A caller-owned connection keeps its own.)
    if (owned_) PQsetNoticeReceiver(conn_, &raw_connection::on_notice, this);
}

void raw_connection::on_notice(void* self, const PGresult* res) {
    const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity != nullptr && (std::string_view(severity) == "FATAL" || std::string_view(severity) == "PANIC")) {
        static_cast<raw_connection*>(self)->broken_ = true;
    }
}

raw_connection::~raw_connection() {
    if (!owned_ && usable() && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
        // The caller keeps the connection: leave no statements of ours behind.
        for (const auto& [key, p] : lru_) to_deallocate_.push_back(p.name);
        flush_deallocations();
    }
    if (cancel_ != nullptr) PQfreeCancel(cancel_);
    if (owned_) PQfinish(conn_);
}

bool raw_connection::usable() const noexcept {
    return !broken_ && PQstatus(conn_) == CONNECTION_OK;
}

PGresult* raw_connection::next_result(const execution_control& c, wait_state& w) {
    if (!w.cancel_sent && !c.active()) return PQgetResult(conn_);  // nothing to watch: block in libpq
    for (;;) {
        if (w.cancel_sent && clock::now() >= w.give_up_at) {
            // rows kept coming after the cancel request (or nothing did): stop reading
            w.gave_up = true;
            broken_ = true;
            return nullptr;
        }
        // Read from the socket only when libpq's buffer holds no complete result: each
        // PQconsumeInput compacts that buffer, so calling it per row is quadratic.
        if (!PQisBusy(conn_)) return PQgetResult(conn_);
        if (!w.cancel_sent && control_fired(c)) {
            cancel();
            w.cancel_sent = true;
            w.give_up_at = clock::now() + cancel_grace_;
        }
        int timeout = -1;
        if (w.cancel_sent) {
            timeout = millis_until(w.give_up_at);
        } else {
            if (c.deadline) timeout = millis_until(*c.deadline);
            if (c.cancel.can_be_cancelled()) {
                const int slice = static_cast<int>(token_poll_interval.count());
                timeout = timeout < 0 ? slice : std::min(timeout, slice);
            }
        }
        const int ready = wait_readable(conn_, timeout);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0 || (ready > 0 && PQconsumeInput(conn_) == 0)) return PQgetResult(conn_);  // the error
    }
}

bool raw_connection::cancel() noexcept {
    if (cancel_ == nullptr) return false;
    char message[256];
    return PQcancel(cancel_, message, sizeof message) == 1;
}

bool raw_connection::settle() noexcept {
    // Read on for a moment: a small result ends sooner than a cancel request (a new
    // connection to the postmaster) would take. After that window next_result() sends
    // the cancel and keeps draining for at most cancel_grace.
    return drain(execution_control{clock::now() + drain_before_cancel, {}});
}

bool raw_connection::drain(const execution_control& c) noexcept {
    if (!usable() || PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) {  // never left half-read: give up on it
        broken_ = true;
        return false;
    }
    wait_state w;
    while (PGresult* r = next_result(c, w)) {
        PQclear(r);
        if (!usable()) break;
    }
    if (w.gave_up || !usable()) {
        broken_ = true;
        return false;
    }
    return true;
}

bool raw_connection::read_pipeline(std::size_t commands, const execution_control& c, wait_state& w,
                                   const std::function<void(std::size_t, PGresult*)>& on_result) {
    for (std::size_t i = 0; i < commands; ++i) {
        while (PGresult* r = next_result(c, w)) {
            const bool lost = PQstatus(conn_) != CONNECTION_OK;
            on_result(i, r);
            if (lost) break;
        }
        if (w.gave_up || PQstatus(conn_) != CONNECTION_OK) {
            broken_ = true;
            return false;
        }
    }
    PGresult* sync = next_result(c, w);
    const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || PQexitPipelineMode(conn_) != 1) {
        broken_ = true;
        return false;
    }
    return true;
}

std::string raw_connection::exec(const std::string& sql, std::string_view during) {
    make_ready();
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        error e = make_error(res, conn_, during);
        PQclear(res);
        if (is_connection_lost(e)) broken_ = true;
        throw e;
    }
    std::string tag = PQcmdStatus(res);
    PQclear(res);
    last_used = clock::now();
    return tag;
}

void raw_connection::make_ready() {
    if (active != nullptr) active->park();
}

// --- prepared statements ----------------------------------------------------------

const prepared_statement* raw_connection::find(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return &it->second->second;
}

std::string raw_connection::next_statement_name() {
    return "strata_" + std::to_string(statement_counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

const prepared_statement& raw_connection::prepare(const std::string& key, const char* sql, const encoded_params& params,
                                                  const execution_control& c, table_names& names) {
    std::string name = next_statement_name();
    // Parse and Describe in one round trip.
    const bool sent = PQenterPipelineMode(conn_) == 1 &&
                      PQsendPrepare(conn_, name.c_str(), sql, params.count(), params.types()) == 1 &&
                      PQsendDescribePrepared(conn_, name.c_str()) == 1 && PQpipelineSync(conn_) == 1;
    if (!sent) {
        error e = make_error(nullptr, conn_, "prepare");
        broken_ = true;
        throw e;
    }
    std::optional<error> failure;
    PGresult* described = nullptr;
    wait_state w;
    const bool ok = read_pipeline(2, c, w, [&](std::size_t i, PGresult* r) {
        const ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR && !failure) failure = make_error(r, conn_, "prepare");
        if (i == 1 && st == PGRES_COMMAND_OK && described == nullptr) {
            described = r;
            return;
        }
        PQclear(r);
    });
    if (!ok || failure) {
        PQclear(described);
        if (w.cancel_sent && (!failure || failure->sql()->sqlstate == "57014")) throw aborted(c);
        if (failure) throw *failure;
        throw make_error(nullptr, conn_, "prepare");
    }
    if (const auto tables = names.missing(described); !tables.empty()) names.resolve(conn_, tables);
    auto layout = make_layout(described, names);
    PQclear(described);
    lru_.emplace_front(key, prepared_statement{std::move(name), std::move(layout)});
    index_[key] = lru_.begin();
    evict_over_capacity();
    return lru_.front().second;
}

void raw_connection::remember(const std::string& key, std::string name) {
    if (index_.contains(key)) {
        to_deallocate_.push_back(std::move(name));
        return;
    }
    lru_.emplace_front(key, prepared_statement{std::move(name), nullptr});
    index_[key] = lru_.begin();
    evict_over_capacity();
}

void raw_connection::forget(const std::string& key, bool still_on_server) noexcept {
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    if (still_on_server) {
        try {
            to_deallocate_.push_back(it->second->second.name);
        } catch (...) {  // a statement left on the server until the connection closes
        }
    }
    lru_.erase(it->second);
    index_.erase(it);
}

void raw_connection::set_layout(const std::string& key, std::shared_ptr<const column_layout> layout) {
    if (const auto it = index_.find(key); it != index_.end()) it->second->second.layout = std::move(layout);
}

void raw_connection::evict_over_capacity() {
    while (lru_.size() > statements_.cache_size && !lru_.empty()) {
        to_deallocate_.push_back(std::move(lru_.back().second.name));
        index_.erase(lru_.back().first);
        lru_.pop_back();
    }
}

void raw_connection::flush_deallocations() noexcept {
    if (to_deallocate_.empty() || !usable() || PQtransactionStatus(conn_) != PQTRANS_IDLE) return;
    try {
        std::string sql;
        for (const auto& name : to_deallocate_) sql += "DEALLOCATE " + name + ";";
        to_deallocate_.clear();
        PGresult* res = PQexec(conn_, sql.c_str());
        PQclear(res);
    } catch (...) {
        to_deallocate_.clear();
    }
}

// --- validation ----------------------------------------------------------------------

bool raw_connection::alive() noexcept {
    if (!usable()) return false;
    // A terminated backend sends an error and closes the socket; both show up as
    // readable. Read until nothing more is waiting.
    for (int i = 0; i < 4 && wait_readable(conn_, 0) > 0; ++i) {
        if (PQconsumeInput(conn_) == 0) return false;
    }
    // PQconsumeInput only buffers: parsing hands the FATAL to on_notice (which marks the
    // connection broken) even when the socket's close has not arrived yet.
    (void)PQisBusy(conn_);
    return usable() && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool raw_connection::ping() noexcept {
    PGresult* res = PQexec(conn_, "");
    const bool ok = PQresultStatus(res) == PGRES_EMPTY_QUERY;
    PQclear(res);
    if (ok) last_used = clock::now();
    return ok && usable();
}

}  // namespace strata::postgres::detail
