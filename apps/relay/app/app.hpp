// relay assembled: the database (opened and migrated), the engine, the routes, the
// WebSocket hub and the server. main() runs one until SIGINT/SIGTERM; tests run one
// in-process on an ephemeral port; the HTTP fuzz target opens one without its server
// and drives handlers() with the requests it parses.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "db/database.hpp"
#include "db/node_lease.hpp"
#include "db/process_lock.hpp"
#include "db/stores.hpp"
#include "engine/engine.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "ws/event_bus.hpp"
#include "ws/hub.hpp"

namespace relay {

namespace http {
struct services;
}  // namespace http

class app {
public:
    explicit app(config settings, database_options db_options = {});
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    // Opens and migrates the databases (db/stores.hpp), then listens. Throws strata::error when the
    // database cannot be opened, std::system_error when the address is taken.
    void start();
    // The first half of start(): opens and migrates the databases and adds the routes,
    // without listening. Throws strata::error when a database cannot be opened.
    void open();
    // What the server runs (valid after open()): a request's admission from its header,
    // the request itself (through the router, under --request-timeout), and a WebSocket
    // token's authentication.
    [[nodiscard]] http::server_handlers handlers();
    [[nodiscard]] std::uint16_t port() const;
    // Stop accepting, finish in-flight requests, close connections and the database.
    // Idempotent.
    void stop();

    // The control-plane database (--db), and every database with the boot decision.
    [[nodiscard]] const database& db() const { return stores_->control(); }
    [[nodiscard]] const relay::stores& databases() const { return *stores_; }
    [[nodiscard]] engine& eng() { return *engine_; }
    [[nodiscard]] hub& events() { return hub_; }
    [[nodiscard]] const event_bus& bus() const { return bus_; }
    // The node id leased for this instance (valid after open()).
    [[nodiscard]] const node_lease& lease() const { return *lease_; }
    // The routes (valid after open()).
    [[nodiscard]] const http::router& routes() const { return router_; }

private:
    // --request-timeout as a duration.
    [[nodiscard]] std::chrono::milliseconds request_budget() const;

    config settings_;
    database_options db_options_;
    std::vector<std::unique_ptr<process_lock>> locks_;  // SQLite files: one relay process each
    std::unique_ptr<relay::stores> stores_;
    std::unique_ptr<node_lease> lease_;  // released before the databases close
    std::unique_ptr<engine> engine_;
    hub hub_;
    event_bus bus_{hub_};  // stopped before the databases close
    http::metrics metrics_;
    http::router router_;
    std::unique_ptr<http::services> services_;
    std::unique_ptr<http::server> server_;
};

}  // namespace relay
