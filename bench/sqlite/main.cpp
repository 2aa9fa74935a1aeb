// strata_bench_sqlite: strata vs the raw sqlite3 C API vs SQLiteCpp (see bench/README.md).
//
// Defaults follow the measuring rules for the shared 2-vCPU machines: every benchmark is
// repeated 10 times (override with --benchmark_repetitions=N), only aggregates (mean,
// median, stddev, cv) are reported, and repetitions of different benchmarks are randomly
// interleaved (--benchmark_enable_random_interleaving, on unless given explicitly).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

namespace strata_bench {
void register_point_select(int repetitions);
void register_bulk_insert(int repetitions);
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
    const int reps = reps_given ? 0 : 10;  // 0: use --benchmark_repetitions
    strata_bench::register_point_select(reps);
    strata_bench::register_bulk_insert(reps);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
