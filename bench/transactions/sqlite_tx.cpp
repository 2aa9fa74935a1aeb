// SQLite: what db.transaction(fn) costs over a hand-written BEGIN … COMMIT, and a
// 5-statement write unit in each atomic mode SQLite has — interleaved in blocks inside
// one benchmark each (bench/common/interleave.hpp).
//
// sqlite_tx_overhead/insert1 — a transaction holding one INSERT, three sides:
//   raw   : the sqlite3 C API on a connection of its own: BEGIN IMMEDIATE, INSERT and
//           COMMIT each a statement prepared once (bind / step / reset; text SQLITE_STATIC).
//   hand  : through strata, by hand: db.execute(begin.bind()).drain(),
//           db.execute(insert.bind(...)).drain(), db.execute(commit.bind()).drain() with
//           strata::sql_template's checked once ("BEGIN IMMEDIATE" is what db.transaction
//           sends by default, so both strata sides take the write lock at BEGIN).
//   tx    : db.transaction([&](strata::tx& t) { t.execute(insert.bind(...)).drain(); })
//           on the same runtime (the same writer connection) as `hand`.
//   The figure asked for is tx/hand: what the callback API costs over doing it by hand
//   through the same runtime. hand/raw is the runtime's per-statement cost, for context.
//
// sqlite_write_unit/5_statements — a message-send unit (1 message, 3 deliveries,
// 1 event: 5 INSERTs), four sides:
//   raw_tx     : the C API, BEGIN IMMEDIATE; 5 prepared INSERTs; COMMIT.
//   strata_tx  : db.transaction(fn) with 5 t.execute(tpl.bind(...)).drain().
//   atomic_tx  : run_atomic_writes(db, plans) on the real runtime -> mode transaction.
//   atomic_seq : run_atomic_writes(db_seq, plans) where db_seq's driver hides interactive
//                transactions (tests/support/wrapped_driver) -> mode sequential: 5
//                autocommit statements, each its own write transaction, NOT atomic.
//   No batch side: SQLite's driver declares no atomic batch. SQLite runs in-process, so
//   a batch has no round trips to save; an all-or-nothing batch would be these same
//   statements inside BEGIN … COMMIT, i.e. the transaction mode.
//
// Fairness: one database file per writer connection — raw's, the strata runtime's (hand,
// tx, strata_tx, atomic_tx share it: one runtime, one writer connection) and the
// sequential runtime's — so that no side's block starts on a page cache another
// connection's commit has just invalidated (SQLite drops a connection's whole cache when
// another connection changed the file). All WAL, synchronous=NORMAL (strata's defaults;
// the raw connection is opened with the same flags and PRAGMAs,
// bench/common/sqlite_common.hpp), all in the same directory. Every side writes to
// tables of its own with the same schema, and every side writes the same ids and values
// in the same round, so the tables grow in step. Each WAL is checkpointed between
// rounds, outside the timed blocks (wal_autocheckpoint=0 on every connection): an
// automatic checkpoint, with its fsyncs, costs more than a block and would land in
// whichever block crossed 1,000 WAL pages. Row counts are checked after each repetition.
//
// Run it with the database files on tmpfs (TMPDIR=/dev/shm, see docs/benchmarks.md): on
// the shared VM's ext4 disk, once checkpoints (with their fsyncs) ran between rounds,
// per-transaction wall times rose 5–10x and unevenly per file (raw's twice strata's),
// with the process off-CPU 93–96 % of the time (60 % on tmpfs under the same load): the
// blocks then timed waits in the filesystem, not the code. On tmpfs an fsync is a no-op.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/interleave.hpp"
#include "../common/sqlite_common.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"
#include "tx_common.hpp"
#include "wrapped_driver.hpp"

