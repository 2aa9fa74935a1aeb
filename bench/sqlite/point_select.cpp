// Primary-key point select on a file database, autocommit: strata vs the raw sqlite3 C
// API vs SQLiteCpp, interleaved in blocks inside one benchmark.
//
// Fairness:
// - One database file (WAL, 100,000 rows) read by three connections opened the same way:
//   strata's own read connection (its pool opens it read-only, NOMUTEX, busy_timeout,
//   foreign_keys=ON), and raw / SQLiteCpp connections opened with the same flags and
//   PRAGMAs. Every connection has SQLite's default page cache, so each sees the same
//   cache behaviour for the same ids.
// - Every side runs the same ids in the same order: round r gives each side the same
//   block of 256 ids, in a pseudo-random order over the whole table.
// - Autocommit: no side opens a transaction, so every select takes and ends its own WAL
//   read transaction (the dominant cost of an autocommit point select).
// - Every side reads the three columns into the same C++ types (std::int64_t,
//   std::string, double) and checksums them; the checksums must agree.
// - raw: statement prepared once; per row bind_int64 / step / column_* / reset.
//   SQLiteCpp: SQLite::Statement prepared once; bind / executeStep / getColumn / reset.
//   strata: a strata::sql_template checked once; per row db.execute(sel.bind(id)) and
//   first() (or one()), then row.get<T>(i) — the library's ordinary API.
// - Two variants: "first" stops after the row (raw and SQLiteCpp reset after one step),
//   "one" checks there is exactly one row (raw and SQLiteCpp step again to SQLITE_DONE).
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/interleave.hpp"
#include "../common/sqlite_common.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

constexpr std::int64_t table_rows = 100'000;
constexpr std::size_t block = 256;
constexpr std::size_t id_count = std::size_t{1} << 20;  // the id sequence, reused cyclically
constexpr const char* select_sql = "SELECT id, name, score FROM items WHERE id = ?";

enum side : std::size_t { raw_side = 0, cpp_side = 1, strata_side = 2, side_count = 3 };

// What every side folds each row into; equal sums prove equal work.
struct checksum {
    std::int64_t ids = 0;
    std::uint64_t name_bytes = 0;
    double scores = 0;
    void add(std::int64_t id, const std::string& name, double score) {
        ids += id;
        name_bytes += name.size() + static_cast<unsigned char>(name.back());
        scores += score;
    }
    friend bool operator==(const checksum&, const checksum&) = default;
};

class select_fixture {
public:
    static select_fixture& get() {
        static select_fixture f;
        return f;
    }

    std::vector<std::int64_t> ids;
    sqlite3* raw = nullptr;
    sqlite3_stmt* raw_stmt = nullptr;
    std::optional<SQLite::Database> cpp;
    std::optional<SQLite::Statement> cpp_stmt;
    std::optional<strata::runtime> db;
    std::optional<strata::sql_template> sel;

private:
    select_fixture() : path_(bench_dir().file("point_select.db")) {
        populate();
        ids.resize(id_count);
        std::mt19937_64 rng(20261123);
        std::uniform_int_distribution<std::int64_t> pick(1, table_rows);
        for (auto& id : ids) id = pick(rng);

        raw = open_like_strata(path_, false);
        raw_stmt = prepare(raw, select_sql);

        cpp.emplace(path_, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, 5000);
        cpp->exec("PRAGMA foreign_keys=ON");
        cpp_stmt.emplace(*cpp, select_sql);

        db.emplace(strata::instantiate(strata::sqlite::make_stack()));
        db->connect(strata::sqlite::file{path_});
        sel.emplace(select_sql);
    }
    ~select_fixture() {
        sel.reset();
        db.reset();
        cpp_stmt.reset();
        cpp.reset();
        sqlite3_finalize(raw_stmt);
        sqlite3_close_v2(raw);
    }

