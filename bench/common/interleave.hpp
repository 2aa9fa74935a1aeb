// Interleaved timing of several implementations ("sides") of the same work.
//
// On the shared 2-vCPU machines a figure only holds as a ratio measured inside one run
// (docs/benchmarks.md, shared design note "measuring"). So every benchmark here runs all
// sides in the same loop: one round runs one block per side, and the order of the sides
// is the next permutation each round, so over a run every side goes first, second and
// last equally often and follows every other side equally often. Each block is timed on
// its own. Per repetition two ratios come out of the block times:
// - median_ratio(a, b): the median over rounds of (a's block time / b's block time). This
//   is the figure we report: a round's blocks run back to back, so they share the
//   machine's state, and a block stretched by preemption (frequent when other jobs load
//   the 2 vCPUs) moves one round's ratio, not the result.
// - sum_ratio(a, b): total time of a / total time of b (sensitive to such outliers).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace strata_bench {

using bench_clock = std::chrono::steady_clock;

template <std::size_t N>
class interleaver {
public:
    interleaver() { std::iota(order_.begin(), order_.end(), std::size_t{0}); }

    // Calls run(side) once for every side, in this round's order, timing each call.
    template <class F>
    void round(F&& run) {
        std::array<double, N> block{};
        for (const std::size_t side : order_) {
            const auto t0 = bench_clock::now();
            run(side);
            const auto dt = bench_clock::now() - t0;
            elapsed_[side] += dt;
            block[side] = std::chrono::duration<double>(dt).count();
        }
        blocks_.push_back(block);
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

    [[nodiscard]] double sum_ratio(std::size_t a, std::size_t b) const { return seconds(a) / seconds(b); }
    [[nodiscard]] double median_ratio(std::size_t a, std::size_t b) const {
        std::vector<double> r;
        r.reserve(blocks_.size());
        for (const auto& blk : blocks_) r.push_back(blk[a] / blk[b]);
        if (r.empty()) return 0;
        const auto mid = r.begin() + static_cast<std::ptrdiff_t>(r.size() / 2);
        std::nth_element(r.begin(), mid, r.end());
        if (r.size() % 2 == 1) return *mid;
        return (*mid + *std::max_element(r.begin(), mid)) / 2;
    }

private:
    std::array<std::size_t, N> order_{};
    std::array<bench_clock::duration, N> elapsed_{};
    std::vector<std::array<double, N>> blocks_;  // per round: each side's block time (s)
    std::uint64_t rounds_ = 0;
};

}  // namespace strata_bench
