// The API document (GET /v1/openapi.json) and the web console (GET /, GET /console/...),
// served from the files built into the binary (http/embedded_files.hpp). Anyone may
// fetch them: they hold no data, and the console asks for a credential itself.
#include <algorithm>

#include "http/embedded_files.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {
namespace {

std::string_view content_type_of(std::string_view name) {
    auto ends_with = [&](std::string_view tail) {
        return name.size() >= tail.size() && name.substr(name.size() - tail.size()) == tail;
    };
    if (ends_with(".json")) return "application/json";
    if (ends_with(".html")) return "text/html; charset=utf-8";
    if (ends_with(".css")) return "text/css; charset=utf-8";
    if (ends_with(".js")) return "text/javascript; charset=utf-8";
    return "application/octet-stream";
}

// The page may load and connect to its own origin only: no inline script or style, no
// frame around it. no-cache: a new relay binary brings a new console, checked each load.
reply file_reply(std::string_view name) {
    const auto files = embedded_files();
    const auto it = std::find_if(files.begin(), files.end(), [&](const embedded_file& f) { return f.name == name; });
    if (it == files.end()) return error_reply(404, "not_found", "No such file.");
    reply out{200, std::string(it->bytes), std::string(content_type_of(name)), {}};
    out.headers.emplace_back("Cache-Control", "no-cache");
    out.headers.emplace_back("X-Content-Type-Options", "nosniff");
    out.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                             "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    out.headers.emplace_back("Referrer-Policy", "no-referrer");
    return out;
}

}  // namespace

void add_static_routes(router& r) {
    r.add("GET", "/v1/openapi.json", [](request&) { return file_reply("api/openapi.json"); }, {.needs_token = false});
    r.add("GET", "/", [](request&) { return file_reply("console/index.html"); }, {.needs_token = false});
    r.add("GET", "/console/:file", [](request& req) {
        const std::string& file = req.param("file");
        // Only the console's own files: index.html is served at /, nothing else is public.
        if (file == "index.html") return error_reply(404, "not_found", "No such file.");
        return file_reply("console/" + file);
    }, {.needs_token = false});
}

}  // namespace relay::http
