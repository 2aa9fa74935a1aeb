// A 5-statement write unit (1 message, 3 deliveries, 1 event) as one pipeline batch vs
// as an interactive BEGIN … COMMIT, through strata, libpqxx and raw libpq, interleaved in
// blocks inside one benchmark.
//
// Sides (each on its own connection, statements prepared once per connection):
// - raw_pipeline: libpq pipeline mode, 5 PQsendQueryPrepared + one PQpipelineSync (one
//   implicit transaction, 1 round trip) — the floor for a batch.
// - strata_batch: the driver's atomic batch (connection::execute_batch: the same pipeline),
//   on a connection acquired from strata's pool per unit, plans bound and lowered per unit
//   as run_atomic_writes' batch mode does (run_atomic_writes itself picks the interactive
//   transaction on PostgreSQL, which has both capabilities).
// - raw_tx: BEGIN; 5 x PQexecPrepared; COMMIT (7 round trips).
// - strata_tx: db.transaction(fn) with 5 tx.execute(...).drain() (7 round trips).
// - pqxx_tx: pqxx::work, 5 exec_prepared, commit (7 round trips).
// Every side writes the same statements with ids from its own range, into the same tables.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "../common/interleave.hpp"
#include "pg_common.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

constexpr std::size_t block = 16;  // units per side per round

enum side : std::size_t { raw_pipeline = 0, strata_batch, raw_tx, strata_tx, pqxx_tx, side_count };

// The unit's statements, in `$n` form (raw, libpqxx) and `?` form (strata).
constexpr const char* message_sql = "INSERT INTO bench_messages(id, channel, body) VALUES ($1, $2, $3)";
constexpr const char* delivery_sql = "INSERT INTO bench_deliveries(message_id, recipient) VALUES ($1, $2)";
constexpr const char* event_sql = "INSERT INTO bench_events(message_id, kind) VALUES ($1, $2)";

struct templates {
    strata::sql_template message{"INSERT INTO bench_messages(id, channel, body) VALUES (?, ?, ?)"};
    strata::sql_template delivery{"INSERT INTO bench_deliveries(message_id, recipient) VALUES (?, ?)"};
    strata::sql_template event{"INSERT INTO bench_events(message_id, kind) VALUES (?, ?)"};
};

const std::string body = "hello from the benchmark: a message body of ordinary length";

class unit_fixture {
public:
    static unit_fixture& get() {
        static unit_fixture f;
        return f;
    }
    PGconn* raw_pipe = nullptr;
    PGconn* raw_tx_conn = nullptr;
    std::optional<pqxx::connection> pqxx_conn;
    std::optional<strata::runtime> db;                                 // strata_tx
    std::unique_ptr<strata::driver> driver;                            // strata_batch
    strata::adapter_descriptor adapter = strata::postgres::adapter();  // lowers `?` as the runtime does
    templates t;
    std::int64_t next_id[side_count] = {};

private:
    unit_fixture() {
        const std::string url = pg_url();
        PGconn* c = pg_open(url);
        pg_exec(c, "DROP TABLE IF EXISTS bench_messages, bench_deliveries, bench_events");
        pg_exec(c,
                "CREATE TABLE bench_messages(id BIGINT PRIMARY KEY, channel BIGINT NOT NULL, body TEXT NOT NULL, "
                "created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        pg_exec(c,
                "CREATE TABLE bench_deliveries(message_id BIGINT NOT NULL, recipient BIGINT NOT NULL, "
                "PRIMARY KEY (message_id, recipient))");
        pg_exec(c,
                "CREATE TABLE bench_events(id BIGSERIAL PRIMARY KEY, message_id BIGINT NOT NULL, kind TEXT NOT NULL)");
        PQfinish(c);
        for (std::size_t s = 0; s < side_count; ++s) next_id[s] = static_cast<std::int64_t>(s + 1) * 1'000'000'000;

        for (PGconn** p : {&raw_pipe, &raw_tx_conn}) {
            *p = pg_open(url);
            pg_check(PQprepare(*p, "msg", message_sql, 3, nullptr), "prepare");
            pg_check(PQprepare(*p, "dlv", delivery_sql, 2, nullptr), "prepare");
            pg_check(PQprepare(*p, "evt", event_sql, 2, nullptr), "prepare");
        }
        pqxx_conn.emplace(url);
        pqxx_conn->prepare("msg", message_sql);
        pqxx_conn->prepare("dlv", delivery_sql);
        pqxx_conn->prepare("evt", event_sql);
        db.emplace(strata::instantiate(strata::postgres::make_stack()));
        db->connect(strata::postgres::url{url});
        driver = strata::postgres::driver().create();
        driver->connect(strata::postgres::url{url});
    }
    ~unit_fixture() {
        driver->close();
        db.reset();
        pqxx_conn.reset();
        PQfinish(raw_pipe);
        PQfinish(raw_tx_conn);
    }
};

