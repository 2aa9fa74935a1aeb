#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#include "http/envelope.hpp"
#include "http/router.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"

namespace relay {

namespace {
// What the process may open, less room for the database, files and logs: past it,
// accept() would fail with EMFILE; a 503 is the better answer.
std::size_t connections_for_descriptors() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 4096;
    const auto usable = static_cast<std::size_t>(limit.rlim_cur);
    return usable > 256 ? std::min<std::size_t>(usable - 128, 65536) : std::max<std::size_t>(usable / 2, 8);
}
}  // namespace

app::app(config settings, database_options db_options)
    : settings_(std::move(settings)), db_options_(std::move(db_options)) {}

app::~app() {
    stop();
}

void app::start() {
    open();
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    http::server_options options;
    options.host = settings_.listen_host;
    options.port = settings_.listen_port;
    options.io_threads = settings_.io_threads;
    // Handlers mostly wait (on a commit group, a lock, the database). On a single-writer
    // database (SQLite) every send waits in one commit queue, and the more wait together,
    // the larger a group grows: 32 measured best there (8 made groups of 4, 32 of 15, 64
    // was slower again). On PostgreSQL more waiters than 16 only queue on row locks
    // (docs/benchmarks.md, "relay durable and grouped").
    const unsigned auto_workers = stores_->control().rt().caps().single_writer ? 32u : 16u;
    options.worker_threads =
        settings_.worker_threads != 0 ? settings_.worker_threads : std::max(auto_workers, 4 * hw);
    options.max_connections = settings_.max_connections != 0 ? settings_.max_connections : connections_for_descriptors();
    options.max_body_bytes = settings_.max_body_bytes;
    options.header_timeout = std::chrono::seconds(settings_.header_timeout_seconds);
    options.body_timeout = std::chrono::seconds(settings_.body_timeout_seconds);
    options.ws_max_message_bytes = settings_.ws_max_message_bytes;
    options.ws_max_queue_bytes = settings_.ws_max_queue_bytes;
    options.ws_max_per_agent = settings_.ws_max_per_agent;
    server_ = std::make_unique<http::server>(options, handlers(), hub_, metrics_.network());
    server_->start();
    spdlog::info("relay listening on http://{}:{}", settings_.listen_host, server_->port());
}

void app::open() {
    db_options_.pool_size = settings_.db_pool_size;
    db_options_.durable = settings_.durability == "full";
    // (The same file given as both: stores::open keeps relay on one database.)
    if (auto lock = process_lock::for_sqlite(settings_.db_url)) locks_.push_back(std::move(lock));
    if (settings_.messages_db_url != settings_.db_url)
        if (auto lock = process_lock::for_sqlite(settings_.messages_db_url)) locks_.push_back(std::move(lock));
    stores_ = stores::open(settings_, db_options_);
    const auto ttl = std::chrono::milliseconds(static_cast<std::int64_t>(settings_.node_lease_seconds * 1000.0));
    lease_ = node_lease::acquire(stores_->control().rt(), stores_->control().kind(), {.ttl = ttl});
    // On PostgreSQL events travel through the database, so every instance hears them.
    const database& control = stores_->control();
    std::optional<std::string> channel;
    if (control.kind() == dialect::postgres) channel = event_bus::channel_for(control);
    engine_ =
        std::make_unique<engine>(*stores_, engine_options{.files_dir = settings_.files_dir,
                                                          .require_atomic = !settings_.allow_non_atomic_writes,
                                                          .max_group_dms_per_agent = settings_.max_group_dms_per_agent,
                                                          .max_channels_per_workspace =
                                                              settings_.max_channels_per_workspace,
                                                          .max_agents_per_workspace =
                                                              settings_.max_agents_per_workspace,
                                                          .group_commit = settings_.group_commit,
                                                          .write_batches = settings_.write_batches,
                                                          .node_id = lease_->id(),
                                                          .notify_channel = channel});
    hub_.set_reader({[this](std::int64_t agent) { return engine_->delivery_position(agent); },
                     [this](std::int64_t agent, std::int64_t after, std::size_t limit) {
                         return engine_->deliveries_after(agent, after, limit);
                     }});
    if (channel) {
        std::vector<const database*> sources{&control};
        if (const database* m = stores_->messages();
            m && m->kind() == dialect::postgres && m->description() != control.description())
            sources.push_back(m);
        bus_.listen(*engine_, sources, control, *channel);
    }
    services_ = std::make_unique<http::services>(
        http::services{*engine_, hub_, bus_, metrics_, stores_->control(), *stores_, settings_, *lease_});
    http::add_routes(router_, *services_);
}

http::server_handlers app::handlers() {
    http::server_handlers handlers;
    handlers.handle = [this](http::request& r) {
        const auto started = std::chrono::steady_clock::now();
        std::string route = "unmatched";
        http::reply rep;
        try {
            // Everything strata does for this request ends by the deadline (decision 0020).
            const strata::deadline_scope deadline(request_budget());
            rep = router_.dispatch(r, route);
        } catch (const std::exception& e) {
            spdlog::error("{} {}: {}", r.method, route, e.what());
            rep = http::error_reply(500, "internal_error", "The server could not complete the request.");
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        // Methods are client-chosen tokens: only the known ones become metric labels.
        static const std::array<std::string_view, 7> methods{"GET",    "POST", "PUT",    "PATCH",
                                                             "DELETE", "HEAD", "OPTIONS"};
        const bool known = std::find(methods.begin(), methods.end(), r.method) != methods.end();
        metrics_.observe(known ? r.method : "OTHER", route, rep.status, seconds);
        // The path names channels and ids, never a credential; the query string (which
        // may hold a token) is not logged.
        spdlog::debug("{} {} -> {} ({:.2f} ms)", r.method, r.path, rep.status, seconds * 1000);
        return rep;
    };
    // Before a body is read: unknown routes and missing or bad tokens are answered from
    // the header, and the route picks its body limit.
    handlers.admit = [this](http::request& r) {
        http::admission a;
        const auto found = router_.find(r);
        if (!found.traits) {
            a.refuse = found.unmatched;
            return a;
        }
        a.body_limit = found.traits->upload ? settings_.max_file_bytes : settings_.max_body_bytes;
        if (!found.traits->needs_token) return a;
        try {
            const strata::deadline_scope deadline(request_budget());
            r.caller = http::authenticate(*services_, r);
        } catch (const std::exception&) {
            a.refuse = http::reply_for_current_exception(r.method, "admit");
        }
        return a;
    };
    handlers.authenticate = [this](std::string_view token) -> std::optional<principal> {
        const strata::deadline_scope deadline(request_budget());
        auto p = engine_->authenticate(token);
        if (!p || !p->is_agent()) return std::nullopt;
        return p;
    };
    return handlers;
}

std::chrono::milliseconds app::request_budget() const {
    return std::chrono::milliseconds(static_cast<std::int64_t>(settings_.request_timeout_seconds * 1000.0));
}

std::uint16_t app::port() const {
    return server_ ? server_->port() : 0;
}

void app::stop() {
    if (server_) {
        server_->stop();
        server_.reset();
    }
    bus_.stop();
    lease_.reset();  // gives the node id back while the database is still open
    if (stores_) stores_->close();
    locks_.clear();
}

}  // namespace relay
