#include "postgres_errors.hpp"

#include <algorithm>

namespace strata::postgres::detail {
namespace {

struct mapped {
    std::string_view code;
    std::string_view hint;
    bool transient = false;
};

bool lost_state(std::string_view sqlstate) {
    if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") return true;  // shutdown, crash
    return sqlstate.starts_with("08") && sqlstate != "08P01";  // connection exceptions, not protocol misuse
}

mapped classify(std::string_view s) {
    if (s == "23505") return {codes::query_constraint, "A row with the same key already exists."};
    if (s == "23503") return {codes::query_constraint, "The referenced row does not exist (or is still referenced)."};
    if (s == "23502") return {codes::query_constraint, "Give the column a value; it does not accept NULL."};
    if (s == "23514") return {codes::query_constraint, "The row does not satisfy the table's CHECK constraint."};
    if (s.starts_with("23")) return {codes::query_constraint, "The row violates a constraint."};
    if (s == "42601") return {codes::query_syntax, "Fix the SQL syntax."};
    if (s == "42P01") return {codes::query_failed, "Create the table or fix its name."};
    if (s == "42703") return {codes::query_failed, "Fix the column name or add the column."};
    if (s == "42P07") return {codes::query_failed, "The object already exists; use IF NOT EXISTS or another name."};
    if (s == "40001") return {codes::query_failed, "Serialization failure: run the transaction again.", true};
    if (s == "40P01") return {codes::query_failed, "Deadlock detected: run the transaction again.", true};
    if (s == "55P03")
        return {codes::driver_busy, "A lock could not be taken in time. Retry, or raise lock_timeout.", true};
    if (s == "57014")
        return {codes::runtime_aborted, "The statement was cancelled (deadline, cancellation or timeout)."};
    if (s == "25006") return {codes::query_failed, "The transaction or server is read-only; writes are refused."};
    if (s == "25P02")
        return {codes::query_failed, "An earlier statement failed, so the transaction is aborted. Roll it back."};
    if (s == "26000") return {codes::query_failed, "The prepared statement does not exist on this connection."};
    if (s == "53300") return {codes::driver_connect_failed, "The server has too many connections.", true};
    if (s.starts_with("28")) return {codes::driver_connect_failed, "Check the user name and password."};
    if (s == "3D000") return {codes::driver_connect_failed, "The database does not exist."};
    if (s.starts_with("53")) return {codes::query_failed, "The server ran out of a resource (disk, memory)."};
    if (s.starts_with("22")) return {codes::query_failed, "A value does not fit its SQL type."};
    if (s == "42P18" || s == "42804")
        return {codes::query_failed,
                "A parameter's type could not be inferred or does not match; add a cast (?::type)."};
    if (lost_state(s))
        return {connection_lost_code,
                "The connection to the server was lost; nothing after the last commit is known to have run. "
                "Retry on a new connection.",
                true};
    return {codes::query_failed, "See the database's message."};
}

std::string field(const PGresult* res, int code) {
    const char* f = res ? PQresultErrorField(res, code) : nullptr;
    return f ? std::string(f) : std::string();
}

// The first "quoted" name in a message (relation "x" does not exist), unqualified.
std::string quoted_name(std::string_view msg) {
    const auto open = msg.find('"');
    if (open == std::string_view::npos) return {};
    const auto close = msg.find('"', open + 1);
    if (close == std::string_view::npos) return {};
    std::string_view name = msg.substr(open + 1, close - open - 1);
    if (auto dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
    return std::string(name);
}

// "Key (a, b)=(1, 2) already exists." -> "a,b" (the values are never kept)
std::string key_columns(std::string_view detail) {
    const auto open = detail.find("Key (");
    if (open == std::string_view::npos) return {};
    const auto start = open + 5;
    const auto close = detail.find(")=(", start);
    if (close == std::string_view::npos) return {};
    std::string out;
    for (char c : detail.substr(start, close - start)) {
        if (c != ' ') out += c;
    }
    return out;
}

// Data exceptions quote the offending input ("invalid input syntax for type integer:
// "abc""): drop that tail so bound values never reach a message.
std::string without_values(std::string msg, std::string_view sqlstate) {
    if (!sqlstate.starts_with("22")) return msg;
    if (const auto at = msg.find(": \""); at != std::string::npos) msg.resize(at);
    return msg;
}

std::string trim_message(std::string msg) {
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ' || msg.back() == '.')) msg.pop_back();
    // libpq prefixes severities ("ERROR:  ", "FATAL:  ") in PQerrorMessage
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
        if (msg.starts_with(prefix)) msg.erase(0, prefix.size());
    }
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    std::replace(msg.begin(), msg.end(), '\t', ' ');
    return msg;
}

}  // namespace

std::string scrub(std::string text, std::string_view secret) {
    if (secret.size() < 3) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
    }
    return text;
}

