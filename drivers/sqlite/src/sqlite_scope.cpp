#include "sqlite_scope.hpp"

#include <cctype>

#include "sqlite_errors.hpp"
#include "sqlite_rows.hpp"

namespace strata::sqlite::detail {

capabilities sqlite_capabilities() noexcept {
    return capabilities{.interactive_transactions = true,
                        .atomic_batch = false,
                        .savepoints = true,
                        .returning = true,
                        .streaming = true};
}

namespace {
void check_identifier(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 63 && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
        throw error(std::string(codes::runtime_invalid_argument),
                    "A savepoint name must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters).",
                    {{"name_length", std::to_string(name.size())}});
    }
}
}  // namespace

scope::~scope() {
    if (!finished_) destroy();
}

void scope::require_open(std::string_view operation) const {
    if (finished_) {
        throw error("RUNTIME.CONNECTION_RELEASED",
                    "This connection was already released; " + std::string(operation) + " needs a new one.");
    }
}

std::unique_ptr<row_source> scope::execute(const statement& s, const execution_control& c) {
    require_open("execute()");
    if (lease_.owner().closed()) driver_errors::closed("sqlite", "execute()");
    return std::make_unique<rows>(lease_.share(), s, c, /*scoped=*/true);
}

transaction_status scope::status() const {
    if (finished_) return transaction_status::unknown;
    auto lock = lease_.conn().lock_plain();
    return sqlite3_get_autocommit(lease_.conn().db()) ? transaction_status::idle : transaction_status::in_transaction;
}

// BEGIN / COMMIT / SAVEPOINT... run through the connection's statement cache: compiling
// them anew for every transaction cost as much as the rest of a small transaction.
void scope::exec(const std::string& sql, std::string_view during) {
    detail::connection& conn = lease_.conn();
    auto lock = conn.lock_plain();
    statement_loan loan;
    conn.take(sql, loan);
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

void scope::begin(const transaction_options& options) {
    require_open("begin()");
    if (options.access == access_mode::read_only) {
        if (gated_) {  // a read-only transaction on the writer: refuse writes for its duration
            exec("PRAGMA query_only=ON", "BEGIN");
            query_only_ = true;
        }
        exec("BEGIN DEFERRED", "BEGIN");
        return;
    }
    switch (options.begin) {
        case sqlite_begin::immediate: exec("BEGIN IMMEDIATE", "BEGIN"); break;
        case sqlite_begin::deferred: exec("BEGIN DEFERRED", "BEGIN"); break;
        case sqlite_begin::exclusive: exec("BEGIN EXCLUSIVE", "BEGIN"); break;
    }
}

void scope::commit() {
    require_open("commit()");
    exec("COMMIT", "COMMIT");
}

void scope::rollback() {
    require_open("rollback()");
    exec("ROLLBACK", "ROLLBACK");
}

void scope::savepoint(std::string_view name) {
    require_open("savepoint()");
    check_identifier(name);
    exec("SAVEPOINT " + std::string(name), "SAVEPOINT");
}

void scope::release_savepoint(std::string_view name) {
    require_open("release_savepoint()");
    check_identifier(name);
    exec("RELEASE SAVEPOINT " + std::string(name), "RELEASE SAVEPOINT");
}

void scope::rollback_to_savepoint(std::string_view name) {
    require_open("rollback_to_savepoint()");
    check_identifier(name);
    exec("ROLLBACK TO SAVEPOINT " + std::string(name), "ROLLBACK TO SAVEPOINT");
}

bool scope::end_transaction() noexcept {
    auto lock = lease_.conn().lock_plain();
    sqlite3* db = lease_.conn().db();
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    if (query_only_) sqlite3_exec(db, "PRAGMA query_only=OFF", nullptr, nullptr, nullptr);
    return sqlite3_get_autocommit(db) != 0;
}

void scope::finish() noexcept {
    finished_ = true;
    if (gated_) lease_.conn().leave_scope();
}

void scope::release() noexcept {
    if (finished_) return;
    // Never hand back a connection inside a transaction: roll back what is left open.
    if (!end_transaction()) {
        destroy();
        return;
    }
    finish();
}

void scope::destroy() noexcept {
    if (finished_) return;
    if (!end_transaction()) {
        if (gated_) lease_.owner().mark_broken();
        lease_.discard();  // a reader in an unknown state is dropped, not reused
    }
    finish();
}

}  // namespace strata::sqlite::detail
