// strata_bench_pg: strata vs raw libpq vs libpqxx on PostgreSQL (see bench/README.md).
// Needs a server: STRATA_PG_URL, e.g. through `scripts/pg run --cpu 0 -- taskset -c 0 ...`.
//
// Defaults as in strata_bench_sqlite: 10 repetitions (--benchmark_repetitions=N),
// aggregates only, repetitions of different benchmarks randomly interleaved.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

namespace strata_bench {
void register_point_select(int repetitions);
void register_write_unit(int repetitions);
void register_abandon(int repetitions);
}  // namespace strata_bench

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
    const int reps = reps_given ? 0 : 10;
    strata_bench::register_point_select(reps);
    strata_bench::register_write_unit(reps);
    strata_bench::register_abandon(reps);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
