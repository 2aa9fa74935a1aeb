#include "http/metrics.hpp"

#include <array>
#include <limits>
#include <sstream>

#include "db/stores.hpp"
#include "ws/event_bus.hpp"
#include "ws/hub.hpp"

namespace relay::http {

void metrics::observe(const std::string& method, const std::string& route, unsigned status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{method, route, status}];
    auto& h = latency_[{method, route}];
    for (std::size_t i = 0; i < buckets.size(); ++i)
        if (seconds <= buckets[i]) ++h.counts[i];
    ++h.count;
    h.sum += seconds;
}

std::string metrics::render(const stores& dbs, const hub& h, const event_bus& bus) const {
    std::ostringstream out;
    // 15 significant digits (every integer below 10^15 exactly, 0.005 still as 0.005): a
    // _sum of seconds must not print as 1.23457e+06 after a while.
    out.precision(std::numeric_limits<double>::digits10);
    {
        std::lock_guard lock(mutex_);
        out << "# HELP relay_http_requests_total HTTP requests by method, route and status.\n"
               "# TYPE relay_http_requests_total counter\n";
        for (const auto& [key, n] : requests_)
            out << "relay_http_requests_total{method=\"" << std::get<0>(key) << "\",route=\"" << std::get<1>(key)
                << "\",status=\"" << std::get<2>(key) << "\"} " << n << '\n';
        out << "# HELP relay_http_request_duration_seconds Time to handle a request.\n"
               "# TYPE relay_http_request_duration_seconds histogram\n";
        for (const auto& [key, hist] : latency_) {
            const std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
            for (std::size_t i = 0; i < buckets.size(); ++i)
                out << "relay_http_request_duration_seconds_bucket{" << labels << ",le=\"" << buckets[i] << "\"} "
                    << hist.counts[i] << '\n';
            out << "relay_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << hist.count << '\n';
            out << "relay_http_request_duration_seconds_sum{" << labels << "} " << hist.sum << '\n';
            out << "relay_http_request_duration_seconds_count{" << labels << "} " << hist.count << '\n';
        }
    }

    // Summed over the databases (one, or three in split mode).
    std::map<strata::atomic_mode, strata::atomic_unit_counters> units;
    strata::telemetry_counters totals{};
    std::optional<strata::postgres::pool::stats> pools;
    strata::commit_group_counters groups{};
    for (const database* db : dbs.all()) {
        const auto g = db->telemetry().commit_groups();
        groups.groups += g.groups;
        groups.units += g.units;
        groups.failed_groups += g.failed_groups;
        groups.commit_time += g.commit_time;
        for (const auto& [size, n] : g.sizes) groups.sizes[size] += n;
        for (const auto& [mode, c] : db->telemetry().atomic_units()) {
            auto& sum = units[mode];
            sum.units += c.units;
            sum.failures += c.failures;
            sum.statements += c.statements;
        }
        const auto t = db->telemetry().totals();
        totals.executions += t.executions;
        totals.failures += t.failures;
        totals.total_time += t.total_time;
        if (auto p = db->pool_statistics()) {
            if (!pools) pools.emplace();
            pools->open += p->open;
            pools->idle += p->idle;
            pools->waiting += p->waiting;
            pools->opened += p->opened;
        }
    }
    out << "# HELP relay_atomic_units_total Atomic write units by the mode that ran them.\n"
           "# TYPE relay_atomic_units_total counter\n";
    for (auto mode : {strata::atomic_mode::transaction, strata::atomic_mode::batch, strata::atomic_mode::sequential}) {
        auto it = units.find(mode);
        out << "relay_atomic_units_total{mode=\"" << strata::to_string(mode) << "\"} "
            << (it == units.end() ? 0 : it->second.units) << '\n';
    }
    out << "# HELP relay_atomic_unit_failures_total Atomic write units that failed (nothing applied).\n"
           "# TYPE relay_atomic_unit_failures_total counter\n";
    for (const auto& [mode, c] : units)
        out << "relay_atomic_unit_failures_total{mode=\"" << strata::to_string(mode) << "\"} " << c.failures << '\n';
    out << "# HELP relay_atomic_unit_statements_total Statements run in atomic write units.\n"
           "# TYPE relay_atomic_unit_statements_total counter\n";
    for (const auto& [mode, c] : units)
        out << "relay_atomic_unit_statements_total{mode=\"" << strata::to_string(mode) << "\"} " << c.statements
            << '\n';
    out << "# HELP relay_commit_group_size Units per commit group (groups of two or more; a unit alone is not "
           "counted).\n# TYPE relay_commit_group_size histogram\n";
    std::uint64_t cumulative = 0;
    auto size_it = groups.sizes.begin();
    for (const std::size_t le : std::array<std::size_t, 6>{2, 4, 8, 16, 32, 64}) {
        for (; size_it != groups.sizes.end() && size_it->first <= le; ++size_it) cumulative += size_it->second;
        out << "relay_commit_group_size_bucket{le=\"" << le << "\"} " << cumulative << '\n';
    }
    out << "relay_commit_group_size_bucket{le=\"+Inf\"} " << groups.groups << '\n'
        << "relay_commit_group_size_sum " << groups.units << '\n'
        << "relay_commit_group_size_count " << groups.groups << '\n'
        << "# HELP relay_commit_group_failures_total Commit groups that failed as a whole (their units ran again "
           "alone).\n# TYPE relay_commit_group_failures_total counter\n"
        << "relay_commit_group_failures_total " << groups.failed_groups << '\n'
        << "# HELP relay_commit_group_commit_seconds_total Time spent in the COMMITs of commit groups.\n"
           "# TYPE relay_commit_group_commit_seconds_total counter\n"
        << "relay_commit_group_commit_seconds_total " << std::chrono::duration<double>(groups.commit_time).count()
        << '\n';
    out << "# HELP relay_db_statements_total Statements executed.\n# TYPE relay_db_statements_total counter\n"
        << "relay_db_statements_total " << totals.executions << '\n'
        << "# HELP relay_db_statement_failures_total Statements that failed.\n"
           "# TYPE relay_db_statement_failures_total counter\n"
        << "relay_db_statement_failures_total " << totals.failures << '\n'
        << "# HELP relay_db_statement_seconds_total Time spent in statements.\n"
           "# TYPE relay_db_statement_seconds_total counter\n"
        << "relay_db_statement_seconds_total " << std::chrono::duration<double>(totals.total_time).count() << '\n';
    if (const auto& pool = pools) {
        out << "# HELP relay_db_pool_connections PostgreSQL pool connections by state.\n"
               "# TYPE relay_db_pool_connections gauge\n"
            << "relay_db_pool_connections{state=\"open\"} " << pool->open << '\n'
            << "relay_db_pool_connections{state=\"idle\"} " << pool->idle << '\n'
            << "relay_db_pool_connections{state=\"in_use\"} " << (pool->open - pool->idle) << '\n'
            << "# HELP relay_db_pool_waiting Callers waiting for a pool connection.\n"
               "# TYPE relay_db_pool_waiting gauge\n"
            << "relay_db_pool_waiting " << pool->waiting << '\n'
            << "# HELP relay_db_pool_opened_total Connections opened by the pool.\n"
               "# TYPE relay_db_pool_opened_total counter\n"
            << "relay_db_pool_opened_total " << pool->opened << '\n';
    }
    out << "# HELP relay_ws_connections Open WebSocket connections.\n# TYPE relay_ws_connections gauge\n"
        << "relay_ws_connections " << h.connections() << '\n'
        << "# HELP relay_ws_events_sent_total Events written to WebSocket connections.\n"
           "# TYPE relay_ws_events_sent_total counter\n"
        << "relay_ws_events_sent_total " << h.events_sent() << '\n';
    const auto counter = [&out](const char* name, const char* help, std::uint64_t value) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << value << '\n';
    };
    out << "# HELP relay_connections_open Open HTTP and WebSocket connections.\n"
           "# TYPE relay_connections_open gauge\n"
        << "relay_connections_open " << network_.connections_open.load() << '\n'
        << "# HELP relay_handlers_running Requests being admitted or handled on the workers now (this one "
           "included).\n"
           "# TYPE relay_handlers_running gauge\n"
        << "relay_handlers_running " << network_.handlers_running.load() << '\n';
    counter("relay_handler_failures_total", "Handlers that failed unexpectedly; each closed its own connection.",
            network_.handler_failures.load());
    counter("relay_connections_refused_total", "Connections answered 503 because --max-connections were open.",
            network_.connections_refused.load());
    counter("relay_accept_errors_total", "Failed accepts (the listener backs off and retries).",
            network_.accept_errors.load());
    counter("relay_refused_before_body_total", "Requests refused from their header (401, 404, 405) unread.",
            network_.refused_before_body.load());
    counter("relay_headers_too_large_total", "Requests whose header was over the limit (431).",
            network_.headers_too_large.load());
    counter("relay_ws_slow_consumers_closed_total", "WebSocket connections closed because they did not read.",
            network_.ws_slow_consumers_closed.load());
    counter("relay_ws_sessions_refused_total", "WebSocket upgrades refused: the agent had too many connections.",
            network_.ws_sessions_refused.load());
    counter("relay_ws_bad_messages_total", "Client WebSocket messages answered with an error or a close.",
            network_.ws_bad_messages.load());
    counter("relay_ws_deliveries_replayed_total",
            "Deliveries sent as delivery.replay: after ?after_seq, a resync, or a write whose events came late.",
            h.deliveries_replayed());
    counter("relay_ws_resyncs_total", "resync frames sent to WebSocket clients.", h.resyncs_sent());
    const auto events = bus.current();
    if (!events.through_database) return out.str();
    counter("relay_notifications_total", "Event notifications received from the database.", events.notifications);
    counter("relay_notifications_bad_total", "Notifications that could not be fanned out.", events.bad_notifications);
    counter("relay_notifications_skipped_total", "Notifications for agents none of which is connected here.",
            events.skipped);
    counter("relay_listener_gaps_total", "Reconnections of the notification listener (every client resynced).",
            events.gaps);
    counter("relay_announce_failures_total", "Events that could not be announced (sent to this instance's clients).",
            events.announce_failures);
    out << "# HELP relay_listener_connected 1 when the notification listener is connected.\n"
           "# TYPE relay_listener_connected gauge\n"
        << "relay_listener_connected "
        << (events.listener == strata::postgres::listener_state::connected ? 1 : 0) << '\n';
    const auto lag = bus.lag();
    out << "# HELP relay_notify_lag_seconds From a write's announcement to its fan-out here (writers' clocks).\n"
           "# TYPE relay_notify_lag_seconds histogram\n";
    for (std::size_t i = 0; i < event_bus::lag_buckets.size(); ++i)
        out << "relay_notify_lag_seconds_bucket{le=\"" << event_bus::lag_buckets[i] << "\"} " << lag.counts[i]
            << '\n';
    out << "relay_notify_lag_seconds_bucket{le=\"+Inf\"} " << lag.count << '\n'
        << "relay_notify_lag_seconds_sum " << lag.sum << '\n'
        << "relay_notify_lag_seconds_count " << lag.count << '\n';
    return out.str();
}

}  // namespace relay::http
