// What keeping an abandoned result from failing its transaction costs (decision 0023).
//
// pg_tx_small_read/{first,one} — the common path: a transaction of 64 primary-key point
// selects, each fully answered by one row. Four sides, each on its own connection with
// its statement prepared once, interleaved in blocks (bench/common/interleave.hpp):
//   raw       : PQexec BEGIN, 64 x PQexecPrepared, PQexec COMMIT.
//   strata    : db.transaction(fn), fn: 64 x t.execute(sel.bind(id)).first() (or .one()).
//               first() stops reading after the row: the abandon path this decision
//               changed; one() reads to the end.
//   savepoint : the rejected "cancel under a savepoint" alternative's cost on raw libpq:
//               BEGIN, 64 x one pipelined round trip {SAVEPOINT; the select; RELEASE;
//               sync}, COMMIT.
//   cursor    : the rejected "read through a cursor" alternative's cost on raw libpq:
//               BEGIN, 64 x one pipelined round trip {DECLARE NO SCROLL CURSOR FOR the
//               select ($1 bound); FETCH 100; CLOSE; sync}, COMMIT.
//
// pg_abandon_200k — the rare path: a 200,000-row result (the conformance test's
// recursive counter) abandoned after its first row. Four sides, one abandonment per block:
//   strata_tx   : db.transaction(fn), fn: t.execute(counter).first() — the rest is read
//                 and discarded, then COMMIT.
//   strata_auto : db.execute(counter).first() outside a transaction — cancelled after a
//                 2 ms read-on window (unchanged).
//   raw_read    : raw libpq, BEGIN, the counter read to its end in single-row mode, COMMIT:
//                 the floor of strata_tx.
//   raw_cursor  : raw libpq, BEGIN, DECLARE NO SCROLL CURSOR FOR the counter, FETCH 1,
//                 CLOSE, COMMIT: what the cursor alternative pays when abandoning.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../common/interleave.hpp"
#include "pg_common.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

constexpr std::int64_t table_rows = 100'000;
constexpr std::size_t block = 64;
constexpr const char* select_sql = "SELECT id, name, score FROM bench_abandon_items WHERE id = $1";
constexpr const char* cursor_sql = "DECLARE c NO SCROLL CURSOR FOR SELECT id, name, score FROM bench_abandon_items "
                                   "WHERE id = $1";
constexpr const char* counter_sql =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) "
    "SELECT x, 'row number ' || x AS label FROM c";

enum small_side : std::size_t { s_raw = 0, s_strata, s_savepoint, s_cursor, small_sides };
enum abandon_side : std::size_t { a_strata_tx = 0, a_strata_auto, a_raw_read, a_raw_cursor, abandon_sides };

struct fixture {
    static fixture& get() {
        static fixture f;
        return f;
    }
    std::vector<std::int64_t> ids;
    PGconn* raw = nullptr;
    PGconn* savepoint = nullptr;
    PGconn* cursor = nullptr;
    std::optional<strata::runtime> db;
    std::optional<strata::sql_template> sel;

private:
    fixture() {
        const std::string url = pg_url();
        PGconn* c = pg_open(url);
        pg_exec(c, "DROP TABLE IF EXISTS bench_abandon_items");
        pg_exec(c, "CREATE TABLE bench_abandon_items(id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE "
                   "PRECISION NOT NULL)");
        pg_exec(c, ("INSERT INTO bench_abandon_items SELECT i, 'item-' || lpad(i::text, 8, '0'), i * 0.25 "
                    "FROM generate_series(1, " + std::to_string(table_rows) + ") AS i")
                       .c_str());
        pg_exec(c, "VACUUM ANALYZE bench_abandon_items");
        PQfinish(c);
        ids.resize(std::size_t{1} << 16);
        std::mt19937_64 rng(20261206);
        std::uniform_int_distribution<std::int64_t> pick(1, table_rows);
        for (auto& id : ids) id = pick(rng);
        for (PGconn** conn : {&raw, &savepoint}) {
            *conn = pg_open(url);
            pg_check(PQprepare(*conn, "sel", select_sql, 1, nullptr), "prepare");
        }
        cursor = pg_open(url);
        db.emplace(strata::instantiate(strata::postgres::make_stack()));
        db->connect(strata::postgres::url{url});
        sel.emplace("SELECT id, name, score FROM bench_abandon_items WHERE id = ?");
    }
};

