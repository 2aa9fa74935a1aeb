// 1,000,000-row insert in one transaction: strata vs the raw sqlite3 C API vs SQLiteCpp,
// interleaved in chunks inside one benchmark.
//
// Fairness:
// - Every repetition, each side gets a fresh database file of its own in the same
//   directory (WAL, synchronous=NORMAL: strata's defaults; raw and SQLiteCpp open theirs
//   with the same flags and PRAGMAs) and creates the same empty table through its own
//   API. Nothing is timed until all three are ready.
// - Each side opens one transaction (BEGIN) and then the sides take turns inserting
//   chunks of 5,000 rows, the order of the sides changing every round (all 6 orders in
//   turn). All three tables therefore grow in step: chunk k of every side lands on a
//   B-tree of the same size, with the same page-cache spills. COMMIT is timed on its own
//   per side (it includes SQLite's WAL auto-checkpoint, i.e. disk work that is the same
//   for every side).
// - The rows are the same for every side: id i (1..N), a 19–20-byte name, a double.
//   Names are generated once, before timing, into one shared vector.
// - raw: one statement prepared once; per row bind_int64, bind_text with SQLITE_STATIC
//   (no copy: the string outlives the step), bind_double, step, reset.
//   SQLiteCpp: SQLite::Statement prepared once; per row bind, bindNoCopy(name), bind,
//   exec(), reset() — its no-copy path, the fast way to use it.
//   strata: a strata::sql_template checked once; per row
//   db.execute(ins.bind(id, name, score)).drain() with `name` a const std::string& —
//   the ordinary API. A plan owns its parameters, so bind() copies the name into the
//   plan (the driver then binds it without a second copy); that copy is part of what
//   strata costs.
// - strata_many (fourth side, decision 0015): its own runtime and file; the whole
//   interleaved phase runs inside one db.transaction(), and each of its chunks is one
//   tx.execute_many(ins, rows) over a view of (id, string_view name, score) tuples —
//   the bulk API, binding each row straight into the cached statement. Its COMMIT is
//   the transaction's return, timed on its own like the others.
// - Reported: rows/s per side and throughput ratios (raw time / side time, higher is
//   better for the first-named side), for the insert phase and for insert + COMMIT.
//
// STRATA_BENCH_INSERT_ROWS overrides the row count (e.g. 100000 for a quick or profiled run).
#include <SQLiteCpp/SQLiteCpp.h>
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../common/interleave.hpp"
#include "../common/sqlite_common.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

constexpr std::int64_t chunk = 5'000;
constexpr const char* insert_sql = "INSERT INTO items(id, name, score) VALUES (?, ?, ?)";

enum side : std::size_t { raw_side = 0, cpp_side = 1, strata_side = 2, many_side = 3, side_count = 4 };

std::int64_t insert_rows() {
    if (const char* env = std::getenv("STRATA_BENCH_INSERT_ROWS")) {
        const long long n = std::atoll(env);
        if (n >= chunk) return (n / chunk) * chunk;
    }
    return 1'000'000;
}

struct rows_data {
    std::vector<std::string> names;
    std::vector<double> scores;
};

const rows_data& data(std::int64_t n) {
    static rows_data d = [n] {
        rows_data r;
        r.names.reserve(static_cast<std::size_t>(n));
        r.scores.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) {
            r.names.push_back(item_name(i));
            r.scores.push_back(item_score(i));
        }
        return r;
    }();
    return d;
}

// One repetition's three databases, fresh.
struct insert_targets {
    std::string raw_path = bench_dir().file("insert_raw.db");
    std::string cpp_path = bench_dir().file("insert_sqlitecpp.db");
    std::string strata_path = bench_dir().file("insert_strata.db");
    std::string many_path = bench_dir().file("insert_strata_many.db");

    sqlite3* raw = nullptr;
    sqlite3_stmt* raw_stmt = nullptr;
    std::optional<SQLite::Database> cpp;
    std::optional<SQLite::Statement> cpp_stmt;
    std::optional<strata::runtime> db;
    std::optional<strata::sql_template> ins;
    std::optional<strata::runtime> many;

