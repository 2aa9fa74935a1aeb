#include "support/http_client.hpp"

#include <algorithm>
#include <cctype>

#include "http/beast.hpp"

namespace relay::test {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

json response::body_json() const {
    return json::parse(body, nullptr, false);
}

json response::data() const {
    const json j = body_json();
    if (j.is_object() && j.contains("data")) return j["data"];
    return nullptr;
}

std::string response::error_code() const {
    const json j = body_json();
    if (j.is_object() && j.contains("error") && j["error"].contains("code"))
        return j["error"]["code"].get<std::string>();
    return "";
}

std::string response::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
}

header_list bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
}

response http_client::request(const std::string& method, const std::string& target, const std::string& body,
                              const header_list& headers) const {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty() || method == "POST") {
        req.body() = body;
        req.prepare_payload();
    }
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(socket, buffer, parser);
    const auto& res = parser.get();
    response out;
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    return out;
}

response http_client::get(const std::string& target, const std::string& token) const {
    return request("GET", target, "", bearer(token));
}

response http_client::post(const std::string& target, const json& body, const std::string& token,
                           header_list headers) const {
    auto all = bearer(token);
    all.insert(all.end(), headers.begin(), headers.end());
    all.emplace_back("Content-Type", "application/json");
    return request("POST", target, body.is_null() ? "" : body.dump(), all);
}

response http_client::post_raw(const std::string& target, const std::string& body, const std::string& token,
                               header_list headers) const {
    auto all = bearer(token);
    all.insert(all.end(), headers.begin(), headers.end());
    return request("POST", target, body, all);
}

}  // namespace relay::test
