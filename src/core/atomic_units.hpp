// Internal: what run_atomic_writes and group commit share (src/core/atomic_writes.cpp,
// src/core/group_commit.cpp).
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "strata/atomic_writes.hpp"
#include "strata/error.hpp"
#include "strata/runtime.hpp"
#include "stream_state.hpp"

namespace strata::detail {

// Runs each plan through `execute` (a runtime's or a tx's), keeping every result and
// tracking which index is executing.
template <class Execute>
std::vector<batch_result> run_each(const Execute& execute, const std::vector<plan>& plans, std::size_t& index) {
    std::vector<batch_result> out;
    out.reserve(plans.size());
    for (index = 0; index < plans.size(); ++index) {
        auto stream = execute(plans[index]);
        batch_result r;
        r.rows = stream.all();
        r.affected_rows = stream.affected_rows();
        out.push_back(std::move(r));
    }
    return out;
}

// The error a caller sees for a failed unit; the statement's error is the cause.
// `applied` is "none" or the sequential count, unless the cause says the outcome is
// unknown (a COMMIT or batch whose reply was lost): then "unknown", never transient.
[[nodiscard]] error unit_failed(atomic_mode mode, std::optional<std::size_t> failed_index, std::string applied,
                                const std::exception_ptr& cause);

// Tells every middleware how a unit ran.
void notify(const execution_target& target, const atomic_unit_summary& s);

// Sends `plans` as one atomic batch on a connection of its own (no retry).
[[nodiscard]] std::vector<batch_result> run_batch(const execution_target& target, const std::vector<plan>& plans,
                                                  const execution_control& control);

// run_atomic_writes for a unit that names a commit group: `mode` is transaction (on a
// connection with savepoints) or batch.
[[nodiscard]] atomic_result run_grouped(const runtime& target, const capabilities& caps, atomic_mode mode,
                                        const std::vector<plan>& plans, const atomic_options& options);

}  // namespace strata::detail
