// Shared pieces of strata_bench_transactions: knobs, the interleaved-run bookkeeping and
// the data every side writes.
#pragma once

#include <benchmark/benchmark.h>

#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace strata_bench::tx {

// Rounds per repetition: `fallback`, or STRATA_BENCH_TX_ROUNDS when set, rounded up to a
// multiple of `orders` (the number of side orders the interleaver cycles through), so that
// every side goes first, second, ... equally often within a repetition.
inline benchmark::IterationCount rounds(benchmark::IterationCount fallback, benchmark::IterationCount orders) {
    benchmark::IterationCount n = fallback;
    if (const char* env = std::getenv("STRATA_BENCH_TX_ROUNDS"); env && std::atoll(env) > 0) n = std::atoll(env);
    return (n + orders - 1) / orders * orders;
}

// The message body of the 5-statement unit (ordinary length, past the small-string buffer).
inline const std::string& unit_body() {
    static const std::string body = "hello from the benchmark: a message body of ordinary length";
    return body;
}

// Row i of the one-INSERT transactions: a 19–20-byte name and a double.
inline std::string row_name(std::int64_t i) {
    static constexpr const char* words[] = {"amber", "basalt", "cedar", "dune", "ember", "fjord", "garnet", "heath"};
    char buf[48];
    const int n = std::snprintf(buf, sizeof buf, "item-%08" PRId64 "-%s", i, words[i % 8]);
    return std::string(buf, static_cast<std::size_t>(n));
}
inline double row_score(std::int64_t i) { return static_cast<double>(i) * 0.25; }

}  // namespace strata_bench::tx
