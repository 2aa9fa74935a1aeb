#include "strata/telemetry.hpp"

#include <cstdio>

#include "sql_scan.hpp"
#include "strata/error.hpp"

namespace strata {

std::string normalize_sql(std::string_view sql) { return detail::normalize_sql_text(sql); }

std::string fingerprint_hash(std::string_view normalized) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
    for (unsigned char c : normalized) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

telemetry::telemetry(std::function<void(const telemetry_event&)> sink) : sink_(std::move(sink)) {}

void telemetry::after_execute(const execution_context& ctx, const execution_summary& s) {
    telemetry_event ev;
    ev.execution_id = ctx.id;
    ev.fingerprint = normalize_sql(!ctx.sql.empty() ? ctx.sql : ctx.statement ? std::string_view(ctx.statement->sql()) : "");
    ev.hash = fingerprint_hash(ev.fingerprint);
    ev.outcome = s.outcome;
    ev.rows = s.rows;
    ev.duration = s.duration;
    if (s.error) {
        try {
            std::rethrow_exception(s.error);
        } catch (const error& e) {
            ev.error_code = e.code();
        } catch (...) {
            ev.error_code = "UNKNOWN";
        }
    }
    const bool failed = s.outcome == execution_outcome::error || s.outcome == execution_outcome::aborted;
    {
        std::lock_guard lock(mutex_);
        for (telemetry_counters* c : {&counters_[ev.fingerprint], &totals_}) {
            ++c->executions;
            if (failed) ++c->failures;
            c->rows += s.rows;
            c->total_time += s.duration;
        }
    }
    if (sink_) sink_(ev);
}

std::map<std::string, telemetry_counters> telemetry::by_fingerprint() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void telemetry::on_atomic_unit(const atomic_unit_summary& s) noexcept {
    std::lock_guard lock(mutex_);
    atomic_unit_counters& c = atomic_[s.mode];  // map node allocation: std::terminate on OOM is acceptable here
    ++c.units;
    if (!s.succeeded) ++c.failures;
    c.statements += s.statements;
}

void telemetry::on_commit_group(const commit_group_summary& s) noexcept {
    std::lock_guard lock(mutex_);
    ++groups_.groups;
    groups_.units += s.units;
    if (!s.succeeded) ++groups_.failed_groups;
    groups_.commit_time += s.commit;
    ++groups_.sizes[s.units];  // map node allocation: std::terminate on OOM is acceptable here
}

commit_group_counters telemetry::commit_groups() const {
    std::lock_guard lock(mutex_);
    return groups_;
}

std::map<atomic_mode, atomic_unit_counters> telemetry::atomic_units() const {
    std::lock_guard lock(mutex_);
    return atomic_;
}

telemetry_counters telemetry::totals() const {
    std::lock_guard lock(mutex_);
    return totals_;
}

}  // namespace strata
