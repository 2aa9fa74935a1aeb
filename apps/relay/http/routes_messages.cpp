// Single messages, thread replies, read receipts, a message's deliveries.
#include "engine/api_error.hpp"
#include "engine/ids.hpp"
#include "http/body.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {
namespace {
std::int64_t message_id(const request& req) {
    auto id = parse_id(req.param("id"));
    if (!id) fail(404, "message_not_found", "No such message.");
    return *id;
}
}  // namespace

void add_message_routes(router& r, services& s) {
    r.add("GET", "/v1/messages/:id", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.get_message(p, message_id(req)));
    });
    r.add("POST", "/v1/messages/:id/replies", [&s](request& req) {
        const principal p = authenticate(s, req);
        const std::int64_t parent = message_id(req);
        const message_input in = message_body(parse_object(req.body), false);
        return idempotent(s, req, p, "reply:" + id_text(parent),
                          [&](const auto& claim) { return s.eng.reply(p, parent, in, claim); });
    });
    r.add("GET", "/v1/messages/:id/replies", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.replies(p, message_id(req), list_params(req, 50, 100)));
    });
    r.add("POST", "/v1/messages/:id/read", [&s](request& req) {
        const principal p = authenticate(s, req);
        return committed(s, s.eng.mark_read(p, message_id(req)));
    });
    r.add("GET", "/v1/messages/:id/readers", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.readers(p, message_id(req), list_params(req, 200, 1000)));
    });
    r.add("GET", "/v1/messages/:id/deliveries", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.message_deliveries(p, message_id(req), list_params(req, 200, 1000)));
    });
}

}  // namespace relay::http