    insert_targets() {
        for (const auto* p : {&raw_path, &cpp_path, &strata_path, &many_path}) remove_database(*p);

        raw = open_like_strata(raw_path, true);
        exec(raw, create_items_sql);
        raw_stmt = prepare(raw, insert_sql);

        cpp.emplace(cpp_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, 5000);
        cpp->exec("PRAGMA foreign_keys=ON");
        cpp->exec("PRAGMA synchronous=NORMAL");
        cpp->exec("PRAGMA journal_mode=WAL");
        cpp->exec(create_items_sql);
        cpp_stmt.emplace(*cpp, insert_sql);

        db.emplace(strata::instantiate(strata::sqlite::make_stack()));
        db->connect(strata::sqlite::file{strata_path});
        db->execute(strata::sql(create_items_sql)).drain();
        ins.emplace(insert_sql);
        many.emplace(strata::instantiate(strata::sqlite::make_stack()));
        many->connect(strata::sqlite::file{many_path});
        many->execute(strata::sql(create_items_sql)).drain();
    }
    insert_targets(const insert_targets&) = delete;
    insert_targets& operator=(const insert_targets&) = delete;

    void begin() {
        exec(raw, "BEGIN");
        cpp->exec("BEGIN");
        db->execute(strata::sql("BEGIN")).drain();
    }

    // Closes everything and checks every table holds exactly `n` rows.
    bool verify_and_close(std::int64_t n) {
        const auto count = [](sqlite3* c) {
            sqlite3_stmt* st = prepare(c, "SELECT count(*) FROM items");
            std::int64_t rows = -1;
            if (sqlite3_step(st) == SQLITE_ROW) rows = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            return rows;
        };
        const std::int64_t r = count(raw);
        const std::int64_t c = cpp->execAndGet("SELECT count(*) FROM items").getInt64();
        const std::int64_t s = db->execute(strata::sql("SELECT count(*) FROM items")).one().get<std::int64_t>(0);
        const std::int64_t m = many->execute(strata::sql("SELECT count(*) FROM items")).one().get<std::int64_t>(0);
        ins.reset();
        db.reset();
        many.reset();
        cpp_stmt.reset();
        cpp.reset();
        sqlite3_finalize(raw_stmt);
        sqlite3_close_v2(raw);
        raw = nullptr;
        for (const auto* p : {&raw_path, &cpp_path, &strata_path, &many_path}) remove_database(*p);
        return r == n && c == n && s == n && m == n;
    }
};

// ---- the three sides (noinline so a profiler can attribute and isolate them) ----------

[[gnu::noinline]] void raw_chunk(insert_targets& t, const rows_data& d, std::int64_t from) {
    sqlite3_stmt* st = t.raw_stmt;
    for (std::int64_t i = from; i < from + chunk; ++i) {
        const std::string& name = d.names[static_cast<std::size_t>(i - 1)];
        int rc = sqlite3_bind_int64(st, 1, i);
        if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
        if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, 3, d.scores[static_cast<std::size_t>(i - 1)]);
        if (rc != SQLITE_OK) sqlite_fail(t.raw, rc, "bind");
        if (rc = sqlite3_step(st); rc != SQLITE_DONE) sqlite_fail(t.raw, rc, "step");
        sqlite3_reset(st);
    }
}

[[gnu::noinline]] void cpp_chunk(insert_targets& t, const rows_data& d, std::int64_t from) {
    SQLite::Statement& q = *t.cpp_stmt;
    for (std::int64_t i = from; i < from + chunk; ++i) {
        q.bind(1, static_cast<std::int64_t>(i));
        q.bindNoCopy(2, d.names[static_cast<std::size_t>(i - 1)]);
        q.bind(3, d.scores[static_cast<std::size_t>(i - 1)]);
        q.exec();
        q.reset();
    }
}

[[gnu::noinline]] void strata_chunk(insert_targets& t, const rows_data& d, std::int64_t from) {
    const strata::runtime& db = *t.db;
    const strata::sql_template& ins = *t.ins;
    for (std::int64_t i = from; i < from + chunk; ++i) {
        const std::string& name = d.names[static_cast<std::size_t>(i - 1)];
        db.execute(ins.bind(i, name, d.scores[static_cast<std::size_t>(i - 1)])).drain();
    }
}

[[gnu::noinline]] void many_chunk(const strata::tx& tx, const strata::sql_template& ins, const rows_data& d,
                                  std::int64_t from) {
    auto rows = std::views::iota(from, from + chunk) | std::views::transform([&d](std::int64_t i) {
                    const auto k = static_cast<std::size_t>(i - 1);
                    return std::tuple<std::int64_t, std::string_view, double>{i, d.names[k], d.scores[k]};
                });
    (void)tx.execute_many(ins, rows);
}