namespace strata_bench::tx {
namespace {

// ---- the one-INSERT transaction ------------------------------------------------------

constexpr std::size_t tx_block = 32;  // transactions per side per round (~0.5 ms)
enum tx_side : std::size_t { tx_raw = 0, tx_hand, tx_strata, tx_sides };
constexpr const char* tx_table[tx_sides] = {"t1_raw", "t1_hand", "t1_tx"};

// ---- the 5-statement unit ------------------------------------------------------------

constexpr std::size_t unit_block = 8;  // units per side per round (~0.5–1 ms)
enum unit_side : std::size_t { u_raw_tx = 0, u_strata_tx, u_atomic_tx, u_atomic_seq, unit_sides };
constexpr const char* unit_prefix[unit_sides] = {"u_raw_tx", "u_strata_tx", "u_atomic_tx", "u_atomic_seq"};

std::string message_sql(const std::string& p) { return "INSERT INTO " + p + "_messages(id, channel, body) VALUES (?, ?, ?)"; }
std::string delivery_sql(const std::string& p) { return "INSERT INTO " + p + "_deliveries(message_id, recipient) VALUES (?, ?)"; }
std::string event_sql(const std::string& p) { return "INSERT INTO " + p + "_events(message_id, kind) VALUES (?, ?)"; }

struct unit_templates {
    explicit unit_templates(const std::string& p) : message(message_sql(p)), delivery(delivery_sql(p)), event(event_sql(p)) {}
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

void step_done(sqlite3* db, sqlite3_stmt* st, const char* what) {
    if (const int rc = sqlite3_step(st); rc != SQLITE_DONE) sqlite_fail(db, rc, what);
    sqlite3_reset(st);
}

std::int64_t count_rows(sqlite3* db, const std::string& table) {
    sqlite3_stmt* st = prepare(db, ("SELECT count(*) FROM " + table).c_str());
    if (const int rc = sqlite3_step(st); rc != SQLITE_ROW) sqlite_fail(db, rc, "count");
    const std::int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

class sqlite_fixture {
public:
    static sqlite_fixture& get() {
        static sqlite_fixture f;
        return f;
    }

    sqlite3* raw = nullptr;
    sqlite3_stmt* raw_begin = nullptr;
    sqlite3_stmt* raw_commit = nullptr;
    sqlite3_stmt* raw_t1 = nullptr;
    sqlite3_stmt* raw_msg = nullptr;
    sqlite3_stmt* raw_dlv = nullptr;
    sqlite3_stmt* raw_evt = nullptr;

    std::optional<strata::runtime> db;      // the real runtime: hand, tx, strata_tx, atomic_tx
    std::optional<strata::runtime> db_seq;  // no interactive transactions, no batch: atomic_seq
    std::shared_ptr<strata::test::wrapper_controls> seq_controls = std::make_shared<strata::test::wrapper_controls>();

    strata::sql_template begin{"BEGIN IMMEDIATE"};
    strata::sql_template commit{"COMMIT"};
    strata::sql_template restart_checkpoint{"PRAGMA wal_checkpoint(RESTART)"};
    strata::sql_template t1_hand{"INSERT INTO t1_hand(id, name, score) VALUES (?, ?, ?)"};
    strata::sql_template t1_tx{"INSERT INTO t1_tx(id, name, score) VALUES (?, ?, ?)"};
    unit_templates strata_tx_t{unit_prefix[u_strata_tx]};
    unit_templates atomic_tx_t{unit_prefix[u_atomic_tx]};
    unit_templates atomic_seq_t{unit_prefix[u_atomic_seq]};

    // Next id: every side writes the same ids (into its own tables).
    std::int64_t tx_next = 1;
    std::int64_t unit_next = 1;

    // One database file per writer connection (see the header): raw, strata, strata_seq.
    std::string raw_path = bench_dir().file("tx_raw.db");
    std::string strata_path = bench_dir().file("tx_strata.db");
    std::string seq_path = bench_dir().file("tx_strata_seq.db");

private:
    sqlite_fixture() {
        for (const std::string* path : {&raw_path, &strata_path, &seq_path}) {
            remove_database(*path);
            sqlite3* c = open_like_strata(*path, true);
            for (const char* t : tx_table) {
                exec(c, ("CREATE TABLE " + std::string(t) + "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL NOT NULL)").c_str());
            }
            for (const char* p : unit_prefix) {
                const std::string s(p);
                exec(c, ("CREATE TABLE " + s + "_messages(id INTEGER PRIMARY KEY, channel INTEGER NOT NULL, body TEXT NOT NULL, "
                         "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)").c_str());
                exec(c, ("CREATE TABLE " + s + "_deliveries(message_id INTEGER NOT NULL, recipient INTEGER NOT NULL, "
                         "PRIMARY KEY (message_id, recipient))").c_str());
                exec(c, ("CREATE TABLE " + s + "_events(id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL, kind TEXT NOT NULL)").c_str());
            }
            sqlite3_close_v2(c);
        }
        raw = open_like_strata(raw_path, true);
        raw_begin = prepare(raw, "BEGIN IMMEDIATE");
        raw_commit = prepare(raw, "COMMIT");
        raw_t1 = prepare(raw, "INSERT INTO t1_raw(id, name, score) VALUES (?, ?, ?)");
        const std::string p(unit_prefix[u_raw_tx]);
        raw_msg = prepare(raw, message_sql(p).c_str());
        raw_dlv = prepare(raw, delivery_sql(p).c_str());
        raw_evt = prepare(raw, event_sql(p).c_str());

        db.emplace(strata::instantiate(strata::sqlite::make_stack()));
        db->connect(strata::sqlite::file{strata_path});
        seq_controls->hide_interactive_transactions = true;
        seq_controls->hide_atomic_batch = true;
        db_seq.emplace(strata::instantiate(strata::test::wrap_stack(strata::sqlite::make_stack(), seq_controls)));
        db_seq->connect(strata::sqlite::file{seq_path});

        // WAL checkpoints between rounds, untimed (checkpoint() below), instead of
        // automatically inside whichever commit crosses 1,000 WAL pages: an automatic
        // checkpoint (with its fsyncs) costs as much as several blocks and would land on
        // one side's block in a pattern set by the order of the sides.
        exec(raw, "PRAGMA wal_autocheckpoint=0");
        db->execute(strata::sql("PRAGMA wal_autocheckpoint=0")).drain();
        db_seq->execute(strata::sql("PRAGMA wal_autocheckpoint=0")).drain();
    }
    ~sqlite_fixture() {
        db_seq.reset();
        db.reset();
        for (sqlite3_stmt* s : {raw_begin, raw_commit, raw_t1, raw_msg, raw_dlv, raw_evt}) sqlite3_finalize(s);
        sqlite3_close_v2(raw);
    }
};

// Moves each WAL into its database file, on the file's own writer connection; the next
// write starts the WAL file over (between rounds, untimed).
void checkpoint(sqlite_fixture& f) {
    exec(f.raw, "PRAGMA wal_checkpoint(RESTART)");
    f.db->execute(f.restart_checkpoint.bind()).drain();
    f.db_seq->execute(f.restart_checkpoint.bind()).drain();
}

// Rows of `table` in the database file at `path` (a separate read-only connection: a
// reader does not disturb the writers' page caches).
std::int64_t count_rows(const std::string& path, const std::string& table) {
    sqlite3* c = open_like_strata(path, false);
    const std::int64_t n = count_rows(c, table);
    sqlite3_close_v2(c);
    return n;
}

// ---- sides of the one-INSERT transaction (noinline: profilable one by one) -----------

[[gnu::noinline]] void tx_raw_block(sqlite_fixture& f, std::int64_t first, const std::vector<std::string>& names) {
    sqlite3* db = f.raw;
    for (std::size_t k = 0; k < tx_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        const std::string& name = names[k];
        step_done(db, f.raw_begin, "BEGIN");
        sqlite3_bind_int64(f.raw_t1, 1, id);
        sqlite3_bind_text(f.raw_t1, 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
        sqlite3_bind_double(f.raw_t1, 3, row_score(id));
        step_done(db, f.raw_t1, "INSERT");
        step_done(db, f.raw_commit, "COMMIT");
    }
}

[[gnu::noinline]] void tx_hand_block(sqlite_fixture& f, std::int64_t first, const std::vector<std::string>& names) {
    const strata::runtime& db = *f.db;
    for (std::size_t k = 0; k < tx_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        db.execute(f.begin.bind()).drain();
        db.execute(f.t1_hand.bind(id, names[k], row_score(id))).drain();
        db.execute(f.commit.bind()).drain();
    }
}

[[gnu::noinline]] void tx_strata_block(sqlite_fixture& f, std::int64_t first, const std::vector<std::string>& names) {
    const strata::runtime& db = *f.db;
    for (std::size_t k = 0; k < tx_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        db.transaction([&](strata::tx& t) { t.execute(f.t1_tx.bind(id, names[k], row_score(id))).drain(); });
    }
}

void tx_overhead(benchmark::State& state) {
    sqlite_fixture& f = sqlite_fixture::get();
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
                default: tx_strata_block(f, first, names); break;
            }
        });
        f.tx_next += static_cast<std::int64_t>(tx_block);
        checkpoint(f);
    }
    const std::string* tx_file[tx_sides] = {&f.raw_path, &f.strata_path, &f.strata_path};
    for (std::size_t side = 0; side < tx_sides; ++side) {
        if (count_rows(*tx_file[side], tx_table[side]) != f.tx_next - 1) {
            state.SkipWithError("row counts differ between the sides");
            return;
        }
    }
    const double n = static_cast<double>(f.tx_next - start);
    state.SetItemsProcessed(static_cast<std::int64_t>(n * double{tx_sides}));
    state.counters["raw_us"] = il.seconds(tx_raw) / n * 1e6;
    state.counters["hand_us"] = il.seconds(tx_hand) / n * 1e6;
    state.counters["tx_us"] = il.seconds(tx_strata) / n * 1e6;
    // Time ratios (median over rounds of the per-round ratio); lower is better for the
    // first-named side. sum_* : total over total.
    state.counters["tx/hand"] = il.median_ratio(tx_strata, tx_hand);
    state.counters["hand/raw"] = il.median_ratio(tx_hand, tx_raw);
    state.counters["tx/raw"] = il.median_ratio(tx_strata, tx_raw);
    state.counters["sum_tx/hand"] = il.sum_ratio(tx_strata, tx_hand);
}

// ---- sides of the 5-statement unit ---------------------------------------------------

[[gnu::noinline]] void unit_raw_block(sqlite_fixture& f, std::int64_t first) {
    sqlite3* db = f.raw;
    const std::string& body = unit_body();
    for (std::size_t k = 0; k < unit_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        step_done(db, f.raw_begin, "BEGIN");
        sqlite3_bind_int64(f.raw_msg, 1, id);
        sqlite3_bind_int64(f.raw_msg, 2, id % 10);
        sqlite3_bind_text(f.raw_msg, 3, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
        step_done(db, f.raw_msg, "message");
        for (std::int64_t r = 1; r <= 3; ++r) {
            sqlite3_bind_int64(f.raw_dlv, 1, id);
            sqlite3_bind_int64(f.raw_dlv, 2, r);
            step_done(db, f.raw_dlv, "delivery");
        }
        sqlite3_bind_int64(f.raw_evt, 1, id);
        sqlite3_bind_text(f.raw_evt, 2, "sent", 4, SQLITE_STATIC);
        step_done(db, f.raw_evt, "event");
        step_done(db, f.raw_commit, "COMMIT");
    }
}

[[gnu::noinline]] void unit_strata_tx_block(sqlite_fixture& f, std::int64_t first) {
    const unit_templates& t = f.strata_tx_t;
    for (std::size_t k = 0; k < unit_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        f.db->transaction([&](strata::tx& x) {
            x.execute(t.message.bind(id, id % 10, unit_body())).drain();
            for (std::int64_t r = 1; r <= 3; ++r) x.execute(t.delivery.bind(id, r)).drain();
            x.execute(t.event.bind(id, "sent")).drain();
        });
    }
}

[[gnu::noinline]] void unit_atomic_block(const strata::runtime& db, const unit_templates& t, std::int64_t first,
                                         strata::atomic_mode expected) {
    for (std::size_t k = 0; k < unit_block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        const strata::atomic_result r = strata::run_atomic_writes(db, t.plans(id));
        if (r.mode != expected) throw std::runtime_error("run_atomic_writes ran in an unexpected mode");
    }
}

void write_unit(benchmark::State& state) {
    sqlite_fixture& f = sqlite_fixture::get();
    interleaver<unit_sides> il;
    const std::int64_t start = f.unit_next;
    for (auto _ : state) {
        const std::int64_t first = f.unit_next;
        il.round([&](std::size_t s) {
            switch (s) {
                case u_raw_tx: unit_raw_block(f, first); break;
                case u_strata_tx: unit_strata_tx_block(f, first); break;
                case u_atomic_tx: unit_atomic_block(*f.db, f.atomic_tx_t, first, strata::atomic_mode::transaction); break;
                default: unit_atomic_block(*f.db_seq, f.atomic_seq_t, first, strata::atomic_mode::sequential); break;
            }
        });
        f.unit_next += static_cast<std::int64_t>(unit_block);
        checkpoint(f);
    }
    const std::string* unit_file[unit_sides] = {&f.raw_path, &f.strata_path, &f.strata_path, &f.seq_path};
    for (std::size_t side = 0; side < unit_sides; ++side) {
        const std::string& path = *unit_file[side];
        const std::string s(unit_prefix[side]);
        if (count_rows(path, s + "_messages") != f.unit_next - 1 ||
            count_rows(path, s + "_deliveries") != 3 * (f.unit_next - 1) ||
            count_rows(path, s + "_events") != f.unit_next - 1) {
            state.SkipWithError("row counts differ between the sides");
            return;
        }
    }
    const double n = static_cast<double>(f.unit_next - start);
    state.SetItemsProcessed(static_cast<std::int64_t>(n * double{unit_sides}));
    state.counters["raw_tx_us"] = il.seconds(u_raw_tx) / n * 1e6;
    state.counters["strata_tx_us"] = il.seconds(u_strata_tx) / n * 1e6;
    state.counters["atomic_tx_us"] = il.seconds(u_atomic_tx) / n * 1e6;
    state.counters["atomic_seq_us"] = il.seconds(u_atomic_seq) / n * 1e6;
    state.counters["atomic_seq/atomic_tx"] = il.median_ratio(u_atomic_seq, u_atomic_tx);
    state.counters["atomic_tx/strata_tx"] = il.median_ratio(u_atomic_tx, u_strata_tx);
    state.counters["strata_tx/raw_tx"] = il.median_ratio(u_strata_tx, u_raw_tx);
    state.counters["atomic_tx/raw_tx"] = il.median_ratio(u_atomic_tx, u_raw_tx);
}

}  // namespace

void register_sqlite(int repetitions) {
    // 3 sides x 32 transactions, 4 sides x 8 units per round; rounds are multiples of 3!
    // and 4! (every order of the sides equally often). Short blocks: on the loaded shared
    // machine a block longer than a scheduler slice is nearly always preempted, and then
    // its time measures the wait, not the work; short ones mostly run through, and the
    // median over rounds keeps those.
    auto* a = benchmark::RegisterBenchmark("sqlite_tx_overhead/insert1", tx_overhead);
    a->Iterations(rounds(600, 6))->DisplayAggregatesOnly(true)->Unit(benchmark::kMillisecond);
    auto* b = benchmark::RegisterBenchmark("sqlite_write_unit/5_statements", write_unit);
    b->Iterations(rounds(480, 24))->DisplayAggregatesOnly(true)->Unit(benchmark::kMillisecond);
    if (repetitions > 0) {
        a->Repetitions(repetitions);
        b->Repetitions(repetitions);
    }
}

}  // namespace strata_bench::tx
