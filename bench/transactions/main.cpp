// strata_bench_transactions: what db.transaction(fn) costs over a hand-written BEGIN …
// COMMIT, and a 5-statement write unit in each atomic mode (transaction, batch,
// sequential), on SQLite and on PostgreSQL (see bench/README.md and docs/benchmarks.md).
//
// PostgreSQL runs need STRATA_PG_URL (e.g. from `scripts/pg start --cpu 1`); without it
// only the SQLite benchmarks run. Defaults as in strata_bench_sqlite: 10 repetitions
// (--benchmark_repetitions=N), aggregates only, repetitions of different benchmarks
// randomly interleaved (--benchmark_enable_random_interleaving, on unless given).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace strata_bench::tx {
void register_sqlite(int repetitions);
void register_postgres(int repetitions);
void register_robust_commit(int repetitions);
}  // namespace strata_bench::tx

int main(int argc, char** argv) {
    bool reps_given = false;
    bool interleave_given = false;
    std::vector<char*> args(argv, argv + argc);
    for (int i = 1; i < argc; ++i) {
        reps_given = reps_given || std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0;
        interleave_given = interleave_given || std::strncmp(argv[i], "--benchmark_enable_random_interleaving", 38) == 0;
    }
    std::string interleave = "--benchmark_enable_random_interleaving=true";
    if (!interleave_given) args.push_back(interleave.data());
    args.push_back(nullptr);
    int n = static_cast<int>(args.size()) - 1;

    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
    const int reps = reps_given ? 0 : 10;  // 0: use --benchmark_repetitions
    strata_bench::tx::register_sqlite(reps);
    if (const char* url = std::getenv("STRATA_PG_URL"); url != nullptr && *url != '\0') {
        strata_bench::tx::register_postgres(reps);
        strata_bench::tx::register_robust_commit(reps);
    } else {
        std::fprintf(stderr, "strata_bench_transactions: STRATA_PG_URL is not set; skipping the PostgreSQL benchmarks\n");
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
