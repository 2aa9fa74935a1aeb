// File upload (raw body; the server enforces --max-file-bytes with a 413) and download.
#include "engine/api_error.hpp"
#include "engine/ids.hpp"
#include "http/envelope.hpp"
#include "http/routes.hpp"

namespace relay::http {

void add_file_routes(router& r, services& s) {
    r.add("POST", "/v1/files", [&s](request& req) {
        const principal p = authenticate(s, req);
        const auto filename = req.query_value("filename");
        if (!filename) fail(400, "invalid_request", "filename is required (?filename=...).");
        const std::string type = req.query_value("content_type").value_or("");
        return idempotent(s, req, p, "file",
                          [&](const auto& claim) { return s.eng.store_file(p, *filename, type, req.body, claim); });
    }, {.upload = true});
    r.add("GET", "/v1/files/:id", [&s](request& req) {
        const principal p = authenticate(s, req);
        const auto id = parse_id(req.param("id"));
        if (!id) fail(404, "file_not_found", "No such file in this workspace.");
        file_content file = s.eng.read_file(p, *id);
        reply out{200, std::move(file.bytes), file.content_type, {}};
        out.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return out;
    });
}

}  // namespace relay::http