// The unit's plans for message `id` (strata sides).
std::vector<strata::plan> unit_plans(const templates& t, std::int64_t id) {
    return {t.message.bind(id, id % 10, body), t.delivery.bind(id, 1), t.delivery.bind(id, 2), t.delivery.bind(id, 3),
            t.event.bind(id, "sent")};
}

// The unit's statements as (name, parameters) for raw libpq.
struct raw_unit {
    std::string id, channel;
    const char* msg[3];
    const char* dlv[3][2];
    const char* evt[2];
    explicit raw_unit(std::int64_t i) : id(std::to_string(i)), channel(std::to_string(i % 10)) {
        msg[0] = id.c_str();
        msg[1] = channel.c_str();
        msg[2] = body.c_str();
        static const char* recipients[] = {"1", "2", "3"};
        for (int r = 0; r < 3; ++r) {
            dlv[r][0] = id.c_str();
            dlv[r][1] = recipients[r];
        }
        evt[0] = id.c_str();
        evt[1] = "sent";
    }
};

[[gnu::noinline]] void raw_pipeline_block(unit_fixture& f) {
    PGconn* c = f.raw_pipe;
    for (std::size_t k = 0; k < block; ++k) {
        const raw_unit u(f.next_id[raw_pipeline]++);
        if (PQenterPipelineMode(c) != 1) throw std::runtime_error("pipeline mode");
        PQsendQueryPrepared(c, "msg", 3, u.msg, nullptr, nullptr, 0);
        for (auto& d : u.dlv) PQsendQueryPrepared(c, "dlv", 2, d, nullptr, nullptr, 0);
        PQsendQueryPrepared(c, "evt", 2, u.evt, nullptr, nullptr, 0);
        PQpipelineSync(c);
        for (int s = 0; s < 5; ++s) {
            pg_check(PQgetResult(c), "pipeline statement");
            if (PGresult* end = PQgetResult(c)) pg_check(end, "pipeline separator");
        }
        pg_check(PQgetResult(c), "pipeline sync");
        if (PQexitPipelineMode(c) != 1) throw std::runtime_error("exit pipeline mode");
    }
}

[[gnu::noinline]] void strata_batch_block(unit_fixture& f) {
    for (std::size_t k = 0; k < block; ++k) {
        const auto plans = unit_plans(f.t, f.next_id[strata_batch]++);
        std::vector<std::string> lowered;
        std::vector<strata::statement> statements;
        lowered.reserve(plans.size());
        statements.reserve(plans.size());
        for (const auto& p : plans) {
            lowered.push_back(f.adapter.lower(p));
            statements.push_back(strata::statement{lowered.back(), &p});
        }
        auto conn = f.driver->acquire(strata::connection_intent::read_write, {});
        (void)conn->execute_batch(statements, {});
        conn->release();
    }
}