error make_error(const PGresult* res, PGconn* conn, std::string_view during) {
    std::string sqlstate = field(res, PG_DIAG_SQLSTATE);
    const bool bad = conn != nullptr && PQstatus(conn) == CONNECTION_BAD;
    if (bad && !lost_state(sqlstate)) sqlstate = "08006";  // the client saw the connection drop
    if (sqlstate.empty()) sqlstate = "XX000";
    std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) {
        const char* m = res ? PQresultErrorMessage(res) : nullptr;
        if ((m == nullptr || *m == '\0') && conn != nullptr) m = PQerrorMessage(conn);
        message = m ? m : "";
    }
    message = without_values(trim_message(std::move(message)), sqlstate);
    if (message.empty()) message = "unknown error";

    const mapped m = classify(sqlstate);
    sql_error_info info;
    info.sqlstate = sqlstate;
    info.detail = message;
    info.constraint = field(res, PG_DIAG_CONSTRAINT_NAME);
    info.table = field(res, PG_DIAG_TABLE_NAME);
    info.column = field(res, PG_DIAG_COLUMN_NAME);
    if (info.column.empty()) info.column = key_columns(field(res, PG_DIAG_MESSAGE_DETAIL));
    if (sqlstate == "42P01" && info.table.empty()) info.table = quoted_name(message);
    if (sqlstate == "42703" && info.column.empty()) info.column = quoted_name(message);

    error_details details{{"sqlstate", sqlstate}, {"during", std::string(during)}};
    if (!info.table.empty()) details.emplace("table", info.table);
    if (!info.column.empty()) details.emplace("column", info.column);
    if (!info.constraint.empty()) details.emplace("constraint", info.constraint);
    if (const std::string h = field(res, PG_DIAG_MESSAGE_HINT); !h.empty()) details.emplace("server_hint", h);
    return error(std::string(m.code), "PostgreSQL: " + message + ". " + std::string(m.hint), std::move(details))
        .with_sql(std::move(info))
        .with_transient(m.transient);
}

bool is_connection_lost(const error& e) noexcept {
    return e.code() == connection_lost_code;
}

namespace {
// A server that is not there for a moment: not listening (yet), starting, stopping or
// recovering after a crash, out of connection slots, or gone during the handshake. A
// retry may succeed; a wrong password, a missing database or a bad option never will.
// libpq gives a failed connection no SQLSTATE, so its message is read; the server's part
// is in English unless the server's lc_messages says otherwise, and a message not
// recognized here is not transient (the safe side).
bool server_unavailable(std::string_view msg) {
    for (const std::string_view sign :
         {"refused", "timeout", "the database system is starting up", "the database system is shutting down",
          "the database system is not yet accepting connections", "the database system is in recovery mode",
          "too many clients", "remaining connection slots are reserved", "server closed the connection unexpectedly",
          "Connection reset by peer"}) {
        if (msg.find(sign) != std::string_view::npos) return true;
    }
    return false;
}
}  // namespace

error connect_failed(std::string_view libpq_message, std::string_view description, std::string_view password) {
    std::string msg = scrub(trim_message(std::string(libpq_message)), password);
    const bool auth = msg.find("authentication failed") != std::string::npos;
    const bool refused = !auth && server_unavailable(msg);
    return error(std::string(codes::driver_connect_failed),
                 "Could not connect to PostgreSQL (" + std::string(description) + "): " + msg + ". " +
                     (auth ? "Check the user name and password."
                           : "Check that the server is running and that host, port and database are right."),
                 {{"binding", std::string(description)}})
        .with_sql(sql_error_info{.sqlstate = auth ? "28P01" : "08001", .detail = msg})
        .with_transient(refused);
}

bool control_fired(const execution_control& c) noexcept {
    return c.cancel.cancelled() || (c.deadline && clock::now() >= *c.deadline);
}

error aborted(const execution_control& c) {
    const bool cancelled = c.cancel.cancelled();
    return error(std::string(codes::runtime_aborted),
                 cancelled ? "The statement was cancelled (a cancel request was sent to the server)."
                           : "The statement ran past its deadline and was cancelled on the server.",
                 {{"reason", cancelled ? "cancelled" : "deadline"}})
        .with_sql(sql_error_info{.sqlstate = "57014"});
}

}  // namespace strata::postgres::detail
