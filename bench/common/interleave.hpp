// Interleaved timing of several implementations ("sides") of the same work.
//
// On the shared 2-vCPU machines a figure only holds as a ratio measured inside one run
// (docs/benchmarks.md, shared design note "measuring"). So every benchmark here runs all
// sides in the same loop: one round runs one block per side, and the order of the sides
// is the next permutation each round, so over a run every side goes first, second and
// last equally often and follows every other side equally often. Each block is timed on
// its own; the sum per side over a repetition gives the per-repetition ratio.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>

namespace strata_bench {

using bench_clock = std::chrono::steady_clock;

template <std::size_t N>
class interleaver {
public:
    interleaver() { std::iota(order_.begin(), order_.end(), std::size_t{0}); }

    // Calls run(side) once for every side, in this round's order, timing each call.
    template <class F>
    void round(F&& run) {
        for (const std::size_t side : order_) {
            const auto t0 = bench_clock::now();
            run(side);
            elapsed_[side] += bench_clock::now() - t0;
        }
        // Cycles through all N! orders (wraps back to the sorted order after the last).
        std::next_permutation(order_.begin(), order_.end());
        ++rounds_;
    }

    // Times one call of run(side) outside the round structure (e.g. a COMMIT).
    template <class F>
    void once(std::size_t side, F&& run) {
        const auto t0 = bench_clock::now();
        run(side);
        elapsed_[side] += bench_clock::now() - t0;
    }

    [[nodiscard]] double seconds(std::size_t side) const {
        return std::chrono::duration<double>(elapsed_[side]).count();
    }
    [[nodiscard]] double total_seconds() const {
        double s = 0;
        for (std::size_t i = 0; i < N; ++i) s += seconds(i);
        return s;
    }
    [[nodiscard]] std::uint64_t rounds() const noexcept { return rounds_; }

private:
    std::array<std::size_t, N> order_{};
    std::array<bench_clock::duration, N> elapsed_{};
    std::uint64_t rounds_ = 0;
};

}  // namespace strata_bench
