// The API document (GET /v1/openapi.json) against the router: every route is in it and
// it names no route relay does not have; its references resolve; the console and the
// document are served to anyone, with their content types and headers.
#include "support/api_document.hpp"
#include "support/json_schema.hpp"
#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(openapi);

json fetch_document(const http_client& client) {
    const response r = client.get("/v1/openapi.json");  // no credential
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.header("content-type"), "application/json");
    return r.body_json();
}

TEST_P(openapi, the_document_names_every_route_and_no_other) {
    const api_document doc(fetch_document(http()));
    ASSERT_EQ(doc.document()["openapi"], "3.1.0");
    std::set<std::string> routes;
    for (const auto& r : app_->routes().routes()) routes.insert(r.method + " " + r.pattern);
    const std::set<std::string> documented = doc.operations();
    for (const auto& r : routes) EXPECT_TRUE(documented.count(r)) << r << " is not in apps/relay/api/openapi.json";
    for (const auto& d : documented) EXPECT_TRUE(routes.count(d)) << d << " is documented but relay has no such route";
    EXPECT_GE(routes.size(), 30u);
}

void collect_refs(const json& node, std::vector<std::string>& out) {
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            if (key == "$ref" && value.is_string()) out.push_back(value.get<std::string>());
            collect_refs(value, out);
        }
    } else if (node.is_array()) {
        for (const auto& value : node) collect_refs(value, out);
    }
}

TEST_P(openapi, every_reference_resolves_and_every_operation_has_responses) {
    const json doc = fetch_document(http());
    std::vector<std::string> refs;
    collect_refs(doc, refs);
    EXPECT_GT(refs.size(), 100u);
    for (const auto& ref : refs) EXPECT_NE(resolve_ref(doc, ref), nullptr) << ref;
    for (const auto& [path, item] : doc["paths"].items())
        for (const auto& [method, op] : item.items()) {
            EXPECT_FALSE(op["responses"].empty()) << method << " " << path;
            EXPECT_TRUE(op.contains("security")) << method << " " << path << " does not say how to authenticate";
        }
    // The WebSocket's events are documented beside the routes, each with its payload.
    for (const char* type : {"connected", "message.created", "thread.reply", "dm.received", "group_dm.received",
                             "delivery.accepted", "delivery.replay", "resync", "message.read", "member.joined",
                             "member.left"})
        EXPECT_TRUE(doc["x-websocket"]["events"].contains(type)) << type;
}

TEST_P(openapi, the_console_is_served_with_its_types_and_a_self_only_policy) {
    const response page = http().get("/");
    ASSERT_EQ(page.status, 200u);
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("<main"), std::string::npos);
    EXPECT_NE(page.header("content-security-policy").find("default-src 'self'"), std::string::npos);
    EXPECT_EQ(page.header("content-security-policy").find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(page.header("cache-control"), "no-cache");
    EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
    for (const char* file : {"console.js", "api.js", "dom.js", "live.js", "views.js"}) {
        const response js = http().get(std::string("/console/") + file);
        EXPECT_EQ(js.status, 200u) << file;
        EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8") << file;
    }
    EXPECT_EQ(http().get("/console/console.css").header("content-type"), "text/css; charset=utf-8");
    // Unknown files, the page under another name, and other paths are 404 as before.
    for (const char* missing : {"/console/nope.js", "/console/index.html", "/console", "/index.html", "/v1/nope"}) {
        const response r = http().get(missing);
        EXPECT_EQ(r.status, 404u) << missing;
        EXPECT_EQ(r.error_code(), "not_found") << missing;
    }
    EXPECT_EQ(http().request("POST", "/", "").status, 405u);
}

}  // namespace
}  // namespace relay::test
