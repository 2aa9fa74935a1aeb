#include "http/request_parsing.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "http/envelope.hpp"

namespace relay::http {
namespace bhttp = boost::beast::http;

void start_request(std::optional<request_parser>& parser, std::size_t max_header_bytes) {
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(max_header_bytes));
    // No body limit yet: the route's is set once the header is admitted (a header
    // announcing more than any route takes is refused there, unread). Not boost::none:
    // Boost 1.74 compares a Content-Length with it as "greater".
    parser->body_limit(std::numeric_limits<std::uint64_t>::max());
}

std::variant<request, reply> request_from_header(const request_parser& parser) {
    const auto& head = parser.get();
    request r;
    r.method = std::string(head.method_string());
    if (const auto status = parse_target(head.target(), r.path, r.query); status != target_status::ok)
        return target_error_reply(status);
    r.authorization = std::string(head[bhttp::field::authorization]);
    if (auto it = head.find("Idempotency-Key"); it != head.end()) r.idempotency_key = std::string(it->value());
    return r;
}

reply target_error_reply(target_status status) {
    if (status == target_status::invalid_utf8)
        return error_reply(400, "invalid_utf8", "The request path or query is not valid UTF-8 text.");
    return error_reply(400, "bad_request", "The request target is not valid.");
}

std::optional<reply> read_error_reply(boost::beast::error_code ec) {
    if (ec == bhttp::error::header_limit)
        return error_reply(431, "headers_too_large", "The request header is larger than the server accepts.");
    if (ec == bhttp::error::body_limit)
        return error_reply(413, "payload_too_large", "The request body is larger than this route accepts.");
    // A malformed request gets a 400; a closed or timed-out connection just closes.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return error_reply(400, "bad_request", "The request is not valid HTTP/1.1.");
    return std::nullopt;
}

std::optional<reply> admit_body(request_parser& parser, admission a) {
    if (a.refuse) return std::move(a.refuse);
    if (auto n = parser.content_length(); n && *n > a.body_limit) return read_error_reply(bhttp::error::body_limit);
    parser.body_limit(a.body_limit);
    return std::nullopt;
}

response response_for(reply rep, unsigned version, bool keep_alive) {
    response res{static_cast<bhttp::status>(rep.status), version};
    res.set(bhttp::field::server, "relay");
    res.set(bhttp::field::content_type, rep.content_type);
    for (auto& [name, value] : rep.headers) res.set(name, value);
    res.body() = std::move(rep.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

}  // namespace relay::http
