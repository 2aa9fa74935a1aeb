// Atomic write units: a list of built-but-unexecuted plans that commit or vanish
// together, on the strongest mechanism the connection offers, chosen by capability:
//   1. transaction  — the connection has interactive transactions;
//   2. batch        — else an atomic batch (all statements in one round trip, one implicit
//                     transaction: PostgreSQL pipeline mode, or any driver declaring it);
//   3. sequential   — else one by one, NOT atomic: allowed only without require_atomic
//                     (then ATOMIC.CAPABILITY_REQUIRED).
// Results come back per plan, in order, with RETURNING rows by index.
//
// Plans in a unit must not depend on values returned by earlier plans of the same unit:
// mint ids in the application, choose rows by INSERT ... SELECT at execution time.
// Side effects (events, webhooks) belong after the unit returns, never inside it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "strata/driver.hpp"
#include "strata/plan.hpp"
#include "strata/transaction_options.hpp"

namespace strata {

class runtime;
class tx;

// Group commit (docs/decisions/0027-group-commit.md): concurrent units that name the same
// group on one runtime share one transaction and one COMMIT. A leader (whichever caller
// finds no group running) opens the transaction, runs each waiting unit under a SAVEPOINT
// of its own, commits once, and every caller returns only after that COMMIT: a unit that
// fails rolls back alone and its caller alone gets ATOMIC.UNIT_FAILED (applied=none).
// Units queue while a group of theirs runs, so groups form under load by themselves; a
// caller that finds nothing else queued runs its unit alone, exactly as without a group.
//   key        units with the same key group together (e.g. the channel they lock, so
//              units contending for one lock take it once). A single-writer database
//              (capabilities::single_writer: SQLite) groups every unit of the runtime
//              whatever its key; isolation, access and begin mode are part of the key.
//   max_units  the most units one group takes (≥ 1).
//   max_wait   how long a leader that found other units queued waits for more, up to
//              max_units, before it starts (0: never waits).
// Grouping applies to the transaction mode on connections with savepoints, and to the
// batch mode: queued batch units are sent as one batch (one pipeline, one COMMIT); when
// it fails, its units run again alone, so each gets its own outcome. Elsewhere (the
// sequential mode) the unit runs alone. A unit's retry policy and timeout are its own: a unit that fails
// with a transient error in a group, or whose group fails as a whole before COMMIT, runs
// again alone under its own options. When a group's COMMIT outcome is unknown, every
// unit in it reports applied=unknown.
struct commit_group {
    std::string key{};
    std::size_t max_units = 32;
    std::chrono::microseconds max_wait{0};
};

struct atomic_options {
    bool require_atomic = false;
    // Isolation, retry, timeout and check_commit of the transaction mode (check_commit
    // automatic means resolve here); the timeout bounds every mode.
    transaction_options transaction{};
    // Share a transaction and a COMMIT with concurrent units (see commit_group).
    std::optional<commit_group> group{};
    // Run as an atomic batch (one round trip: PostgreSQL's pipeline) when the connection
    // has one, even if it has interactive transactions: the locks the unit takes are held
    // for one round trip instead of one per statement. Same all-or-nothing contract; the
    // retry policy applies to transient failures (a deadlock, a serialization failure).
    // With a group, batch units group with batch units only.
    bool prefer_batch = false;
};

struct atomic_result {
    atomic_mode mode = atomic_mode::transaction;
    std::vector<batch_result> results;  // one per plan, in order
};

// Failures throw ATOMIC.UNIT_FAILED{mode, failed_index, applied} with the statement's
// error as cause (its SQL error info is copied, so e.sql()->sqlstate works directly).
// applied is "none" for transaction and batch modes; sequential reports how many plans
// stayed applied. In transaction mode a COMMIT whose reply was lost is resolved by
// default (transaction.check_commit, docs/decisions/0024-robust-commit.md): the database
// is asked on a fresh connection, so a unit that committed returns its results, and one
// that did not fails with applied=none (transient). applied is "unknown" when that
// cannot settle it (the database cannot be reached, check_commit = report_unknown, a
// driver that cannot ask) or when the connection broke after a batch's commit point
// (its Sync) was sent — batch mode does not resolve: the unit may or may not have
// landed, the error is never transient, and e.outcome_unknown() is true. Look the
// unit's rows up (ids minted before the unit make that easy) before running it again.
[[nodiscard]] atomic_result run_atomic_writes(const runtime& target, const std::vector<plan>& plans,
                                              const atomic_options& options = {});
// Inside an open transaction the unit joins it (mode transaction) under a savepoint, so
// it is all-or-nothing there too: on ATOMIC.UNIT_FAILED (applied=none) the unit's
// statements are undone and the transaction goes on; whatever the caller does next,
// commit included, none of the unit lands. A connection without savepoints cannot undo
// the unit alone: a failed unit then dooms the transaction, whose commit rolls back and
// throws RUNTIME.TRANSACTION_COMMIT_FAILED{outcome=rolled_back} (cause: the unit's error).
[[nodiscard]] atomic_result run_atomic_writes(const tx& target, const std::vector<plan>& plans);

}  // namespace strata
