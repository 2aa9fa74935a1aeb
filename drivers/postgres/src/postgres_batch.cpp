#include "postgres_batch.hpp"

#include <cstdlib>
#include <optional>
#include <unordered_map>

#include "postgres_errors.hpp"

namespace strata::postgres::detail {
namespace {

struct item {
    explicit item(const statement& s) : params(s.source->params()), key(statement_key(s.sql, params)) {}
    encoded_params params;
    std::string key;   // c_str() is the SQL
    std::string name;  // prepared statement name (empty: unnamed)
    bool prepare_now = false;
    bool from_cache = false;
    bool prepared_ok = false;
};

// Which statement a pipelined command belongs to, and whether it is its Parse.
struct command {
    std::size_t index;
    bool is_prepare;
};

struct stale_statement {};  // a cached statement vanished: run the batch again once

void note_affected(PGresult* res, batch_result& out) {
    const std::string_view tag = PQcmdStatus(res);
    if (!(tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") ||
          tag.starts_with("MERGE")))
        return;
    const char* n = PQcmdTuples(res);
    if (n != nullptr && *n != '\0') out.affected_rows = std::strtoull(n, nullptr, 10);
}

void read_rows(PGresult* res, const table_names& names, batch_result& out) {
    const auto layout = make_layout(res, names);
    const int fields = PQnfields(res);
    for (int r = 0, n = PQntuples(res); r < n; ++r) {
        std::vector<value> values(static_cast<std::size_t>(fields));
        for (int i = 0; i < fields; ++i) {
            if (!PQgetisnull(res, r, i)) {
                values[static_cast<std::size_t>(i)] =
                    decode(layout->types[static_cast<std::size_t>(i)], PQgetvalue(res, r, i),
                           static_cast<std::size_t>(PQgetlength(res, r, i)));
            }
        }
        out.rows.emplace_back(layout->shape, std::move(values));
    }
}

std::vector<batch_result> attempt(lease& l, const std::vector<statement>& statements, const execution_control& c) {
    raw_connection& conn = l.conn();
    PGconn* raw = conn.raw();
    const bool prepared = conn.statements().prepared && conn.statements().cache_size > 0;
    std::vector<std::unique_ptr<item>> items;
    items.reserve(statements.size());
    std::unordered_map<std::string, std::string> prepared_here;  // key -> name, for repeats in this batch
    for (const statement& s : statements) {
        auto it = std::make_unique<item>(s);
        if (prepared) {
            if (const prepared_statement* p = conn.find(it->key)) {
                it->name = p->name;
                it->from_cache = true;
            } else if (auto same = prepared_here.find(it->key); same != prepared_here.end()) {
                it->name = same->second;
            } else {
                it->name = conn.next_statement_name();
                it->prepare_now = true;
                prepared_here.emplace(it->key, it->name);
            }
        }
        items.push_back(std::move(it));
    }

    std::vector<command> commands;
    bool sent = PQenterPipelineMode(raw) == 1;
    for (std::size_t i = 0; sent && i < items.size(); ++i) {
        item& it = *items[i];
        const encoded_params& p = it.params;
        if (it.prepare_now) {
            sent = PQsendPrepare(raw, it.name.c_str(), it.key.c_str(), p.count(), p.types()) == 1;
            commands.push_back({i, true});
        }
        if (!sent) break;
        sent = it.name.empty()
                   ? PQsendQueryParams(raw, it.key.c_str(), p.count(), p.types(), p.values(), p.lengths(), p.formats(),
                                       0) == 1
                   : PQsendQueryPrepared(raw, it.name.c_str(), p.count(), p.values(), p.lengths(), p.formats(), 0) == 1;
        commands.push_back({i, false});
    }
    if (!sent || PQpipelineSync(raw) != 1) {
        error e = make_error(nullptr, raw, "batch");
        conn.mark_broken();
        l.discard();
        throw e;
    }

    std::vector<batch_result> results(items.size());
    std::optional<error> failure;
    std::size_t failed_at = 0;
    wait_state w;
    const bool ok = conn.read_pipeline(commands.size(), c, w, [&](std::size_t k, PGresult* res) {
        const command cmd = commands[k];
        switch (PQresultStatus(res)) {
            case PGRES_COMMAND_OK:
                if (cmd.is_prepare)
                    items[cmd.index]->prepared_ok = true;
                else
                    note_affected(res, results[cmd.index]);
                break;
            case PGRES_TUPLES_OK:
                read_rows(res, l.owner().names, results[cmd.index]);
                note_affected(res, results[cmd.index]);
                break;
            case PGRES_FATAL_ERROR:
                if (!failure) {
                    failure = make_error(res, raw, "batch");
                    failed_at = cmd.index;
                }
                break;
            default:
                break;  // PGRES_PIPELINE_ABORTED: skipped after the failure
        }
        PQclear(res);
    });
    // Statements whose Parse succeeded exist on the server whatever happened next.
    for (const auto& it : items) {
        if (it->prepare_now && it->prepared_ok) conn.remember(it->key, it->name);
    }
    if (!ok) {
        l.discard();
        // A statement the server itself failed aborted the implicit transaction: nothing
        // was applied. Otherwise the sync (the commit point) was sent and its answer lost.
        if (failure && !is_connection_lost(*failure)) throw *failure;
        error lost = w.gave_up ? aborted(c).with_detail("connection", "discarded: the server did not stop in time")
                     : failure ? *failure
                               : make_error(nullptr, raw, "batch");
        throw std::move(lost.with_detail("outcome", "unknown").with_transient(false));
    }
    if (failure) {
        if (w.cancel_sent && failure->sql()->sqlstate == "57014") throw aborted(c);
        if (failure->sql()->sqlstate == "26000" && items[failed_at]->from_cache) {
            conn.forget(items[failed_at]->key, false);
            throw stale_statement{};
        }
        failure->with_detail("batch_index", std::to_string(failed_at));
        throw *failure;
    }
    return results;
}

}  // namespace

std::vector<batch_result> run_batch(lease& l, const std::vector<statement>& statements, const execution_control& c) {
    raw_connection& conn = l.conn();
    conn.make_ready();
    if (statements.empty()) return {};
    if (control_fired(c)) throw aborted(c);
    // Outside a transaction a failed batch changed nothing, so a vanished statement can
    // be prepared again and the batch re-run; inside one the transaction is now aborted.
    const bool idle = PQtransactionStatus(conn.raw()) == PQTRANS_IDLE;
    for (int round = 0;; ++round) {
        try {
            return attempt(l, statements, c);
        } catch (const stale_statement&) {
            if (round > 0 || !idle) {
                throw error(std::string(codes::query_failed),
                            "PostgreSQL: a cached prepared statement vanished from the connection during the batch "
                            "(DEALLOCATE, DISCARD or a pooler in session mode). Run the unit again.",
                            {{"sqlstate", "26000"}})
                    .with_sql(sql_error_info{.sqlstate = "26000"});
            }
        }
    }
}

}  // namespace strata::postgres::detail