    void populate() {
        remove_database(path_);
        sqlite3* w = open_like_strata(path_, true);
        exec(w, create_items_sql);
        exec(w, "BEGIN");
        sqlite3_stmt* ins = prepare(w, "INSERT INTO items(id, name, score) VALUES (?, ?, ?)");
        for (std::int64_t i = 1; i <= table_rows; ++i) {
            const std::string name = item_name(i);
            sqlite3_bind_int64(ins, 1, i);
            sqlite3_bind_text(ins, 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
            sqlite3_bind_double(ins, 3, item_score(i));
            if (const int rc = sqlite3_step(ins); rc != SQLITE_DONE) sqlite_fail(w, rc, "populate");
            sqlite3_reset(ins);
        }
        sqlite3_finalize(ins);
        exec(w, "COMMIT");
        exec(w, "PRAGMA wal_checkpoint(TRUNCATE)");
        sqlite3_close_v2(w);
    }

    std::string path_;
};

// ---- the three sides (noinline so a profiler can attribute and isolate them) ----------

[[gnu::noinline]] void raw_block(select_fixture& f, const std::int64_t* ids, bool exact, checksum& sum) {
    sqlite3_stmt* st = f.raw_stmt;
    for (std::size_t k = 0; k < block; ++k) {
        if (const int rc = sqlite3_bind_int64(st, 1, ids[k]); rc != SQLITE_OK) sqlite_fail(f.raw, rc, "bind");
        if (const int rc = sqlite3_step(st); rc != SQLITE_ROW) sqlite_fail(f.raw, rc, "step");
        const std::int64_t id = sqlite3_column_int64(st, 0);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
        std::string name(text, static_cast<std::size_t>(sqlite3_column_bytes(st, 1)));
        const double score = sqlite3_column_double(st, 2);
        if (exact) {
            if (const int rc = sqlite3_step(st); rc != SQLITE_DONE) sqlite_fail(f.raw, rc, "step (exactly one row)");
        }
        sqlite3_reset(st);
        sum.add(id, name, score);
    }
}

[[gnu::noinline]] void cpp_block(select_fixture& f, const std::int64_t* ids, bool exact, checksum& sum) {
    SQLite::Statement& q = *f.cpp_stmt;
    for (std::size_t k = 0; k < block; ++k) {
        q.bind(1, static_cast<std::int64_t>(ids[k]));
        if (!q.executeStep()) throw std::runtime_error("SQLiteCpp: no row");
        const std::int64_t id = q.getColumn(0).getInt64();
        std::string name = q.getColumn(1).getString();
        const double score = q.getColumn(2).getDouble();
        if (exact && q.executeStep()) throw std::runtime_error("SQLiteCpp: more than one row");
        q.reset();
        sum.add(id, name, score);
    }
}

[[gnu::noinline]] void strata_block(select_fixture& f, const std::int64_t* ids, bool exact, checksum& sum) {
    const strata::runtime& db = *f.db;
    const strata::sql_template& sel = *f.sel;
    for (std::size_t k = 0; k < block; ++k) {
        if (exact) {
            const strata::row r = db.execute(sel.bind(ids[k])).one();
            sum.add(r.get<std::int64_t>(0), r.get<std::string>(1), r.get<double>(2));
        } else {
            const std::optional<strata::row> r = db.execute(sel.bind(ids[k])).first();
            if (!r) throw std::runtime_error("strata: no row");
            sum.add(r->get<std::int64_t>(0), r->get<std::string>(1), r->get<double>(2));
        }
    }
}

void point_select(benchmark::State& state, bool exact) {
    select_fixture& f = select_fixture::get();
    interleaver<side_count> il;
    checksum sums[side_count];
    std::size_t pos = 0;
    for (auto _ : state) {
        const std::int64_t* ids = f.ids.data() + pos;
        il.round([&](std::size_t s) {
            switch (s) {
                case raw_side: raw_block(f, ids, exact, sums[raw_side]); break;
                case cpp_side: cpp_block(f, ids, exact, sums[cpp_side]); break;
                default: strata_block(f, ids, exact, sums[strata_side]); break;
            }
        });
        pos = (pos + block) % id_count;
    }
    if (!(sums[raw_side] == sums[cpp_side]) || !(sums[raw_side] == sums[strata_side])) {
        state.SkipWithError("the sides read different data (checksums differ)");
        return;
    }
    const double ops = static_cast<double>(il.rounds() * block);
    const double raw_s = il.seconds(raw_side), cpp_s = il.seconds(cpp_side), strata_s = il.seconds(strata_side);
    state.SetItemsProcessed(static_cast<std::int64_t>(il.rounds() * block * side_count));
    // Per-operation times (µs), for orientation only; the ratios are the result.
    state.counters["raw_us"] = raw_s / ops * 1e6;
    state.counters["cpp_us"] = cpp_s / ops * 1e6;
    state.counters["strata_us"] = strata_s / ops * 1e6;
    // Time ratios, lower is better for the first-named side. The plain names are the
    // median over rounds of the per-round ratio (robust to a preempted block); sum_* are
    // total time over total time.
    state.counters["strata/raw"] = il.median_ratio(strata_side, raw_side);
    state.counters["cpp/raw"] = il.median_ratio(cpp_side, raw_side);
    state.counters["strata/cpp"] = il.median_ratio(strata_side, cpp_side);
    state.counters["sum_strata/raw"] = strata_s / raw_s;
    state.counters["sum_cpp/raw"] = cpp_s / raw_s;
    state.counters["sum_strata/cpp"] = strata_s / cpp_s;
}

}  // namespace

void register_point_select(int repetitions) {
    // 400 rounds of 3 x 256 selects: 1–3 s per repetition at 2.5–6.5 µs a select.
    // STRATA_BENCH_SELECT_ROUNDS overrides the round count (e.g. 20 for a profiled run).
    benchmark::IterationCount rounds = 400;
    if (const char* env = std::getenv("STRATA_BENCH_SELECT_ROUNDS"); env && std::atoll(env) > 0) rounds = std::atoll(env);
    for (const bool exact : {false, true}) {
        auto* b = benchmark::RegisterBenchmark(exact ? "sqlite_point_select/one" : "sqlite_point_select/first",
                                               [exact](benchmark::State& s) { point_select(s, exact); });
        b->Iterations(rounds)->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);
        if (repetitions > 0) b->Repetitions(repetitions);
    }
}

}  // namespace strata_bench
