// The steps between the bytes of a request and the request the handlers see, and between
// a reply and the bytes of the response, apart from the socket: Beast's parser with
// relay's limits, the request a parsed header makes (or the 400 its target gets), what a
// failed read is answered with, the body limit an admission sets, and the response a
// reply becomes. The server's sessions (server.cpp) read and write with these; the
// in-process HTTP fuzz target (tests/fuzz/relay_http_fuzz.cpp) feeds them bytes, so what
// it exercises is what a connection runs. Only those two include this header (Beast).
#pragma once

#include <cstddef>
#include <optional>
#include <variant>

#include "http/beast.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace relay::http {

using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

// Makes `parser` ready for the next request of a connection: its header is capped at
// `max_header_bytes` (431 beyond); its body is not limited yet — the route's limit is
// set by admit_body() once the header is admitted.
void start_request(std::optional<request_parser>& parser, std::size_t max_header_bytes);

// The request a complete header makes: method, path and decoded query, Authorization,
// Idempotency-Key — or the 400 its target gets (malformed, or not UTF-8 text).
[[nodiscard]] std::variant<request, reply> request_from_header(const request_parser& parser);

// The 400 a request target that parse_target() refuses gets.
[[nodiscard]] reply target_error_reply(target_status status);

// What a failed read is answered with: 431 when the header is over its cap, 413 when the
// body is over the route's limit, 400 when the bytes are not HTTP/1.1; nullopt when the
// connection just closes (the peer closed or stopped mid-request, or timed out).
[[nodiscard]] std::optional<reply> read_error_reply(boost::beast::error_code ec);

// Applies what admit() decided to a request whose header is read and whose body follows:
// the refusal, or 413 when the Content-Length announces more than the route takes; else
// nullopt, with the parser's body limit set to the route's.
[[nodiscard]] std::optional<reply> admit_body(request_parser& parser, admission a);

// The response a reply is written as (HTTP `version`, keep-alive or not).
[[nodiscard]] response response_for(reply rep, unsigned version, bool keep_alive);

}  // namespace relay::http