[[gnu::noinline]] void raw_tx_block(unit_fixture& f) {
    PGconn* c = f.raw_tx_conn;
    for (std::size_t k = 0; k < block; ++k) {
        const raw_unit u(f.next_id[raw_tx]++);
        pg_exec(c, "BEGIN");
        pg_check(PQexecPrepared(c, "msg", 3, u.msg, nullptr, nullptr, 0), "msg");
        for (auto& d : u.dlv) pg_check(PQexecPrepared(c, "dlv", 2, d, nullptr, nullptr, 0), "dlv");
        pg_check(PQexecPrepared(c, "evt", 2, u.evt, nullptr, nullptr, 0), "evt");
        pg_exec(c, "COMMIT");
    }
}

[[gnu::noinline]] void strata_tx_block(unit_fixture& f) {
    for (std::size_t k = 0; k < block; ++k) {
        const auto plans = unit_plans(f.t, f.next_id[strata_tx]++);
        f.db->transaction([&](strata::tx& t) {
            for (const auto& p : plans) t.execute(p).drain();
        });
    }
}

[[gnu::noinline]] void pqxx_tx_block(unit_fixture& f) {
    for (std::size_t k = 0; k < block; ++k) {
        const std::int64_t id = f.next_id[pqxx_tx]++;
        pqxx::work w(*f.pqxx_conn);
        w.exec_prepared("msg", id, id % 10, body);
        for (int r = 1; r <= 3; ++r) w.exec_prepared("dlv", id, r);
        w.exec_prepared("evt", id, "sent");
        w.commit();
    }
}

void write_unit(benchmark::State& state) {
    unit_fixture& f = unit_fixture::get();
    interleaver<side_count> il;
    for (auto _ : state) {
        il.round([&](std::size_t s) {
            switch (s) {
                case raw_pipeline:
                    raw_pipeline_block(f);
                    break;
                case strata_batch:
                    strata_batch_block(f);
                    break;
                case raw_tx:
                    raw_tx_block(f);
                    break;
                case strata_tx:
                    strata_tx_block(f);
                    break;
                default:
                    pqxx_tx_block(f);
                    break;
            }
        });
    }
    const double units = static_cast<double>(il.rounds() * block);
    const char* names[side_count] = {"raw_pipeline_us", "strata_batch_us", "raw_tx_us", "strata_tx_us", "pqxx_tx_us"};
    for (std::size_t s = 0; s < side_count; ++s) state.counters[names[s]] = il.seconds(s) / units * 1e6;
    state.SetItemsProcessed(static_cast<std::int64_t>(il.rounds() * block * side_count));
    // Time ratios (median of per-round ratios). The batch goal: strata_tx/strata_batch >= 3.
    state.counters["strata_tx/strata_batch"] = il.median_ratio(strata_tx, strata_batch);
    state.counters["pqxx_tx/strata_batch"] = il.median_ratio(pqxx_tx, strata_batch);
    state.counters["strata_batch/raw_pipeline"] = il.median_ratio(strata_batch, raw_pipeline);
    state.counters["strata_tx/raw_tx"] = il.median_ratio(strata_tx, raw_tx);
    state.counters["pqxx_tx/raw_tx"] = il.median_ratio(pqxx_tx, raw_tx);
    state.counters["raw_tx/raw_pipeline"] = il.median_ratio(raw_tx, raw_pipeline);
}

}  // namespace

void register_write_unit(int repetitions) {
    // 24 rounds of 5 x 16 units: 1–3 s per repetition at 0.1–1 ms a unit.
    benchmark::IterationCount rounds = 24;
    if (const char* env = std::getenv("STRATA_BENCH_UNIT_ROUNDS"); env && std::atoll(env) > 0) rounds = std::atoll(env);
    auto* b = benchmark::RegisterBenchmark("pg_write_unit/5_statements", write_unit);
    b->Iterations(rounds)->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);
    if (repetitions > 0) b->Repetitions(repetitions);
}

}  // namespace strata_bench
