// relay_bench: how close relay comes to the database's ceiling on its hottest path.
//
// Three measurements per round, on one database, with the same concurrency:
//   ceiling — the channel-send unit (message, delivery claim, deliveries INSERT ... SELECT,
//             message log) built and run directly with strata::run_atomic_writes;
//   engine  — relay's engine call without HTTP (adds its reads: channel, membership,
//             attachments, and the message JSON);
//   http    — keep-alive HTTP clients posting to relay's POST /v1/channels/:name/messages
//             (adds auth, HTTP, JSON, the worker hand-off and WebSocket fan-out).
// Each sender posts to a 10-member channel, so every send writes 9 deliveries.
//   relay_bench [--db URL] [--clients 16] [--seconds 5] [--rounds 3]
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "app/app.hpp"
#include "engine/clock.hpp"
#include "engine/message_writes.hpp"
#include "load.hpp"

namespace {

struct member {
    relay::principal who;
    std::string token;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const auto scratch = std::filesystem::temp_directory_path() / ("relay-bench-" + std::to_string(::getpid()));
    std::string db_url = "sqlite:" + (scratch / "relay.db").string();
    unsigned clients = 16;
    unsigned seconds = 5;
    unsigned rounds = 3;
    unsigned members = 10;
    CLI::App cli{"relay load generator: HTTP sends beside the strata ceiling"};
    cli.add_option("--db", db_url, "Database (a fresh one: sqlite:PATH or postgres://...)")->capture_default_str();
    cli.add_option("--clients", clients, "Concurrent clients")->capture_default_str();
    cli.add_option("--seconds", seconds, "Seconds per measurement")->capture_default_str();
    cli.add_option("--rounds", rounds, "Rounds (ceiling, engine, http each)")->capture_default_str();
    cli.add_option("--members", members, "Channel members")->capture_default_str();
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);

    relay::config settings;
    settings.db_url = db_url;
    settings.listen_port = 0;
    settings.files_dir = (scratch / "files").string();
    settings.worker_threads = std::max(8u, clients);
    settings.db_pool_size = std::max<std::size_t>(16, clients + 4);
    relay::app server(settings);
    server.start();
    relay::engine& eng = server.eng();

    // A workspace, `members` agents, all in #bench.
    const auto ws = eng.create_workspace("bench");
    const relay::principal admin = *eng.authenticate(ws.data["api_key"].get<std::string>());
    std::vector<member> team;
    for (unsigned i = 0; i < members; ++i) {
        const auto a = eng.create_agent(admin, "agent" + std::to_string(i), "agent");
        const std::string token = a.data["token"];
        team.push_back({*eng.authenticate(token), token});
    }
    (void)eng.create_channel(team[0].who, "bench", std::nullopt);
    for (unsigned i = 1; i < members; ++i) (void)eng.join_channel(team[i].who, "bench");
    const std::int64_t channel_id =
        server.db().rt().execute(strata::sql("SELECT id FROM channels WHERE name = 'bench'")).one_as<std::int64_t>();

    strata::atomic_options atomic;
    atomic.require_atomic = true;
    atomic.transaction.retry.max_attempts = 5;
    // A node id the server does not hold (it leased the lowest of a fresh database), so
    // the ids minted here never collide with the engine's.
    relay::id_generator ids((server.lease().id() + 1) % relay::node_lease::node_ids);
    const relay::dialect_queries queries(server.db().kind());
    const strata::runtime& db = server.db().rt();
    // The ceiling: the unit alone, without the engine's lookup of an unknown outcome.
    const relay::detail::unit_runner run = [&](const std::vector<strata::plan>& plans, const auto&) {
        return std::optional(strata::run_atomic_writes(db, plans, atomic));
    };
    const auto duration = std::chrono::milliseconds(seconds * 1000);

