// PostgreSQL: what db.transaction(fn) costs over a hand-written BEGIN … COMMIT, and a
// 5-statement write unit in each atomic mode — interleaved in blocks inside one
// benchmark each (bench/common/interleave.hpp). Server: STRATA_PG_URL.
//
// pg_tx_overhead/insert1 — a transaction holding one INSERT (3 round trips), four sides:
//   raw       : libpq on a connection of its own: PQexec("BEGIN"), PQexecPrepared(insert)
//               (prepared once), PQexec("COMMIT").
//   hand      : through strata by hand, on a runtime bound to one caller-owned PGconn
//               (strata::postgres::client{conn}: the connection stays the same between
//               statements, so a hand-written transaction holds):
//               db.execute(begin.bind()).drain(), db.execute(insert.bind(...)).drain(),
//               db.execute(commit.bind()).drain().
//   tx_client : db.transaction(fn) on that same runtime and PGconn (fn: one
//               t.execute(insert.bind(...)).drain()).
//   tx_pool   : db.transaction(fn) on a runtime with strata's own pool
//               (strata::postgres::url{...}, default options: the connection is checked
//               at every acquire — validation::socket).
//   The figure asked for is tx_client/hand (same runtime, same connection);
//   tx_pool/hand adds what the ordinary pooled set-up costs.
//
// pg_write_unit/5_statements — a message-send unit (1 message, 3 deliveries, 1 event:
// 5 INSERTs), four sides:
//   batch  : run_atomic_writes(db_batch, plans), db_batch's driver hiding interactive
//            transactions (tests/support/wrapped_driver) -> mode batch: the driver's
//            pipeline, 5 statements + 1 sync, one implicit transaction, 1 round trip.
//   tx     : run_atomic_writes(db, plans) on the real runtime -> mode transaction:
//            BEGIN, 5 statements, COMMIT = 7 round trips.
//   seq    : run_atomic_writes(db_seq, plans), driver hiding both -> mode sequential:
//            5 autocommit statements = 5 round trips, NOT atomic.
//   pqxx   : hand-written libpqxx: pqxx::work, 5 exec_prepared (prepared once), commit()
//            = 7 round trips.
//   The issue-3 goal is tx/batch >= 3 across CPUs.
//
// Fairness: every side has its own connection (its own backend) — except hand and
// tx_client, which share the caller-owned PGconn on purpose — and its own tables of the
// same schema, and writes the same ids and values in the same round, so the tables grow
// in step. Statements are prepared once per connection on every side (strata's per-
// connection statement cache). Row counts are checked after each repetition. The batch
// side's wrapper records each batch's SQL (test instrumentation); the record is cleared
// between rounds, outside the timed blocks.
//
// Pin both ends (docs/benchmarks.md): the server with `scripts/pg start --cpu 1`, the
// client with `taskset -c 0` (different CPUs: round trips dominate) and `taskset -c 1`
// (same CPU: shortest round trip, strictest for per-call overhead).
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/interleave.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"
#include "tx_common.hpp"
#include "wrapped_driver.hpp"

namespace strata_bench::tx {
namespace {

std::string pg_url() {
    const char* url = std::getenv("STRATA_PG_URL");
    if (url == nullptr || *url == '\0') throw std::runtime_error("STRATA_PG_URL is not set");
    return url;
}

PGconn* pg_open(const std::string& url) {
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
        const std::string msg = PQerrorMessage(c);
        PQfinish(c);
        throw std::runtime_error("could not connect to PostgreSQL: " + msg);
    }
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    return c;
}

// Checks a result and clears it; throws with the server's message.
void pg_check(PGresult* r, const char* what) {
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const std::string msg = PQresultErrorMessage(r);
        PQclear(r);
        throw std::runtime_error(std::string(what) + ": " + msg);
    }
    PQclear(r);
}
void pg_exec(PGconn* c, const std::string& sql) { pg_check(PQexec(c, sql.c_str()), sql.c_str()); }

