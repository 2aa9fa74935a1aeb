#include "sqlite_connection.hpp"

#include <algorithm>
#include <cctype>

#include "sqlite_errors.hpp"
#include "sqlite_rows.hpp"

namespace strata::sqlite::detail {

statement_limits statement_limits_of(sqlite3* db) noexcept {
    auto limit = [db](int which) { return static_cast<std::size_t>(std::max(0, sqlite3_limit(db, which, -1))); };
    return statement_limits{.max_parameters = limit(SQLITE_LIMIT_VARIABLE_NUMBER),
                            .max_sql_length = limit(SQLITE_LIMIT_SQL_LENGTH),
                            .max_value_length = limit(SQLITE_LIMIT_LENGTH)};
}

const statement_limits& build_limits() noexcept {
    static const statement_limits limits = [] {
        sqlite3* db = nullptr;
        statement_limits out{};
        if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK)
            out = statement_limits_of(db);
        sqlite3_close(db);
        return out;
    }();
    return limits;
}

capabilities sqlite_capabilities(const statement_limits& limits) noexcept {
    return capabilities{.interactive_transactions = true,
                        .atomic_batch = false,
                        .savepoints = true,
                        .returning = true,
                        .streaming = true,
                        .single_writer = true,
                        .limits = limits};
}

namespace {
void check_identifier(std::string_view name) {
    bool ok =
        !name.empty() && name.size() <= 63 && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
        throw error(std::string(codes::runtime_invalid_argument),
                    "A savepoint name must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters).",
                    {{"name_length", std::to_string(name.size())}});
    }
}
}  // namespace

sqlite_connection::~sqlite_connection() {
    if (!finished_) destroy();
}

void sqlite_connection::require_open(std::string_view operation) const {
    if (finished_) {
        throw error(std::string(codes::runtime_connection_released),
                    "This connection was already released; " + std::string(operation) + " needs a new one.");
    }
}

std::unique_ptr<row_source> sqlite_connection::execute(const statement& s, const execution_control& c) {
    require_open("execute()");
    if (lease_.owner().closed()) driver_errors::closed("sqlite", "execute()");
    return std::make_unique<rows>(lease_.share(), s, c, /*scoped=*/true);
}

