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
        return ok(200, {{"status", "ok"},
                        {"database", database},
                        {"version", RELAY_VERSION},
                        {"node_id", s.lease.id()}});
    }, {.needs_token = false});
    r.add("GET", "/metrics", [&s](request&) {
        return reply{200, s.stats.render(s.dbs, s.events), "text/plain; version=0.0.4", {}};
    }, {.needs_token = false});
}

}  // namespace relay::http