    std::printf("relay_bench: %s, %u clients, %u-member channel, %u s x %u rounds\n", server.db().description().c_str(),
                clients, members, seconds, rounds);
    std::printf(
        "| round | ceiling sends/s | engine sends/s | http sends/s | http p50 ms | http p99 ms | "
        "ceiling p50 ms | http / ceiling |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    std::vector<double> ceiling_rates, engine_rates, http_rates, ratios, p50s, p99s;
    for (unsigned round = 1; round <= rounds; ++round) {
        // Odd rounds measure ceiling, engine, http; even rounds the reverse, so a drift in
        // the machine's load (or the growing tables) does not favour one side.
        relay::bench::load_result ceiling, engine, http;
        const auto measure_ceiling = [&] {
            ceiling = relay::bench::run_load(clients, duration, [&](unsigned i) {
                return std::function<bool()>([&, i] {
                    const member& m = team[i % members];
                    relay::detail::send_spec spec;
                    spec.message = {ids.next(), m.who.workspace_id, channel_id, m.who.agent_id, std::nullopt, "load",
                                    {},         std::nullopt,       {},         relay::now_ms()};
                    spec.recipients = {relay::detail::audience::kind::channel_members, channel_id, {}, 0};
                    spec.log_kind = "channel";
                    spec.log_id = ids.next();
                    (void)relay::detail::execute_send(run, db, queries, spec, nullptr, std::nullopt, 201, nullptr);
                    return true;
                });
            });
        };
        const auto measure_engine = [&] {
            engine = relay::bench::run_load(clients, duration, [&](unsigned i) {
                return std::function<bool()>([&, i] {
                    relay::message_input in;
                    in.text = "load";
                    (void)eng.send_channel_message(team[i % members].who, "bench", in, std::nullopt);
                    return true;
                });
            });
        };
        const auto measure_http = [&] {
            std::vector<std::unique_ptr<relay::bench::keep_alive_client>> connections;
            for (unsigned i = 0; i < clients; ++i)
                connections.push_back(std::make_unique<relay::bench::keep_alive_client>(server.port()));
            http = relay::bench::run_load(clients, duration, [&](unsigned i) {
                return std::function<bool()>([&, i] {
                    return connections[i]->post("/v1/channels/bench/messages", R"({"text":"load"})",
                                                team[i % members].token) == 201;
                });
            });
        };
        if (round % 2 == 1) {
            measure_ceiling();
            measure_engine();
            measure_http();
        } else {
            measure_http();
            measure_engine();
            measure_ceiling();
        }
        const double ratio = http.per_second() / ceiling.per_second();
        std::printf("| %u | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f |\n", round, ceiling.per_second(),
                    engine.per_second(), http.per_second(), http.percentile(50), http.percentile(99),
                    ceiling.percentile(50), ratio);
        if (ceiling.failures + engine.failures + http.failures > 0)
            std::printf(
                "  failures: ceiling %llu, engine %llu, http %llu\n", static_cast<unsigned long long>(ceiling.failures),
                static_cast<unsigned long long>(engine.failures), static_cast<unsigned long long>(http.failures));
        ceiling_rates.push_back(ceiling.per_second());
        engine_rates.push_back(engine.per_second());
        http_rates.push_back(http.per_second());
        ratios.push_back(ratio);
        p50s.push_back(http.percentile(50));
        p99s.push_back(http.percentile(99));
    }
    std::printf("| median | %.0f | %.0f | %.0f | %.2f | %.2f | | **%.2f** |\n", median(ceiling_rates),
                median(engine_rates), median(http_rates), median(p50s), median(p99s), median(ratios));
    const auto deliveries = db.execute(strata::sql("SELECT COUNT(*) FROM deliveries")).one_as<std::int64_t>();
    const auto sent = db.execute(strata::sql("SELECT COUNT(*) FROM messages")).one_as<std::int64_t>();
    std::printf("checked: %lld messages, %lld deliveries (%s)\n", static_cast<long long>(sent),
                static_cast<long long>(deliveries),
                deliveries == sent * (members - 1) ? "one per other member" : "MISMATCH");
    server.stop();
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
    return deliveries == sent * (members - 1) ? 0 : 1;
}
