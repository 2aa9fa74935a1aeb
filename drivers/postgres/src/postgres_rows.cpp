#include "postgres_rows.hpp"

#include <cstdlib>

#include "foundation/value_buffers.hpp"
#include "postgres_errors.hpp"

namespace strata::postgres::detail {
namespace {

[[noreturn]] void released() {
    throw error(std::string(codes::runtime_connection_released),
                "This result's connection was released when its scope ended. Read results inside the scope.");
}

// Preparing describes the statement, and the server answers with one ParameterDescription
// message of 6 + 4 bytes per parameter; libpq drops the connection ("lost
// synchronization with server") on a message of that type over 30,000 bytes. A statement
// with more parameters runs unnamed (Parse, Bind, Execute in one go, no description):
// PostgreSQL's limit of 65,535 parameters (capabilities::limits) holds either way.
constexpr int max_described_parameters = (30000 - 6) / 4;

bool is_write_tag(std::string_view tag) {
    return tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") ||
           tag.starts_with("MERGE");
}

}  // namespace

rows::rows(std::shared_ptr<lease> l, bool owns_lease, const statement& s, const execution_control& control)
    : lease_(std::move(l)), owns_lease_(owns_lease), params_(s.source->params()), control_(control) {
    key_ = statement_key(s.sql, params_);
    prepared_ = conn().statements().prepared && conn().statements().cache_size > 0 &&
                params_.count() <= max_described_parameters;
    send();
}

rows::~rows() {
    if (!done_) abandon();
    finish();
}

void rows::send() {
    raw_connection& c = conn();
    c.make_ready();
    PGconn* raw = c.raw();
    in_transaction_ = PQtransactionStatus(raw) != PQTRANS_IDLE;  // libpq's own state: no round trip
    int sent = 0;
    if (prepared_) {
        const prepared_statement* p = c.find(key_);
        from_cache_ = p != nullptr;
        if (p == nullptr) {
            try {
                p = &c.prepare(key_, key_.c_str(), params_, control_, lease_->owner().names);
            } catch (error& e) {
                if (is_connection_lost(e)) lost(e);
                if (!c.usable()) lease_->discard();
                throw;
            }
        }
        layout_ = p->layout;
        sent = PQsendQueryPrepared(raw, p->name.c_str(), params_.count(), params_.values(), params_.lengths(),
                                   params_.formats(), 0);
    } else {
        sent = PQsendQueryParams(raw, key_.c_str(), params_.count(), params_.types(), params_.values(),
                                 params_.lengths(), params_.formats(), 0);
    }
    if (sent != 1) {
        error e = make_error(nullptr, raw, "execute");
        if (is_connection_lost(e)) lost(e);
        lease_->discard();
        c.mark_broken();
        throw e;
    }
    PQsetSingleRowMode(raw);
    c.active = this;
}

bool rows::next(row& out) {
    if (!parked_.empty()) {
        out = std::move(parked_.front());
        parked_.pop_front();
        return true;
    }
    if (parked_error_) std::rethrow_exception(std::exchange(parked_error_, nullptr));
    if (detached_) released();
    if (done_) return false;
    if (lease_->driver_closed && lease_->driver_closed->load(std::memory_order_acquire)) {
        stop();
        finish();
        driver_errors::closed(driver_name, "reading a result");
    }
    if (!wait_.cancel_sent && control_fired(control_)) {
        const error e = aborted(control_);
        stop();
        finish();
        throw e;
    }
    return pull(out);
}

bool rows::pull(row& out) {
    raw_connection& c = conn();
    for (;;) {
        PGresult* r = c.next_result(control_, wait_);
        if (r == nullptr) {
            if (wait_.gave_up) {
                lease_->discard();
                done_ = true;
                finish();
                throw aborted(control_).with_detail("connection", "discarded: the server did not stop in time");
            }
            done_ = true;
            if (!prepared_ && !unresolved_tables_.empty() && PQtransactionStatus(c.raw()) == PQTRANS_IDLE) {
                lease_->owner().names.resolve(c.raw(), unresolved_tables_);  // for the next executions
            }
            finish();
            return false;
        }
        switch (PQresultStatus(r)) {
            case PGRES_SINGLE_TUPLE:
                received_ = true;
                fill(out, r);
                PQclear(r);
                yielded_ = true;
                return true;
            case PGRES_TUPLES_OK:
            case PGRES_COMMAND_OK:
                received_ = true;
                note_affected(r);
                PQclear(r);
                break;
            case PGRES_EMPTY_QUERY:
                received_ = true;
                PQclear(r);
                break;
            case PGRES_FATAL_ERROR: {
                error e = make_error(r, c.raw(), "execute");
                PQclear(r);
                while (PGresult* rest = c.next_result(control_, wait_)) PQclear(rest);
                if (c.active == this) c.active = nullptr;  // nothing of ours is left to read
                if (should_reprepare(e)) {
                    c.forget(key_, e.sql()->sqlstate != "26000");
                    retried_ = true;
                    send();
                    break;
                }
                fail(std::move(e));
            }
            default: {
                PQclear(r);
                c.mark_broken();  // COPY and other protocol states are not supported
                fail(error(std::string(codes::query_failed),
                           "The statement started a COPY or another unsupported protocol exchange; the connection "
                           "was discarded. Run COPY outside strata.",
                           {{"sqlstate", "0A000"}}));
            }
        }
    }
}

bool rows::should_reprepare(const error& e) const {
    // A cached statement vanished (DEALLOCATE ALL, DISCARD, a pooler switching server
    // connections) or its result type changed: prepare it again, once, before any row
    // reached the caller and only outside a transaction (an error aborts one).
    if (!prepared_ || !from_cache_ || retried_ || yielded_ || !e.sql()) return false;
    const std::string& state = e.sql()->sqlstate;
    return (state == "26000" || state == "0A000") && PQtransactionStatus(conn().raw()) == PQTRANS_IDLE;
}

void rows::fail(error e) {
    done_ = true;
    if (is_connection_lost(e)) lost(e);
    if (!conn().usable()) lease_->discard();
    finish();
    if (wait_.cancel_sent && e.sql() && e.sql()->sqlstate == "57014") throw aborted(control_);
    throw e;
}

void rows::lost(error& e) noexcept {
    conn().mark_broken();
    lease_->discard();
    if (!received_) {
        try {
            driver_errors::mark_nothing_received(e);
        } catch (...) {  // without the mark the statement is simply not run again
        }
    }
}

void rows::fill(row& out, const PGresult* res) {
    const int n = PQnfields(res);
    if (!layout_ || layout_->types.size() != static_cast<std::size_t>(n)) {
        table_names& names = lease_->owner().names;
        layout_ = make_layout(res, names);
        if (prepared_)
            conn().set_layout(key_, layout_);
        else
            unresolved_tables_ = names.missing(res);
    }
    // The previous row's vector when streaming, else one a destroyed row gave back.
    std::vector<value> values = out.shape_ptr() == layout_->shape ? std::move(out.mutable_values())
                                                                  : strata::detail::take_row_buffer();
    values.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const auto idx = static_cast<std::size_t>(i);
        if (PQgetisnull(res, 0, i)) {
            values[idx] = value{};
        } else {
            values[idx] =
                decode(layout_->types[idx], PQgetvalue(res, 0, i), static_cast<std::size_t>(PQgetlength(res, 0, i)));
        }
    }
    out = row(layout_->shape, std::move(values));
}

