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

#include <vector>

#include "strata/driver.hpp"
#include "strata/plan.hpp"
#include "strata/transaction_options.hpp"

namespace strata {

class runtime;
class tx;

struct atomic_options {
    bool require_atomic = false;
    // Isolation, retry, timeout and check_commit of the transaction mode (check_commit
    // automatic means resolve here); the timeout bounds every mode.
    transaction_options transaction{};
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