namespace {

// Binds a parameter row straight into the statement.
class statement_sink final : public param_sink {
public:
    explicit statement_sink(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
    void null(int index) override { check(sqlite3_bind_null(stmt_, index)); }
    void integer(int index, std::int64_t v) override { check(sqlite3_bind_int64(stmt_, index, v)); }
    void real(int index, double v) override { check(sqlite3_bind_double(stmt_, index, v)); }
    // The caller's text lives until the row has run: no copy.
    void text(int index, std::string_view v) override {
        check(sqlite3_bind_text64(stmt_, index, v.empty() ? "" : v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
    }
    // A value made for this call (a codec's result) does not: SQLite copies it.
    void any(int index, const value& v) override { check(bind_value(stmt_, index, v, SQLITE_TRANSIENT)); }

private:
    void check(int rc) const {
        if (rc != SQLITE_OK) throw make_error(sqlite3_db_handle(stmt_), rc, "bind");
    }
    sqlite3_stmt* stmt_;
};

}  // namespace

// One prepared statement from the cache, bound and stepped once per row under one lock:
// no plan, stream or row source per row.
many_result sqlite_connection::execute_many(const statement& s, param_rows& rows, const execution_control& c) {
    require_open("execute_many()");
    if (lease_.owner().closed()) driver_errors::closed("sqlite", "execute_many()");
    auto lock = lease_.exclusive() ? std::unique_lock<std::mutex>() : lease_.conn().lock_plain();
    detail::raw_connection& conn = lease_.conn();
    statement_loan loan;
    conn.take(s.sql, loan, &s.source->text());
    struct give_back_at_exit {
        detail::raw_connection& conn;
        statement_loan& loan;
        ~give_back_at_exit() { conn.give_back(loan); }
    } give_back{conn, loan};
    sqlite3_stmt* stmt = loan.get().stmt;
    if (static_cast<std::size_t>(loan.get().placeholders) != rows.width()) {
        throw error(std::string(codes::plan_param_count),
                    "The statement has " + std::to_string(loan.get().placeholders) + " placeholders but each row has " +
                        std::to_string(rows.width()) + " parameters. Pass one value per placeholder.");
    }
    statement_sink sink(stmt);
    const detail::raw_connection::wait_for waiting(conn, &c);
    many_result out;
    const bool controlled = c.active();
    while (rows.next(sink)) {
        // Deadline and cancel between rows (every 256: a clock read costs more than a row).
        if (controlled && (out.executions & 255) == 0 &&
            (c.cancel.cancelled() || (c.deadline && clock::now() >= *c.deadline))) {
            throw error(std::string(codes::runtime_aborted),
                        c.cancel.cancelled() ? "The statement was cancelled." : "The statement ran past its deadline.",
                        {{"reason", c.cancel.cancelled() ? "cancelled" : "deadline"},
                         {"rows_done", std::to_string(out.executions)}});
        }
        int rc = sqlite3_step(stmt);
        while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);  // RETURNING rows are discarded
        if (rc != SQLITE_DONE) throw make_error(conn.db(), rc, "step");
        out.affected_rows += static_cast<std::uint64_t>(sqlite3_changes64(conn.db()));
        ++out.executions;
        sqlite3_reset(stmt);
    }
    return out;
}

transaction_status sqlite_connection::status() const {
    if (finished_) return transaction_status::unknown;
    auto lock = lease_.conn().lock_plain();
    return sqlite3_get_autocommit(lease_.conn().db()) ? transaction_status::idle : transaction_status::in_transaction;
}

// BEGIN / COMMIT / SAVEPOINT... run through the raw connection's statement cache:
// compiling them anew for every transaction cost as much as the rest of a small transaction.
void sqlite_connection::exec(const std::string& sql, std::string_view during) {
    detail::raw_connection& conn = lease_.conn();
    auto lock = conn.lock_plain();
    statement_loan loan;
    conn.take(sql, loan);
    const detail::raw_connection::wait_for waiting(conn, &control_);
    int rc = SQLITE_DONE;
    while ((rc = sqlite3_step(loan.get().stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        error e = make_error(conn.db(), rc, during);
        conn.give_back(loan);
        throw e;
    }
    conn.give_back(loan);
}

void sqlite_connection::begin(const transaction_options& options) {
    require_open("begin()");
    if (options.access == access_mode::read_only) {
        if (gated_) {  // a read-only transaction on the writer: refuse writes for its duration
            exec("PRAGMA query_only=ON", "BEGIN");
            query_only_ = true;
        }
        exec("BEGIN DEFERRED", "BEGIN");
        return;
    }
    static const sqlite::transaction_settings defaults;
    const auto* own = dynamic_cast<const sqlite::transaction_settings*>(options.driver_options.get());
    const sqlite::transaction_settings& o = own != nullptr ? *own : defaults;
    if (o.suspend_foreign_keys) {
        // A no-op inside a transaction, so before BEGIN; end_transaction() restores it.
        auto lock = lease_.conn().lock_plain();
        int on = 0;
        sqlite3_db_config(lease_.conn().db(), SQLITE_DBCONFIG_ENABLE_FKEY, -1, &on);
        if (on != 0) {
            lock.unlock();
            exec("PRAGMA foreign_keys=OFF", "BEGIN");
            foreign_keys_suspended_ = true;
        }
    }
    switch (o.begin) {
        case begin_mode::immediate:
            exec("BEGIN IMMEDIATE", "BEGIN");
            break;
        case begin_mode::deferred:
            exec("BEGIN DEFERRED", "BEGIN");
            break;
        case begin_mode::exclusive:
            exec("BEGIN EXCLUSIVE", "BEGIN");
            break;
    }
}

void sqlite_connection::commit() {
    require_open("commit()");
    exec("COMMIT", "COMMIT");
}

void sqlite_connection::rollback() {
    require_open("rollback()");
    // SQLite ends a transaction by itself after some errors (a full database, I/O errors,
    // out of memory): everything is rolled back already, and a ROLLBACK now would fail with
    // "no transaction is active", hiding the error that ended it.
    if (auto lock = lease_.conn().lock_plain(); sqlite3_get_autocommit(lease_.conn().db()) != 0) return;
    exec("ROLLBACK", "ROLLBACK");
}

void sqlite_connection::savepoint(std::string_view name) {
    require_open("savepoint()");
    check_identifier(name);
    exec("SAVEPOINT " + std::string(name), "SAVEPOINT");
}

void sqlite_connection::release_savepoint(std::string_view name) {
    require_open("release_savepoint()");
    check_identifier(name);
    exec("RELEASE SAVEPOINT " + std::string(name), "RELEASE SAVEPOINT");
}

void sqlite_connection::rollback_to_savepoint(std::string_view name) {
    require_open("rollback_to_savepoint()");
    check_identifier(name);
    exec("ROLLBACK TO SAVEPOINT " + std::string(name), "ROLLBACK TO SAVEPOINT");
}

bool sqlite_connection::end_transaction() noexcept {
    auto lock = lease_.conn().lock_plain();
    sqlite3* db = lease_.conn().db();
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    if (query_only_) sqlite3_exec(db, "PRAGMA query_only=OFF", nullptr, nullptr, nullptr);
    if (foreign_keys_suspended_ && sqlite3_get_autocommit(db) != 0) {
        foreign_keys_suspended_ = sqlite3_exec(db, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr) != SQLITE_OK;
        if (foreign_keys_suspended_) return false;  // never hand out a connection without its foreign keys
    }
    return sqlite3_get_autocommit(db) != 0;
}

void sqlite_connection::finish() noexcept {
    finished_ = true;
    if (gated_) lease_.conn().leave_scope();
}

void sqlite_connection::release() noexcept {
    if (finished_) return;
    // Never hand back a connection inside a transaction: roll back what is left open.
    if (!end_transaction()) {
        destroy();
        return;
    }
    finish();
}

void sqlite_connection::destroy() noexcept {
    if (finished_) return;
    if (!end_transaction()) {
        if (gated_) lease_.owner().mark_broken();
        lease_.discard();  // a reader in an unknown state is dropped, not reused
    }
    finish();
}

}  // namespace strata::sqlite::detail
