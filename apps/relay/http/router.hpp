// Routes: "METHOD /v1/channels/:name/messages" patterns to handlers. dispatch() turns
// every failure into the error envelope: api_error keeps its status and code; bad JSON
// access is a 400; a database or server fault is a 500 (503 when the database is busy)
// with a generic message — details go to the log, never to the client.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/request.hpp"

namespace relay::http {

// What the server needs to know of a route before reading a request's body.
struct route_traits {
    bool needs_token = true;  // false: anyone may call it (POST /v1/workspaces, /healthz)
    bool upload = false;      // a raw file body (--max-file-bytes) rather than JSON
};

class router {
public:
    using handler = std::function<reply(request&)>;

    void add(std::string method, std::string pattern, handler h, route_traits traits = {});
    // Runs the matching route. `route` is set to its pattern (or "unmatched"), for
    // metrics and logs that must not hold ids or names from the path.
    [[nodiscard]] reply dispatch(request& r, std::string& route) const;

    // The route a request would run, without running it: its traits, or the 404/405
    // reply dispatch() would give.
    struct match_result {
        const route_traits* traits = nullptr;
        std::optional<reply> unmatched{};
    };
    [[nodiscard]] match_result find(const request& r) const;

    // Every route as added: its method and pattern ("GET", "/v1/messages/:id"), for the
    // test that holds the API document (api/openapi.json) to the router.
    struct route_name {
        std::string method;
        std::string pattern;
    };
    [[nodiscard]] std::vector<route_name> routes() const;

private:
    struct entry {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        handler run;
        route_traits traits;
    };
    // The route of a request's method and path (null when none), its path parameters,
    // and whether any route has that path (405 rather than 404).
    struct located {
        const entry* route = nullptr;
        std::map<std::string, std::string> params{};
        bool path_known = false;
        std::string allowed{};  // the path's methods, for a 405's Allow
    };
    [[nodiscard]] located locate(const request& r) const;
    std::vector<entry> routes_;
};

// The reply for the exception being handled (call only inside a catch block): an
// api_error keeps its status and code; a database fault is a 503 when it is worth
// retrying, else a 500 with a generic message — details go to the log only.
[[nodiscard]] reply reply_for_current_exception(const std::string& method, const std::string& route);

}  // namespace relay::http