void rows::note_affected(const PGresult* res) noexcept {
    if (!is_write_tag(PQcmdStatus(const_cast<PGresult*>(res)))) return;
    const char* n = PQcmdTuples(const_cast<PGresult*>(res));
    if (n != nullptr && *n != '\0') affected_ = std::strtoull(n, nullptr, 10);
}

void rows::park() {
    // Another statement needs the connection: keep the rest of this one in memory.
    try {
        row r;
        while (!done_ && pull(r)) parked_.push_back(std::move(r));
    } catch (...) {
        parked_error_ = std::current_exception();
    }
}

void rows::detach() noexcept {
    if (!done_) stop();
    parked_.clear();
    parked_error_ = nullptr;
    detached_ = true;
    finish();
}

void rows::stop() noexcept {
    done_ = true;
    if (!lease_ || !lease_->held() || conn().active != this) return;
    if (!conn().settle()) lease_->discard();
}

void rows::abandon() noexcept {
    if (!in_transaction_) {
        stop();
        return;
    }
    // Reading the rest keeps the transaction as it was; the statement's deadline and
    // cancel token still bound the read (if one fires, the statement is cancelled as any
    // statement would be).
    done_ = true;
    if (!lease_ || !lease_->held() || conn().active != this) return;
    if (!conn().drain(control_)) lease_->discard();
}

void rows::finish() noexcept {
    if (!lease_) return;
    if (lease_->held() && conn().active == this) conn().active = nullptr;
    if (owns_lease_) lease_->give_back();
    lease_.reset();
}

}  // namespace strata::postgres::detail
