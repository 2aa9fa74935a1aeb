// Direct messages and group DMs.
#include "http/body.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {

void add_dm_routes(router& r, services& s) {
    r.add("POST", "/v1/dm", [&s](request& req) {
        const principal p = authenticate(s, req);
        const json body = parse_object(req.body);
        const std::string to = required_string(body, "to");
        const message_input in = message_body(body, true);
        return idempotent(s, req, p, "dm:direct", [&](const auto& claim) { return s.eng.send_dm(p, to, in, claim); });
    });
    r.add("GET", "/v1/dm/conversations", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.list_conversations(p, list_params(req, 50, 200)));
    });
    r.add("POST", "/v1/dm/group", [&s](request& req) {
        const principal p = authenticate(s, req);
        const json body = parse_object(req.body);
        const auto participants = string_array(body, "participants", true);
        const auto name = optional_string(body, "name");
        return idempotent(s, req, p, "group-dm",
                          [&](const auto& claim) { return s.eng.create_group_dm(p, participants, name, claim); });
    });
    r.add("GET", "/v1/dm/:conversation_id/messages", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.conversation_history(p, req.param("conversation_id"), page_params(req)));
    });
    r.add("POST", "/v1/dm/:conversation_id/messages", [&s](request& req) {
        const principal p = authenticate(s, req);
        const message_input in = message_body(parse_object(req.body), true);
        const std::string& id = req.param("conversation_id");
        return idempotent(s, req, p, "conversation:" + id,
                          [&](const auto& claim) { return s.eng.send_to_conversation(p, id, in, claim); });
    });
}

}  // namespace relay::http
