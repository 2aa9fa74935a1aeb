// GET /healthz and GET /metrics (Prometheus text format).
#include "http/envelope.hpp"
#include "relay_version.hpp"
#include "http/routes.hpp"

namespace relay::http {

void add_system_routes(router& r, services& s) {
    r.add("GET", "/healthz", [&s](request&) {
        const std::string database(to_string(s.db.kind()));
        if (!s.eng.healthy()) return error_reply(503, "unavailable", "The database does not answer.");
        // An instance whose node id was claimed by another mints ids that may collide.
        if (!s.lease.held())
            return error_reply(503, "node_id_lost", "Another instance leased this one's node id; restart it.");
        json body{{"status", "ok"}, {"database", database}, {"version", RELAY_VERSION}, {"node_id", s.lease.id()}};
        // Realtime across instances: a listener that is away means events are being
        // missed (its clients are resynced when it is back); the instance still serves.
        if (const auto events = s.bus.current(); events.through_database)
            body["listener"] = {{"state", strata::postgres::to_string(events.listener)}, {"gaps", events.gaps}};
        return ok(200, body);
    }, {.needs_token = false});
    r.add("GET", "/metrics", [&s](request&) {
        return reply{200, s.stats.render(s.dbs, s.events, s.bus), "text/plain; version=0.0.4", {}};
    }, {.needs_token = false});
}

}  // namespace relay::http
