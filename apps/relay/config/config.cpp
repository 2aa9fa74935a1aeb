#include "config/config.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <thread>

namespace relay {

std::optional<listen_address> parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return std::nullopt;
    listen_address out;
    out.host = text.substr(0, colon);
    if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
        out.host = out.host.substr(1, out.host.size() - 2);
    unsigned port = 0;
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc{} || ptr != last || port > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

parsed_command_line parse_command_line(int argc, char** argv) {
    config c;
    std::string listen = c.listen_host + ":" + std::to_string(c.listen_port);
    CLI::App app{"relay: a messaging service for agents over HTTP and WebSocket, on strata"};
    app.add_option("--db", c.db_url, "Database URL: sqlite:PATH or postgres://user@host:port/db")
        ->capture_default_str();
    app.add_option("--messages-db", c.messages_db_url,
                   "Split mode: the new database for messages (--db keeps the control plane and old messages)");
    app.add_option("--db-replica", c.db_replica_url,
                   "Split mode: a read replica of --db, read for old messages (default: --db itself)");
    app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
    app.add_option("--files-dir", c.files_dir, "Folder for uploaded files")->capture_default_str();
    app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    app.add_option("--max-body-bytes", c.max_body_bytes, "Largest JSON request body")->capture_default_str();
    app.add_option("--max-file-bytes", c.max_file_bytes, "Largest uploaded file")->capture_default_str();
    app.add_option("--io-threads", c.io_threads, "Network threads")->capture_default_str();
    app.add_option("--worker-threads", c.worker_threads, "Request handler threads (0: automatic)")
        ->capture_default_str();
    app.add_option("--db-pool-size", c.db_pool_size, "PostgreSQL pool size")->capture_default_str();
    app.add_option("--max-connections", c.max_connections,
                   "Open HTTP + WebSocket connections before new ones get 503 (0: from the descriptor limit)")
        ->capture_default_str();
    app.add_option("--header-timeout", c.header_timeout_seconds, "Seconds a client has to send a request header")
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
    app.add_option("--body-timeout", c.body_timeout_seconds, "Seconds a client has to send a request body")
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
    app.add_option("--request-timeout", c.request_timeout_seconds,
                   "Seconds a request's database work may take (pool wait, statements, commit retries) before it "
                   "is stopped and answered 503 with Retry-After")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    app.add_option("--ws-max-per-agent", c.ws_max_per_agent, "WebSocket connections one agent may hold (0: no cap)")
        ->capture_default_str();
    app.add_option("--ws-max-queue-bytes", c.ws_max_queue_bytes,
                   "Unsent event bytes before a WebSocket client that does not read is closed (1008)")
        ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 34))
        ->capture_default_str();
    app.add_option("--max-group-dms-per-agent", c.max_group_dms_per_agent,
                   "Group DMs one agent may be in; creating another that includes it gets 409")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--max-channels-per-workspace", c.max_channels_per_workspace,
                   "Channels a workspace may have; creating another gets 409")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--max-agents-per-workspace", c.max_agents_per_workspace,
                   "Agents a workspace may have; creating another gets 409")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--ws-max-message-bytes", c.ws_max_message_bytes, "Largest WebSocket message a client may send")
        ->check(CLI::Range(std::size_t{128}, std::size_t{16} << 20))
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return {std::nullopt, app.exit(e)};
    }
    auto address = parse_listen(listen);
    if (!address) {
        std::fprintf(stderr, "--listen: expected HOST:PORT, got '%s'\n", listen.c_str());
        return {std::nullopt, 2};
    }
    c.listen_host = address->host;
    c.listen_port = address->port;
    if (c.io_threads == 0) c.io_threads = 1;
    return {c, 0};
}

}  // namespace relay
