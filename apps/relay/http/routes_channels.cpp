// Channels, membership, and channel messages.
#include "http/body.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {

void add_channel_routes(router& r, services& s) {
    r.add("POST", "/v1/channels", [&s](request& req) {
        const principal p = authenticate(s, req);
        const json body = parse_object(req.body);
        const std::string name = required_string(body, "name");
        const auto topic = optional_string(body, "topic");
        return idempotent(s, req, p, "channel",
                          [&](const auto& claim) { return s.eng.create_channel(p, name, topic, claim); });
    });
    r.add("GET", "/v1/channels", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.list_channels(p, list_params(req, 200, 1000)));
    });
    r.add("POST", "/v1/channels/:name/join", [&s](request& req) {
        const principal p = authenticate(s, req);
        return committed(s, s.eng.join_channel(p, req.param("name")));
    });
    r.add("POST", "/v1/channels/:name/leave", [&s](request& req) {
        const principal p = authenticate(s, req);
        return committed(s, s.eng.leave_channel(p, req.param("name")));
    });
    r.add("GET", "/v1/channels/:name/members", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.channel_members(p, req.param("name"), list_params(req, 200, 1000)));
    });
    r.add("POST", "/v1/channels/:name/messages", [&s](request& req) {
        const principal p = authenticate(s, req);
        const message_input in = message_body(parse_object(req.body), true);
        const std::string& channel = req.param("name");
        return idempotent(s, req, p, "channel-message:" + channel,
                          [&](const auto& claim) { return s.eng.send_channel_message(p, channel, in, claim); });
    });
    r.add("GET", "/v1/channels/:name/messages", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.channel_history(p, req.param("name"), page_params(req)));
    });
}

}  // namespace relay::http
