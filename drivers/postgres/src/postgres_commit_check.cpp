#include "postgres_commit_check.hpp"

#include <algorithm>
#include <thread>

#include "postgres_errors.hpp"

namespace strata::postgres::detail {
namespace {

// How long a resolution keeps trying (a server restarting, a backend still finishing
// the COMMIT), unless the transaction's deadline comes first. One attempt always runs.
constexpr auto resolve_window = std::chrono::milliseconds(2000);
// How long a transaction may stay in progress before its old backend is ended: a COMMIT
// the server received takes far less; a backend waiting on a half-open socket, forever.
constexpr auto in_progress_grace = std::chrono::milliseconds(500);
constexpr auto first_pause = std::chrono::milliseconds(25);
constexpr auto longest_pause = std::chrono::milliseconds(200);

// One query with text parameters; the first column of its first row, or nullopt for
// NULL. Throws the mapped error.
std::optional<std::string> ask(PGconn* conn, const char* sql, std::initializer_list<const char*> params) {
    const std::vector<const char*> values(params);
    PGresult* res =
        PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        error e = make_error(res, conn, "commit check");
        PQclear(res);
        throw e;
    }
    std::optional<std::string> out;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) out = PQgetvalue(res, 0, 0);
    PQclear(res);
    return out;
}

}  // namespace

std::optional<std::string> begin_recording_id(raw_connection& conn, const std::string& begin_sql) {
    conn.make_ready();
    // One simple query, two statements: PQexec returns the last result, or the first error.
    const std::string sql = begin_sql +
                            "; SELECT CASE WHEN pg_catalog.current_setting('transaction_read_only') = 'on' THEN NULL "
                            "ELSE pg_catalog.pg_current_xact_id()::text END";
    PGresult* res = PQexec(conn.raw(), sql.c_str());
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        error e = make_error(res, conn.raw(), "BEGIN");
        PQclear(res);
        if (is_connection_lost(e)) conn.mark_broken();
        throw e;
    }
    std::optional<std::string> out;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) out = PQgetvalue(res, 0, 0);
    PQclear(res);
    conn.last_used = clock::now();
    return out;
}

commit_answer resolve_lost_commit(pool::core& pool, const std::string& xid, int backend_pid,
                                  std::optional<clock::time_point> deadline) noexcept {
    const std::string pid = std::to_string(backend_pid);
    auto until = clock::now() + resolve_window;
    if (deadline && *deadline < until) until = *deadline;
    auto pause = first_pause;
    std::string last = "not asked";
    std::optional<clock::time_point> in_progress_since;
    try {
        for (;;) {
            try {
                // A short wait for a connection: the pool is the caller's, and it may be full.
                const auto wait = std::max(until, clock::now() + std::chrono::milliseconds(100));
                lease fresh = pool.acquire(execution_control{wait, {}});
                PGconn* conn = fresh.conn().raw();
                const auto status = ask(conn, "SELECT pg_catalog.pg_xact_status($1::pg_catalog.xid8)", {xid.c_str()});
                if (!status) return {lost_commit::unknown, "the server no longer knows the transaction id"};
                if (*status == "committed") return {lost_commit::committed, "pg_xact_status: committed"};
                if (*status == "aborted") return {lost_commit::rolled_back, "pg_xact_status: aborted"};
                // In progress: the old backend has not finished the COMMIT, or has not read
                // it (a half-open socket can keep it waiting). Past the grace, ending that
                // backend, only while it still holds this transaction, makes the next
                // answer final.
                if (!in_progress_since) in_progress_since = clock::now();
                if (clock::now() - *in_progress_since >= in_progress_grace)
                    (void)ask(conn,
                              "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
                              "WHERE pid = $1::int AND backend_xid::text = "
                              "(($2::pg_catalog.xid8::text::numeric % 4294967296)::bigint)::text",
                              {pid.c_str(), xid.c_str()});
                last = "the transaction was still in progress";
            } catch (const error& e) {
                last = "the server could not be asked (" + e.code() + ")";
            }
            if (clock::now() >= until) break;
            std::this_thread::sleep_for(
                std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now())));
            pause = std::min(pause * 2, longest_pause);
        }
    } catch (...) {  // out of memory and the like: the outcome stays unknown
    }
    return {lost_commit::unknown, last};
}

}  // namespace strata::postgres::detail
