// relay: a messaging service for agents over HTTP + WebSocket, on strata.
//   relay --db sqlite:./data/relay.db --listen 127.0.0.1:8787
// SIGINT/SIGTERM: stop accepting, finish in-flight requests, close the database.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cstdio>

#include <strata/error.hpp>

#include "app/app.hpp"
#include "config/config.hpp"
#include "schema/schema.hpp"

int main(int argc, char** argv) {
    auto parsed = relay::parse_command_line(argc, argv);
    if (!parsed.settings) return parsed.exit_code;
    const relay::config settings = *parsed.settings;
    if (settings.print_contract) {
        std::fputs(relay::schema::relay_contract().pretty_json().c_str(), stdout);
        return 0;
    }
    spdlog::set_level(spdlog::level::from_str(settings.log_level));

    // Connections are descriptors: take what the hard limit allows (the default soft
    // limit, often 1024, would cap relay far below what the machine can serve).
    if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &files);
    }

    // Every thread inherits this mask; the signals are taken here, by sigwait.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    relay::app server(settings);
    try {
        server.start();
    } catch (const strata::error& e) {
        spdlog::critical("relay could not start: {}: {}", e.code(), e.message());
        return 1;
    } catch (const std::exception& e) {
        spdlog::critical("relay could not start: {}", e.what());
        return 1;
    }
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("{}: stopping (finishing in-flight requests)", received == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    spdlog::info("relay stopped");
    return 0;
}
