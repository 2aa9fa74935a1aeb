// Routes: "METHOD /v1/channels/:name/messages" patterns to handlers. dispatch() turns
// every failure into the error envelope: api_error keeps its status and code; bad JSON
// access is a 400; a database or server fault is a 500 (503 when the database is busy)
// with a generic message — details go to the log, never to the client.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/request.hpp"

namespace relay::http {

class router {
public:
    using handler = std::function<reply(request&)>;

    void add(std::string method, std::string pattern, handler h);
    // Runs the matching route. `route` is set to its pattern (or "unmatched"), for
    // metrics and logs that must not hold ids or names from the path.
    [[nodiscard]] reply dispatch(request& r, std::string& route) const;

private:
    struct entry {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        handler run;
    };
    std::vector<entry> routes_;
};

}  // namespace relay::http
