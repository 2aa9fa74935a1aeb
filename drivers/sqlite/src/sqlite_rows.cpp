#include "sqlite_rows.hpp"

#include <cctype>
#include <cstring>

#include "foundation/value_buffers.hpp"
#include "sqlite_errors.hpp"
#include "strata/timestamp_text.hpp"

namespace strata::sqlite::detail {
namespace {

constexpr int progress_interval = 1000;  // VM instructions between deadline/cancel checks

std::string upper(const char* s) {
    std::string out = s ? s : "";
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

error aborted(const execution_control& c) {
    const bool cancelled = c.cancel.cancelled();
    return error(std::string(codes::runtime_aborted),
                 cancelled ? "The statement was cancelled." : "The statement ran past its deadline and was stopped.",
                 {{"reason", cancelled ? "cancelled" : "deadline"}});
}

bool control_fired(const execution_control& c) {
    return c.cancel.cancelled() || (c.deadline && clock::now() >= *c.deadline);
}

}  // namespace

int bind_value(sqlite3_stmt* stmt, int idx, const value& v, sqlite3_destructor_type lifetime) {
    switch (v.kind()) {
        case value_kind::nil:
            return sqlite3_bind_null(stmt, idx);
        case value_kind::boolean:
            return sqlite3_bind_int(stmt, idx, *v.get_if<bool>() ? 1 : 0);
        case value_kind::integer:
            return sqlite3_bind_int64(stmt, idx, *v.get_if<std::int64_t>());
        case value_kind::real:
            return sqlite3_bind_double(stmt, idx, *v.get_if<double>());
        case value_kind::text: {
            const std::string& t = *v.get_if<std::string>();
            return sqlite3_bind_text64(stmt, idx, t.data(), t.size(), lifetime, SQLITE_UTF8);
        }
        case value_kind::bytes: {
            const blob& b = *v.get_if<blob>();
            return sqlite3_bind_blob64(stmt, idx, b.empty() ? "" : static_cast<const void*>(b.data()), b.size(),
                                       lifetime);
        }
        case value_kind::time: {
            const std::string text = format_timestamp(*v.get_if<timestamp>());
            return sqlite3_bind_text64(stmt, idx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        }
        case value_kind::json: {
            const std::string& t = v.get_if<json_text>()->text;
            return sqlite3_bind_text64(stmt, idx, t.data(), t.size(), lifetime, SQLITE_UTF8);
        }
    }
    return SQLITE_MISUSE;
}

rows::rows(lease&& l, const statement& s, const execution_control& control, bool scoped) noexcept
    : lease_(std::move(l)), sql_(s.sql), plan_(s.source), control_(control), scoped_(scoped) {}

rows::~rows() {
    if (stmt_ != nullptr) {
        auto lock = lease_.exclusive() ? std::unique_lock<std::mutex>() : lease_.conn().lock_plain();
        release();
    }
}

std::unique_lock<std::mutex> rows::lock_for_work() {
    if (lease_.exclusive()) return {};  // a leased reader: nobody else can touch it
    return scoped_ ? lease_.conn().lock_plain() : lease_.conn().lock(control_);
}

// With the lock held: the statement from the cache, parameters bound.
void rows::start() {
    started_ = true;
    lease_.conn().take(sql_, loan_, &plan_->text());
    stmt_ = loan_.get().stmt;
    try {
        bind(plan_->params());
    } catch (...) {
        release();
        throw;
    }
}

void rows::release() noexcept {
    lease_.conn().give_back(loan_);
    stmt_ = nullptr;
    layout_ = nullptr;
}

void rows::bind(const std::vector<value>& params) {
    const int expected = loan_.get().placeholders;
    if (static_cast<std::size_t>(expected) != params.size()) {
        throw error(std::string(codes::plan_param_count),
                    "The statement has " + std::to_string(expected) + " placeholders but " +
                        std::to_string(params.size()) + " parameters were given. Pass one value per placeholder.",
                    {{"placeholders", std::to_string(expected)}, {"parameters", std::to_string(params.size())}});
    }
    // Text and blobs are bound without copying (SQLITE_STATIC): the plan owns them and
    // outlives the statement's use of them (give_back resets the statement).
    int idx = 0;
    for (const value& v : params) {
        const int rc = bind_value(stmt_, ++idx, v, SQLITE_STATIC);
        if (rc != SQLITE_OK) throw make_error(lease_.conn().db(), rc, "bind");
    }
}

int rows::on_progress(void* self) noexcept {
    auto* r = static_cast<rows*>(self);
    if (control_fired(r->control_)) {
        r->stopped_by_control_ = true;
        return 1;
    }
    return 0;
}

void rows::ensure_layout() {
    prepared& p = loan_.get();
    const int reprepares = sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_REPREPARE, 0);
    if (p.layout && p.layout->reprepares == reprepares) {
        layout_ = p.layout.get();
        return;
    }
    const int n = sqlite3_column_count(stmt_);
    auto layout = std::make_shared<column_layout>();
    layout->reprepares = reprepares;
    std::vector<column_info> cols;
    cols.reserve(static_cast<std::size_t>(n));
    std::vector<hint>& hints = layout->hints;
    hints.assign(static_cast<std::size_t>(n), hint::none);
    for (int i = 0; i < n; ++i) {
        const char* name = sqlite3_column_name(stmt_, i);
        const char* table = sqlite3_column_table_name(stmt_, i);
        cols.push_back({name ? name : "", table ? table : ""});
        const std::string decl = upper(sqlite3_column_decltype(stmt_, i));
        if (decl == "BOOLEAN" || decl == "BOOL")
            hints[static_cast<std::size_t>(i)] = hint::boolean;
        else if (decl == "TIMESTAMP" || decl == "DATETIME" || decl == "TIMESTAMPTZ")
            hints[static_cast<std::size_t>(i)] = hint::timestamp;
        else if (decl == "JSON" || decl == "JSONB")
            hints[static_cast<std::size_t>(i)] = hint::json;
    }
    layout->shape = std::make_shared<const row_shape>(std::move(cols));
    p.layout = std::move(layout);
    layout_ = p.layout.get();
}

void rows::read_row(row& out) {
    if (layout_ == nullptr) ensure_layout();
    const std::vector<hint>& hints = layout_->hints;
    const std::size_t n = layout_->shape->size();
    // The previous row's vector when streaming, else one a destroyed row gave back on
    // this thread: values are written over the ones in place (text into the string
    // already there), so reading a row usually allocates nothing.
    std::vector<value> values = out.shape_ptr() == layout_->shape ? std::move(out.mutable_values())
                                                                  : strata::detail::take_row_buffer();
    if (values.size() > n) values.resize(n);
    values.reserve(n);
    const auto put = [&values](std::size_t i, auto&& x) {
        if (i < values.size())
            strata::detail::value_access::set(values[i], std::forward<decltype(x)>(x));
        else
            values.emplace_back(std::forward<decltype(x)>(x));
    };
    // Each column is read through its sqlite3_value: one call into SQLite to find the
    // column, then cheap accessors, rather than a type lookup plus a typed getter that
    // each find the column again. The accessors expect the connection's mutex to be
    // held; strata opens its connections without one (NOMUTEX), and a caller's handle
    // may have one, so it is held for the whole row.
    struct db_mutex_guard {
        sqlite3_mutex* m;
        explicit db_mutex_guard(sqlite3_mutex* mutex) : m(mutex) {
            if (m != nullptr) sqlite3_mutex_enter(m);
        }
        ~db_mutex_guard() {
            if (m != nullptr) sqlite3_mutex_leave(m);
        }
        db_mutex_guard(const db_mutex_guard&) = delete;
        db_mutex_guard& operator=(const db_mutex_guard&) = delete;
    } guard(lease_.conn().db_mutex());
    for (std::size_t i = 0; i < n; ++i) {
        sqlite3_value* col = sqlite3_column_value(stmt_, static_cast<int>(i));
        switch (sqlite3_value_type(col)) {
            case SQLITE_INTEGER: {
                const std::int64_t x = sqlite3_value_int64(col);
                if (hints[i] == hint::boolean && (x == 0 || x == 1))
                    put(i, x == 1);
                else
                    put(i, x);
                break;
            }
            case SQLITE_FLOAT:
                put(i, sqlite3_value_double(col));
                break;
            case SQLITE_TEXT: {
                const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(col));
                const auto size = static_cast<std::size_t>(sqlite3_value_bytes(col));
                if (hints[i] == hint::timestamp) {
                    if (auto t = parse_timestamp(std::string_view(p, size))) {
                        put(i, *t);
                        break;
                    }
                } else if (hints[i] == hint::json) {
                    put(i, json_text{std::string(p, size)});
                    break;
                }
                if (std::string* in_place = i < values.size() ? strata::detail::value_access::text(values[i]) : nullptr)
                    in_place->assign(p, size);  // the recycled string's capacity
                else
                    put(i, std::string(p, size));
                break;
            }
            case SQLITE_BLOB: {
                const auto* p = static_cast<const std::byte*>(sqlite3_value_blob(col));
                put(i, blob(p, p + sqlite3_value_bytes(col)));
                break;
            }
            default:
                put(i, null_t{});
                break;
        }
    }
    out = row(layout_->shape, std::move(values));
}

void rows::fail(int rc) {
    // Stopped by the deadline or a cancel: in the VM (the progress handler interrupts) or
    // while waiting for another connection's lock (the busy handler gives up).
    const bool by_control = ((rc & 0xFF) == SQLITE_INTERRUPT && stopped_by_control_) ||
                            ((rc & 0xFF) == SQLITE_BUSY && control_fired(control_));
    error e = by_control ? aborted(control_) : make_error(lease_.conn().db(), rc, "step");
    release();
    throw e;
}

bool rows::next(row& out) {
    if (stmt_ == nullptr && started_) return false;
    if (lease_.owner().closed()) {
        if (stmt_ != nullptr) {
            auto lock = lease_.exclusive() ? std::unique_lock<std::mutex>() : lease_.conn().lock_plain();
            release();
        }
        started_ = true;
        driver_errors::closed("sqlite", "reading a result");
    }
    auto lock = lock_for_work();
    if (!started_) start();
    const bool controlled = control_.active();
    if (controlled) {
        if (control_fired(control_)) {
            const error e = aborted(control_);
            release();
            throw e;
        }
        sqlite3_progress_handler(lease_.conn().db(), progress_interval, &rows::on_progress, this);
    }
    int rc = SQLITE_OK;
    {
        const raw_connection::wait_for waiting(lease_.conn(), &control_);
        rc = sqlite3_step(stmt_);
    }
    if (controlled) sqlite3_progress_handler(lease_.conn().db(), 0, nullptr, nullptr);
    if (rc == SQLITE_ROW) {
        read_row(out);
        return true;
    }
    if (rc == SQLITE_DONE) {
        if (!sqlite3_stmt_readonly(stmt_))
            affected_ = static_cast<std::uint64_t>(sqlite3_changes64(lease_.conn().db()));
        release();
        return false;
    }
    fail(rc);
}

}  // namespace strata::sqlite::detail
