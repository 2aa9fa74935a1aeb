#include "postgres_connection.hpp"

#include <cctype>

#include "postgres_batch.hpp"
#include "postgres_commit_check.hpp"
#include "postgres_errors.hpp"
#include "postgres_rows.hpp"
#include "strata/deadline_scope.hpp"

namespace strata::postgres::detail {

capabilities postgres_capabilities() noexcept {
    return capabilities{.interactive_transactions = true,
                        .atomic_batch = true,
                        .savepoints = true,
                        .returning = true,
                        .streaming = true,
                        // The protocol counts parameters in 16 bits; a statement's text and one
                        // value are bounded by the server's largest allocation (1 GB - 1).
                        .limits = {.max_parameters = 65535,
                                   .max_sql_length = 0x3FFFFFFF,
                                   .max_value_length = 0x3FFFFFFF}};
}

namespace {

void check_identifier(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 63 &&
              (std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_');
    for (char ch : name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    if (!ok) {
        throw error(std::string(codes::runtime_invalid_argument),
                    "A savepoint name must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters).",
                    {{"name_length", std::to_string(name.size())}});
    }
}

std::string begin_sql(const transaction_options& o) {
    std::string sql = "BEGIN";
    switch (o.isolation) {
        case isolation_level::database_default:
            break;
        case isolation_level::read_committed:
            sql += " ISOLATION LEVEL READ COMMITTED";
            break;
        case isolation_level::repeatable_read:
            sql += " ISOLATION LEVEL REPEATABLE READ";
            break;
        case isolation_level::serializable:
            sql += " ISOLATION LEVEL SERIALIZABLE";
            break;
    }
    // READ WRITE is the default; saying it would fail on a server that defaults to read-only.
    if (o.access == access_mode::read_only) sql += " READ ONLY";
    if (o.deferrable) sql += " DEFERRABLE";
    return sql;
}

}  // namespace

postgres_connection::~postgres_connection() {
    if (!finished_) destroy();
}

void postgres_connection::require_open(std::string_view operation) const {
    if (finished_) {
        throw error(std::string(codes::runtime_connection_released),
                    "This connection was already released; " + std::string(operation) + " needs a new one.");
    }
    if (lease_->driver_closed && lease_->driver_closed->load(std::memory_order_acquire)) {
        driver_errors::closed(driver_name, operation);
    }
}

std::unique_ptr<row_source> postgres_connection::execute(const statement& s, const execution_control& c) {
    require_open("execute()");
    try {
        return std::make_unique<rows>(lease_, /*owns_lease=*/false, s, c);
    } catch (const error& e) {
        if (is_connection_lost(e)) lease_->discard();
        throw;
    }
}

transaction_status postgres_connection::status() const {
    if (finished_ || !lease_->held()) return transaction_status::unknown;
    detail::raw_connection& c = lease_->conn();
    c.make_ready();
    if (!c.usable()) return transaction_status::unknown;
    switch (PQtransactionStatus(c.raw())) {
        case PQTRANS_IDLE:
            return transaction_status::idle;
        case PQTRANS_INTRANS:
        case PQTRANS_ACTIVE:
            return transaction_status::in_transaction;
        case PQTRANS_INERROR:
            return transaction_status::failed;
        case PQTRANS_UNKNOWN:
            break;
    }
    return transaction_status::unknown;
}

void postgres_connection::exec(const std::string& sql, std::string_view during) {
    try {
        (void)lease_->conn().exec(sql, during);
    } catch (const error& e) {
        if (is_connection_lost(e)) lease_->discard();
        throw;
    }
}

void postgres_connection::begin(const transaction_options& options) {
    require_open("begin()");
    check_ = options.check_commit == commit_check::resolve ? commit_check::resolve : commit_check::report_unknown;
    xid_.reset();
    no_id_ = "not asked";
    deadline_.reset();
    if (options.timeout) deadline_ = clock::now() + *options.timeout;
    deadline_ = deadline_scope::tighten(deadline_);
    detail::raw_connection& conn = lease_->conn();
    if (check_ != commit_check::resolve) {
        exec(begin_sql(options), "BEGIN");
    } else if (options.access == access_mode::read_only) {
        exec(begin_sql(options), "BEGIN");
        no_id_ = "a read-only transaction has none";
    } else if (lease_->owner().borrowed()) {
        exec(begin_sql(options), "BEGIN");
        no_id_ = "no second connection to ask on (a borrowed client connection)";
    } else if (PQserverVersion(conn.raw()) < 130000) {  // known since connect: no round trip
        exec(begin_sql(options), "BEGIN");
        no_id_ = "PostgreSQL older than 13 has no pg_xact_status";
    } else {
        // The id, in BEGIN's round trip (0024): a lost COMMIT can then be looked up.
        try {
            xid_ = begin_recording_id(conn, begin_sql(options));
        } catch (const error& e) {
            if (is_connection_lost(e)) lease_->discard();
            throw;
        }
        if (!xid_) no_id_ = "the transaction is read-only (a standby, or read-only by default)";
    }
}

void postgres_connection::commit() {
    require_open("commit()");
    const bool check = check_ == commit_check::resolve;
    detail::raw_connection& conn = lease_->conn();
    conn.make_ready();
    // What a lost COMMIT can be settled with.
    const commit_evidence evidence{.xid = xid_,
                                   .failed = PQtransactionStatus(conn.raw()) == PQTRANS_INERROR,
                                   .no_id = no_id_,
                                   .backend_pid = PQbackendPID(conn.raw())};
    std::string tag;
    try {
        tag = conn.exec("COMMIT", "COMMIT");
    } catch (const error& e) {
        if (!is_connection_lost(e)) throw;
        lease_->discard();
        if (!check) throw;
        settle_lost_commit(e, evidence);
        return;  // it committed
    }
    // COMMIT of a transaction that already failed succeeds with the tag ROLLBACK.
    if (tag == "ROLLBACK") {
        throw error(std::string(codes::query_failed),
                    "PostgreSQL: the transaction had failed earlier, so COMMIT rolled it back. Nothing was committed.",
                    {{"sqlstate", "25P02"}, {"during", "COMMIT"}})
            .with_sql(sql_error_info{.sqlstate = "25P02", .detail = "COMMIT rolled back a failed transaction"});
    }
}

void postgres_connection::settle_lost_commit(const error& lost, const commit_evidence& evidence) {
    commit_answer answer;
    if (evidence.failed) {
        answer = {lost_commit::rolled_back, "the transaction had failed before COMMIT"};
    } else if (!evidence.xid) {
        answer.resolution = "no transaction id: " + evidence.no_id;
    } else {
        lease_->give_back();  // frees its place in the pool for the question
        answer = resolve_lost_commit(lease_->owner(), *evidence.xid, evidence.backend_pid, deadline_);
    }
    if (answer.outcome == lost_commit::committed) return;
    error e(lost);
    e.with_detail("resolution", answer.resolution);
    if (evidence.xid) e.with_detail("transaction_id", *evidence.xid);
    if (answer.outcome == lost_commit::rolled_back) throw std::move(e.with_detail("outcome", "rolled_back"));
    throw std::move(e.with_detail("outcome", "unknown").with_transient(false));
}

void postgres_connection::rollback() {
    require_open("rollback()");
    if (lease_->held() && !lease_->conn().usable()) {
        // The connection is gone, and with it the transaction: the server rolled it back.
        lease_->discard();
        return;
    }
    exec("ROLLBACK", "ROLLBACK");
}

void postgres_connection::savepoint(std::string_view name) {
    require_open("savepoint()");
    check_identifier(name);
    exec("SAVEPOINT " + std::string(name), "SAVEPOINT");
}

void postgres_connection::release_savepoint(std::string_view name) {
    require_open("release_savepoint()");
    check_identifier(name);
    exec("RELEASE SAVEPOINT " + std::string(name), "RELEASE SAVEPOINT");
}

void postgres_connection::rollback_to_savepoint(std::string_view name) {
    require_open("rollback_to_savepoint()");
    check_identifier(name);
    exec("ROLLBACK TO SAVEPOINT " + std::string(name), "ROLLBACK TO SAVEPOINT");
}

std::vector<batch_result> postgres_connection::execute_batch(const std::vector<statement>& statements,
                                                             const execution_control& c) {
    require_open("execute_batch()");
    return run_batch(*lease_, statements, c);
}

void postgres_connection::stop_stream() noexcept {
    if (lease_->held() && lease_->conn().active != nullptr) lease_->conn().active->detach();
}

bool postgres_connection::roll_back_quietly() noexcept {
    if (!lease_->held()) return false;
    detail::raw_connection& c = lease_->conn();
    if (!c.usable()) return false;
    if (PQtransactionStatus(c.raw()) != PQTRANS_IDLE) {
        PGresult* res = PQexec(c.raw(), "ROLLBACK");
        PQclear(res);
    }
    return c.usable() && PQtransactionStatus(c.raw()) == PQTRANS_IDLE;
}

void postgres_connection::release() noexcept {
    if (finished_) return;
    stop_stream();
    // Never hand back a connection inside a transaction: roll back what is left open.
    if (!roll_back_quietly()) {
        destroy();
        return;
    }
    finished_ = true;
    lease_->give_back();
}

void postgres_connection::destroy() noexcept {
    if (finished_) return;
    finished_ = true;
    stop_stream();
    if (lease_->held() && !lease_->conn().owned()) {
        // The caller's connection is never closed: leave it idle, or mark it broken.
        if (!roll_back_quietly()) lease_->conn().mark_broken();
    } else {
        lease_->discard();
    }
    lease_->give_back();
}

}  // namespace strata::postgres::detail
