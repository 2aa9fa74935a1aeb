// Telemetry middleware: per-fingerprint counters (executions, failures, rows, time) and
// an optional event sink. The fingerprint is the normalized SQL (literals replaced by ?,
// whitespace folded, keywords lower-cased) and a stable 64-bit hash of it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "strata/middleware.hpp"

namespace strata {

struct telemetry_event {
    std::uint64_t execution_id = 0;
    std::string fingerprint{};  // normalized SQL
    std::string hash{};         // 16 hex digits
    execution_outcome outcome = execution_outcome::success;
    std::uint64_t rows = 0;
    std::chrono::nanoseconds duration{0};
    std::string error_code{};  // empty on success
};

struct telemetry_counters {
    std::uint64_t executions = 0;
    std::uint64_t failures = 0;
    std::uint64_t rows = 0;
    std::chrono::nanoseconds total_time{0};
};

struct atomic_unit_counters {
    std::uint64_t units = 0;
    std::uint64_t failures = 0;
    std::uint64_t statements = 0;
};

// Commit groups (strata/atomic_writes.hpp, commit_group) of two or more units.
struct commit_group_counters {
    std::uint64_t groups = 0;
    std::uint64_t units = 0;
    std::uint64_t failed_groups = 0;  // failed as a whole (their units ran alone or are unknown)
    std::chrono::nanoseconds commit_time{0};  // summed over the groups' COMMITs
    std::map<std::size_t, std::uint64_t> sizes{};  // units in a group -> how many groups
};

class telemetry final : public middleware {
public:
    explicit telemetry(std::function<void(const telemetry_event&)> sink = {});
    [[nodiscard]] std::string_view name() const noexcept override { return "telemetry"; }
    void after_execute(const execution_context& ctx, const execution_summary& s) override;
    void on_atomic_unit(const atomic_unit_summary& s) noexcept override;
    void on_commit_group(const commit_group_summary& s) noexcept override;

    // Counters by normalized SQL fingerprint, and summed over all.
    [[nodiscard]] std::map<std::string, telemetry_counters> by_fingerprint() const;
    [[nodiscard]] telemetry_counters totals() const;
    // Atomic write units by the mode that ran them.
    [[nodiscard]] std::map<atomic_mode, atomic_unit_counters> atomic_units() const;
    [[nodiscard]] commit_group_counters commit_groups() const;

private:
    std::function<void(const telemetry_event&)> sink_;
    mutable std::mutex mutex_;
    std::map<std::string, telemetry_counters> counters_;
    telemetry_counters totals_;
    std::map<atomic_mode, atomic_unit_counters> atomic_;
    commit_group_counters groups_;
};

// Normalized SQL and its hash, as telemetry computes them.
[[nodiscard]] std::string normalize_sql(std::string_view sql);
[[nodiscard]] std::string fingerprint_hash(std::string_view normalized);

}  // namespace strata
