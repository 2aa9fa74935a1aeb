#include "sqlite_errors.hpp"

#include <string>

namespace strata::sqlite::detail {
namespace {

struct mapped {
    std::string_view code;
    std::string_view sqlstate;
    std::string_view hint;
    bool transient = false;
};

mapped classify(int rc, std::string_view msg) {
    switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return {codes::query_constraint, "23505", "A row with the same key already exists."};
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return {codes::query_constraint, "23503", "The referenced row does not exist (or is still referenced)."};
        case SQLITE_CONSTRAINT_NOTNULL:
            return {codes::query_constraint, "23502", "Give the column a value; it does not accept NULL."};
        case SQLITE_CONSTRAINT_CHECK:
            return {codes::query_constraint, "23514", "The row does not satisfy the table's CHECK constraint."};
        default: break;
    }
    switch (rc & 0xFF) {
        case SQLITE_CONSTRAINT: return {codes::query_constraint, "23000", "The row violates a constraint."};
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return {codes::driver_busy, "55P03",
                    "The database is locked by another connection. Retry, or raise busy_timeout.", true};
        case SQLITE_INTERRUPT:
            return {codes::runtime_aborted, "57014", "The statement was interrupted (deadline or cancellation)."};
        case SQLITE_READONLY:
            return {codes::query_failed, "25006", "The database is open read-only; writes are refused."};
        case SQLITE_FULL: return {codes::query_failed, "53100", "The disk is full."};
        case SQLITE_NOMEM: return {codes::query_failed, "53200", "SQLite ran out of memory."};
        case SQLITE_TOOBIG: return {codes::query_failed, "54000", "A value or statement is too large."};
        case SQLITE_MISMATCH: return {codes::query_failed, "42804", "A value has the wrong type for its column."};
        case SQLITE_RANGE: return {codes::plan_param_count, "07001", "Pass one value per placeholder."};
        case SQLITE_CANTOPEN:
            return {codes::driver_connect_failed, "08006",
                    "Check that the path exists and that its folder is writable."};
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            return {codes::driver_connect_failed, "XX001", "The file is not a valid SQLite database."};
        case SQLITE_IOERR: return {codes::query_failed, "58030", "An I/O error occurred on the database file."};
        default: break;
    }
    if (msg.find("syntax error") != std::string_view::npos || msg.find("incomplete input") != std::string_view::npos)
        return {codes::query_syntax, "42601", "Fix the SQL syntax."};
    if (msg.starts_with("no such table")) return {codes::query_failed, "42P01", "Create the table or fix its name."};
    if (msg.starts_with("no such column"))
        return {codes::query_failed, "42703", "Fix the column name or add the column."};
    if (msg.find("already exists") != std::string_view::npos)
        return {codes::query_failed, "42P07", "The object already exists; use IF NOT EXISTS or another name."};
    return {codes::query_failed, "HY000", "See the database's message."};
}

// "UNIQUE constraint failed: t.a, t.b" -> table t, column a (the first)
void fill_constraint_target(std::string_view msg, sql_error_info& info) {
    const auto colon = msg.find("constraint failed: ");
    if (colon == std::string_view::npos) return;
    std::string_view target = msg.substr(colon + std::string_view("constraint failed: ").size());
    if (msg.starts_with("CHECK")) {
        info.constraint = std::string(target);
        return;
    }
    std::string_view first = target.substr(0, target.find(','));
    const auto dot = first.find('.');
    if (dot == std::string_view::npos) return;
    info.table = std::string(first.substr(0, dot));
    info.column = std::string(first.substr(dot + 1));
    if (target.find(',') != std::string_view::npos) {
        // composite key: report every column, without table prefixes
        std::string cols;
        while (!target.empty()) {
            auto part = target.substr(0, target.find(','));
            target.remove_prefix(std::min(target.size(), part.size() + 1));
            while (part.starts_with(' ')) part.remove_prefix(1);
            if (auto d = part.find('.'); d != std::string_view::npos) part.remove_prefix(d + 1);
            if (!cols.empty()) cols += ',';
            cols += part;
        }
        info.column = cols;
    }
}

void fill_missing_object(std::string_view msg, sql_error_info& info) {
    for (std::string_view prefix : {std::string_view("no such table: "), std::string_view("no such column: ")}) {
        if (msg.starts_with(prefix)) {
            std::string_view name = msg.substr(prefix.size());
            if (prefix.find("table") != std::string_view::npos) {
                if (auto d = name.find('.'); d != std::string_view::npos) name.remove_prefix(d + 1);
                info.table = std::string(name);
            } else {
                info.column = std::string(name);
            }
        }
    }
}

}  // namespace

error make_error_text(int rc, std::string_view message, std::string_view during) {
    const mapped m = classify(rc, message);
    sql_error_info info;
    info.sqlstate = std::string(m.sqlstate);
    info.detail = std::string(message);
    info.native_code = rc;
    fill_constraint_target(message, info);
    fill_missing_object(message, info);
    error_details details{{"sqlite_code", std::to_string(rc)}, {"during", std::string(during)}};
    if (!info.table.empty()) details.emplace("table", info.table);
    if (!info.column.empty()) details.emplace("column", info.column);
    if (!info.constraint.empty()) details.emplace("constraint", info.constraint);
    return error(std::string(m.code), "SQLite: " + std::string(message) + ". " + std::string(m.hint),
                 std::move(details))
        .with_sql(std::move(info))
        .with_transient(m.transient);
}

error make_error(sqlite3* db, int rc, std::string_view during) {
    const int extended = db ? sqlite3_extended_errcode(db) : rc;
    // The connection's code is the precise one when it refers to this failure.
    const int code = (db && (extended & 0xFF) == (rc & 0xFF)) ? extended : rc;
    const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return make_error_text(code, msg ? msg : sqlite3_errstr(rc), during);
}

}  // namespace strata::sqlite::detail