std::int64_t pg_count(PGconn* c, const std::string& table) {
    PGresult* r = PQexec(c, ("SELECT count(*) FROM " + table).c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        throw std::runtime_error("count failed");
    }
    const std::int64_t n = std::atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

// ---- the one-INSERT transaction ------------------------------------------------------

constexpr std::size_t tx_block = 8;  // transactions per side per round
enum tx_side : std::size_t { tx_raw = 0, tx_hand, tx_client, tx_pool, tx_sides };
constexpr const char* tx_table[tx_sides] = {"txb_t1_raw", "txb_t1_hand", "txb_t1_client", "txb_t1_pool"};

// The INSERT with `?` placeholders (strata) or `$n` (raw libpq).
std::string t1_insert(const std::string& table, bool dollar) {
    return "INSERT INTO " + table + (dollar ? "(id, name, score) VALUES ($1, $2, $3)" : "(id, name, score) VALUES (?, ?, ?)");
}

// ---- the 5-statement unit ------------------------------------------------------------

constexpr std::size_t unit_block = 4;  // units per side per round
enum unit_side : std::size_t { u_batch = 0, u_tx, u_seq, u_pqxx, unit_sides };
constexpr const char* unit_prefix[unit_sides] = {"txb_u_batch", "txb_u_tx", "txb_u_seq", "txb_u_pqxx"};

struct unit_templates {
    explicit unit_templates(const std::string& p)
        : message("INSERT INTO " + p + "_messages(id, channel, body) VALUES (?, ?, ?)"),
          delivery("INSERT INTO " + p + "_deliveries(message_id, recipient) VALUES (?, ?)"),
          event("INSERT INTO " + p + "_events(message_id, kind) VALUES (?, ?)") {}
    strata::sql_template message, delivery, event;

    [[nodiscard]] std::vector<strata::plan> plans(std::int64_t id) const {
        std::vector<strata::plan> out;
        out.reserve(5);
        out.push_back(message.bind(id, id % 10, unit_body()));
        for (std::int64_t r = 1; r <= 3; ++r) out.push_back(delivery.bind(id, r));
        out.push_back(event.bind(id, "sent"));
        return out;
    }
};

class pg_fixture {
public:
    static pg_fixture& get() {
        static pg_fixture f;
        return f;
    }

    PGconn* admin = nullptr;       // set-up and row counts
    PGconn* raw = nullptr;         // tx_raw
    PGconn* client_conn = nullptr;  // the PGconn behind db_client (hand, tx_client)
    std::optional<strata::runtime> db_client;
    std::optional<strata::runtime> db;        // strata's pool: tx_pool, u_tx
    std::optional<strata::runtime> db_batch;  // no interactive transactions: u_batch
    std::optional<strata::runtime> db_seq;    // neither: u_seq
    std::shared_ptr<strata::test::wrapper_controls> batch_controls = std::make_shared<strata::test::wrapper_controls>();
    std::shared_ptr<strata::test::wrapper_controls> seq_controls = std::make_shared<strata::test::wrapper_controls>();
    std::optional<pqxx::connection> pqxx_conn;

    strata::sql_template begin{"BEGIN"};
    strata::sql_template commit{"COMMIT"};
    strata::sql_template t1_hand{t1_insert(tx_table[tx_hand], false)};
    strata::sql_template t1_client{t1_insert(tx_table[tx_client], false)};
    strata::sql_template t1_pool{t1_insert(tx_table[tx_pool], false)};
    unit_templates u_batch_t{unit_prefix[u_batch]};
    unit_templates u_tx_t{unit_prefix[u_tx]};
    unit_templates u_seq_t{unit_prefix[u_seq]};

    std::int64_t tx_next = 1;
    std::int64_t unit_next = 1;

private:
    pg_fixture() {
        const std::string url = pg_url();
        admin = pg_open(url);
        for (const char* t : tx_table) {
            const std::string s(t);
            pg_exec(admin, "DROP TABLE IF EXISTS " + s);
            pg_exec(admin, "CREATE TABLE " + s + "(id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION NOT NULL)");
        }
        for (const char* p : unit_prefix) {
            const std::string s(p);
            pg_exec(admin, "DROP TABLE IF EXISTS " + s + "_messages, " + s + "_deliveries, " + s + "_events");
            pg_exec(admin, "CREATE TABLE " + s + "_messages(id BIGINT PRIMARY KEY, channel BIGINT NOT NULL, body TEXT NOT NULL, "
                           "created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            pg_exec(admin, "CREATE TABLE " + s + "_deliveries(message_id BIGINT NOT NULL, recipient BIGINT NOT NULL, "
                           "PRIMARY KEY (message_id, recipient))");
            pg_exec(admin, "CREATE TABLE " + s + "_events(id BIGSERIAL PRIMARY KEY, message_id BIGINT NOT NULL, kind TEXT NOT NULL)");
        }

        raw = pg_open(url);
        pg_check(PQprepare(raw, "ins", t1_insert(tx_table[tx_raw], true).c_str(), 3, nullptr), "prepare");

        client_conn = pg_open(url);
        db_client.emplace(strata::instantiate(strata::postgres::make_stack()));
        db_client->connect(strata::postgres::client{client_conn});

        db.emplace(strata::instantiate(strata::postgres::make_stack()));
        db->connect(strata::postgres::url{url});
        batch_controls->hide_interactive_transactions = true;
        db_batch.emplace(strata::instantiate(strata::test::wrap_stack(strata::postgres::make_stack(), batch_controls)));
        db_batch->connect(strata::postgres::url{url});
        seq_controls->hide_interactive_transactions = true;
        seq_controls->hide_atomic_batch = true;
        db_seq.emplace(strata::instantiate(strata::test::wrap_stack(strata::postgres::make_stack(), seq_controls)));
        db_seq->connect(strata::postgres::url{url});

        pqxx_conn.emplace(url);
        const std::string p(unit_prefix[u_pqxx]);
        pqxx_conn->prepare("msg", "INSERT INTO " + p + "_messages(id, channel, body) VALUES ($1, $2, $3)");
        pqxx_conn->prepare("dlv", "INSERT INTO " + p + "_deliveries(message_id, recipient) VALUES ($1, $2)");
        pqxx_conn->prepare("evt", "INSERT INTO " + p + "_events(message_id, kind) VALUES ($1, $2)");
    }
    ~pg_fixture() {
        pqxx_conn.reset();
        db_seq.reset();
        db_batch.reset();
        db.reset();
        db_client.reset();  // before its PGconn goes
        PQfinish(client_conn);
        PQfinish(raw);
        PQfinish(admin);
    }
};

// Text form of a parameter for raw libpq (what a raw libpq caller does).
struct number_text {
    char buf[32];
    explicit number_text(std::int64_t v) { *std::to_chars(buf, buf + sizeof buf - 1, v).ptr = '\0'; }
    explicit number_text(double v) { *std::to_chars(buf, buf + sizeof buf - 1, v).ptr = '\0'; }
};

// ---- sides of the one-INSERT transaction (noinline: profilable one by one) -----------

[[gnu::noinline]] void tx_raw_block(pg_fixture& f, std::int64_t first, const std::vector<std::string>& names) {
    PGconn* c = f.raw;
    for (std::size_t k = 0; k < tx_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        const number_text id_text(id), score_text(row_score(id));
        const char* params[3] = {id_text.buf, names[k].c_str(), score_text.buf};
        pg_check(PQexec(c, "BEGIN"), "BEGIN");
        pg_check(PQexecPrepared(c, "ins", 3, params, nullptr, nullptr, 0), "INSERT");
        pg_check(PQexec(c, "COMMIT"), "COMMIT");
    }
}

[[gnu::noinline]] void tx_hand_block(pg_fixture& f, std::int64_t first, const std::vector<std::string>& names) {
    const strata::runtime& db = *f.db_client;
    for (std::size_t k = 0; k < tx_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        db.execute(f.begin.bind()).drain();
        db.execute(f.t1_hand.bind(id, names[k], row_score(id))).drain();
        db.execute(f.commit.bind()).drain();
    }
}

[[gnu::noinline]] void tx_runtime_block(const strata::runtime& db, const strata::sql_template& ins, std::int64_t first,
                                        const std::vector<std::string>& names) {
    for (std::size_t k = 0; k < tx_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        db.transaction([&](strata::tx& t) { t.execute(ins.bind(id, names[k], row_score(id))).drain(); });
    }
}

void tx_overhead(benchmark::State& state) {
    pg_fixture& f = pg_fixture::get();
    interleaver<tx_sides> il;
    std::vector<std::string> names(tx_block);
    const std::int64_t start = f.tx_next;
    for (auto _ : state) {
        const std::int64_t first = f.tx_next;
        for (std::size_t k = 0; k < tx_block; ++k) names[k] = row_name(first + static_cast<std::int64_t>(k));
        il.round([&](std::size_t s) {
            switch (s) {
                case tx_raw: tx_raw_block(f, first, names); break;
                case tx_hand: tx_hand_block(f, first, names); break;
                case tx_client: tx_runtime_block(*f.db_client, f.t1_client, first, names); break;
                default: tx_runtime_block(*f.db, f.t1_pool, first, names); break;
            }
        });
        f.tx_next += static_cast<std::int64_t>(tx_block);
    }
    for (const char* t : tx_table) {
        if (pg_count(f.admin, t) != f.tx_next - 1) {
            state.SkipWithError("row counts differ between the sides");
            return;
        }
    }
    const double n = static_cast<double>(f.tx_next - start);
    state.SetItemsProcessed(static_cast<std::int64_t>(n * double{tx_sides}));
    state.counters["raw_us"] = il.seconds(tx_raw) / n * 1e6;
    state.counters["hand_us"] = il.seconds(tx_hand) / n * 1e6;
    state.counters["tx_client_us"] = il.seconds(tx_client) / n * 1e6;
    state.counters["tx_pool_us"] = il.seconds(tx_pool) / n * 1e6;
    // Time ratios (median over rounds of the per-round ratio); lower is better for the
    // first-named side.
    state.counters["tx_client/hand"] = il.median_ratio(tx_client, tx_hand);
    state.counters["tx_pool/hand"] = il.median_ratio(tx_pool, tx_hand);
    state.counters["tx_pool/tx_client"] = il.median_ratio(tx_pool, tx_client);
    state.counters["hand/raw"] = il.median_ratio(tx_hand, tx_raw);
    state.counters["tx_client/raw"] = il.median_ratio(tx_client, tx_raw);
    state.counters["sum_tx_client/hand"] = il.sum_ratio(tx_client, tx_hand);
}

// ---- sides of the 5-statement unit ---------------------------------------------------

[[gnu::noinline]] void unit_atomic_block(const strata::runtime& db, const unit_templates& t, std::int64_t first,
                                         strata::atomic_mode expected) {
    for (std::size_t k = 0; k < unit_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        const strata::atomic_result r = strata::run_atomic_writes(db, t.plans(id));
        if (r.mode != expected) throw std::runtime_error("run_atomic_writes ran in an unexpected mode");
    }
}

[[gnu::noinline]] void unit_pqxx_block(pg_fixture& f, std::int64_t first) {
    const std::string& body = unit_body();
    for (std::size_t k = 0; k < unit_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        pqxx::work w(*f.pqxx_conn);
        w.exec_prepared("msg", id, id % 10, body);
        for (std::int64_t r = 1; r <= 3; ++r) w.exec_prepared("dlv", id, r);
        w.exec_prepared("evt", id, "sent");
        w.commit();
    }
}

void write_unit(benchmark::State& state) {
    pg_fixture& f = pg_fixture::get();
    interleaver<unit_sides> il;
    const std::int64_t start = f.unit_next;
    for (auto _ : state) {
        const std::int64_t first = f.unit_next;
        il.round([&](std::size_t s) {
            switch (s) {
                case u_batch: unit_atomic_block(*f.db_batch, f.u_batch_t, first, strata::atomic_mode::batch); break;
                case u_tx: unit_atomic_block(*f.db, f.u_tx_t, first, strata::atomic_mode::transaction); break;
                case u_seq: unit_atomic_block(*f.db_seq, f.u_seq_t, first, strata::atomic_mode::sequential); break;
                default: unit_pqxx_block(f, first); break;
            }
        });
        f.unit_next += static_cast<std::int64_t>(unit_block);
        {
            std::lock_guard lock(f.batch_controls->mutex);  // test instrumentation, untimed
            f.batch_controls->batches.clear();
        }
    }
    for (const char* p : unit_prefix) {
        const std::string s(p);
        if (pg_count(f.admin, s + "_messages") != f.unit_next - 1 ||
            pg_count(f.admin, s + "_deliveries") != 3 * (f.unit_next - 1) ||
            pg_count(f.admin, s + "_events") != f.unit_next - 1) {
            state.SkipWithError("row counts differ between the sides");
            return;
        }
    }
    const double n = static_cast<double>(f.unit_next - start);
    state.SetItemsProcessed(static_cast<std::int64_t>(n * double{unit_sides}));
    state.counters["batch_us"] = il.seconds(u_batch) / n * 1e6;
    state.counters["tx_us"] = il.seconds(u_tx) / n * 1e6;
    state.counters["seq_us"] = il.seconds(u_seq) / n * 1e6;
    state.counters["pqxx_us"] = il.seconds(u_pqxx) / n * 1e6;
    // Time ratios, lower is better for the first-named side. The goal: tx/batch >= 3
    // across CPUs.
    state.counters["tx/batch"] = il.median_ratio(u_tx, u_batch);
    state.counters["pqxx/batch"] = il.median_ratio(u_pqxx, u_batch);
    state.counters["seq/batch"] = il.median_ratio(u_seq, u_batch);
    state.counters["tx/pqxx"] = il.median_ratio(u_tx, u_pqxx);
    state.counters["sum_tx/batch"] = il.sum_ratio(u_tx, u_batch);
}

}  // namespace

void register_postgres(int repetitions) {
    // 4 sides per benchmark; rounds are multiples of 4! = 24 (every order equally often).
    // insert1: 4 x 8 transactions of 3 round trips a round; unit: 4 x 4 units of 1–7.
    auto* a = benchmark::RegisterBenchmark("pg_tx_overhead/insert1", tx_overhead);
    a->Iterations(rounds(192, 24))->DisplayAggregatesOnly(true)->Unit(benchmark::kMillisecond);
    auto* b = benchmark::RegisterBenchmark("pg_write_unit/5_statements", write_unit);
    b->Iterations(rounds(192, 24))->DisplayAggregatesOnly(true)->Unit(benchmark::kMillisecond);
    if (repetitions > 0) {
        a->Repetitions(repetitions);
        b->Repetitions(repetitions);
    }
}

}  // namespace strata_bench::tx
