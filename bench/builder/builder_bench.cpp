// A typed select through the builder vs the same query as a raw SQL plan, through the same
// runtime, on the same SQLite file and ids, interleaved in blocks (bench/common/interleave.hpp).
// Goal (issue 5): builder / raw <= 1.05 — building and lowering must not show.
//   build/release/bench/strata_bench_builder
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "../common/interleave.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace {

struct items {
    static constexpr std::string_view table_name = "items";
    static constexpr strata::column<items, std::int64_t> id{"id", {.primary_key = true}};
    static constexpr strata::column<items, std::string> name{"name"};
    static constexpr strata::column<items, double> score{"score"};
    static constexpr auto columns = std::tuple{id, name, score};
};

constexpr std::size_t rows = 100000, block = 256;

struct fixture {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "strata-bench-builder";
    strata::runtime db = strata::instantiate(strata::sqlite::make_stack());
    std::vector<std::int64_t> ids;

    fixture() {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        db.connect(strata::sqlite::file{(dir / "bench.db").string()});
        strata::migrate(db, strata::make_contract<items>());
        const auto insert = strata::insert_into<items>(items::id, items::name, items::score)
                                .values(strata::arg<std::int64_t>(0), strata::arg<std::string>(1),
                                        strata::arg<double>(2))
                                .prepare();
        db.transaction([&](strata::tx& t) {
            for (std::size_t i = 1; i <= rows; ++i)
                t.execute(insert.bind(static_cast<std::int64_t>(i), "item " + std::to_string(i), static_cast<double>(i) * 0.5)).drain();
        });
        std::mt19937_64 rng(42);
        std::uniform_int_distribution<std::int64_t> pick(1, rows);
        ids.resize(rows);
        for (auto& id : ids) id = pick(rng);
    }
    ~fixture() {
        db.close();
        std::filesystem::remove_all(dir);
    }
};

void typed_vs_raw(benchmark::State& state) {
    static fixture f;
    using row_t = std::tuple<std::int64_t, std::string, double>;
    // The builder: declared once, bound per call (as an application would).
    static const auto typed = strata::from<items>()
                                  .select(items::id, items::name, items::score)
                                  .where(items::id == strata::arg<std::int64_t>(0))
                                  .prepare();
    static const strata::sql_template raw("SELECT id, name, score FROM items WHERE id = ?");
    strata_bench::interleaver<2> il;
    std::size_t pos = 0;
    double sum[2] = {0, 0};
    for (auto _ : state) {
        const std::int64_t* ids = f.ids.data() + pos;
        il.round([&](std::size_t side) {
            for (std::size_t k = 0; k < block; ++k) {
                const row_t r = side == 0 ? f.db.execute(raw.bind(ids[k])).one_as<row_t>()
                                          : f.db.execute(typed.bind(ids[k])).one_as<row_t>();
                sum[side] += std::get<2>(r);
            }
        });
        pos = (pos + block) % (rows - block);
    }
    if (sum[0] != sum[1]) state.SkipWithError("the two sides read different rows");
    state.counters["builder/raw"] = il.median_ratio(1, 0);
    state.counters["sum_builder/raw"] = il.sum_ratio(1, 0);
    state.counters["raw_us"] = il.seconds(0) / static_cast<double>(il.rounds() * block) * 1e6;
    state.counters["builder_us"] = il.seconds(1) / static_cast<double>(il.rounds() * block) * 1e6;
}

BENCHMARK(typed_vs_raw)->Iterations(400)->Repetitions(10)->ReportAggregatesOnly(false);

}  // namespace

BENCHMARK_MAIN();
