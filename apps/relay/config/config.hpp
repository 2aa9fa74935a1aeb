// relay's settings: command-line options with their defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace relay {

struct config {
    std::string db_url = "sqlite:./data/relay.db";  // sqlite:PATH or postgres://...
    // Split mode (db/stores.hpp): the new messages database, and a read replica of db_url
    // for the messages written before the split. Empty: not used.
    std::string messages_db_url{};
    std::string db_replica_url{};
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8787;  // 0 = an ephemeral port (tests)
    std::string files_dir = "./data/files";
    std::string log_level = "info";
    std::size_t max_body_bytes = 1024 * 1024;       // JSON request bodies
    std::size_t max_file_bytes = 10 * 1024 * 1024;  // POST /v1/files
    unsigned io_threads = 2;                        // network threads
    unsigned worker_threads = 0;                    // request handlers; 0 = auto
    std::size_t db_pool_size = 16;                  // PostgreSQL connections
    // Limits on what clients can hold (http/server.hpp says how each is enforced).
    std::size_t max_connections = 0;                  // HTTP + WebSocket; 0 = from the descriptor limit
    unsigned header_timeout_seconds = 30;             // to send a request's header
    unsigned body_timeout_seconds = 60;               // to send its body
    double request_timeout_seconds = 5;               // a request's database work (deadline_scope)
    std::size_t ws_max_per_agent = 16;                // WebSocket connections per agent
    std::size_t ws_max_queue_bytes = 1024 * 1024;     // unsent events per connection
    std::size_t ws_max_message_bytes = 64 * 1024;     // a client's WebSocket message
    std::int64_t max_group_dms_per_agent = 1000;      // open group DMs one agent is in
    std::int64_t max_channels_per_workspace = 10000;  // channels (not DMs) of a workspace
    std::int64_t max_agents_per_workspace = 10000;    // agents of a workspace
    // Off: a connection with neither transactions nor an atomic batch refuses every
    // multi-statement write (ATOMIC.CAPABILITY_REQUIRED). On only in tests that document
    // what a sequential, non-atomic unit leaves behind when it fails midway.
    bool allow_non_atomic_writes = false;
    // How writes are made durable and run (docs/decisions/0028-relay-durability.md):
    // "full": a 201 means the write is on disk (SQLite synchronous=FULL; PostgreSQL
    // sessions with synchronous_commit=on). "normal": SQLite synchronous=NORMAL (WAL),
    // PostgreSQL synchronous_commit=off: an acknowledged write can be lost on power loss
    // or an OS crash (PostgreSQL: a server crash too), never half-written.
    std::string durability = "full";
    bool group_commit = true;   // concurrent sends share one COMMIT (strata commit_group)
    // --print-contract: print relay's declared contract JSON (what `strata migrate
    // --contract` takes) and exit, touching no database.
    bool print_contract = false;
    bool write_batches = true;  // PostgreSQL: a send is one pipeline (one round trip under its channel lock)
    // The node id's lease (db/node_lease.hpp): another instance may claim the id of one
    // that has not renewed it for this long (renewed every third of it).
    double node_lease_seconds = 30;
};

// "HOST:PORT" -> host and port; ":PORT" -> 0.0.0.0 and the port; HOST may be a name
// (resolved when the server starts) or [IPv6]. nullopt when malformed.
struct listen_address {
    std::string host;
    std::uint16_t port = 0;
};
[[nodiscard]] std::optional<listen_address> parse_listen(const std::string& text);

// Parses argv. Returns the config, or an exit code when the program should stop now
// (--help: 0, bad options: 2; CLI11 has printed why).
struct parsed_command_line {
    std::optional<config> settings;
    int exit_code = 0;
};
[[nodiscard]] parsed_command_line parse_command_line(int argc, char** argv);

}  // namespace relay