void bulk_insert(benchmark::State& state) {
    const std::int64_t n = insert_rows();
    const rows_data& d = data(n);
    for (auto _ : state) {
        insert_targets t;
        t.begin();
        std::int64_t next = 1;
        interleaver<side_count> phase;  // insert phase only
        interleaver<side_count> commit;
        // strata_many's transaction spans the phase; its COMMIT is the callback's return.
        std::chrono::steady_clock::time_point phase_done{};
        t.many->transaction([&](strata::tx& tx) {
            const auto insert_side = [&](std::size_t s) {
                switch (s) {
                    case raw_side:
                        raw_chunk(t, d, next);
                        break;
                    case cpp_side:
                        cpp_chunk(t, d, next);
                        break;
                    case strata_side:
                        strata_chunk(t, d, next);
                        break;
                    default:
                        many_chunk(tx, *t.ins, d, next);
                        break;
                }
            };
            for (; next <= n; next += chunk) phase.round(insert_side);
            phase_done = std::chrono::steady_clock::now();
        });
        const double commit_many = std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_done).count();
        const double ins_raw = phase.seconds(raw_side), ins_cpp = phase.seconds(cpp_side),
                     ins_strata = phase.seconds(strata_side), ins_many = phase.seconds(many_side);
        // COMMIT each other side, the order rotating with the repetition.
        static std::size_t repetition = 0;
        const std::size_t first = repetition++ % many_side;
        for (std::size_t k = 0; k < many_side; ++k) {
            const std::size_t s = (first + k) % many_side;
            commit.once(s, [&](std::size_t which) {
                switch (which) {
                    case raw_side:
                        exec(t.raw, "COMMIT");
                        break;
                    case cpp_side:
                        t.cpp->exec("COMMIT");
                        break;
                    default:
                        t.db->execute(strata::sql("COMMIT")).drain();
                        break;
                }
            });
        }
        state.SetIterationTime(phase.total_seconds() + commit.total_seconds() + commit_many);
        if (!t.verify_and_close(n)) {
            state.SkipWithError("a table does not hold the expected rows");
            return;
        }
        const double rows = static_cast<double>(n);
        const double tot_raw = ins_raw + commit.seconds(raw_side), tot_cpp = ins_cpp + commit.seconds(cpp_side),
                     tot_strata = ins_strata + commit.seconds(strata_side);
        state.counters["raw_krows_s"] = rows / ins_raw / 1e3;
        state.counters["cpp_krows_s"] = rows / ins_cpp / 1e3;
        state.counters["strata_krows_s"] = rows / ins_strata / 1e3;
        state.counters["many_krows_s"] = rows / ins_many / 1e3;
        // Throughput ratios, higher is better for the first-named side: the median over
        // rounds of the per-chunk ratio (robust to a preempted chunk); sum_* use the
        // insert phase's total times; total_* add each side's COMMIT.
        state.counters["strata/raw"] = phase.median_ratio(raw_side, strata_side);
        state.counters["cpp/raw"] = phase.median_ratio(raw_side, cpp_side);
        state.counters["strata/cpp"] = phase.median_ratio(cpp_side, strata_side);
        state.counters["many/raw"] = phase.median_ratio(raw_side, many_side);
        state.counters["many/cpp"] = phase.median_ratio(cpp_side, many_side);
        state.counters["sum_many/raw"] = ins_raw / ins_many;
        state.counters["commit_many_ms"] = commit_many * 1e3;
        state.counters["total_many/raw"] = (ins_raw + commit.seconds(raw_side)) / (ins_many + commit_many);
        state.counters["sum_strata/raw"] = ins_raw / ins_strata;
        state.counters["sum_cpp/raw"] = ins_raw / ins_cpp;
        state.counters["sum_strata/cpp"] = ins_cpp / ins_strata;
        state.counters["commit_raw_ms"] = commit.seconds(raw_side) * 1e3;
        state.counters["commit_cpp_ms"] = commit.seconds(cpp_side) * 1e3;
        state.counters["commit_strata_ms"] = commit.seconds(strata_side) * 1e3;
        state.counters["total_strata/raw"] = tot_raw / tot_strata;
        state.counters["total_cpp/raw"] = tot_raw / tot_cpp;
        state.counters["total_strata/cpp"] = tot_cpp / tot_strata;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n * static_cast<std::int64_t>(side_count));
}

}  // namespace

void register_bulk_insert(int repetitions) {
    // One iteration = N rows per side (4 N inserts) + 4 COMMITs: ~5–8 s at 1M rows.
    auto* b = benchmark::RegisterBenchmark("sqlite_bulk_insert_1tx", bulk_insert);
    b->Iterations(1)->ReportAggregatesOnly(true)->UseManualTime()->Unit(benchmark::kSecond);
    if (repetitions > 0) b->Repetitions(repetitions);
}

}  // namespace strata_bench