// Reads the results of one pipelined round trip up to its sync; false on any error.
bool read_pipeline(PGconn* c, int commands, std::int64_t& sum) {
    bool ok = true;
    for (int i = 0; i < commands; ++i) {
        while (PGresult* r = PQgetResult(c)) {
            const ExecStatusType st = PQresultStatus(r);
            ok = ok && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
            if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) sum += std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
            PQclear(r);
        }
    }
    PGresult* sync = PQgetResult(c);
    ok = ok && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    return ok;
}

[[gnu::noinline]] void small_block(fixture& f, std::size_t side, const std::int64_t* ids, bool exact,
                                   std::int64_t& sum) {
    if (side == s_strata) {
        f.db->transaction([&](strata::tx& t) {
            for (std::size_t k = 0; k < block; ++k) {
                if (exact) {
                    sum += t.execute(f.sel->bind(ids[k])).one().get<std::int64_t>(0);
                } else {
                    sum += t.execute(f.sel->bind(ids[k])).first()->get<std::int64_t>(0);
                }
            }
        });
        return;
    }
    PGconn* c = side == s_raw ? f.raw : side == s_savepoint ? f.savepoint : f.cursor;
    pg_exec(c, "BEGIN");
    for (std::size_t k = 0; k < block; ++k) {
        const std::string id_text = std::to_string(ids[k]);
        const char* values[] = {id_text.c_str()};
        if (side == s_raw) {
            PGresult* r = PQexecPrepared(c, "sel", 1, values, nullptr, nullptr, 0);
            if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) throw std::runtime_error("raw: no row");
            sum += std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
            PQclear(r);
            continue;
        }
        bool sent = PQenterPipelineMode(c) == 1;
        if (side == s_savepoint) {
            sent = sent && PQsendQueryParams(c, "SAVEPOINT s", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
                   PQsendQueryPrepared(c, "sel", 1, values, nullptr, nullptr, 0) == 1 &&
                   PQsendQueryParams(c, "RELEASE SAVEPOINT s", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
        } else {
            sent = sent && PQsendQueryParams(c, cursor_sql, 1, nullptr, values, nullptr, nullptr, 0) == 1 &&
                   PQsendQueryParams(c, "FETCH 100 FROM c", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
                   PQsendQueryParams(c, "CLOSE c", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
        }
        if (!sent || PQpipelineSync(c) != 1 || !read_pipeline(c, 3, sum) || PQexitPipelineMode(c) != 1) {
            throw std::runtime_error(std::string("pipeline: ") + PQerrorMessage(c));
        }
    }
    pg_exec(c, "COMMIT");
}

void tx_small_read(benchmark::State& state, bool exact) {
    fixture& f = fixture::get();
    interleaver<small_sides> il;
    std::int64_t sums[small_sides] = {};
    std::size_t pos = 0;
    for (auto _ : state) {
        const std::int64_t* ids = f.ids.data() + pos;
        il.round([&](std::size_t s) { small_block(f, s, ids, exact, sums[s]); });
        pos = (pos + block) % f.ids.size();
    }
    for (std::size_t s = 1; s < small_sides; ++s) {
        if (sums[s] != sums[s_raw]) {
            state.SkipWithError("the sides read different rows (checksums differ)");
            return;
        }
    }
    const double selects = static_cast<double>(il.rounds() * block);
    state.counters["raw_us"] = il.seconds(s_raw) / selects * 1e6;
    state.counters["strata_us"] = il.seconds(s_strata) / selects * 1e6;
    state.counters["savepoint_us"] = il.seconds(s_savepoint) / selects * 1e6;
    state.counters["cursor_us"] = il.seconds(s_cursor) / selects * 1e6;
    state.counters["strata/raw"] = il.median_ratio(s_strata, s_raw);
    state.counters["savepoint/raw"] = il.median_ratio(s_savepoint, s_raw);
    state.counters["cursor/raw"] = il.median_ratio(s_cursor, s_raw);
}

[[gnu::noinline]] std::int64_t abandon_once(fixture& f, std::size_t side) {
    const strata::plan counter = strata::sql(counter_sql);
    switch (side) {
        case a_strata_tx:
            return f.db->transaction(
                [&](strata::tx& t) { return t.execute(counter).first()->get<std::int64_t>(0); });
        case a_strata_auto:
            return f.db->execute(counter).first()->get<std::int64_t>(0);
        case a_raw_read: {
            std::int64_t first = 0, n = 0;
            pg_exec(f.raw, "BEGIN");
            if (PQsendQueryParams(f.raw, counter_sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1 ||
                PQsetSingleRowMode(f.raw) != 1) {
                throw std::runtime_error("raw: send failed");
            }
            while (PGresult* r = PQgetResult(f.raw)) {
                if (PQresultStatus(r) == PGRES_SINGLE_TUPLE && n++ == 0)
                    first = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
                PQclear(r);
            }
            pg_exec(f.raw, "COMMIT");
            if (n != 200'000) throw std::runtime_error("raw: wrong row count");
            return first;
        }
        default: {
            pg_exec(f.cursor, "BEGIN");
            pg_exec(f.cursor, (std::string("DECLARE a NO SCROLL CURSOR FOR ") + counter_sql).c_str());
            PGresult* r = PQexec(f.cursor, "FETCH 1 FROM a");
            const std::int64_t first = PQntuples(r) == 1 ? std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10) : 0;
            PQclear(r);
            pg_exec(f.cursor, "CLOSE a");
            pg_exec(f.cursor, "COMMIT");
            return first;
        }
    }
}

void abandon_200k(benchmark::State& state) {
    fixture& f = fixture::get();
    interleaver<abandon_sides> il;
    std::int64_t firsts = 0;
    for (auto _ : state) {
        il.round([&](std::size_t s) { firsts += abandon_once(f, s); });
    }
    if (firsts != static_cast<std::int64_t>(il.rounds() * abandon_sides)) {
        state.SkipWithError("a side did not read row 1 first");
        return;
    }
    const double n = static_cast<double>(il.rounds());
    state.counters["strata_tx_ms"] = il.seconds(a_strata_tx) / n * 1e3;
    state.counters["strata_auto_ms"] = il.seconds(a_strata_auto) / n * 1e3;
    state.counters["raw_read_ms"] = il.seconds(a_raw_read) / n * 1e3;
    state.counters["raw_cursor_ms"] = il.seconds(a_raw_cursor) / n * 1e3;
    state.counters["strata_tx/raw_read"] = il.median_ratio(a_strata_tx, a_raw_read);
}

benchmark::IterationCount rounds_from_env(benchmark::IterationCount fallback) {
    if (const char* env = std::getenv("STRATA_BENCH_SELECT_ROUNDS"); env && std::atoll(env) > 0)
        return std::atoll(env);
    return fallback;
}

}  // namespace

void register_abandon(int repetitions) {
    // 48 rounds (every order of the 4 sides twice) of 4 x 64 selects.
    for (const bool exact : {false, true}) {
        auto* b = benchmark::RegisterBenchmark(exact ? "pg_tx_small_read/one" : "pg_tx_small_read/first",
                                               [exact](benchmark::State& s) { tx_small_read(s, exact); });
        b->Iterations(rounds_from_env(48))->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);
        if (repetitions > 0) b->Repetitions(repetitions);
    }
    // 24 rounds (every order once) of 4 abandonments, each reading up to 200,000 rows.
    auto* b = benchmark::RegisterBenchmark("pg_abandon_200k", abandon_200k);
    b->Iterations(rounds_from_env(24))->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);
    if (repetitions > 0) b->Repetitions(repetitions);
}

}  // namespace strata_bench
