#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#include "http/envelope.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"

namespace relay {

app::app(config settings, database_options db_options)
    : settings_(std::move(settings)), db_options_(std::move(db_options)) {}

app::~app() {
    stop();
}

void app::start() {
    db_options_.pool_size = settings_.db_pool_size;
    stores_ = stores::open(settings_, db_options_);
    engine_ =
        std::make_unique<engine>(*stores_, engine_options{settings_.files_dir, !settings_.allow_non_atomic_writes});
    services_ =
        std::make_unique<http::services>(http::services{*engine_, hub_, metrics_, stores_->control(), *stores_, settings_});
    http::add_routes(router_, *services_);

    http::server_handlers handlers;
    handlers.handle = [this](http::request& r) {
        const auto started = std::chrono::steady_clock::now();
        std::string route = "unmatched";
        http::reply rep;
        try {
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
    handlers.authenticate = [this](std::string_view token) -> std::optional<principal> {
        auto p = engine_->authenticate(token);
        if (!p || !p->is_agent()) return std::nullopt;
        return p;
    };
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    http::server_options options{
        settings_.listen_host,    settings_.listen_port,
        settings_.io_threads,     settings_.worker_threads != 0 ? settings_.worker_threads : std::max(8u, 4 * hw),
        settings_.max_body_bytes, settings_.max_file_bytes};
    server_ = std::make_unique<http::server>(options, std::move(handlers), hub_);
    server_->start();
    spdlog::info("relay listening on http://{}:{}", settings_.listen_host, server_->port());
}

std::uint16_t app::port() const {
    return server_ ? server_->port() : 0;
}

void app::stop() {
    if (server_) {
        server_->stop();
        server_.reset();
    }
    if (stores_) stores_->close();
}

}  // namespace relay
