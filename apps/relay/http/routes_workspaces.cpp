// POST /v1/workspaces, agents, rotate-token, console logs.
#include "http/body.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {

void add_workspace_routes(router& r, services& s) {
    r.add("POST", "/v1/workspaces", [&s](request& req) {
        const json body = parse_object(req.body);
        return committed(s, s.eng.create_workspace(required_string(body, "name")));
    }, {.needs_token = false});
    r.add("POST", "/v1/agents", [&s](request& req) {
        const principal p = authenticate(s, req);
        const json body = parse_object(req.body);
        const std::string name = required_string(body, "name");
        const std::string type = optional_string(body, "type").value_or("agent");
        return idempotent(s, req, p, "agent",
                          [&](const auto& claim) { return s.eng.create_agent(p, name, type, claim); });
    });
    r.add("GET", "/v1/agents", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.list_agents(p, list_params(req, 200, 1000)));
    });
    r.add("POST", "/v1/agents/:name/rotate-token", [&s](request& req) {
        const principal p = authenticate(s, req);
        return committed(s, s.eng.rotate_token(p, req.param("name")));
    });
    r.add("GET", "/v1/console/logs", [&s](request& req) {
        const principal p = authenticate(s, req);
        return ok(200, s.eng.console_logs(p, list_params(req, 50, 200)));
    });
}

}  // namespace relay::http
