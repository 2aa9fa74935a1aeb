#include "config/config.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <thread>

#include "relay_version.hpp"

namespace relay {

std::optional<listen_address> parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 >= text.size()) return std::nullopt;
    listen_address out;
    out.host = colon == 0 ? "0.0.0.0" : text.substr(0, colon);  // ":PORT": every IPv4 interface
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

namespace {

// RELAY_ and the option's long name in capitals, '-' as '_': --db-pool-size is
// RELAY_DB_POOL_SIZE.
std::string env_name(const std::string& long_name) {
    std::string out = "RELAY_";
    for (char ch : long_name) out += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
}

// The first line of `path`, without surrounding blanks: a URL kept out of the command
// line and the environment (a Docker or systemd secret file). The message never shows
// the file's content.
std::optional<std::string> url_from_file(const std::string& option, const std::string& path, std::string& problem) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) {
        problem = option + ": cannot read a URL from the file it names";
        return std::nullopt;
    }
    const auto first = line.find_first_not_of(" \t\r");
    const auto last = line.find_last_not_of(" \t\r");
    if (first == std::string::npos) {
        problem = option + ": the file's first line is empty";
        return std::nullopt;
    }
    return line.substr(first, last - first + 1);
}

}  // namespace

parsed_command_line parse_command_line(int argc, char** argv) {
    config c;
    std::string listen = c.listen_host + ":" + std::to_string(c.listen_port);
    std::string db_file, messages_db_file, db_replica_file;
    CLI::App app{"relay: a messaging service for agents over HTTP and WebSocket, on strata"};
    app.set_version_flag("--version", std::string("relay ") + RELAY_VERSION);
    app.set_config("--config", "", "Read options from an INI or TOML file (keys are the long option names)");
    app.footer(
        "Every option can also come from the environment: RELAY_ and its name in capitals\n"
        "(--db-pool-size: RELAY_DB_POOL_SIZE). The command line wins over --config, which\n"
        "wins over the environment.");
    app.add_option("--db", c.db_url, "Database URL: sqlite:PATH or postgres://user@host:port/db")
        ->capture_default_str();
    app.add_option("--messages-db", c.messages_db_url,
                   "Split mode: the new database for messages (--db keeps the control plane and old messages)");
    app.add_option("--db-replica", c.db_replica_url,
                   "Split mode: a read replica of --db, read for old messages (default: --db itself)");
    app.add_option("--db-file", db_file, "Read --db from the first line of this file (keeps a password out of ps)");
    app.add_option("--messages-db-file", messages_db_file, "Read --messages-db from the first line of this file");
    app.add_option("--db-replica-file", db_replica_file, "Read --db-replica from the first line of this file");
    app.add_option("--listen", listen,
                   "HOST:PORT to listen on: an address or a host name; :PORT listens on every IPv4 interface (port "
                   "0: any free port)")
        ->capture_default_str();
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
    app.add_option("--durability", c.durability,
                   "full: a 201 means the write is on disk (SQLite synchronous=FULL, PostgreSQL "
                   "synchronous_commit=on); normal: synchronous=NORMAL / synchronous_commit=off, an acknowledged "
                   "write can be lost on power loss")
        ->check(CLI::IsMember({"full", "normal"}))
        ->capture_default_str();
    app.add_option("--group-commit", c.group_commit,
                   "Concurrent sends share one transaction and one COMMIT (on SQLite: one fsync for many)")
        ->capture_default_str();
    app.add_option("--write-batches", c.write_batches,
                   "PostgreSQL: run each send as one pipeline, holding its channel's lock for one round trip")
        ->capture_default_str();
    app.add_option("--node-lease-seconds", c.node_lease_seconds,
                   "How long this instance's node id stays leased without renewal (renewed every third of it); "
                   "then another instance on the same database may claim it")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    app.add_option("--ws-max-message-bytes", c.ws_max_message_bytes, "Largest WebSocket message a client may send")
        ->check(CLI::Range(std::size_t{128}, std::size_t{16} << 20))
        ->capture_default_str();
    app.add_flag("--print-contract", c.print_contract,
                 "Print relay's schema as strata contract JSON (for `strata migrate --contract`, `strata migrate "
                 "status`) and exit");
    for (CLI::Option* option : app.get_options()) {
        const std::string name = option->get_single_name();
        if (name != "help" && name != "version" && name != "config" && name != "print-contract" &&
            !option->get_lnames().empty())
            option->envname(env_name(option->get_lnames().front()));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return {std::nullopt, app.exit(e)};
    }
    const struct {
        const char* option;
        const std::string& file;
        std::string& url;
        const char* url_option;
    } from_files[] = {{"--db-file", db_file, c.db_url, "--db"},
                      {"--messages-db-file", messages_db_file, c.messages_db_url, "--messages-db"},
                      {"--db-replica-file", db_replica_file, c.db_replica_url, "--db-replica"}};
    for (const auto& f : from_files) {
        if (f.file.empty()) continue;
        if (app.count(f.url_option) > 0) {
            std::fprintf(stderr, "%s and %s: give one of them\n", f.option, f.url_option);
            return {std::nullopt, 2};
        }
        std::string problem;
        const auto url = url_from_file(f.option, f.file, problem);
        if (!url) {
            std::fprintf(stderr, "%s\n", problem.c_str());
            return {std::nullopt, 2};
        }
        f.url = *url;
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
