// The inbox, deliveries, search.
#include "engine/api_error.hpp"
#include "http/body.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {

void add_mailbox_routes(router& r, services& s) {
    r.add("GET", "/v1/inbox", [&s](request& req) { return ok(200, s.eng.inbox(authenticate(s, req))); });
    r.add("GET", "/v1/deliveries", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.list_deliveries(p, req.query_value("status").value_or(""), list_params(req, 50, 200),
                                             seq_param(req, "after_seq")));
    });
    r.add("POST", "/v1/deliveries/:id/ack", [&s](request& req) {
        const principal p = authenticate(s, req);
        return committed(s, s.eng.ack_delivery(p, req.param("id")));
    });
    r.add("GET", "/v1/search", [&s](request& req) {
        const principal p = authenticate(s, req);
        const auto q = req.query_value("q");
        if (!q) fail(400, "invalid_request", "q is required.");
        return ok(200, s.eng.search(p, *q, req.query_value("channel"), list_params(req, 20, 100)));
    });
}

}  // namespace relay::http
