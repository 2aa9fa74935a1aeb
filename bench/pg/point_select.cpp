// Primary-key point select over loopback: strata vs raw libpq vs libpqxx, interleaved in
// blocks inside one benchmark.
//
// Fairness:
// - One table (100,000 rows) read by three connections to the same server, one per side,
//   each with the statement prepared once: raw PQprepare + PQexecPrepared; libpqxx
//   connection::prepare + exec_prepared in a nontransaction (one per block); strata a
//   strata::sql_template and db.execute(sel.bind(id)) with first()/one() — its ordinary
//   API, which prepares and caches the statement on its pooled connection.
// - Autocommit everywhere; every side runs the same ids in the same order; every side
//   reads the three columns into std::int64_t, std::string and double and checksums them.
// - "first" stops after the row (strata first(); raw and libpqxx read row 0), "one"
//   checks there is exactly one row (strata one(); the others check the row count).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
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
constexpr std::size_t id_count = std::size_t{1} << 18;
constexpr const char* select_sql = "SELECT id, name, score FROM bench_items WHERE id = $1";
constexpr const char* strata_select_sql = "SELECT id, name, score FROM bench_items WHERE id = ?";

enum side : std::size_t { raw_side = 0, pqxx_side = 1, strata_side = 2, side_count = 3 };

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
    PGconn* raw = nullptr;
    std::optional<pqxx::connection> pqxx_conn;
    std::optional<strata::runtime> db;
    std::optional<strata::sql_template> sel;

private:
    select_fixture() {
        const std::string url = pg_url();
        populate(url);
        ids.resize(id_count);
        std::mt19937_64 rng(20261123);
        std::uniform_int_distribution<std::int64_t> pick(1, table_rows);
        for (auto& id : ids) id = pick(rng);

        raw = pg_open(url);
        pg_check(PQprepare(raw, "sel", select_sql, 1, nullptr), "prepare");

        pqxx_conn.emplace(url);
        pqxx_conn->prepare("sel", select_sql);

        db.emplace(strata::instantiate(strata::postgres::make_stack()));
        db->connect(strata::postgres::url{url});
        sel.emplace(strata_select_sql);
    }
    ~select_fixture() {
        sel.reset();
        db.reset();
        pqxx_conn.reset();
        PQfinish(raw);
    }

    static void populate(const std::string& url) {
        PGconn* c = pg_open(url);
        pg_exec(c, "DROP TABLE IF EXISTS bench_items");
        pg_exec(c,
                "CREATE TABLE bench_items(id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION NOT NULL)");
        const std::string fill =
            "INSERT INTO bench_items SELECT i, 'item-' || lpad(i::text, 8, '0') || '-' || "
            "(ARRAY['amber','basalt','cedar','dune','ember','fjord','garnet','heath'])[i % 8 + 1], "
            "i * 0.25 FROM generate_series(1, " +
            std::to_string(table_rows) + ") AS i";
        pg_exec(c, fill.c_str());
        pg_exec(c, "VACUUM ANALYZE bench_items");
        PQfinish(c);
    }
};

// ---- the three sides (noinline so a profiler can attribute and isolate them) ----------

[[gnu::noinline]] void raw_block(select_fixture& f, const std::int64_t* ids, bool exact, checksum& sum) {
    for (std::size_t k = 0; k < block; ++k) {
        const std::string id_text = std::to_string(ids[k]);
        const char* values[] = {id_text.c_str()};
        PGresult* r = PQexecPrepared(f.raw, "sel", 1, values, nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1 || (exact && PQntuples(r) != 1)) {
            PQclear(r);
            throw std::runtime_error("raw: no row");
        }
        const std::int64_t id = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
        std::string name(PQgetvalue(r, 0, 1), static_cast<std::size_t>(PQgetlength(r, 0, 1)));
        const double score = std::strtod(PQgetvalue(r, 0, 2), nullptr);
        PQclear(r);
        sum.add(id, name, score);
    }
}

[[gnu::noinline]] void pqxx_block(select_fixture& f, const std::int64_t* ids, bool exact, checksum& sum) {
    pqxx::nontransaction n(*f.pqxx_conn);
    for (std::size_t k = 0; k < block; ++k) {
        const pqxx::result r = n.exec_prepared("sel", ids[k]);
        if (r.empty() || (exact && r.size() != 1)) throw std::runtime_error("libpqxx: no row");
        sum.add(r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(), r[0][2].as<double>());
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
                case raw_side:
                    raw_block(f, ids, exact, sums[raw_side]);
                    break;
                case pqxx_side:
                    pqxx_block(f, ids, exact, sums[pqxx_side]);
                    break;
                default:
                    strata_block(f, ids, exact, sums[strata_side]);
                    break;
            }
        });
        pos = (pos + block) % id_count;
    }
    if (!(sums[raw_side] == sums[pqxx_side]) || !(sums[raw_side] == sums[strata_side])) {
        state.SkipWithError("the sides read different data (checksums differ)");
        return;
    }
    const double ops = static_cast<double>(il.rounds() * block);
    const double raw_s = il.seconds(raw_side), pqxx_s = il.seconds(pqxx_side), strata_s = il.seconds(strata_side);
    state.SetItemsProcessed(static_cast<std::int64_t>(il.rounds() * block * side_count));
    state.counters["raw_us"] = raw_s / ops * 1e6;
    state.counters["pqxx_us"] = pqxx_s / ops * 1e6;
    state.counters["strata_us"] = strata_s / ops * 1e6;
    // Time ratios, lower is better for the first-named side (median of per-round ratios;
    // sum_* = total over total).
    state.counters["strata/raw"] = il.median_ratio(strata_side, raw_side);
    state.counters["pqxx/raw"] = il.median_ratio(pqxx_side, raw_side);
    state.counters["strata/pqxx"] = il.median_ratio(strata_side, pqxx_side);
    state.counters["sum_strata/raw"] = strata_s / raw_s;
    state.counters["sum_pqxx/raw"] = pqxx_s / raw_s;
}

}  // namespace

void register_point_select(int repetitions) {
    // 120 rounds of 3 x 64 selects: 1–3 s per repetition at 45–170 µs a select.
    benchmark::IterationCount rounds = 120;
    if (const char* env = std::getenv("STRATA_BENCH_SELECT_ROUNDS"); env && std::atoll(env) > 0)
        rounds = std::atoll(env);
    for (const bool exact : {false, true}) {
        auto* b = benchmark::RegisterBenchmark(exact ? "pg_point_select/one" : "pg_point_select/first",
                                               [exact](benchmark::State& s) { point_select(s, exact); });
        b->Iterations(rounds)->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);
        if (repetitions > 0) b->Repetitions(repetitions);
    }
}

}  // namespace strata_bench
