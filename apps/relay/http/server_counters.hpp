// What the network layer counts for /metrics: failures it contained and the limits it
// enforced. Written by the server's threads, read when /metrics renders.
#pragma once

#include <atomic>
#include <cstdint>

namespace relay::http {

struct server_counters {
    std::atomic<std::int64_t> connections_open{0};           // HTTP and WebSocket
    std::atomic<std::int64_t> handlers_running{0};           // admissions and handlers on the workers now
    std::atomic<std::uint64_t> handler_failures{0};          // a handler threw: its connection was closed
    std::atomic<std::uint64_t> connections_refused{0};       // over --max-connections: 503
    std::atomic<std::uint64_t> accept_errors{0};             // accept() failed (e.g. out of descriptors)
    std::atomic<std::uint64_t> refused_before_body{0};       // 401/404/405 answered before reading a body
    std::atomic<std::uint64_t> headers_too_large{0};         // 431
    std::atomic<std::uint64_t> ws_slow_consumers_closed{0};  // send queue over its byte bound: 1008
    std::atomic<std::uint64_t> ws_sessions_refused{0};       // over --ws-max-per-agent: 429
    std::atomic<std::uint64_t> ws_bad_messages{0};           // answered with an error event or a close
};

}  // namespace relay::http
